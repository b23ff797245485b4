"""Which files make one report: a folder of reports, grouped by what the files say.

Some reports are published as two files: the 情况说明 (narrative) in one and the tables in
the other (Jiangsu's "…部门预算.pdf" + "…公开表.pdf", Beijing's 附件1 情况说明 + 附件2 报表).
File names are not trusted (they are whatever the downloader chose); the files' contents are:

1. **Explicit**: a ``report.yaml`` in a folder lists the files of its reports, relative to
   that folder (``files: [a.pdf, b.pdf]`` for one report, or ``reports: [[a.pdf, b.pdf],
   [c.pdf]]``).  Files it names are grouped as it says and take part in nothing else.
2. **By content**: every other file of a folder with two or more files is parsed alone (a
   *probe*: department, year, kind, scope, whether it has tables with numbers and whether
   it has narrative facts, and the amounts it prints).  A file with tables and no
   narrative (a *tables file*) and a file with narrative and no tables (a *narrative
   file*) of the same folder are one report when
   - nothing they say conflicts: kind, year and scope (部门/单位) equal where both say;
   - the numbers confirm it: the narrative prints the tables' largest amount (their grand
     total, 收入总计/支出总计) and at least MIN_SHARED more of their amounts that are not
     whole 万元 (round amounts recur in every report), each within 0.01 万元 — or, when
     the tables have no amount to compare, both name the same department and year;
   - and the match is clear both ways: the best partner has at least twice the evidence
     of the next one.  Otherwise nothing is grouped and a note says so: never a guess.
3. Every other file is a report on its own.  A file given by itself (not found in a
   given folder) is a report on its own without being probed; the files of one report
   are given together explicitly with ``--part``.

A path is always a path: nothing but the given files, and the files inside the given
folders, is ever part of a report (``report.yaml`` may only name report files inside its
own folder; a symbolic link that leads outside the given folder is left out with a note).
One file is part of one report only, and a file whose bytes equal another's is left out
with a note (it would be the same report twice).
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from fiscalpub.atomic import sha256_file
from fiscalpub.errors import FiscalpubError
from fiscalpub.numbers import find_numbers, to_yuan
from fiscalpub.parse import kept
from fiscalpub.parse.report import build_report
from fiscalpub.pool import stop_pool, worker_pool
from fiscalpub.read import read_document
from fiscalpub.text import nfkc

REPORT_SUFFIXES = (".pdf", ".txt")
SIDECAR = "report.yaml"
# a 万元 narrative against a table: one unit of its last printed place (CONTRACT tolerance)
TOLERANCE = Decimal("100")  # 元 = 0.01 万元
WAN = Decimal(10000)
# the unit after an amount: 10,150.48万元 / 1，234.56 元 (after NFKC, whitespace removed)
_UNIT_AFTER = re.compile(r"亿元|万元|元")
# amounts that say something about a report: 1 万元 and more (small ones recur everywhere)
MIN_AMOUNT = WAN
# besides the grand total, this many shared amounts that are not whole 万元
MIN_SHARED = 3


class GroupingError(FiscalpubError):
    """A report.yaml or an input that cannot be followed (bad YAML, a missing, outside or
    unnamable file)."""


@dataclass(frozen=True)
class Probe:
    """What one file says about itself, parsed alone."""

    sha256: str
    role: str  # whole | tables | narrative | none | unreadable
    department: str | None = None
    year: int | None = None
    kind: str | None = None
    scope: str | None = None
    totals: tuple[str, ...] = ()  # tables file: its amounts ≥ MIN_AMOUNT, 元
    amounts: tuple[str, ...] = ()  # narrative file: its amounts ≥ MIN_AMOUNT, 元

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Probe:
        """A cached probe; ValueError/TypeError when the entry is not one."""
        probe = cls(
            **{
                **d,
                "totals": tuple(str(x) for x in d.get("totals") or ()),
                "amounts": tuple(str(x) for x in d.get("amounts") or ()),
            }
        )
        try:
            for x in (*probe.totals, *probe.amounts):
                Decimal(x)
        except InvalidOperation:
            raise ValueError("not a decimal amount") from None
        if not isinstance(probe.sha256, str) or probe.role not in _ROLES.values():
            raise ValueError("not a probe")
        return probe


_ROLES = {
    (True, True): "whole",
    (True, False): "tables",
    (False, True): "narrative",
    (False, False): "none",
}


@dataclass
class GroupingPlan:
    groups: list[list[Path]]
    notes: list[str] = field(default_factory=list)


def narrative_amounts(text: str) -> list[Decimal]:
    """Every amount printed with its unit (元/万元/亿元), in 元: the whole numeric tokens of
    fiscalpub.numbers (thousands separators read, never a fragment) followed by a unit."""
    flat = "".join(nfkc(text).split())
    out: list[Decimal] = []
    for m in find_numbers(flat):
        unit = _UNIT_AFTER.match(flat, m.end)
        if m.reading.value is not None and not m.reading.percent and unit:
            out.append(to_yuan(m.reading.value, unit.group()))
    return out


def probe(path: Path, keep: Path | None = None) -> Probe:
    """Parse one file alone and say what it holds.  With `keep` (a private folder of the
    run), the parsed report is kept there (fiscalpub.parse.kept) for the file's report to
    reuse: a file that is a report by itself is then parsed once per run, not twice."""

    try:
        digest = sha256_file(path)
        doc = read_document(str(path))
        report = build_report([doc])
    except (FiscalpubError, OSError):
        return Probe("", "unreadable")
    role = _ROLES[(bool(report.line_items), bool(report.facts))]
    if keep is not None:  # a half of a report keeps its document for the whole
        kept.keep(keep, path, digest, report, doc if role in ("tables", "narrative") else None)
    meta = report.report
    totals: set[Decimal] = set()
    amounts: set[Decimal] = set()
    if role == "tables":
        totals = {li.amount for li in report.line_items if li.amount >= MIN_AMOUNT}
    if role == "narrative":
        text = "\n".join(line.text for line in doc.lines())
        amounts = {a for a in narrative_amounts(text) if a >= MIN_AMOUNT}
    return Probe(
        digest,
        role,
        department=meta.department,
        year=meta.year,
        kind=meta.kind,
        scope=meta.scope,
        totals=tuple(sorted(f"{t:.2f}" for t in totals)),
        amounts=tuple(sorted(f"{a:.2f}" for a in amounts)),
    )


# ------------------------------------------------------------------ finding the files


@dataclass
class Found:
    explicit: list[list[Path]]  # from report.yaml, and files given one by one
    loose: list[Path]  # found in folders: to be grouped by content
    notes: list[str] = field(default_factory=list)


def find_files(inputs: Iterable[Path]) -> Found:
    """The report files of the inputs: folders are searched recursively (hidden files and
    folders left out), report.yaml sidecars followed, the other files left to group by
    content; a file given by itself and not inside a given folder is a report.  Every
    file is part of one report at most, whatever the order of the inputs."""
    found = Found([], [])
    given = list(dict.fromkeys(inputs))
    folders = [g for g in given if g.is_dir()]
    roots = list(dict.fromkeys(g.resolve() for g in folders))
    seen: set[Path] = set()
    named: dict[Path, Path] = {}  # file -> the report.yaml naming it
    for folder in folders:
        root = folder.resolve()
        if root in seen or any(root != r and root.is_relative_to(r) for r in roots):
            continue  # given twice, or inside another given folder
        seen.add(root)
        for sidecar in sorted(folder.rglob(SIDECAR)):
            if _hidden(sidecar, folder):
                continue
            for group in read_sidecar(sidecar, root):
                for path in group:
                    real = path.resolve()
                    if real in named:
                        raise GroupingError(
                            f"{path}: named by both {named[real]} and {sidecar}: a file is "
                            "part of one report"
                        )
                    named[real] = sidecar
                found.explicit.append(group)
        outputs: set[Path] = set()
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in REPORT_SUFFIXES or _hidden(path, folder):
                continue
            if _in_output(path, folder, outputs):
                continue
            if not path.is_file():
                if not path.is_dir():  # a FIFO, a device, a link to one or to nothing
                    found.notes.append(f"{_shown(path)}: not a regular file: left out")
                continue
            try:
                real = path.resolve()
            except (OSError, RuntimeError):
                found.notes.append(f"{_shown(path)}: cannot be resolved: left out")
                continue
            if not real.is_relative_to(root):
                found.notes.append(f"{_shown(path)}: a link to a file outside {folder}: left out")
                continue
            if not _utf8(path):
                found.notes.append(
                    f"{_shown(path)}: the file name is not valid UTF-8 (rename it): left out"
                )
                continue
            if real in named or real in seen:
                continue
            seen.add(real)
            found.loose.append(path)
    for path in given:
        if path.is_dir():
            continue
        real = path.resolve()
        if real in seen or real in named:
            continue  # found in a given folder: grouped with it
        if not _utf8(path):
            raise GroupingError(f"{_shown(path)}: the file name is not valid UTF-8: rename it")
        seen.add(real)
        found.explicit.append([path])
    return found


def _in_output(path: Path, folder: Path, outputs: set[Path]) -> bool:
    """A file of fiscalpub's own output inside an input folder (-o under the input): the
    sources/ copy of a data package, a run's folder. Reading them as reports made each
    run undo the last (a copy collided with its original)."""
    for parent in path.parents:
        if parent == folder or folder not in parent.parents:
            return False
        if parent in outputs:
            return True
        if (parent / "datapackage.json").is_file() or (parent / ".fiscalpub-run.json").is_file():
            outputs.add(parent)
            return True
    return False


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _utf8(path: Path) -> bool:
    try:
        os.fsencode(path.name).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _shown(path: Path) -> str:
    """A path for a message, whatever bytes its name has."""
    return os.fsencode(str(path)).decode("utf-8", "replace")


def read_sidecar(sidecar: Path, root: Path) -> list[list[Path]]:
    """The groups a report.yaml lists: ``files: [...]`` (one report) or ``reports: [[...],
    ...]``; report files (.pdf, .txt) inside its folder, inside the given folder `root`."""
    import yaml

    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GroupingError(f"{sidecar}: cannot be read as YAML ({_first_line(exc)})") from None
    if isinstance(data, dict) and isinstance(data.get("files"), list) and "reports" not in data:
        lists: Any = [data["files"]]
    elif isinstance(data, dict) and isinstance(data.get("reports"), list) and "files" not in data:
        lists = data["reports"]
    else:
        raise GroupingError(
            f"{sidecar}: expected 'files: [a.pdf, b.pdf]' (one report) or "
            "'reports: [[a.pdf, b.pdf], [c.pdf]]'"
        )
    groups: list[list[Path]] = []
    named: set[Path] = set()
    home = sidecar.parent.resolve()
    for entry in lists:
        if not isinstance(entry, list) or not entry or not all(isinstance(n, str) for n in entry):
            raise GroupingError(f"{sidecar}: each report is a non-empty list of file names")
        group = []
        for name in entry:
            path = sidecar.parent / name
            try:
                real = path.resolve()
                is_file = path.is_file()
            except (OSError, RuntimeError, ValueError) as exc:
                raise GroupingError(f"{sidecar}: {name!r}: {_first_line(exc)}") from None
            if Path(name).is_absolute() or not real.is_relative_to(home):
                raise GroupingError(f"{sidecar}: {name}: not a file of this folder")
            if not real.is_relative_to(root):
                raise GroupingError(f"{sidecar}: {name}: leads outside {root}")
            if not is_file:
                raise GroupingError(f"{sidecar}: {name}: no such file")
            if path.suffix.lower() not in REPORT_SUFFIXES:
                raise GroupingError(f"{sidecar}: {name}: not a report file (.pdf, .txt)")
            if real in named:
                raise GroupingError(f"{sidecar}: {name}: named twice")
            named.add(real)
            group.append(path)
        groups.append(group)
    return groups


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ------------------------------------------------------------------ grouping by content


def plan(found: Found, probes: dict[Path, Probe]) -> GroupingPlan:
    """The reports: explicit groups, pairs of a narrative file and a tables file that
    agree (module docstring), every other file alone."""
    result = GroupingPlan(list(found.explicit), list(found.notes))
    by_folder: dict[Path, list[Path]] = {}
    first_of: dict[str, Path] = {}
    for path in found.loose:
        digest = probes[path].sha256 if path in probes else None
        if digest and digest in first_of:
            result.notes.append(
                f"{path}: the same bytes as {first_of[digest]}: left out (one report once)"
            )
            continue
        if digest:
            first_of[digest] = path
        by_folder.setdefault(path.parent, []).append(path)
    numbers = {p: _Numbers(pr) for p, pr in probes.items() if pr.role in ("tables", "narrative")}
    for files in by_folder.values():
        tabs = [p for p in files if p in probes and probes[p].role == "tables"]
        narrs = [p for p in files if p in probes and probes[p].role == "narrative"]
        score = {
            (t, n): _evidence(probes[t], probes[n], numbers[t], numbers[n])
            for t in tabs
            for n in narrs
        }
        best_n = {t: _best(t, [(n, score[t, n]) for n in narrs], result.notes) for t in tabs}
        best_t = {n: _best(n, [(t, score[t, n]) for t in tabs], result.notes) for n in narrs}
        paired: set[Path] = set()
        for t, n in best_n.items():
            if n is not None and best_t.get(n) == t:
                result.groups.append([n, t])  # the narrative first, as printed
                paired.update((t, n))
        result.groups += [[p] for p in files if p not in paired]
    result.groups.sort(key=lambda g: [str(p) for p in g])
    return result


class _Numbers:
    """A probe's amounts as sorted Decimals (computed once per file, not per pair)."""

    def __init__(self, probe: Probe) -> None:
        self.values = sorted(Decimal(x) for x in (probe.totals or probe.amounts))
        self.top = self.values[-1] if self.values else None

    def has(self, amount: Decimal) -> bool:
        i = bisect.bisect_left(self.values, amount - TOLERANCE)
        return i < len(self.values) and self.values[i] <= amount + TOLERANCE


def _evidence(t: Probe, n: Probe, tn: _Numbers, nn: _Numbers) -> int:
    """How strongly a tables file and a narrative file are one report: 0 when anything
    they say conflicts or the numbers do not confirm it (module docstring)."""
    for a, b in ((t.kind, n.kind), (t.year, n.year), (t.scope, n.scope)):
        if a is not None and b is not None and a != b:
            return 0
    if tn.top is None:  # no amount in the tables: the names alone
        same = bool(
            t.department
            and n.department
            and (t.department in n.department or n.department in t.department)
            and t.year is not None
            and t.year == n.year
        )
        return 1 if same else 0
    if not nn.has(tn.top):
        return 0  # the narrative does not print the tables' grand total
    shared = shared_amounts(tn, nn)
    return shared if shared >= MIN_SHARED else 0


def shared_amounts(tn: _Numbers, nn: _Numbers) -> int:
    """How many distinct amounts of the narrative that are not whole 万元 are amounts of
    the tables (within the tolerance: the narrative rounds to 0.01 万元)."""
    return sum(1 for a in nn.values if a % WAN and tn.has(a))


def _best(path: Path, scored: list[tuple[Path, int]], notes: list[str]) -> Path | None:
    """The one partner that clearly has the most evidence (at least twice the next one),
    or None — with a note when there were several and none stood out."""
    ranked = sorted(((s, p) for p, s in scored if s > 0), key=lambda x: -x[0])
    if not ranked:
        return None
    if len(ranked) == 1 or ranked[0][0] >= 2 * ranked[1][0]:
        return ranked[0][1]
    names = ", ".join(f"{p.name} ({s})" for s, p in ranked)
    notes.append(
        f"{path}: could be one report with any of {names} (amounts shared): not grouped; "
        f"list the files of each report in {SIDECAR}"
    )
    return None


def probe_all(
    paths: Sequence[Path],
    cache: dict[str, dict[str, Any]],
    *,
    jobs: int = 1,
    progress: Callable[[Path], None] | None = None,
    keep: Path | None = None,
) -> dict[Path, Probe]:
    """A probe per file; `cache` (sha256 -> probe dict) spares the files already probed
    and receives the new probes; `keep`: see probe."""
    out: dict[Path, Probe] = {}
    todo: list[Path] = []
    for path in paths:
        try:
            digest = sha256_file(path)
        except OSError:
            continue  # unreadable: the report fails later with its own message
        hit = cache.get(digest)
        if isinstance(hit, dict):
            try:
                out[path] = Probe.from_dict(hit)
                continue
            except (TypeError, ValueError):
                pass  # not a probe of this version: probe again
        todo.append(path)
    if jobs > 1 and len(todo) > 1:
        pool = worker_pool(jobs)
        try:
            probing = partial(probe, keep=keep)
            for path, result in zip(todo, pool.map(probing, todo), strict=True):
                out[path] = result
                if progress:
                    progress(path)
        except BaseException:
            stop_pool(pool)  # Ctrl-C while probing: do not probe the rest first
            raise
        pool.shutdown()
    else:
        for path in todo:
            out[path] = probe(path, keep)
            if progress:
                progress(path)
    for path in todo:
        if out[path].sha256:
            cache[out[path].sha256] = out[path].to_dict()
    return out


def group_reports(
    inputs: Iterable[Path],
    cache: dict[str, dict[str, Any]] | None = None,
    *,
    jobs: int = 1,
    progress: Callable[[Path], None] | None = None,
    keep: Path | None = None,
) -> GroupingPlan:
    """The reports among `inputs` (files and folders): see the module docstring; `keep`:
    see probe."""
    found = find_files(inputs)
    # a file alone in its folder is a report by itself; the others are probed
    folders: dict[Path, int] = {}
    for path in found.loose:
        folders[path.parent] = folders.get(path.parent, 0) + 1
    todo = [p for p in found.loose if folders[p.parent] > 1]
    probes = probe_all(
        todo, {} if cache is None else cache, jobs=jobs, progress=progress, keep=keep
    )
    return plan(found, probes)
