"""Options and helpers the command modules share (configuration, base IRI, data)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fiscalpub.errors import FiscalpubError

if TYPE_CHECKING:
    from fiscalpub.config import Config

DATA_HELP = "A package or a folder of packages (repeatable)."

base_option = click.option(
    "--base-iri",
    help="Base IRI of the data (datasets, observations): {base}dataset/{package name}. "
    "Default: $FISCALPUB_BASE_IRI, `base_iri` in fiscalpub.yaml, else a placeholder.",
)
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML configuration file (default: ./fiscalpub.yaml when present).",
)
data_option = click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help=DATA_HELP + "  [default: datapackages]",
)

part_option = click.option(
    "--part",
    "parts",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file of one report published as several files (repeat: --part narrative.pdf "
    "--part tables.pdf): the --part files together are one report.",
)


def report_groups(
    paths: tuple[Path, ...], parts: tuple[Path, ...], *, out: Path | None = None, jobs: int = 1
) -> tuple[list[list[Path]], list[str]]:
    """The reports the arguments name: each file is a report, a folder holds reports
    grouped by fiscalpub.grouping (report.yaml, or a narrative file and a tables file that
    agree), and the --part files together are one.  A path is always a path.  Usage
    errors (exit 2) for a missing path or a bad report.yaml."""
    from fiscalpub.grouping import GroupingError
    from fiscalpub.pipeline import find_reports

    for path in (*paths, *parts):
        if not path.exists():
            raise click.UsageError(f"{path}: no such file or folder")
    unique = list({p.resolve(): p for p in reversed(parts)}.values())[::-1]
    try:
        groups, notes = find_reports(paths, out, jobs) if paths else ([], [])
    except GroupingError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:  # the probe cache in OUT
        raise click.ClickException(f"{out}: cannot write ({exc.strerror or exc})") from None
    if unique:
        # a --part file found in a given folder too is part of its --part report only
        claimed = {p.resolve() for p in unique}
        rest = []
        for group in groups:
            kept = [p for p in group if p.resolve() not in claimed]
            if kept and len(kept) < len(group):
                notes.append(
                    f"{' + '.join(p.name for p in group)}: grouped in {group[0].parent}, but "
                    f"--part takes {', '.join(p.name for p in group if p not in kept)}"
                )
            if kept:
                rest.append(kept)
        groups = [*rest, unique]
    return groups, notes


def load_config(config_file: Path | None, base_iri: str | None) -> Config:
    """The configuration, or a usage error (exit 2) naming what is wrong."""
    from fiscalpub import config

    try:
        return config.load(config_file, base_iri=base_iri)
    except FiscalpubError as exc:
        raise click.UsageError(str(exc)) from exc


def fail(exc: Exception) -> None:
    """One line on stderr and exit 1."""
    click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


class OutputPath(click.Path):
    """click.Path that refuses an empty path: `-o ''` became Path(''), the current folder,
    and a package was written where nobody meant it."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "":
            self.fail("an empty path", param, ctx)
        return super().convert(value, param, ctx)
