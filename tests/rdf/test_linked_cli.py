"""`fiscalpub push` into a real Oxigraph server and `fiscalpub serve` as a real process:
the example queries answer the same there as in the embedded store."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from fiscalpub.rdf.store import VOCAB_GRAPH, find_packages
from tests.conftest import ROOT, cli_runner
from tests.rdf.test_push import _stop, free_port, running_oxigraph

BASE = "https://data.example.gov.cn/fiscal/"
QUERIES = ROOT / "docs" / "queries"
PACKAGES = find_packages([ROOT / "datapackages"])


@pytest.fixture
def union_oxigraph(tmp_path: Path) -> Iterator[str]:
    """An Oxigraph server whose default graph is the union (like `fiscalpub serve`)."""
    with running_oxigraph(tmp_path, "--union-default-graph") as base:
        yield base


def _select(url: str, query: str) -> list[dict[str, str]]:
    request = urllib.request.Request(
        url,
        data=urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    return [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]


def _embedded(query: Path) -> list[dict[str, str]]:
    from fiscalpub.cli import main

    result = cli_runner().invoke(
        main, ["query", str(query), "--format", "json", "--base-iri", BASE]
    )
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    return [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]


def _push(store: str, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    from fiscalpub.cli import main

    return cli_runner().invoke(
        main,
        ["push", str(ROOT / "datapackages"), "--graph-store", f"{store}/store", "--json", *extra],
        env=env,
    )


def test_push_refuses_the_placeholder_base(tmp_path: Path) -> None:
    from fiscalpub.cli import main

    result = cli_runner().invoke(
        main,
        ["push", str(ROOT / "datapackages"), "--graph-store", "http://127.0.0.1:9/store"],
        env={"FISCALPUB_BASE_IRI": ""},
    )
    assert result.exit_code == 1
    assert "refusing to push with the placeholder base IRI" in result.stderr


def test_push_then_query_the_store(union_oxigraph: str) -> None:
    token = "s3cret-token-value"
    first = _push(
        union_oxigraph,
        "--base-iri",
        BASE,
        env={"FISCALPUB_GRAPH_STORE_TOKEN": token},
    )
    assert first.exit_code == 0, first.stderr
    assert token not in first.stdout + first.stderr
    results = json.loads(first.stdout)
    graphs = {r["graph"]: r for r in results}
    assert set(graphs) == {VOCAB_GRAPH} | {f"{BASE}dataset/{p.name}" for p in PACKAGES}
    assert all(r["created"] for r in results)

    def counts() -> dict[str, int]:
        rows = _select(
            f"{union_oxigraph}/query",
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        )
        return {r["g"]: int(r["n"]) for r in rows}

    before = counts()
    second = _push(union_oxigraph, "--base-iri", BASE)
    assert second.exit_code == 0, second.stderr
    assert not any(r["created"] for r in json.loads(second.stdout))
    assert counts() == before  # idempotent: nothing duplicated, nothing lost

    placed = 0
    for package in PACKAGES:
        with (package / "line_items.csv").open(encoding="utf-8") as fh:
            placed += sum(1 for r in csv.DictReader(fh) if r["column"])
    rows = _select(
        f"{union_oxigraph}/query",
        "SELECT (COUNT(?o) AS ?n) WHERE { ?o a <http://purl.org/linked-data/cube#Observation> }",
    )
    assert int(rows[0]["n"]) == placed

    # the example queries answer the same on the pushed store as in the embedded one
    for query in sorted(QUERIES.glob("*.rq")):
        remote = _select(f"{union_oxigraph}/query", query.read_text(encoding="utf-8"))
        assert remote == _embedded(query), query.name


def test_serve_answers_the_example_queries() -> None:
    port = free_port()
    env = {**os.environ, "FISCALPUB_BASE_IRI": BASE}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fiscalpub.cli",
            "serve",
            "--port",
            str(port),
            "--data",
            str(ROOT / "datapackages"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stderr is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stderr.readline().decode()
            lines.append(line)
            if "SPARQL endpoint:" in line or not line:
                break
        assert f"http://127.0.0.1:{port}/sparql" in "".join(lines), lines
        url = f"http://127.0.0.1:{port}/sparql"
        for query in sorted(QUERIES.glob("*.rq")):
            assert _select(url, query.read_text(encoding="utf-8")) == _embedded(query)
        update = urllib.request.Request(
            url, data=urlencode({"update": "CLEAR ALL"}).encode(), method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=10)
        assert refused.value.code == 403
    finally:
        _stop(process)


def test_serve_port_in_use() -> None:
    import socket

    from fiscalpub.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli_runner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
