"""The read-only SPARQL endpoint, queried over real HTTP on a loopback port."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from fiscalpub.rdf.serve import Limits, SparqlServer, make_server, serve, uses_service

TRIG = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:g1 {
    ex:a a ex:Thing ; rdfs:label "甲"@zh, "a" ; ex:n 1 .
    ex:b a ex:Thing ; rdfs:label "b" ; ex:link [ ex:n 2 ] .
}
ex:g2 {
    ex:c a ex:Other ; rdfs:label "c, with \\"quotes\\"\\tand a tab" .
}
"""
EX = "http://example.org/"
LABELS = (
    "SELECT ?s ?label WHERE "
    f"{{ ?s a <{EX}Thing> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
)
EXPECTED_LABELS = {(f"{EX}a", "甲"), (f"{EX}a", "a"), (f"{EX}b", "b")}
THINGS = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }}"


@dataclass
class Answer:
    status: int
    headers: Message[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def content_type(self) -> str:
        return self.headers.get_content_type()


def request(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> Answer:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())


def get(url: str, accept: str | None = None, **params: str) -> Answer:
    headers = {"Accept": accept} if accept else {}
    return request(f"{url}?{urlencode(params)}" if params else url, headers=headers)


def post_form(url: str, accept: str | None = None, **params: str) -> Answer:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return request(url, data=urlencode(params).encode(), headers=headers)


def post_query(url: str, query: str, accept: str | None = None) -> Answer:
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return request(url, data=query.encode(), headers=headers)


def make_store() -> ox.Store:
    store = ox.Store()
    store.load(TRIG.encode(), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return make_store()


def _start(store: ox.Store) -> tuple[SparqlServer, threading.Thread]:
    server = make_server(store, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _stop(server: SparqlServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def endpoint(store: ox.Store) -> Iterator[str]:
    server, thread = _start(store)
    try:
        yield server.url
    finally:
        _stop(server, thread)


def solutions(answer: Answer, fmt: ox.QueryResultsFormat) -> set[tuple[str, ...]]:
    parsed = ox.parse_query_results(answer.body, fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return {tuple(row[name].value for name in names) for row in parsed}


def store_graph(store: ox.Store, query: str) -> rdflib.Graph:
    triples = store.query(query)
    assert isinstance(triples, ox.QueryTriples)
    data = triples.serialize(format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return rdflib.Graph().parse(data=data.decode(), format="nt")


# --- the three ways to send a query -------------------------------------------------------


def test_get_answers_json_by_default_with_cors(endpoint: str) -> None:
    answer = get(endpoint, query=LABELS)
    assert answer.status == 200
    assert answer.content_type == "application/sparql-results+json"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert solutions(answer, ox.QueryResultsFormat.JSON) == EXPECTED_LABELS
    assert json.loads(answer.body)["head"]["vars"] == ["s", "label"]


def test_post_form(endpoint: str) -> None:
    answer = post_form(endpoint, query=LABELS)
    assert answer.status == 200, answer.text
    assert solutions(answer, ox.QueryResultsFormat.JSON) == EXPECTED_LABELS


def test_post_sparql_query(endpoint: str) -> None:
    answer = post_query(endpoint, LABELS)
    assert answer.status == 200, answer.text
    assert solutions(answer, ox.QueryResultsFormat.JSON) == EXPECTED_LABELS


# --- result formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "JSON"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("text/csv", "text/csv", "CSV"),
        ("text/tab-separated-values", "text/tab-separated-values", "TSV"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("text/html, */*;q=0.1", "application/sparql-results+json", "JSON"),
        ("text/*", "text/csv", "CSV"),
    ],
)
def test_select_formats(endpoint: str, accept: str, media: str, fmt: str) -> None:
    answer = get(endpoint, accept, query=LABELS)
    assert answer.status == 200, answer.text
    assert answer.content_type == media
    results_format = getattr(ox.QueryResultsFormat, fmt)
    if fmt == "CSV":  # CSV drops language tags, but keeps the values
        assert set(answer.text.splitlines()[1:]) == {f"{s},{o}" for s, o in EXPECTED_LABELS}
    else:
        assert solutions(answer, results_format) == EXPECTED_LABELS


def test_tsv_escapes_the_literal_with_a_tab(endpoint: str) -> None:
    answer = get(
        endpoint, "text/tab-separated-values", query=f"SELECT ?l WHERE {{ <{EX}c> ?p ?l }}"
    )
    got = solutions(answer, ox.QueryResultsFormat.TSV)
    assert ('c, with "quotes"\tand a tab',) in got


@pytest.mark.parametrize(
    ("query", "expected"),
    [(f"ASK {{ <{EX}c> ?p ?o }}", True), (f"ASK {{ <{EX}nobody> ?p ?o }}", False)],
)
@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_ask(endpoint: str, query: str, expected: bool, fmt: str) -> None:
    results_format = getattr(ox.QueryResultsFormat, fmt)
    answer = get(endpoint, results_format.media_type, query=query)
    assert answer.status == 200, answer.text
    parsed = ox.parse_query_results(answer.body, results_format)
    assert isinstance(parsed, ox.QueryBoolean)
    assert bool(parsed) is expected


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.2", "application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_round_trip(
    endpoint: str, store: ox.Store, accept: str | None, media: str, rdflib_format: str
) -> None:
    answer = post_query(endpoint, THINGS, accept)
    assert answer.status == 200, answer.text
    assert answer.content_type == media
    if rdflib_format == "json-ld":  # rdflib's JSON-LD parser warns; read it with pyoxigraph
        text = ox.serialize(
            ox.parse(answer.body, ox.RdfFormat.JSON_LD), format=ox.RdfFormat.N_TRIPLES
        )
        got = rdflib.Graph().parse(data=(text or b"").decode(), format="nt")
    else:
        got = rdflib.Graph().parse(data=answer.text, format=rdflib_format)
    expected = store_graph(store, THINGS)
    assert len(got) == len(expected) == 8
    assert isomorphic(got, expected)


def test_describe(endpoint: str) -> None:
    answer = get(endpoint, "application/n-triples", query=f"DESCRIBE <{EX}c>")
    assert answer.status == 200, answer.text
    graph = rdflib.Graph().parse(data=answer.text, format="nt")
    assert len(graph) == 2


# --- the dataset -------------------------------------------------------------------------


def test_default_graph_is_the_union(endpoint: str) -> None:
    answer = get(endpoint, "text/csv", query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert answer.text.splitlines()[1] == "10"


def test_default_and_named_graph_uri(endpoint: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_g2 = get(endpoint, "text/csv", query=count, **{"default-graph-uri": f"{EX}g2"})
    assert only_g2.status == 200, only_g2.text
    assert only_g2.text.splitlines()[1] == "2"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = post_form(endpoint, "text/csv", query=graphs, **{"named-graph-uri": f"{EX}g1"})
    assert named.text.splitlines()[1:] == [f"{EX}g1"]


def test_bad_graph_uri_is_400(endpoint: str) -> None:
    answer = get(endpoint, query=LABELS, **{"default-graph-uri": "not an iri"})
    assert answer.status == 400
    assert "bad graph IRI" in answer.text


# --- refusals ----------------------------------------------------------------------------


def test_406_for_an_unsupported_accept(endpoint: str) -> None:
    select = get(endpoint, "text/turtle", query=LABELS)
    assert select.status == 406
    assert "application/sparql-results+json" in select.text
    construct = get(endpoint, "application/sparql-results+json", query=THINGS)
    assert construct.status == 406
    assert "text/turtle" in construct.text
    assert construct.headers["Access-Control-Allow-Origin"] == "*"


def test_syntax_error_is_400_with_pyoxigraph_message(endpoint: str, store: ox.Store) -> None:
    bad = "SELECT ?s WHERE { ?s ?p }"
    with pytest.raises(SyntaxError) as raised:
        store.query(bad)
    for answer in (get(endpoint, query=bad), post_query(endpoint, bad)):
        assert answer.status == 400
        assert answer.content_type == "text/plain"
        assert str(raised.value) in answer.text


def test_missing_or_repeated_query_is_400(endpoint: str) -> None:
    assert get(endpoint, **{"default-graph-uri": f"{EX}g1"}).status == 400
    twice = request(f"{endpoint}?query=ASK{{}}&query=ASK{{}}")
    assert twice.status == 400


@pytest.mark.parametrize(
    "send",
    [
        lambda url: post_form(url, update="INSERT DATA { <http://x> <http://y> <http://z> }"),
        lambda url: get(url, update="CLEAR ALL"),
        lambda url: request(
            url,
            data=b"CLEAR ALL",
            headers={"Content-Type": "application/sparql-update"},
        ),
    ],
    ids=["form", "get", "sparql-update"],
)
def test_updates_are_refused(endpoint: str, store: ox.Store, send) -> None:  # type: ignore[no-untyped-def]
    before = len(store)
    answer = send(endpoint)
    assert answer.status == 403
    assert answer.content_type == "text/plain"
    assert "this endpoint is read-only" in answer.text
    assert len(store) == before


def test_put_and_delete_are_not_allowed(endpoint: str) -> None:
    for method in ("PUT", "DELETE"):
        answer = request(endpoint, data=b"", method=method)
        assert answer.status == 405
        assert "read-only" in answer.text


def test_service_is_refused(endpoint: str) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    answer = get(endpoint, query=query)
    assert answer.status == 403
    assert "SERVICE" in answer.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
        ("select * { service silent ?svc { ?s ?p ?o } }", True),
        ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", True),
        ("SELECT * { ?s <http://x/service> ?o }", False),
        ('SELECT * { ?s ?p "SERVICE" } # SERVICE', False),
        ("PREFIX ex: <http://x/> SELECT ?service { ?service ex:SERVICE ex:service. }", False),
    ],
)
def test_uses_service(query: str, expected: bool) -> None:
    assert uses_service(query) is expected


def test_unknown_paths_are_404(endpoint: str) -> None:
    base = endpoint.rsplit("/", 1)[0]
    assert get(f"{base}/nope").status == 404
    assert post_query(f"{base}/query", "ASK {}").status == 404


def test_unsupported_post_content_type_is_415(endpoint: str) -> None:
    answer = request(endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert answer.status == 415


# --- browsers ----------------------------------------------------------------------------


def test_cors_preflight(endpoint: str) -> None:
    answer = request(
        endpoint,
        method="OPTIONS",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert "content-type" in answer.headers["Access-Control-Allow-Headers"].lower()


def test_help_page(endpoint: str) -> None:
    base = endpoint.rsplit("/", 1)[0]
    for url in (f"{base}/", endpoint):
        answer = get(url)
        assert answer.status == 200
        assert answer.content_type == "text/html"
        assert endpoint in answer.text
        assert "SELECT" in answer.text


# --- connections and large results --------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        for query in (LABELS, "ASK {}", "NOT SPARQL", LABELS):
            connection.request("GET", f"{parts.path}?{urlencode({'query': query})}")
            response = connection.getresponse()
            body = response.read()
            assert response.status == (400 if query == "NOT SPARQL" else 200), body
    finally:
        connection.close()


def test_large_results_stream_in_chunks() -> None:
    store = ox.Store()
    n = 20_000
    data = "".join(f"<{EX}s{i}> <{EX}p> <{EX}o{i}> .\n" for i in range(n)).encode()
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(f"{EX}big"))
    server, thread = _start(store)
    try:
        parts = urlsplit(server.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        try:
            for query, accept in (
                ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
                ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
            ):
                connection.request(
                    "POST",
                    parts.path,
                    body=query.encode(),
                    headers={"Content-Type": "application/sparql-query", "Accept": accept},
                )
                response = connection.getresponse()
                assert response.status == 200
                assert response.getheader("Transfer-Encoding") == "chunked"
                assert response.getheader("Content-Length") is None
                body = response.read()
                if accept.endswith("json"):
                    assert len(json.loads(body)["results"]["bindings"]) == n
                else:
                    assert len(body.splitlines()) == n
        finally:
            connection.close()
        # An HTTP/1.0 client gets no chunks: the body ends when the connection closes.
        with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=60) as raw:
            query = urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
            raw.sendall(f"GET {parts.path}?{query} HTTP/1.0\r\n\r\n".encode())
            received = b"".join(iter(lambda: raw.recv(65536), b""))
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.split(b"\r\n")[0].endswith(b" 200 OK")
        assert b"chunked" not in head.lower()
        assert len(json.loads(body)["results"]["bindings"]) == n
    finally:
        _stop(server, thread)


def test_concurrent_queries(endpoint: str) -> None:
    answers: list[Answer] = []

    def work() -> None:
        answers.append(get(endpoint, query=LABELS))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert [a.status for a in answers] == [200] * 8


# --- serve() -----------------------------------------------------------------------------


def test_serve_calls_ready_and_stops_on_keyboard_interrupt() -> None:
    """serve() runs in this (main) thread; a helper queries it, then interrupts it."""
    import signal

    # a test run started in the background by a script (`cmd &`) inherits SIGINT ignored,
    # and interrupt_main() is then lost: this test is about Ctrl-C, so it runs with
    # Python's own handler whatever the run inherited
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _serve_until_interrupted()
    finally:
        signal.signal(signal.SIGINT, previous)


def _serve_until_interrupted() -> None:
    import _thread

    urls: list[str] = []
    seen: list[int] = []

    def client() -> None:
        deadline = time.monotonic() + 30
        while not urls and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            seen.append(get(urls[0], query="ASK {}").status)
        finally:
            _thread.interrupt_main()

    helper = threading.Thread(target=client, daemon=True)
    helper.start()
    serve(make_store(), "127.0.0.1", 0, ready=urls.append)
    helper.join(timeout=10)
    assert seen == [200]
    assert urls[0].startswith("http://127.0.0.1:") and urls[0].endswith("/sparql")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(urls[0], timeout=5)


# --- limits: a runaway query is stopped, the endpoint keeps answering -----------------------

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _limited(limits: Limits) -> tuple[SparqlServer, threading.Thread]:
    store = ox.Store()
    data = "".join(f"<{EX}s{i}> <{EX}p> <{EX}o{i}> .\n" for i in range(3000)).encode()
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(f"{EX}big"))
    server = make_server(store, "127.0.0.1", 0, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_cross_join_stops_at_the_time_limit_and_the_endpoint_keeps_answering() -> None:
    server, thread = _limited(Limits(timeout=1.5, workers=2))
    try:
        started = time.monotonic()
        answer = get(server.url, query=CROSS_JOIN)
        elapsed = time.monotonic() - started
        assert answer.status == 503, answer.body
        assert b"time limit of 1.5 s" in answer.body
        assert elapsed < 6
        # the endpoint still answers, and no worker is still computing the cross join
        assert get(server.url, query=LABELS).status == 200
        assert server.pool is not None
        pids = [w.process.pid for w in server.pool._all]
        before = {pid: _cpu_seconds(pid) for pid in pids}
        time.sleep(1.0)
        assert all(_cpu_seconds(pid) - before[pid] < 0.3 for pid in pids)
    finally:
        _stop(server, thread)


def test_a_client_that_gives_up_ends_its_query() -> None:
    server, thread = _limited(Limits(timeout=60, workers=1))
    try:
        parts = urlsplit(server.url)
        query = urlencode({"query": CROSS_JOIN})
        with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=5) as raw:
            raw.sendall(f"GET {parts.path}?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            time.sleep(0.5)
        # the only worker was killed and replaced: a new query is answered at once
        started = time.monotonic()
        assert get(server.url, query=LABELS).status == 200
        assert time.monotonic() - started < 10
        assert server.pool is not None
        pids = [w.process.pid for w in server.pool._all]
        before = {pid: _cpu_seconds(pid) for pid in pids}
        time.sleep(1.0)
        assert all(_cpu_seconds(pid) - before[pid] < 0.3 for pid in pids)  # nothing runs on
    finally:
        _stop(server, thread)


def test_an_answer_over_the_size_limit_is_refused() -> None:
    server, thread = _limited(Limits(max_result_mb=0.01, workers=1))
    try:
        answer = get(server.url, query="SELECT * WHERE { ?s ?p ?o }")
        assert answer.status == 503, answer.body[:200]
        assert b"larger than the limit" in answer.body
        assert get(server.url, query="SELECT * WHERE { ?s ?p ?o } LIMIT 3").status == 200
    finally:
        _stop(server, thread)
