"""Which files make one report: a folder of reports, grouped by what the files say.

Some reports are published as two files: the 情况说明 (narrative) in one and the tables in
the other (Jiangsu's "…部门预算.pdf" + "…公开表.pdf", Beijing's 附件1 情况说明 + 附件2 报表).
File names are not trusted (they are whatever the downloader chose); the files' contents are:

1. **Explicit**: a ``report.yaml`` in a folder lists the files of its reports, relative to
   that folder (``files: [a.pdf, b.pdf]`` for one report, or ``reports: [[a.pdf, b.pdf],
   [c.pdf]]``).  Files it names are grouped as it says and take part in nothing else.
2. **By content**: every other file is parsed alone (a *probe*: department, year, kind,
   scope, whether it has tables with numbers and whether it has narrative facts).  A file
   with tables and no narrative (a *tables file*) and a file with narrative and no tables
   (a *narrative file*) in the same folder are one report when
   - nothing they say conflicts: same kind; year, scope (部门/单位) equal where both say;
   - and something confirms it: the narrative prints the tables' grand total (收入总计 /
     支出总计 of the summary table, or the 合计 of the income or expenditure table) within
     0.01 万元, or both name the same department (equal, or one name contains the other) and
     the same year;
   - and the match is unique both ways.  When a file could belong to several, nothing is
     grouped and a note says so (list the files in ``report.yaml``): never a guess.
3. Every other file is a report on its own, and so is a file given by itself (not in a
   folder): several files of one report are given together explicitly (``--part``).

A path is always a path: nothing but the given files, and the files inside the given
folders, is ever part of a report (``report.yaml`` may only name files of its own folder,
and a symbolic link that leads outside the given folder is ignored with a note).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fiscalpub.errors import FiscalpubError

REPORT_SUFFIXES = (".pdf", ".txt")
SIDECAR = "report.yaml"
# a 万元 narrative against a table: one unit of its last printed place (CONTRACT tolerance)
TOLERANCE = Decimal("100")  # 元 = 0.01 万元
_UNIT = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
# an amount with its unit, the whole token: 10,150.48万元 / 1，234.56 元 (after NFKC)
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(亿元|万元|元)")
# amounts that say something about a report: 1 万元 and more (small ones recur everywhere)
MIN_AMOUNT = Decimal(10000)
# a narrative and a tables file share at least this many distinct amounts to be one report
MIN_SHARED = 3


class GroupingError(FiscalpubError):
    """A report.yaml that cannot be followed (bad YAML, a missing or outside file)."""


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
        return cls(
            **{
                **d,
                "totals": tuple(d.get("totals") or ()),
                "amounts": tuple(d.get("amounts") or ()),
            }
        )


@dataclass
class Plan:
    groups: list[list[Path]]
    notes: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def narrative_amounts(text: str) -> list[Decimal]:
    """Every amount printed with its unit (元/万元/亿元), in 元, thousands separators read."""
    from fiscalpub.parse.normalize import nfkc

    flat = "".join(nfkc(text).split())
    out = []
    for m in _AMOUNT.finditer(flat):
        try:
            value = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            continue
        out.append(value * _UNIT[m.group(3)])
    return out


def probe(path: Path) -> Probe:
    """Parse one file alone and say what it holds."""
    from fiscalpub.parse.report import build_report
    from fiscalpub.read import read_document

    digest = sha256_file(path)
    try:
        doc = read_document(str(path))
        report = build_report([doc])
    except FiscalpubError:
        return Probe(digest, "unreadable")
    has_tables = bool(report.line_items)
    has_narrative = bool(report.facts)
    role = {
        (True, True): "whole",
        (True, False): "tables",
        (False, True): "narrative",
        (False, False): "none",
    }[(has_tables, has_narrative)]
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
    """The report files of the inputs: a file given by itself is a report; folders are
    searched recursively (hidden files and folders left out), report.yaml sidecars
    followed, the other files left to group by content."""
    found = Found([], [])
    seen: set[Path] = set()
    for given in inputs:
        if given.is_dir():
            root = given.resolve()
            claimed: set[Path] = set()
            for sidecar in sorted(given.rglob(SIDECAR)):
                if _hidden(sidecar, given):
                    continue
                for group in read_sidecar(sidecar, root):
                    found.explicit.append(group)
                    claimed.update(p.resolve() for p in group)
            for path in sorted(given.rglob("*")):
                if (
                    path.suffix.lower() not in REPORT_SUFFIXES
                    or _hidden(path, given)
                    or not path.is_file()
                ):
                    continue
                real = path.resolve()
                if not real.is_relative_to(root):
                    found.notes.append(f"{path}: a link to a file outside {given}: left out")
                    continue
                if real in claimed or real in seen:
                    continue
                seen.add(real)
                found.loose.append(path)
        elif given.resolve() not in seen:
            seen.add(given.resolve())
            found.explicit.append([given])
    return found


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_sidecar(sidecar: Path, root: Path) -> list[list[Path]]:
    """The groups a report.yaml lists: ``files: [...]`` (one report) or ``reports: [[...],
    ...]``; paths relative to its folder, inside the given folder `root`."""
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
    for entry in lists:
        if not isinstance(entry, list) or not entry or not all(isinstance(n, str) for n in entry):
            raise GroupingError(f"{sidecar}: each report is a non-empty list of file names")
        group = []
        for name in entry:
            path = sidecar.parent / name
            real = path.resolve()
            if Path(name).is_absolute() or not real.is_relative_to(sidecar.parent.resolve()):
                raise GroupingError(f"{sidecar}: {name}: not a file of this folder")
            if not real.is_relative_to(root):
                raise GroupingError(f"{sidecar}: {name}: leads outside {root}")
            if not path.is_file():
                raise GroupingError(f"{sidecar}: {name}: no such file")
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


def plan(found: Found, probes: dict[Path, Probe]) -> Plan:
    """The reports: explicit groups, pairs of a narrative file and a tables file that
    agree (module docstring), every other file alone."""
    result = Plan(list(found.explicit), list(found.notes))
    by_folder: dict[Path, list[Path]] = {}
    for path in found.loose:
        by_folder.setdefault(path.parent, []).append(path)
    for files in by_folder.values():
        tabs = [p for p in files if p in probes and probes[p].role == "tables"]
        narrs = [p for p in files if p in probes and probes[p].role == "narrative"]
        score = {(t, n): _evidence(probes[t], probes[n]) for t in tabs for n in narrs}
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


def _evidence(t: Probe, n: Probe) -> int:
    """How strongly a tables file and a narrative file are one report: 0 when anything
    they say conflicts or nothing confirms it; else the amounts they share, plus
    MIN_SHARED when both name the same department and year (module docstring)."""
    for a, b in ((t.kind, n.kind), (t.year, n.year), (t.scope, n.scope)):
        if a is not None and b is not None and a != b:
            return 0
    shared = shared_amounts(t, n)
    same = bool(
        t.department
        and n.department
        and (t.department in n.department or n.department in t.department)
        and t.year is not None
        and t.year == n.year
    )
    if shared < MIN_SHARED and not same:
        return 0
    return shared + (MIN_SHARED if same else 0)


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
        f"{path}: no file clearly goes with it (amounts shared with {names}): left a "
        f"report on its own; if files belong together, list them in {SIDECAR}"
    )
    return None


def shared_amounts(t: Probe, n: Probe) -> int:
    """How many distinct amounts of the narrative are amounts of the tables (within the
    tolerance: the narrative rounds to 0.01 万元)."""
    if not t.totals or not n.amounts:
        return 0
    table = sorted(Decimal(x) for x in t.totals)
    shared = 0
    for amount in (Decimal(a) for a in n.amounts):
        i = bisect.bisect_left(table, amount - TOLERANCE)
        if i < len(table) and table[i] <= amount + TOLERANCE:
            shared += 1
    return shared


def probe_all(
    paths: Sequence[Path],
    cache: dict[str, dict[str, Any]],
    *,
    jobs: int = 1,
    progress: Callable[[Path], None] | None = None,
) -> dict[Path, Probe]:
    """A probe per file; `cache` (sha256 -> probe dict) spares the files already probed
    and receives the new probes."""
    out: dict[Path, Probe] = {}
    todo: list[Path] = []
    for path in paths:
        try:
            digest = sha256_file(path)
        except OSError:
            continue  # unreadable: the report fails later with its own message
        hit = cache.get(digest)
        if hit is not None:
            try:
                out[path] = Probe.from_dict(hit)
                continue
            except TypeError:
                pass  # an older cache entry: probe again
        todo.append(path)
    if jobs > 1 and len(todo) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for path, result in zip(todo, pool.map(probe, todo), strict=True):
                out[path] = result
                if progress:
                    progress(path)
    else:
        for path in todo:
            out[path] = probe(path)
            if progress:
                progress(path)
    for path in todo:
        cache[out[path].sha256] = out[path].to_dict()
    return out


def group_reports(
    inputs: Iterable[Path],
    cache: dict[str, dict[str, Any]] | None = None,
    *,
    jobs: int = 1,
    progress: Callable[[Path], None] | None = None,
) -> Plan:
    """The reports among `inputs` (files and folders): see the module docstring.  A file
    given by itself is a report without being probed."""
    found = find_files(inputs)
    # a file alone in its folder is a report by itself; the others are probed
    folders: dict[Path, int] = {}
    for path in found.loose:
        folders[path.parent] = folders.get(path.parent, 0) + 1
    todo = [p for p in found.loose if folders[p.parent] > 1]
    probes = probe_all(todo, {} if cache is None else cache, jobs=jobs, progress=progress)
    return plan(found, probes)
