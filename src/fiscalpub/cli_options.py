"""Options and helpers the command modules share (configuration, base IRI, data)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

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
