"""`fiscalpub validate`: packages and reports checked (fiscalpub.api.validate), rendered
for people, JSON, JUnit or SARIF."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiscalpub.cli._common import options, part_option

VALIDATE_OPTIONS = options(
    click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    part_option,
    click.option("--json", "as_json", is_flag=True, help="Print the results as JSON."),
    click.option(
        "--format", "fmt", type=click.Choice(["junit", "sarif"]), help="JUnit XML or SARIF for CI."
    ),
    click.option("--strict", is_flag=True, help="Source contradictions (error severity) fail too."),
    click.option(
        "--baseline",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Accepted findings (JSON list of ids, or earlier --json output): only new ones count.",
    ),
    click.option(
        "--rdf",
        "with_rdf",
        is_flag=True,
        help="Also check each package's RDF export: W3C Data Cube IC-1…IC-21 and the SHACL shapes.",
    ),
)


@click.command()
@VALIDATE_OPTIONS
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
    from fiscalpub import api  # here, not at start-up: `--help` stays fast
    from fiscalpub.validate import output

    try:
        accepted = output.read_baseline(baseline) if baseline else set()
    except (ValueError, TypeError, KeyError) as exc:
        raise click.BadParameter(f"{baseline}: {exc}", param_hint="--baseline") from exc
    if not paths and not parts:
        raise click.UsageError("give packages, folders of packages, reports or --part files")
    for part in parts:
        if not part.is_file():
            raise click.UsageError(f"{part}: no such file")
    try:
        outcomes = api.validate(
            list(paths),
            list(parts),
            strict=strict,
            accepted=accepted,
            with_rdf=with_rdf,
            rdf_checked=_rdf_checked,
        )
    except api.NotATarget as exc:
        raise click.UsageError(str(exc)) from None
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


def _rdf_checked(package: str, observations: int, violations: int) -> None:
    click.echo(
        f"rdf: {package}: {observations} observations; W3C Data Cube IC-1…IC-21 and "
        f"SHACL shapes: {violations or 'no'} violation{'s' if violations != 1 else ''}",
        err=True,
    )
