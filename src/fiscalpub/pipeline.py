"""`fiscalpub run`: every report of a folder through parse → build → validate → rdf
(→ publish → push), in parallel processes, incrementally.

A report is skipped when its key — the sha256 of its source files, the fiscalpub
version and the hashes of the registry, the vocabulary and the configuration — is the
one recorded for its package in ``OUT/.fiscalpub-run.json`` and the package is still
there.  One bad report never stops the batch: it is reported and the exit code says so.
A report fiscalpub refused (not a report, no department named…) is recorded with its
key too, and refused again without being read while the key is the same; a failure
of another kind (a full disk, a bug) is retried by the next run.
"""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from fiscalpub import __version__, api
from fiscalpub.atomic import make_dirs, write_atomic
from fiscalpub.config import PLACEHOLDER_BASE
from fiscalpub.errors import FiscalpubError
from fiscalpub.grouping import group_reports
from fiscalpub.model import PRINTED, Report, TextEnum, money
from fiscalpub.package.reader import built_package
from fiscalpub.parse import kept
from fiscalpub.parse.load import read_report
from fiscalpub.parse.report import build_report
from fiscalpub.pool import stop_pool, worker_pool
from fiscalpub.rdf.cube import cube, dataset_iri, serialise
from fiscalpub.read import read_document
from fiscalpub.validate.defects import check_built
from fiscalpub.validate.engine import checks, validate_report

MANIFEST = ".fiscalpub-run.json"
LOCK = ".fiscalpub-run.lock"
PROBES = ".fiscalpub-probes.json"  # which files make one report (fiscalpub.grouping)


class RunStatus(TextEnum):
    """What `run` did with one report: a package built now, kept from an earlier run
    (nothing it depends on changed), or none (the error says why)."""

    BUILT = "built"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class Result:
    report: str  # the report's files, joined with "+" (a label: never split again)
    key: str
    package: str | None = None  # slug
    status: RunStatus = RunStatus.BUILT
    error: str | None = None
    tables: int = 0
    numbers: int = 0
    findings: dict[str, int] = field(default_factory=dict)  # severity -> count
    defects: int = 0
    descriptor: str | None = None  # sha256 of datapackage.json as built (the skip re-check)
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> CPU seconds
    peak_kb: int = 0  # peak memory of the process that built it (not in the manifest)
    # failed because fiscalpub refused the report itself (not a report, no department…):
    # the same input fails the same way, so a re-run reports it again without retrying
    lasting: bool = False
    summary: dict[str, Any] = field(default_factory=dict)  # for the catalog

    @property
    def failed(self) -> bool:
        return self.status == RunStatus.FAILED


def find_reports(
    inputs: Iterable[Path], out: Path | None = None, jobs: int = 1, keep: Path | None = None
) -> tuple[list[list[Path]], list[str]]:
    """The reports among `inputs` (files, folders searched recursively) and notes on
    how they were grouped: fiscalpub.grouping (explicit report.yaml, else a narrative
    file and a tables file that agree).  With `out`, the probes are cached in
    OUT/.fiscalpub-probes.json by the files' sha256, so a re-run parses nothing new.  With
    `keep` (the run's private folder), the probes' parsed reports are kept there for
    run_folder(parsed=keep): a file is parsed once per run (fiscalpub.parse.kept)."""
    cache: dict[str, dict[str, Any]] = {}
    cache_file = out / PROBES if out is not None else None
    if cache_file is not None:
        try:
            data = json.loads(cache_file.read_text(encoding="utf-8"))
            probes = data.get("probes") if isinstance(data, dict) else None
            if isinstance(probes, dict) and data.get("fiscalpub") == environment_key():
                cache = probes  # entries that are not probes are probed again
        except (OSError, ValueError):
            cache = {}
    before = len(cache)
    planned = group_reports(inputs, cache, jobs=jobs, keep=keep)
    if cache_file is not None and len(cache) != before:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {"fiscalpub": environment_key(), "probes": dict(sorted(cache.items()))},
            ensure_ascii=False,
            indent=0,
        )
        write_atomic(cache_file, (text + "\n").encode("utf-8"), if_changed=True)
    return planned.groups, planned.notes


def _hash_files(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def environment_key() -> str:
    """fiscalpub version + registry + vocabulary + the charts' font: what changes every
    package."""
    digest = hashlib.sha256(__version__.encode())
    data = resources.files("fiscalpub") / "data"
    for name in ("tables.yaml", "facts.yaml", "classes.yaml", "cofog.csv"):
        item = data / name
        if item.is_file():
            digest.update(item.read_bytes())
    font = data / "fonts" / "FiscalpubSansSC-Regular.otf"  # the charts' bytes depend on it
    if font.is_file():
        digest.update(hashlib.sha256(font.read_bytes()).digest())
    index = data / "vocab" / "codes.csv"
    if index.is_file():
        digest.update(index.read_bytes())
    return digest.hexdigest()


def report_key(group: list[Path], config_digest: str) -> str:
    """What a package depends on; `config_digest` covers options such as --no-charts."""
    digest = hashlib.sha256()
    for part in (_hash_files(group), environment_key(), config_digest):
        digest.update(part.encode())
    return digest.hexdigest()


def process(
    group: list[Path],
    out: str,
    base_iri: str | None,
    key: str,
    charts: bool = True,
    parsed: str | None = None,
) -> Result:
    """One report through every stage (runs in a worker process); `parsed`: the folder
    where find_reports kept the reports it parsed (a report of one file is not parsed
    again)."""
    result = Result("+".join(str(p) for p in group), key)
    clock = time.process_time()
    written: Path | None = None

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.process_time()
        result.seconds[stage] = round(result.seconds.get(stage, 0.0) + now - clock, 4)
        clock = now

    try:
        report = _parsed(group, parsed) or read_report(group)
        # the relations evaluated once, for the self-check and for the findings
        evaluated = checks(report)
        api.with_checks(report, evaluated)
        lap("parse")
        findings = validate_report(report, evaluated)
        lap("validate")
        built = api.package_report(
            report, group, Path(out), findings=findings, base_iri=base_iri, charts=charts
        )
        path = written = built.path
        lap("package")
        if charts:  # drawing the charts is part of the build: said apart
            charts_took = round(built.package.chart_seconds, 4)
            result.seconds["package"] = round(result.seconds["package"] - charts_took, 4)
            result.seconds["charts"] = charts_took
        # the package is judged and exported from the bytes just built, not read back
        checked = check_built(path, built.package.files, report)
        lap("validate")
        package = built_package(path, built.package.files)
        rdf_dir = Path(out) / "rdf"
        rdf_dir.mkdir(exist_ok=True)
        ttl = serialise(cube(package, base_iri or PLACEHOLDER_BASE), "turtle")
        write_atomic(rdf_dir / f"{built.package.slug}.ttl", ttl, if_changed=True)
        lap("rdf")
    except Exception as exc:  # one bad report never stops the batch
        result.status = RunStatus.FAILED
        result.error = _one_line(exc)
        result.lasting = isinstance(exc, FiscalpubError)
        if written is not None:  # a failed report leaves no package behind
            shutil.rmtree(written, ignore_errors=True)
        return result
    severity = Counter(f.severity for f in [*report.findings, *findings, *built.package.notices])
    result.package = built.package.slug
    # tables printed in the report (with numbers, or declared empty)
    result.tables = sum(1 for t in report.tables if t.status in PRINTED)
    result.numbers = len(report.line_items)
    result.findings = dict(sorted(severity.items()))
    result.defects = len(checked.defects)
    result.descriptor = hashlib.sha256(built.package.files["datapackage.json"]).hexdigest()
    result.summary = report_summary(report, package.descriptor)
    result.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return result


def _parsed(group: list[Path], folder: str | None) -> Report | None:
    """The report of these files from what find_reports parsed and read (without its
    self-check): a report of one file as parsed then, a report of several files parsed
    from the documents read then; None without a kept report or document (not probed,
    or a file changed since)."""
    if folder is None:
        return None
    if len(group) == 1:
        return kept.take(Path(folder), group[0])
    docs = [kept.take_document(Path(folder), path, i) for i, path in enumerate(group)]
    if all(doc is None for doc in docs):
        return None
    read = [
        doc or read_document(str(path), source=i)
        for i, (path, doc) in enumerate(zip(group, docs, strict=True))
    ]
    return build_report(read)


# The summary a catalog needs, saved in the manifest for skipped reports.  Bump the version
# when its content changes: the catalog then recomputes an older saved summary from the
# package on disk (fiscalpub.catalog.current_summary) rather than showing stale values.
SUMMARY_VERSION = 3
SUMMARY_TABLE = "income_expenditure_summary"
GRAND_TOTALS = ("grand_total_income", "grand_total_expenditure")


def report_summary(report: Any, descriptor: dict[str, Any]) -> dict[str, Any]:
    """What the catalog shows of one report (small: it is kept in the manifest)."""
    meta = report.report
    return {
        "summary_version": SUMMARY_VERSION,
        "department": meta.department,
        "region": meta.region.name,
        "year": meta.year,
        "kind": meta.kind,
        # contract 1.1: department | unit | None (the title does not say)
        "scope": getattr(meta, "scope", None),
        "title": descriptor.get("title"),
        "iri": descriptor.get("id") or dataset_iri(PLACEHOLDER_BASE, descriptor["name"]),
        "tables": {t.table: t.status for t in report.tables},
        # where each found table's title is printed: [source index, page, printed title]
        "table_at": {
            t.table: [t.source, t.page, t.title] for t in report.tables if t.page is not None
        },
        "totals": _totals(report),
        "unplaced": sum(1 for li in report.line_items if li.placed_by == "unplaced"),
        # contract 1.1 self-check; None for a report read from a JSON without it
        "checks": meta.checks.to_dict() if getattr(meta, "checks", None) else None,
    }


def _totals(report: Any) -> dict[str, dict[str, Any]]:
    """收入总计 and 支出总计 of the summary table (表一), exactly as printed, with their unit
    and their amount in 元: ``{"printed": "439.04", "unit": "万元", "amount": "4390400.00"}``.

    The numbers placed in the row's amount column are the total; only when none is
    placed do the row's unplaced numbers count.  When these are not one value (the
    单位 template prints 合计, 基本支出 and 项目支出 on the 支出总计 line, which the
    registry's one-column summary leaves unplaced), the total is ambiguous:
    ``{"candidates": ["91016775.35 元", "22473997.81 元", …]}`` in printed order —
    never a guess.  A row the report does not print is absent."""
    out: dict[str, dict[str, Any]] = {}
    for row in GRAND_TOTALS:
        items = [li for li in report.line_items if li.table == SUMMARY_TABLE and li.row == row]
        pool = [li for li in items if li.column is not None] or items
        values = list(dict.fromkeys((li.printed, li.unit, money(li.amount)) for li in pool))
        if len(values) == 1:
            printed, unit, amount = values[0]
            out[row] = {"printed": printed, "unit": unit, "amount": amount}
        elif values:
            out[row] = {"candidates": [f"{p} {u}" for p, u, _ in values]}
    return out


def _one_line(exc: BaseException) -> str:

    if isinstance(exc, FiscalpubError):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:  # disk full, read-only, a file in the way
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}".splitlines()[0]


def read_manifest(out: Path, part: str = "reports") -> dict[str, dict[str, Any]]:
    """The reports an earlier run built (`part` "reports") or refused ("failed")."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = data.get(part, {}) if isinstance(data, dict) else {}
    return found if isinstance(found, dict) else {}


# what differs from one run of the same input to the next, or is the run's own
_NOT_RECORDED = ("seconds", "status", "peak_kb", "lasting")


def write_manifest(out: Path, results: list[Result]) -> None:
    # no timings: the manifest (like everything run writes) is the same for the same input
    reports = {
        r.report: {k: v for k, v in asdict(r).items() if k not in _NOT_RECORDED}
        for r in results
        if r.status != RunStatus.FAILED
    }
    # a report fiscalpub refused is not retried while nothing it depends on changes
    failed = {
        r.report: {"key": r.key, "error": r.error}
        for r in results
        if r.failed and r.lasting and r.key
    }
    data = {"fiscalpub": __version__, "reports": reports, "failed": failed}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    write_atomic(out / MANIFEST, (text + "\n").encode("utf-8"), if_changed=True)


def _still_there(out: Path, old: dict[str, Any]) -> bool:
    """A report of an earlier run may be skipped only when it was built without defects and
    its package is as built: the descriptor has the recorded digest and every resource file
    the size the descriptor gives (stat only, no hashing). Anything else is built again,
    so a passing glitch recorded once is not repeated by every later run."""
    if not old.get("package") or old.get("defects") or not old.get("descriptor"):
        return False
    folder = out / old["package"]
    try:
        data = (folder / "datapackage.json").read_bytes()
        if hashlib.sha256(data).hexdigest() != old["descriptor"]:
            return False
        for resource in json.loads(data).get("resources", []):
            size = resource.get("bytes")
            if size is not None and (folder / resource["path"]).stat().st_size != size:
                return False
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


class RunLock:
    """One `run` at a time on an output folder: two at once recorded each other's
    half-written packages as defects. The lock is a file lock (released by the kernel when
    the process ends, even when killed), so a stale lock file never blocks."""

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK
        self._fh: Any = None

    def __enter__(self) -> RunLock:
        import fcntl

        self._fh = self.path.open("a+")
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.close()
            raise FiscalpubError(
                f"{self.path.parent}: another fiscalpub run is writing this folder "
                f"(lock {LOCK}); run again when it has finished, or use another -o"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()  # closing releases the lock; the empty file may stay


def run_folder(
    groups: list[list[Path]],
    out: Path,
    *,
    base_iri: str | None,
    config_digest: str,
    jobs: int = 1,
    charts: bool = True,
    progress: Callable[[Result], None] | None = None,
    parsed: Path | None = None,
) -> list[Result]:
    """Every report of `groups` built into `out` (see the module docstring); `parsed`:
    the folder find_reports(keep=) kept its parsed reports in."""
    make_dirs(out)
    with RunLock(out):
        return _run(groups, out, base_iri, config_digest, jobs, charts, progress, parsed)


def _run(
    groups: list[list[Path]],
    out: Path,
    base_iri: str | None,
    config_digest: str,
    jobs: int,
    charts: bool,
    progress: Callable[[Result], None] | None,
    parsed: Path | None,
) -> list[Result]:
    previous, refused = read_manifest(out), read_manifest(out, "failed")
    folder = str(parsed) if parsed is not None else None
    results: list[Result] = []
    todo: list[tuple[list[Path], str]] = []
    for group in groups:
        name = "+".join(str(p) for p in group)
        try:
            key = report_key(group, config_digest)
        except OSError as exc:
            result = Result(name, "", status=RunStatus.FAILED, error=f"cannot read: {exc}")
            results.append(result)
            if progress:
                progress(result)
            continue
        old, no = previous.get(name), refused.get(name)
        if no and no.get("key") == key and isinstance(no.get("error"), str):
            # refused before, and neither the files nor fiscalpub changed: refused again
            result = Result(name, key, status=RunStatus.FAILED, error=no["error"], lasting=True)
            results.append(result)
            if progress:
                progress(result)
        elif old and old.get("key") == key and _still_there(out, old):
            result = Result(**{**old, "status": RunStatus.SKIPPED, "seconds": {}})
            results.append(result)
            if progress:
                progress(result)
        else:
            todo.append((group, key))
    if jobs > 1 and len(todo) > 1:
        pool = worker_pool(jobs)
        try:
            futures = [
                pool.submit(process, g, str(out), base_iri, k, charts, folder) for g, k in todo
            ]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                if progress:
                    progress(result)
        except BaseException:
            stop_pool(pool)  # Ctrl-C or a crash: do not finish the queue first
            raise
        pool.shutdown()
    else:
        for group, key in todo:
            result = process(group, str(out), base_iri, key, charts, folder)
            results.append(result)
            if progress:
                progress(result)
    results.sort(key=lambda r: r.report)
    _refuse_shared_names(results, out)
    write_manifest(out, results)
    return results


def _refuse_shared_names(results: list[Result], out: Path) -> None:
    """Two reports that make one package name (same department, year, kind and scope as
    read) would overwrite each other: neither is kept, both fail saying so."""
    by_name: dict[str, list[Result]] = {}
    for r in results:
        if r.package and r.status != RunStatus.FAILED:
            by_name.setdefault(r.package, []).append(r)
    for name, same in by_name.items():
        if len(same) < 2:
            continue
        shutil.rmtree(out / name, ignore_errors=True)
        (out / "rdf" / f"{name}.ttl").unlink(missing_ok=True)
        for r in same:
            others = ", ".join(o.report for o in same if o is not r)
            r.status, r.package = RunStatus.FAILED, None
            r.error = (
                f"makes the package {name} that {others} makes too (same department, year, "
                "kind and scope as read): neither is written; check them with fiscalpub parse"
            )


def run_summary(
    results: list[Result],
    elapsed: float,
    *,
    checks: list[tuple[str, Any]],
    min_confirmed: Decimal,
    groups: list[list[Path]],
    notes: list[str],
) -> dict[str, Any]:
    """What `fiscalpub run` prints (--json: as is): the counts, the reports whose
    self-check (`checks`: report, its catalog summary's checks) confirms less than
    `min_confirmed` of their amounts, and how files were grouped into reports."""
    status = Counter(r.status for r in results)
    findings: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    for r in results:
        findings.update(r.findings)
        stages.update(r.seconds)
    return {
        "reports": len(results),
        **{str(s): status.get(s, 0) for s in RunStatus},
        "failures": [{"report": r.report, "error": r.error} for r in results if r.error],
        "tables": sum(r.tables for r in results),
        "numbers": sum(r.numbers for r in results),
        "findings": dict(sorted(findings.items())),
        "packages_with_defects": sum(1 for r in results if r.defects),
        "seconds": round(elapsed, 2),
        # CPU seconds of each stage, summed over the reports built (workers included)
        "stage_seconds": {k: round(v, 2) for k, v in sorted(stages.items())},
        # the largest peak memory of a process that built a report (a worker, or this
        # process with -j 1); 0 when nothing was built
        "peak_worker_kb": max((r.peak_kb for r in results), default=0),
        "low_confirmed": low_confirmed(checks, min_confirmed),
        "min_confirmed": f"{min_confirmed:f}",
        "grouping": {
            "reports_of_several_files": [[str(p) for p in g] for g in groups if len(g) > 1],
            "notes": notes,
        },
    }


def low_confirmed(reports: list[tuple[str, Any]], threshold: Decimal) -> list[dict[str, Any]]:
    """The reports whose self-check confirms less than `threshold` of their amounts
    (README "Self-check"); a report without table amounts or without a self-check is
    not judged."""
    out = []
    for name, selfcheck in reports:
        share = selfcheck.get("confirmed_share") if isinstance(selfcheck, dict) else None
        if share is not None and Decimal(share) < threshold:
            out.append(
                {
                    "report": name,
                    "confirmed_share": share,
                    "amounts": selfcheck["amounts"],
                    "contradicted": selfcheck["contradicted"],
                }
            )
    return out
