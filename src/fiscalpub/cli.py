"""The command line: a thin shell over fiscalpub.api (parse options, call, render)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from fiscalpub import __version__
from fiscalpub.api import parse_files
from fiscalpub.atomic import write_atomic
from fiscalpub.cli_options import (
    OutputPath,
    base_option,
    config_option,
    load_config,
    part_option,
    report_groups,
)
from fiscalpub.errors import FiscalpubError
from fiscalpub.model import Finding, Report, SelfCheck, kind_label, several_reports


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


class _Main(click.Group):
    """Every command ends in one line, never a traceback: a deliberate error
    (FiscalpubError) or an output that cannot be written (OSError: a path below a
    file, a read-only folder, a full disk) is ``Error: …`` and exit 1; Ctrl-C exits
    130 like other Unix tools."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk behind `> file` is an error, not a lost output
            return result
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return None
        except FiscalpubError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(os_error(exc)) from None
        except KeyboardInterrupt:
            click.echo("Aborted.", err=True)
            ctx.exit(130)


def os_error(exc: OSError) -> str:
    """One line for an OSError: the path and the system's reason."""
    where = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    return f"{where}: {reason}" if where else reason


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fiscalpub")
def main() -> None:
    """fiscalpub: exact, validated open data from 部门预算 / 部门决算 reports.

    \b
    Example:
      fiscalpub parse examples/003_c8682c8f72d65ec9.txt
    """


@main.command()
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
    paths = list(files)
    if any(p.is_dir() for p in files):
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
        paths = groups[0]
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


@main.group()
def vocab() -> None:
    """The vocabulary: SKOS code lists by edition year, departments, COFOG."""


@vocab.command("build")
@click.argument("reports", nargs=-1, type=str)
@click.option(
    "--sources",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file listing the reports, one per line (files separated by spaces).",
)
@click.option(
    "-o",
    "--output",
    type=OutputPath(file_okay=False, path_type=Path),
    default=Path("vocab"),
    show_default=True,
    help="Folder for the Turtle, code lists and index.",
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
def vocab_build(reports: tuple[str, ...], sources: Path | None, output: Path, quiet: bool) -> None:
    """Build the vocabulary from parsed evidence: every (code, name, year) printed in
    the reports' tables, plus the curated 类 level, English labels and COFOG alignment.

    A REPORT is a file or the canonical JSON of `fiscalpub parse`; list a report of
    several files on one line of --sources (files separated by spaces).  The output
    is the same bytes for the same inputs in any order.

    \b
    Examples:
      fiscalpub vocab build --sources vocab/sources.txt -o vocab
      fiscalpub vocab build a.txt b.pdf -o /tmp/vocab
    """
    from fiscalpub.vocab import files

    groups = [[Path(p)] for p in reports]
    if sources is not None:
        groups += files.read_sources(sources)
    if not groups:
        raise click.UsageError("give REPORT files or --sources")
    progress = (
        None if quiet or not sys.stderr.isatty() else (lambda s: click.echo(f"  {s}", err=True))
    )
    try:
        built = files.build(groups, progress)
    except FiscalpubError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    written = files.write(built, output)
    codes = len(built.vocabulary.labels)
    click.echo(
        f"{codes} codes, {len(built.findings)} findings; wrote {len(written)} files to {output}",
        err=True,
    )


@vocab.command("check")
@click.option(
    "-d",
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("vocab"),
    show_default=True,
    help="A built vocabulary folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the conflicts as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 when there are conflicts.")
def vocab_check(folder: Path, as_json: bool, strict: bool) -> None:
    """List the conflicts in the evidence: a code printed with unrelated names in one
    year, a child whose parent is never printed, a name under two codes, a code whose
    meaning changed at the 2018 reform, regions not in the division list.

    \b
    Example:
      fiscalpub vocab check -d vocab
    """
    import json as _json

    from fiscalpub.vocab import files

    rows = files.check(folder)
    if as_json:
        keys = ["code", "classification", "subject", "message"]
        click.echo(
            _json.dumps(
                [dict(zip(keys, r, strict=True)) for r in rows], ensure_ascii=False, indent=1
            )
        )
    else:
        for code, _cl, _subject, message in rows:
            click.echo(f"{code:18} {message}")
        click.echo(f"{len(rows)} conflicts", err=True)
    if strict and rows:
        sys.exit(1)


@main.command()
@click.argument("reports", nargs=-1, type=click.Path(path_type=Path))
@part_option
@click.option(
    "-o",
    "--output",
    type=OutputPath(file_okay=False, path_type=Path),
    default=Path("datapackages"),
    show_default=True,
    help="Folder for the packages (one sub-folder per report).",
)
@click.option(
    "--licence", "licence", help="The publisher's licence id (e.g. CC-BY-4.0); default: unknown."
)
@click.option("--licence-title", help="A title for --licence.")
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option(
    "--no-charts",
    is_flag=True,
    help="No charts (faster; they use the font shipped with fiscalpub, no system font needed).",
)
@base_option
@config_option
def build(
    reports: tuple[Path, ...],
    parts: tuple[Path, ...],
    output: Path,
    licence: str | None,
    licence_title: str | None,
    quiet: bool,
    no_charts: bool,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Build one Frictionless Data Package per report.

    A REPORT is a file (text, PDF, or the canonical JSON of `fiscalpub parse`) or a
    folder of report files (.pdf, .txt), in which a report published as two files
    (narrative and tables) is found by its contents or listed in a report.yaml (see
    `fiscalpub run --help`).  The --part files together are one report.  Each package folder is
    named by a stable slug (pinyin of region and department, year, kind, a hash of
    the department name) and is written all or nothing.

    \b
    Examples:
      fiscalpub build examples/*.txt -o datapackages
      fiscalpub build reports/ -o datapackages
      fiscalpub build --part text.pdf --part tables.pdf --licence CC-BY-4.0 -o out
    """
    from fiscalpub.api import load_report
    from fiscalpub.package.build import build_package, write_package
    from fiscalpub.package.slug import package_slug
    from fiscalpub.rdf.cube import dataset_iri
    from fiscalpub.validate.engine import validate_report

    cfg = load_config(config_file, base_iri)  # with a real base, the package's id is its IRI
    lic = {"name": licence, "title": licence_title or licence} if licence else None
    if not reports and not parts:
        raise click.UsageError("give REPORT files or folders, or --part files")
    groups, notes = report_groups(reports, parts)
    if not groups:
        raise click.UsageError("no reports (.pdf, .txt) found in the given folders")
    for note in notes:
        click.echo(f"note: {note}", err=True)
    loaded = []
    for group in groups:  # every report read (and checked) before any package is written
        try:
            report = load_report(group)
        except FiscalpubError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        _refuse_inconsistent(report, group)
        loaded.append((group, report))
    _refuse_shared_slugs(loaded)
    for group, report in loaded:
        iri = None if cfg.is_placeholder else dataset_iri(cfg.base_iri, package_slug(report.report))
        try:
            built = build_package(
                report,
                licence=lic,
                extra_findings=validate_report(report),
                dataset_iri=iri,
                source_files=[(p.name, p.read_bytes()) for p in group if p.is_file()],
                with_charts=not no_charts,
            )
        except FiscalpubError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        path = write_package(built, output)
        for notice in built.notices:  # e.g. charts skipped: the package is built all the same
            click.echo(f"warning: {path}: {notice.code}: {notice.message}", err=True)
        if not quiet:
            click.echo(f"{path}", err=True)


def _refuse_inconsistent(report: Report, group: list[Path]) -> None:
    """A canonical JSON whose amounts are not its printed numbers (or that lists a cell
    twice) makes a package validate rejects: refuse it here instead."""
    from fiscalpub.validate import consistency

    wrong = [*consistency.amounts(report, group[0]), *consistency.duplicates(report, group[0])]
    if wrong:
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        raise click.ClickException(f"{wrong[0].message}{more}: no package written")


def _refuse_shared_slugs(loaded: list[tuple[list[Path], Report]]) -> None:
    """Two inputs that make one package name would overwrite each other."""
    from fiscalpub.package.slug import package_slug

    seen: dict[str, list[Path]] = {}
    for group, report in loaded:
        if not report.report.department:
            continue  # build_package says why there is no package
        slug = package_slug(report.report)
        if slug in seen:
            first = " + ".join(map(str, seen[slug]))
            raise click.ClickException(
                f"{first} and {' + '.join(map(str, group))} make the same package {slug} "
                "(same department, year, kind and scope as read): nothing written"
            )
        seen[slug] = group


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@part_option
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--format", "fmt", type=click.Choice(["junit", "sarif"]), help="JUnit XML or SARIF for CI."
)
@click.option("--strict", is_flag=True, help="Source contradictions (error severity) fail too.")
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Accepted findings (JSON list of ids, or earlier --json output): only new ones count.",
)
@click.option(
    "--rdf",
    "with_rdf",
    is_flag=True,
    help="Also check each package's RDF export: W3C Data Cube IC-1…IC-21 and the SHACL shapes.",
)
def validate(
    paths: tuple[Path, ...],
    parts: tuple[Path, ...],
    as_json: bool,
    fmt: str | None,
    strict: bool,
    baseline: Path | None,
    with_rdf: bool,
) -> None:
    """Validate packages, folders of packages, or reports.

    A report is a file (text, PDF, the canonical JSON of `fiscalpub parse`); the
    --part files together are one report (narrative.pdf and tables.pdf).

    Package defects (schema, foreign keys, checksums, missing files, a report that
    does not parse) are errors: exit 1.  The source's own contradictions (sums,
    table 01 balance, tables against each other, narrative against tables,
    percentages) are reported with both sides, and fail only with --strict;
    within the rounding tolerance they are `rounding` warnings.

    \b
    Examples:
      fiscalpub validate datapackages/
      fiscalpub validate report.pdf --json
      fiscalpub validate --part narrative.pdf --part tables.pdf
      fiscalpub validate datapackages/ --format sarif > fiscalpub.sarif
      fiscalpub validate datapackages/ --strict --baseline accepted.json
      fiscalpub validate datapackages/ --rdf

    With --rdf each package is also exported as an RDF Data Cube and checked against
    the W3C well-formedness constraints (IC-1 … IC-21) and fiscalpub's SHACL shapes
    (vocab/cube-shapes.ttl); a violation is a package defect.

    Exit codes: 0 valid, 1 defects (or contradictions with --strict), 2 usage error.
    """
    from fiscalpub.validate import defects, output
    from fiscalpub.validate.engine import validate_report

    try:
        accepted = output.read_baseline(baseline) if baseline else set()
    except (ValueError, TypeError, KeyError) as exc:
        raise click.BadParameter(f"{baseline}: {exc}", param_hint="--baseline") from exc
    if not paths and not parts:
        raise click.UsageError("give packages, folders of packages, reports or --part files")
    for part in parts:
        if not part.is_file():
            raise click.UsageError(f"{part}: no such file")
    targets: list[tuple[Path | list[Path], str]] = list(defects.targets(list(paths)))
    if parts:
        targets.append((list(parts), "report"))
    outcomes: list[output.Outcome] = []
    for target, kind in targets:
        if kind == "package" and isinstance(target, Path):
            checked = defects.check_package(target)
            if with_rdf:
                checked.defects += _rdf_defects(target)
        elif kind == "report":
            files = target if isinstance(target, list) else [target]
            for part in files:
                if not part.exists():
                    raise click.UsageError(f"{part}: no such file or folder")
            checked = defects.check_report(files)
        else:
            raise click.UsageError(f"{target}: no datapackage.json in it or its sub-folders")
        found = validate_report(checked.report) if checked.report else []
        outcome = output.Outcome(checked, strict=strict)
        for f in found:
            (outcome.accepted if f.id in accepted else outcome.contradictions).append(f)
        outcomes.append(outcome)
    code = 1 if any(o.failures for o in outcomes) else 0
    if fmt == "junit":
        click.echo(output.junit(outcomes), nl=False)
    elif fmt == "sarif":
        click.echo(output.sarif(outcomes), nl=False)
    elif as_json:
        click.echo(output.to_json(outcomes, code), nl=False)
    else:
        click.echo(output.human(outcomes, colour=sys.stdout.isatty()), nl=False)
    sys.exit(code)


def _rdf_defects(package: Path) -> list[Finding]:
    """The package's RDF export checked (IC-1…IC-21, SHACL), as package defects."""
    import hashlib

    from fiscalpub.config import PLACEHOLDER_BASE
    from fiscalpub.model import Where
    from fiscalpub.rdf.checks import check_rdf

    try:
        observations, problems = check_rdf(package, PLACEHOLDER_BASE)
    except FiscalpubError as exc:
        return [Finding("rdf-export", "error", f"{package.name}: {exc}", [Where()])]
    click.echo(
        f"rdf: {package.name}: {observations} observations; W3C Data Cube IC-1…IC-21 and "
        f"SHACL shapes: {len(problems) or 'no'} violation{'s' if len(problems) != 1 else ''}",
        err=True,
    )
    out = []
    for p in problems:
        code = "rdf-integrity" if p.check.startswith("IC-") else "rdf-shape"
        key = f"{code} {p.check} {p.focus}".encode()
        out.append(
            Finding(
                code,
                "error",
                f"{package.name}: {p.check} {p.message}: {p.focus}",
                [Where()],
                id=hashlib.sha256(key).hexdigest()[:16],
            )
        )
    return out


def _register() -> None:
    from fiscalpub.cli_publish import publish
    from fiscalpub.cli_rdf import COMMANDS
    from fiscalpub.cli_run import run

    for command in [*COMMANDS, publish, run]:
        main.add_command(command)


_register()


if __name__ == "__main__":  # python -m fiscalpub.cli
    main()
