"""`fiscalpub run`: a folder of reports to a validated (and published) catalog."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click

from fiscalpub.cli_options import base_option, config_option, load_config


@click.command("run")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("datapackages"),
    show_default=True,
    help="Folder for the packages, rdf/, catalog.json and index.html.",
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
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@base_option
@config_option
@click.pass_context
def run(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    output: Path,
    jobs: int | None,
    do_publish: bool,
    graph_store: str | None,
    no_charts: bool,
    as_json: bool,
    quiet: bool,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Every report found in INPUTS → parse → package → validate → RDF, in parallel
    and incrementally; then a catalog (catalog.json, index.html), and optionally
    publish to CKAN and push to a triple store.

    INPUTS are report files (.pdf, .txt), folders searched recursively, or
    narrative.pdf+tables.pdf; "<stem>-text.pdf" and "<stem>-tables.pdf" in one folder
    are recognised as one report.  A report whose sources, fiscalpub version,
    registry, vocabulary and configuration are unchanged since the last run is
    skipped.  One bad report never stops the batch: it is listed, and the exit code
    is 1.

    \b
    Examples:
      fiscalpub run examples/ -o datapackages
      fiscalpub run reports/ -o out -j 4 --base-iri https://data.example.gov.cn/fiscal/
      fiscalpub run reports/ -o out --publish --push http://127.0.0.1:7878/store

    Exit codes: 0 every report built and valid, 1 a report failed or has package
    defects (or publishing failed), 2 usage error.
    """
    from fiscalpub.catalog import catalog_json, index_html
    from fiscalpub.pipeline import Result, find_reports, write_bytes
    from fiscalpub.pipeline import run as run_pipeline

    cfg = load_config(config_file, base_iri)
    base = None if cfg.is_placeholder else cfg.base_iri
    groups = find_reports(inputs)
    missing = [p for g in groups for p in g if not p.exists()]
    if missing:
        raise click.UsageError(f"{missing[0]}: no such file or folder")
    if not groups:
        raise click.UsageError("no reports (.pdf, .txt) found in " + ", ".join(map(str, inputs)))
    started = time.perf_counter()
    bar = _Bar(len(groups), enabled=not quiet and not as_json and sys.stderr.isatty())

    def progress(result: Result) -> None:
        bar.advance(result)
        if result.status == "failed" and not as_json:
            click.echo(f"failed: {result.report}: {result.error}", err=True)

    try:
        results = run_pipeline(
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
    write_bytes(output / "catalog.json", catalog_json(results).encode("utf-8"))
    write_bytes(output / "index.html", index_html(results).encode("utf-8"))
    elapsed = time.perf_counter() - started
    summary = _summary(results, elapsed)
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


def _human(s: dict[str, Any], out: Path) -> str:
    findings = ", ".join(f"{k} {v}" for k, v in s["findings"].items()) or "none"
    lines = [
        f"{s['reports']} reports: {s['built']} built, {s['skipped']} unchanged (skipped), "
        f"{s['failed']} failed; {s['tables']} tables, {s['numbers']} numbers; "
        f"findings: {findings}; {s['seconds']:.1f} s",
        f"catalog: {out / 'index.html'}",
    ]
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
