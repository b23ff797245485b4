"""The linked-data commands: rdf (export), query, serve (SPARQL) and push (Graph Store)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fiscalpub.atomic import write_atomic
from fiscalpub.cli._common import (
    OutputPath,
    base_option,
    config_option,
    data_option,
    fail,
    load_config,
    push_packages,
)
from fiscalpub.errors import FiscalpubError

if TYPE_CHECKING:
    from fiscalpub.rdf.store import Loaded


@click.command("rdf")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=OutputPath(dir_okay=False, path_type=Path, allow_dash=True),
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
    from fiscalpub import api  # here, not at start-up: `--help` stays fast
    from fiscalpub.rdf.cube import SUFFIXES

    cfg = load_config(config_file, base_iri)
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
        exported = api.export(packages, cfg.base_iri, fmt)
    except FiscalpubError as exc:
        fail(exc)
    if str(output) == "-":
        sys.stdout.buffer.write(exported.data)
    else:
        write_atomic(output, exported.data)
        click.echo(f"{output}: {exported.triples} triples", err=True)


@click.command("query")
@click.argument("query")
@data_option
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
    from fiscalpub.rdf.query import execute, read_query, render  # not at start-up (pyoxigraph)
    from fiscalpub.rdf.serve import uses_service
    from fiscalpub.rdf.store import find_packages, load

    cfg = load_config(config_file, base_iri)
    try:
        text = read_query(query)
        if uses_service(text):  # as `serve`: a query must not make fiscalpub fetch URLs
            raise FiscalpubError(
                "SERVICE (federated query) is not run: fiscalpub queries its own store only"
            )
        loaded = load(find_packages(data or (Path("datapackages"),)), cfg.base_iri, vocab=vocab)
        click.echo(render(execute(loaded.store, text), fmt), nl=False)
    except FiscalpubError as exc:
        fail(exc)


def _loaded_store(data: tuple[Path, ...], vocab: Path | None, base: str) -> Loaded:
    from fiscalpub.rdf.store import find_packages, load  # not at start-up (pyoxigraph)

    started = time.perf_counter()
    loaded = load(find_packages(data or (Path("datapackages"),)), base, vocab=vocab)
    click.echo(
        f"loaded {len(loaded.datasets)} datasets, {loaded.triples} triples "
        f"in {time.perf_counter() - started:.1f} s",
        err=True,
    )
    return loaded


@click.command("serve")
@data_option
@click.option("--vocab", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535))
@click.option("--log", is_flag=True, help="Log each request on stderr.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run; then it is stopped (503).",
)
@click.option(
    "--max-result-mb",
    type=click.FloatRange(min=0.001),
    default=64.0,
    show_default=True,
    help="Size of an answer in MB before it is cut (503 before streaming starts).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Queries run at once, each in a process that can be stopped.",
)
@base_option
@config_option
def serve(
    data: tuple[Path, ...],
    vocab: Path | None,
    host: str,
    port: int,
    log: bool,
    timeout: float,
    max_result_mb: float,
    workers: int,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Serve the vocabulary and the packages' cubes as a read-only SPARQL endpoint.

    SPARQL 1.1 Protocol at http://HOST:PORT/sparql (GET ?query=, or POST): results as
    JSON, XML, CSV or TSV; graphs as Turtle, N-Triples, JSON-LD or RDF/XML, by Accept.
    Updates and SERVICE calls are refused.  Each dataset is a named graph (its IRI);
    the default graph is the union.  Listens on localhost unless --host says
    otherwise.  Stop with Ctrl-C.

    Each query runs in a worker process (--workers of them): past --timeout seconds,
    when its answer outgrows --max-result-mb, or when the client goes away, the
    worker is killed and replaced, so a runaway query cannot take the endpoint down.

    \b
    Examples:
      fiscalpub serve
      fiscalpub serve --data datapackages --port 8890
      curl 'http://127.0.0.1:7878/sparql' --data-urlencode 'query@docs/queries/cofog.rq'
    """
    from fiscalpub.rdf import serve as endpoint  # not at start-up (pyoxigraph)

    cfg = load_config(config_file, base_iri)
    try:
        loaded = _loaded_store(data, vocab, cfg.base_iri)
        endpoint.serve(
            loaded.store,
            host,
            port,
            ready=lambda url: click.echo(f"SPARQL endpoint: {url}  (Ctrl-C to stop)", err=True),
            quiet=not log,
            limits=endpoint.Limits(timeout, max_result_mb, workers),
        )
    except OSError as exc:
        fail(FiscalpubError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"))
    except FiscalpubError as exc:
        fail(exc)


@click.command("push")
@click.argument("packages", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--graph-store",
    required=True,
    envvar="FISCALPUB_GRAPH_STORE",
    help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store "
    "(or $FISCALPUB_GRAPH_STORE).",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="File holding a bearer token (or $FISCALPUB_GRAPH_STORE_TOKEN); never a "
    "command-line value, which `ps` would show.",
)
@click.option("--no-vocab", is_flag=True, help="Push the datasets only, not the vocabulary graph.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds per request.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@base_option
@config_option
def push(
    packages: tuple[Path, ...],
    graph_store: str,
    token_file: Path | None,
    no_vocab: bool,
    timeout: float,
    as_json: bool,
    base_iri: str | None,
    config_file: Path | None,
) -> None:
    """Push each dataset as a named graph to a triple store (SPARQL 1.1 Graph Store
    HTTP Protocol).

    Each package's own triples (dataset, observations, distributions) replace the
    graph named by its dataset IRI (PUT): pushing again changes nothing.  The
    vocabulary and what datasets share (structure, code lists, concepts, departments,
    sources) are merged (POST) into https://w3id.org/fiscalpub/vocab.  Refuses the
    placeholder base IRI: set your own first.

    \b
    Examples:
      FISCALPUB_BASE_IRI=https://data.example.gov.cn/fiscal/ \\
        fiscalpub push datapackages/ --graph-store http://127.0.0.1:7878/store
      fiscalpub push datapackages/ --graph-store https://triples.example.org/store \\
        --token-file ~/.config/fiscalpub/token --base-iri https://data.example.gov.cn/fiscal/
    """
    cfg = load_config(config_file, base_iri)
    code = push_packages(
        packages,
        graph_store,
        cfg,
        token_file=token_file,
        no_vocab=no_vocab,
        timeout=timeout,
        as_json=as_json,
    )
    sys.exit(code)
