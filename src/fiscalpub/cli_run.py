"""`fiscalpub run`: a folder of reports to a validated (and published) catalog."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fiscalpub.cli_options import (
    OutputPath,
    base_option,
    config_option,
    load_config,
    part_option,
    report_groups,
)

if TYPE_CHECKING:
    from fiscalpub.pipeline import Result

# below this share of confirmed amounts `run` flags a report (--min-confirmed): half of
# the amounts without a relation that vouches for them is worth a look, though a report
# with many 0.00 columns (which no sum can confirm) falls below it without being wrong
MIN_CONFIRMED = 0.5


@click.command("run")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@part_option
@click.option(
    "-o",
    "--output",
    type=OutputPath(file_okay=False, path_type=Path),
    default=Path("datapackages"),
    show_default=True,
    help="Folder for the packages, rdf/, catalog.json, index.html and reports/.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help="Parallel processes (default: the number of CPUs).",
)
@click.option("--publish", "do_publish", is_flag=True, help="Then publish to CKAN (see publish).")
@click.option(
    "--push",
    "graph_store",
    help="Then push each dataset to this Graph Store endpoint (see push).",
)
@click.option("--no-charts", is_flag=True, help="No charts (faster; no CJK font needed).")
@click.option(
    "--min-confirmed",
    type=click.FloatRange(0, 1),
    default=MIN_CONFIRMED,
    show_default=True,
    help="Flag reports whose self-check confirms a smaller share of their amounts.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@base_option
@config_option
@click.pass_context
def run(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    parts: tuple[Path, ...],
    output: Path,
    jobs: int | None,
    do_publish: bool,
    graph_store: str | None,
    no_charts: bool,
    min_confirmed: float,
    as_json: bool,
    quiet: bool,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Every report found in INPUTS → parse → package → validate → RDF, in parallel
    and incrementally; then a catalog (catalog.json, index.html), and optionally
    publish to CKAN and push to a triple store.

    INPUTS are report files (.pdf, .txt) and folders searched recursively.  A report
    published as two files (情况说明 in one, the tables in the other) is found by its
    contents: a narrative file and a tables file of one folder that agree (same kind,
    year, scope; the narrative prints the tables' amounts, or both name the same
    department and year) are one report; a report.yaml in a folder lists the files of
    its reports explicitly (files: [a.pdf, b.pdf]); --part files are one report.  How
    files were grouped is printed.  A report whose sources, fiscalpub version,
    registry, vocabulary and configuration are unchanged since the last run is
    skipped.  One bad report never stops the batch: it is listed, and the exit code
    is 1.

    \b
    Examples:
      fiscalpub run examples/ -o datapackages
      fiscalpub run --part 附件1.pdf --part 附件2.pdf -o out
      fiscalpub run reports/ -o out -j 4 --base-iri https://data.example.gov.cn/fiscal/
      fiscalpub run reports/ -o out --publish --push http://127.0.0.1:7878/store

    \b
    report.yaml (in a folder of reports; names relative to it):
      files: [附件1.pdf, 附件2.pdf]            # one report
      reports: [[a.pdf, b.pdf], [c.pdf]]      # or several

    Exit codes: 0 every report built and valid, 1 a report failed or has package
    defects (or publishing failed), 2 usage error.
    """
    from fiscalpub.catalog import write_catalog
    from fiscalpub.pipeline import run_folder

    cfg = load_config(config_file, base_iri)
    base = None if cfg.is_placeholder else cfg.base_iri
    if not inputs and not parts:
        raise click.UsageError("give INPUTS (report files or folders) or --part files")
    groups, notes = report_groups(inputs, parts, out=output, jobs=jobs or os.cpu_count() or 1)
    if not groups:
        raise click.UsageError("no reports (.pdf, .txt) found in " + ", ".join(map(str, inputs)))
    if not as_json:
        for group in groups:
            if len(group) > 1:
                click.echo(
                    f"one report of {len(group)} files: {' + '.join(map(str, group))}", err=True
                )
        for note in notes:
            click.echo(f"note: {note}", err=True)
    started = time.perf_counter()
    bar = _Bar(len(groups), enabled=not quiet and not as_json and sys.stderr.isatty())

    told: set[str] = set()

    def progress(result: Result) -> None:
        bar.advance(result)
        if result.status == "failed" and not as_json:
            told.add(result.report)
            _failed(result)

    try:
        results = run_folder(
            groups,
            output,
            base_iri=base,
            config_digest=cfg.digest() + ("-no-charts" if no_charts else ""),
            jobs=jobs or os.cpu_count() or 1,
            charts=not no_charts,
            progress=progress,
        )
    finally:
        bar.stop()
    if not as_json:  # failures decided once every report is in (two making one package)
        for result in results:
            if result.status == "failed" and result.report not in told:
                _failed(result)
    entries = write_catalog(output, results)
    elapsed = time.perf_counter() - started
    summary = _summary(results, elapsed)
    summary["low_confirmed"] = low_confirmed(
        [(e.result.report, e.summary.get("checks")) for e in entries if e.package],
        Decimal(str(min_confirmed)),
    )
    summary["min_confirmed"] = f"{Decimal(str(min_confirmed)):f}"
    summary["grouping"] = {
        "reports_of_several_files": [[str(p) for p in g] for g in groups if len(g) > 1],
        "notes": notes,
    }
    code = 1 if summary["failed"] or summary["packages_with_defects"] else 0
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(_human(summary, output))
    packages = [output / r.package for r in results if r.package]
    if do_publish and packages:
        from fiscalpub.cli_publish import publish

        code = max(
            code,
            _invoke(
                ctx,
                publish,
                packages=tuple(packages),
                quiet=quiet,
                base_iri=base_iri,
                config_file=config_file,
            ),
        )
    if graph_store and packages:
        from fiscalpub.cli_rdf import push

        code = max(
            code,
            _invoke(
                ctx,
                push,
                packages=tuple(packages),
                graph_store=graph_store,
                base_iri=base_iri,
                config_file=config_file,
            ),
        )
    sys.exit(code)


def _invoke(ctx: click.Context, command: click.Command, **given: Any) -> int:
    """Run another command (click fills in its defaults) with `given`; its exit code."""
    try:
        ctx.invoke(command, **given)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _summary(results: list[Any], elapsed: float) -> dict[str, Any]:
    status = Counter(r.status for r in results)
    findings: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    for r in results:
        findings.update(r.findings)
        stages.update(r.seconds)
    return {
        "reports": len(results),
        "built": status.get("built", 0),
        "skipped": status.get("skipped", 0),
        "failed": status.get("failed", 0),
        "failures": [{"report": r.report, "error": r.error} for r in results if r.error],
        "tables": sum(r.tables for r in results),
        "numbers": sum(r.numbers for r in results),
        "findings": dict(sorted(findings.items())),
        "packages_with_defects": sum(1 for r in results if r.defects),
        "seconds": round(elapsed, 2),
        "stage_seconds": {k: round(v, 2) for k, v in sorted(stages.items())},
    }


def low_confirmed(reports: list[tuple[str, Any]], threshold: Decimal) -> list[dict[str, Any]]:
    """The reports whose self-check confirms less than `threshold` of their amounts
    (README "Self-check"); a report without table amounts or without a self-check is
    not judged."""
    out = []
    for name, checks in reports:
        share = checks.get("confirmed_share") if isinstance(checks, dict) else None
        if share is not None and Decimal(share) < threshold:
            out.append(
                {
                    "report": name,
                    "confirmed_share": share,
                    "amounts": checks["amounts"],
                    "contradicted": checks["contradicted"],
                }
            )
    return out


def _human(s: dict[str, Any], out: Path) -> str:
    findings = ", ".join(f"{k} {v}" for k, v in s["findings"].items()) or "none"
    lines = [
        f"{s['reports']} reports: {s['built']} built, {s['skipped']} unchanged (skipped), "
        f"{s['failed']} failed; {s['tables']} tables, {s['numbers']} numbers; "
        f"findings: {findings}; {s['seconds']:.1f} s",
        f"catalog: {out / 'index.html'}",
    ]
    for low in s.get("low_confirmed", []):
        share = low["confirmed_share"]
        lines.append(
            f"low self-check: {Decimal(share) * 100:.2f}% of {low['amounts']} amounts "
            f"confirmed (< {Decimal(s['min_confirmed']) * 100:.0f}%), "
            f"{low['contradicted']} contradicted: {low['report']} (fiscalpub parse shows it)"
        )
    if s["packages_with_defects"]:
        lines.append(
            f"{s['packages_with_defects']} packages have defects: fiscalpub validate {out}"
        )
    return "\n".join(lines)


class _Bar:
    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("reports"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
            )
            self._task = self._bar.add_task("reports", total=total)
            self._bar.start()

    def advance(self, result: Any) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _failed(result: Result) -> None:
    """One line per failed report; its path once (errors often start with it)."""
    error = result.error or "failed"
    for prefix in (f"{result.report}: ", f"{Path(result.report).name}: "):
        error = error.removeprefix(prefix)
    click.echo(f"failed: {result.report}: {error}", err=True)
