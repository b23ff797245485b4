"""`fiscalpub vocab build | check`: the SKOS vocabulary from parsed evidence."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from fiscalpub.cli._common import folder_option
from fiscalpub.errors import FiscalpubError


@click.group()
def vocab() -> None:
    """The vocabulary: SKOS code lists by edition year, departments, COFOG."""


@vocab.command("build")
@click.argument("reports", nargs=-1, type=str)
@click.option(
    "--sources",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file listing the reports, one per line (files separated by spaces).",
)
@folder_option("vocab", "Folder for the Turtle, code lists and index.")
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
    from fiscalpub import api  # here, not at start-up: `--help` stays fast
    from fiscalpub.vocab import files  # here, not at start-up: `--help` stays fast

    groups = [[Path(p)] for p in reports]
    if sources is not None:
        groups += files.read_sources(sources)
    if not groups:
        raise click.UsageError("give REPORT files or --sources")
    progress = (
        None if quiet or not sys.stderr.isatty() else (lambda s: click.echo(f"  {s}", err=True))
    )
    try:
        built = api.build_vocabulary(groups, progress)
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
    from fiscalpub.vocab import files  # here, not at start-up: `--help` stays fast

    rows = files.check(folder)
    if as_json:
        keys = ["code", "classification", "subject", "message"]
        click.echo(
            json.dumps(
                [dict(zip(keys, r, strict=True)) for r in rows], ensure_ascii=False, indent=1
            )
        )
    else:
        for code, _cl, _subject, message in rows:
            click.echo(f"{code:18} {message}")
        click.echo(f"{len(rows)} conflicts", err=True)
    if strict and rows:
        sys.exit(1)
