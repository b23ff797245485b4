"""Linked-data commands: rdf, query, serve, push (registered on the main group)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from fiscalpub.errors import FiscalpubError

DATA_HELP = "A package or a folder of packages (repeatable)."


def _config(config_file: Path | None, base_iri: str | None):  # type: ignore[no-untyped-def]
    from fiscalpub import config

    try:
        return config.load(config_file, base_iri=base_iri)
    except FiscalpubError as exc:
        raise click.UsageError(str(exc)) from exc


def _fail(exc: Exception) -> None:
    click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


base_option = click.option(
    "--base-iri",
    help="Base IRI of the data (datasets, observations). "
    "Default: $FISCALPUB_BASE_IRI, `base_iri` in fiscalpub.yaml, else a placeholder.",
)
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML configuration file (default: ./fiscalpub.yaml when present).",
)


@click.command("rdf")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Output file ('-' for stdout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "nt", "jsonld"]),
    help="Serialisation (default: from the output suffix .ttl/.nt/.jsonld, else turtle).",
)
@base_option
@config_option
def rdf(
    packages: tuple[Path, ...],
    output: Path,
    fmt: str | None,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Export packages as an RDF Data Cube with DCAT and PROV.

    Per package: one qb:DataSet (also the dcat:Dataset, IRI {base}dataset/{name}),
    one qb:Observation per placed cell of a printed table, linked to the edition
    concept of its code, the department, the fiscal year, the table, the row and the
    column; amounts in yuan as xsd:decimal with the printed value, unit and decimals;
    PROV links to the page of the source document.  Cells whose column could not be
    decided are not observations: they stay in findings.csv.

    \b
    Examples:
      fiscalpub rdf datapackages/ -o cube.ttl
      fiscalpub rdf datapackages/*/ -o cube.nt --base-iri https://data.example.gov.cn/fiscal/
      fiscalpub rdf datapackages/ --format jsonld -o -
    """
    from fiscalpub.cli import _write_atomic_bytes
    from fiscalpub.rdf.cube import SUFFIXES, cube, read_package, serialise
    from fiscalpub.rdf.store import find_packages

    cfg = _config(config_file, base_iri)
    if fmt is None:
        by_suffix = {suffix: name for name, suffix in SUFFIXES.items()}
        fmt = by_suffix.get(output.suffix, "turtle")
    if cfg.is_placeholder:
        click.echo(
            f"Note: using the placeholder base IRI {cfg.base_iri} (set --base-iri or "
            "$FISCALPUB_BASE_IRI before publishing)",
            err=True,
        )
    try:
        triples = set()
        for path in find_packages(packages):
            triples.update(cube(read_package(path), cfg.base_iri))
        data = serialise(sorted(triples, key=str), fmt)
    except FiscalpubError as exc:
        _fail(exc)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
    else:
        _write_atomic_bytes(output, data)
        click.echo(f"{output}: {len(triples)} triples", err=True)


@click.command("query")
@click.argument("query")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help=DATA_HELP + "  [default: datapackages]",
)
@click.option(
    "--vocab",
    type=click.Path(file_okay=False, path_type=Path),
    help="Vocabulary folder (default: the one installed with fiscalpub).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv"]),
    default="table",
    show_default=True,
)
@base_option
@config_option
def query(
    query: str,
    data: tuple[Path, ...],
    vocab: Path | None,
    fmt: str,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Run a SPARQL query over the vocabulary and the packages' cubes.

    QUERY is the query text or a .rq file.  The usual prefixes (fp:, fpc:, qb:,
    skos:, dct: …) are declared for you.  The store is embedded (pyoxigraph) and
    built from the packages on each call; the default graph is the union of the
    vocabulary and every dataset's graph.

    \b
    Examples:
      fiscalpub query docs/queries/code-across-departments.rq
      fiscalpub query 'SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation }'
      fiscalpub query docs/queries/three-public.rq --data datapackages --format csv
    """
    from fiscalpub.rdf.query import execute, read_query, render
    from fiscalpub.rdf.store import find_packages, load

    cfg = _config(config_file, base_iri)
    try:
        text = read_query(query)
        loaded = load(find_packages(data or (Path("datapackages"),)), cfg.base_iri, vocab=vocab)
        click.echo(render(execute(loaded.store, text), fmt), nl=False)
    except FiscalpubError as exc:
        _fail(exc)


def _loaded_store(data: tuple[Path, ...], vocab: Path | None, base: str):  # type: ignore[no-untyped-def]
    from fiscalpub.rdf.store import find_packages, load

    started = time.perf_counter()
    loaded = load(find_packages(data or (Path("datapackages"),)), base, vocab=vocab)
    click.echo(
        f"loaded {len(loaded.datasets)} datasets, {loaded.triples} triples "
        f"in {time.perf_counter() - started:.1f} s",
        err=True,
    )
    return loaded


COMMANDS = [rdf, query]
