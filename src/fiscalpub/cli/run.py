"""`fiscalpub run`: a folder of reports to a validated (and published) catalog: it composes
fiscalpub.pipeline.run_folder, the catalog, and api.publish / api.push."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fiscalpub.cli._common import (
    base_option,
    config_option,
    folder_option,
    load_config,
    options,
    part_option,
    publish_packages,
    push_packages,
    report_groups,
)

if TYPE_CHECKING:
    from fiscalpub.config import Config
    from fiscalpub.pipeline import Result

# below this share of confirmed amounts `run` flags a report (--min-confirmed): half of
# the amounts without a relation that vouches for them is worth a look, though a report
# with many 0.00 columns (which no sum can confirm) falls below it without being wrong
MIN_CONFIRMED = 0.5


RUN_OPTIONS = options(
    click.argument("inputs", nargs=-1, type=click.Path(path_type=Path)),
    part_option,
    folder_option(
        "datapackages", "Folder for the packages, rdf/, catalog.json, index.html and reports/."
    ),
    click.option(
        "-j",
        "--jobs",
        type=click.IntRange(1, 256),
        default=None,
        help="Parallel processes (default: the number of CPUs).",
    ),
    click.option(
        "--publish", "do_publish", is_flag=True, help="Then publish to CKAN (see publish)."
    ),
    click.option(
        "--push",
        "graph_store",
        help="Then push each dataset to this Graph Store endpoint (see push).",
    ),
    click.option("--no-charts", is_flag=True, help="No charts (faster; no CJK font needed)."),
    click.option(
        "--min-confirmed",
        type=click.FloatRange(0, 1),
        default=MIN_CONFIRMED,
        show_default=True,
        help="Flag reports whose self-check confirms a smaller share of their amounts.",
    ),
    click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
    click.option("--quiet", is_flag=True, help="No progress bar."),
    base_option,
    config_option,
)


@click.command("run")
@RUN_OPTIONS
def run(
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
    cfg = load_config(config_file, base_iri)
    if not inputs and not parts:
        raise click.UsageError("give INPUTS (report files or folders) or --part files")
    jobs = jobs or os.cpu_count() or 1
    from fiscalpub.pool import batch_gc  # here: `--help` does not load the pool

    batch_gc()  # this process probes and builds reports itself with -j 1
    show = not as_json  # progress and failures on stderr; --json prints the summary only
    # the reports parsed to group the files are kept for the run: each file is parsed once
    with tempfile.TemporaryDirectory(prefix="fiscalpub-run-") as parsed:
        groups, notes = _reports(inputs, parts, output, jobs, as_json, Path(parsed))
        started = time.perf_counter()
        results = _run_folder(
            groups,
            output,
            cfg,
            jobs=jobs,
            charts=not no_charts,
            with_bar=show and not quiet,
            show=show,
            parsed=Path(parsed),
        )
    summary = _catalog(output, results, started, Decimal(str(min_confirmed)), groups, notes)
    code = 1 if summary["failed"] or summary["packages_with_defects"] else 0
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(_human(summary, output))
    packages = tuple(output / r.package for r in results if r.package)
    if do_publish and packages:
        code = max(code, publish_packages(packages, cfg, quiet=quiet))
    if graph_store and packages:
        code = max(code, push_packages(packages, graph_store, cfg))
    sys.exit(code)


def _catalog(
    output: Path,
    results: list[Result],
    started: float,
    min_confirmed: Decimal,
    groups: list[list[Path]],
    notes: list[str],
) -> dict[str, Any]:
    """The catalog (catalog.json, index.html, a page per report) written; the summary."""
    from fiscalpub.catalog import write_catalog  # here, not at start-up: `--help` stays fast
    from fiscalpub.pipeline import run_summary

    entries = write_catalog(output, results)
    return run_summary(
        results,
        time.perf_counter() - started,
        checks=[(e.result.report, e.summary.get("checks")) for e in entries if e.package],
        min_confirmed=min_confirmed,
        groups=groups,
        notes=notes,
    )


def _reports(
    inputs: tuple[Path, ...],
    parts: tuple[Path, ...],
    output: Path,
    jobs: int,
    as_json: bool,
    keep: Path,
) -> tuple[list[list[Path]], list[str]]:
    """The reports to run and how their files were grouped (said on stderr)."""
    groups, notes = report_groups(inputs, parts, out=output, jobs=jobs, keep=keep)
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
    return groups, notes


def _run_folder(
    groups: list[list[Path]],
    output: Path,
    cfg: Config,
    *,
    jobs: int,
    charts: bool,
    with_bar: bool,
    show: bool,
    parsed: Path,
) -> list[Result]:
    """pipeline.run_folder with a progress bar, and a line per failed report (`show`)."""
    from fiscalpub.pipeline import run_folder  # here, not at start-up: `--help` stays fast

    bar = _Bar(len(groups), enabled=with_bar and sys.stderr.isatty())
    told: set[str] = set()

    def progress(result: Result) -> None:
        bar.advance(result)
        if result.failed and show:
            told.add(result.report)
            _failed(result)

    try:
        results = run_folder(
            groups,
            output,
            base_iri=None if cfg.is_placeholder else cfg.base_iri,
            config_digest=cfg.digest() + ("" if charts else "-no-charts"),
            jobs=jobs,
            charts=charts,
            progress=progress,
            parsed=parsed,
        )
    finally:
        bar.stop()
    if show:  # failures decided once every report is in (two making one package)
        for result in results:
            if result.failed and result.report not in told:
                _failed(result)
    return results


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
