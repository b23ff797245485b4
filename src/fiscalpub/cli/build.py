"""`fiscalpub build`: one Frictionless Data Package per report (fiscalpub.api.build)."""

from __future__ import annotations

from pathlib import Path

import click

from fiscalpub.cli._common import (
    base_option,
    config_option,
    folder_option,
    load_config,
    part_option,
    report_groups,
)


@click.command()
@click.argument("reports", nargs=-1, type=click.Path(path_type=Path))
@part_option
@folder_option("datapackages", "Folder for the packages (one sub-folder per report).")
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
    from fiscalpub import api  # here, not at start-up: `--help` stays fast

    cfg = load_config(config_file, base_iri)  # with a real base, the package's id is its IRI
    lic = {"name": licence, "title": licence_title or licence} if licence else None
    if not reports and not parts:
        raise click.UsageError("give REPORT files or folders, or --part files")
    groups, notes = report_groups(reports, parts)
    if not groups:
        raise click.UsageError("no reports (.pdf, .txt) found in the given folders")
    for note in notes:
        click.echo(f"note: {note}", err=True)

    def written(built: api.BuiltReport) -> None:
        for (
            notice
        ) in built.package.notices:  # e.g. charts skipped: the package is built all the same
            click.echo(f"warning: {built.path}: {notice.code}: {notice.message}", err=True)
        if not quiet:
            click.echo(f"{built.path}", err=True)

    base = None if cfg.is_placeholder else cfg.base_iri
    api.build(groups, output, base_iri=base, licence=lic, charts=not no_charts, progress=written)
