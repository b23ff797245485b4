"""`fiscalpub parse`: one report into the canonical model, as a summary or JSON."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from fiscalpub.atomic import write_atomic
from fiscalpub.cli._common import OutputPath, report_groups
from fiscalpub.errors import FiscalpubError
from fiscalpub.model import Report, SelfCheck, kind_label, several_reports


def self_check_lines(checks: SelfCheck) -> list[str]:
    """The self-check (README "Self-check"): table amounts, then narrative amounts."""
    share = checks.share
    percent = "" if share is None else f" ({share * 100:.2f}%)"
    return [
        f"self-check: {checks.confirmed} of {checks.amounts} amounts confirmed{percent}, "
        f"{checks.contradicted} contradicted, {checks.unchecked} unchecked",
        f"self-check: {checks.facts_agreeing} of {checks.facts} narrative amounts compared "
        f"agree with the tables, {checks.facts_contradicting} contradicted",
    ]


def _summary(report: Report) -> str:
    meta = report.report
    out = [
        f"{meta.department or '(department unknown)'} · {meta.year or '?'} · "
        f"{kind_label(meta.kind, meta.scope)} "
        f"{'final accounts' if meta.kind == 'final' else 'budget'}",
        "",
        f"{'table':<28} {'status':<18} {'unit':<5} {'numbers':>7} {'unplaced':>8}",
    ]
    # wrong or missing identity is said first, not left to the finding counts at the end
    wrong = [f for f in report.findings if f.code.startswith("identity-")]
    out[2:2] = [f"{f.severity} {f.code}: {f.message}" for f in wrong] + ([""] if wrong else [])
    counts = Counter(li.table for li in report.line_items)
    unplaced = Counter(li.table for li in report.line_items if li.placed_by == "unplaced")
    for t in report.tables:
        out.append(
            f"{t.table:<28} {t.status:<18} {t.unit or '':<5} {counts.get(t.table, 0):>7} "
            f"{unplaced.get(t.table, 0):>8}"
        )
    by = Counter(li.placed_by for li in report.line_items)
    out += [
        "",
        f"{len(report.line_items)} numbers: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by.items())),
        f"{len(report.facts)} narrative facts",
        *(self_check_lines(meta.checks) if meta.checks else []),
        f"{len(report.findings)} findings"
        + (
            ": "
            + ", ".join(f"{k} {v}" for k, v in Counter(f.code for f in report.findings).items())
            if report.findings
            else ""
        ),
    ]
    return "\n".join(out) + "\n"


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the canonical JSON (CONTRACT.md).")
@click.option(
    "-o",
    "--output",
    type=OutputPath(path_type=Path),
    help="Write the canonical JSON to PATH.",
)
def parse(files: tuple[Path, ...], as_json: bool, output: Path | None) -> None:
    """Parse one report (one or more files) into the canonical model.

    Several FILES make one report (e.g. a narrative file and a tables file).  A
    folder holding one report is read as such: its files are grouped as `fiscalpub
    run` groups them (a narrative file and a tables file that agree, or report.yaml).
    Without --json a human summary is printed: tables and their status, numbers and
    how their columns were decided, findings.

    \b
    Examples:
      fiscalpub parse report.txt
      fiscalpub parse report.txt --json > report.json
      fiscalpub parse narrative.pdf tables.pdf -o report.json
      fiscalpub parse reports/beijing-2026/

    Exit codes: 0 ok, 1 unreadable input or not a report, 2 usage error.
    """
    from fiscalpub.api import parse_files  # here, not at start-up: `--help` stays fast

    paths = _one_report(files) if any(p.is_dir() for p in files) else list(files)
    try:
        report = parse_files(list(paths))
    except FiscalpubError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    text = report.to_json()
    if output is not None:
        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as exc:
            click.echo(f"Error: {output}: cannot write ({exc.strerror or exc})", err=True)
            sys.exit(1)
    if as_json:
        click.echo(text, nl=False)
    elif output is None:
        click.echo(_summary(report), nl=False)
    else:
        click.echo(f"wrote {output}", err=True)
    several = several_reports(report)
    if several:  # the output shows every finding; the exit says it is not one report
        click.echo(f"Error: {paths[0]}: several reports in one? {several[0].message}", err=True)
        sys.exit(1)


def _one_report(files: tuple[Path, ...]) -> list[Path]:
    """The files of the one report a folder holds (grouped as `fiscalpub run` groups)."""
    if len(files) > 1:
        raise click.UsageError("give one folder, or the files of one report")
    groups, notes = report_groups(files, ())
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if not groups:
        click.echo(f"Error: {files[0]}: a folder without report files (.pdf, .txt)", err=True)
        sys.exit(1)
    if len(groups) != 1:
        listed = "; ".join(" + ".join(p.name for p in g) for g in groups[:5])
        raise click.UsageError(
            f"{files[0]} holds {len(groups)} reports ({listed}): "
            "parse one at a time, or list its files in report.yaml"
        )
    return groups[0]
