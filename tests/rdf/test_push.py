"""Pushing named graphs to a real Oxigraph server (the `oxigraph` CLI from PyPI), and to tiny
local HTTP servers that answer 5xx or echo credentials."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from fiscalpub.errors import FiscalpubError
from fiscalpub.rdf.push import BACKOFF, PushError, PushResult, count_triples, graph_url, push_graphs

EX = "http://example.org/"
G1 = f"{EX}graph/one"
G2 = f"{EX}graph/two"
TOKEN = "s3cret-t0ken-do-not-show"
OXIGRAPH_REQUIREMENT = "oxigraph>=0.5.13,<0.6"


def nt(*triples: tuple[str, str, str]) -> bytes:
    return "".join(f"<{EX}{s}> <{EX}{p}> {o} .\n" for s, p, o in triples).encode()


ONE = b"# graph one\n\n" + nt(("a", "p", '"1"'), ("a", "q", '"甲"@zh'), ("b", "p", f"<{EX}a>"))
TWO = nt(("c", "p", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'), ("d", "p", "_:x"))


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback traffic must not go through a proxy from the environment."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


class Sleeps(list[float]):
    """An injectable sleep that records instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- a real Oxigraph server ----------------------------------------------------------------


def oxigraph_executable() -> str:
    """The `oxigraph` CLI, or skip (fail in CI) when it is not installed."""
    beside_python = Path(sys.executable).with_name("oxigraph")
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("oxigraph")
    if found:
        return found
    reason = f"the Oxigraph server CLI is not installed (pip install '{OXIGRAPH_REQUIREMENT}')"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs {reason}")
    pytest.skip(reason)


def _wait_ready(process: subprocess.Popen[bytes], base: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def running_oxigraph(tmp_path: Path, *options: str) -> Iterator[str]:
    """A fresh Oxigraph server on a free loopback port; yields its base URL."""
    executable = oxigraph_executable()
    log = tmp_path / "oxigraph.log"
    for attempt in range(3):  # another process may take the free port before oxigraph does
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        location = tmp_path / f"db{attempt}"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    executable,
                    "serve",
                    "--location",
                    str(location),
                    "--bind",
                    f"127.0.0.1:{port}",
                    *options,
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            if _wait_ready(process, base, time.monotonic() + 30):
                yield base
                return
        finally:
            _stop(process)
    pytest.fail(f"oxigraph serve did not start: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    with running_oxigraph(tmp_path) as base:
        yield base


def sparql(base: str, query: str) -> dict[str, object]:
    data = urlencode({"query": query}).encode()
    request = urllib.request.Request(
        f"{base}/query", data=data, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, object] = json.load(response)
        return result


def count(base: str, graph: str) -> int:
    answer = sparql(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    bindings = answer["results"]["bindings"]  # type: ignore[index]
    return int(bindings[0]["n"]["value"])


def ask(base: str, query: str) -> bool:
    return bool(sparql(base, query)["boolean"])


def test_push_two_graphs(oxigraph: str, sleeps: Sleeps) -> None:
    results = push_graphs({G2: TWO, G1: ONE}, f"{oxigraph}/store", sleep=sleeps)
    assert results == [
        PushResult(graph=G1, status=201, triples=3, created=True),
        PushResult(graph=G2, status=201, triples=2, created=True),
    ]
    assert count(oxigraph, G1) == 3
    assert count(oxigraph, G2) == 2
    assert ask(oxigraph, f'ASK {{ GRAPH <{G1}> {{ <{EX}a> <{EX}q> "甲"@zh }} }}')
    assert sleeps == []


def test_pushing_again_is_idempotent(oxigraph: str) -> None:
    graphs = {G1: ONE, G2: TWO}
    push_graphs(graphs, f"{oxigraph}/store")
    again = push_graphs(graphs, f"{oxigraph}/store")
    assert [(r.graph, r.created, r.triples) for r in again] == [(G1, False, 3), (G2, False, 2)]
    assert all(r.status in (200, 204) for r in again)
    assert count(oxigraph, G1) == 3
    assert count(oxigraph, G2) == 2  # the blank node was replaced, not duplicated


def test_a_changed_graph_replaces_the_old_one(oxigraph: str) -> None:
    push_graphs({G1: ONE, G2: TWO}, f"{oxigraph}/store")
    changed = nt(("z", "p", '"new"'))
    (result,) = push_graphs({G1: changed}, f"{oxigraph}/store")
    assert (result.created, result.triples) == (False, 1)
    assert count(oxigraph, G1) == 1
    assert not ask(oxigraph, f"ASK {{ GRAPH <{G1}> {{ <{EX}a> ?p ?o }} }}")
    assert ask(oxigraph, f'ASK {{ GRAPH <{G1}> {{ <{EX}z> <{EX}p> "new" }} }}')
    assert count(oxigraph, G2) == 2  # other graphs are untouched


def test_graph_iris_are_url_encoded(oxigraph: str) -> None:
    odd = f"{EX}预算/2024?year=2024&x=1+2#frag"
    (result,) = push_graphs({odd: ONE}, f"{oxigraph}/store")
    assert result.created
    graphs = sparql(oxigraph, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    names = [b["g"]["value"] for b in graphs["results"]["bindings"]]  # type: ignore[index]
    assert names == [odd]
    assert count(oxigraph, odd) == 3


def test_bad_content_is_a_4xx_error_not_retried(oxigraph: str, sleeps: Sleeps) -> None:
    with pytest.raises(PushError) as raised:
        push_graphs(
            {G1: b"this is not N-Triples\n"}, f"{oxigraph}/store", sleep=sleeps, token=TOKEN
        )
    error = raised.value
    assert isinstance(error, FiscalpubError)
    assert error.status == 400
    assert error.graph == G1
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"PUT {oxigraph}/store?graph=")
    assert "400" in message and "Parser error" in message
    assert TOKEN not in message and TOKEN not in repr(error)
    assert sleeps == []


def test_a_bad_path_is_a_4xx_error_not_retried(oxigraph: str, sleeps: Sleeps) -> None:
    with pytest.raises(PushError) as raised:
        push_graphs({G1: ONE}, f"{oxigraph}/no-such-path", sleep=sleeps)
    assert raised.value.status == 404
    assert sleeps == []


def test_graphs_pushed_before_a_failure_are_reported(oxigraph: str) -> None:
    with pytest.raises(PushError) as raised:
        push_graphs({G1: ONE, G2: b"<broken"}, f"{oxigraph}/store")
    assert [r.graph for r in raised.value.pushed] == [G1]
    assert raised.value.graph == G2
    assert count(oxigraph, G1) == 3


# --- tiny local servers for what Oxigraph will not do on demand ----------------------------


@dataclass
class Stub:
    """Answers each request with the next status of ``statuses`` (the last one repeats)."""

    statuses: list[int]
    body: bytes = b"the server is overloaded"
    echo_authorization: bool = False
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def stub() -> Iterator[tuple[Stub, str]]:
    state = Stub(statuses=[503])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_PUT(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(
                {
                    "path": self.path,
                    "content-type": self.headers.get("Content-Type", ""),
                    "authorization": self.headers.get("Authorization", ""),
                    "body": body.decode(),
                }
            )
            index = min(len(state.requests), len(state.statuses)) - 1
            status = state.statuses[index]
            answer = state.body
            if state.echo_authorization:
                answer += b"; you sent " + self.headers.get("Authorization", "").encode()
            if status == 204:
                answer = b""
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_5xx_is_retried_three_times_then_raised(stub: tuple[Stub, str], sleeps: Sleeps) -> None:
    state, url = stub
    with pytest.raises(PushError) as raised:
        push_graphs({G1: ONE}, url, sleep=sleeps)
    assert len(state.requests) == 4
    assert sleeps == list(BACKOFF) == [0.5, 1.0, 2.0]
    assert raised.value.status == 503
    message = str(raised.value)
    assert "503" in message and "the server is overloaded" in message and "4 tries" in message


def test_5xx_then_success(stub: tuple[Stub, str], sleeps: Sleeps) -> None:
    state, url = stub
    state.statuses = [502, 500, 204]
    (result,) = push_graphs({G1: ONE}, url, sleep=sleeps)
    assert result == PushResult(graph=G1, status=204, triples=3, created=False)
    assert sleeps == [0.5, 1.0]
    assert len(state.requests) == 3
    assert {r["body"] for r in state.requests} == {ONE.decode()}


def test_4xx_is_sent_once(stub: tuple[Stub, str], sleeps: Sleeps) -> None:
    state, url = stub
    state.statuses = [415]
    with pytest.raises(PushError):
        push_graphs({G1: ONE, G2: TWO}, url, sleep=sleeps)
    assert len(state.requests) == 1
    assert sleeps == []


def test_request_shape(stub: tuple[Stub, str]) -> None:
    state, url = stub
    state.statuses = [201]
    push_graphs({G1: ONE}, url + "?dataset=x", token=TOKEN)
    (sent,) = state.requests
    assert sent["content-type"] == "application/n-triples"
    assert sent["authorization"] == f"Bearer {TOKEN}"
    query = parse_qs(urlsplit(sent["path"]).query)
    assert query == {"dataset": ["x"], "graph": [G1]}


def test_credentials_never_appear_in_errors(stub: tuple[Stub, str], sleeps: Sleeps) -> None:
    state, url = stub
    state.statuses = [401]
    state.echo_authorization = True
    with pytest.raises(PushError) as raised:
        push_graphs({G1: ONE}, url, token=TOKEN, sleep=sleeps)
    assert TOKEN not in str(raised.value) and TOKEN not in repr(raised.value)
    assert "***" in str(raised.value)

    with_password = url.replace("http://", "http://alice:pa%24%24word@")
    with pytest.raises(PushError) as raised:
        push_graphs({G1: ONE}, with_password, sleep=sleeps)
    assert state.requests[-1]["authorization"].startswith("Basic ")
    message = str(raised.value)
    assert "pa$$word" not in message and "pa%24%24word" not in message
    assert state.requests[-1]["authorization"] not in message
    assert url in message  # the URL is named, without its credentials


def test_connection_refused_is_retried_then_raised(sleeps: Sleeps) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"  # nothing listens there
    with pytest.raises(PushError) as raised:
        push_graphs({G1: ONE}, url, sleep=sleeps, token=TOKEN)
    assert sleeps == [0.5, 1.0, 2.0]
    assert raised.value.status is None
    message = str(raised.value)
    assert url in message and "4 tries" in message
    assert TOKEN not in message


def test_a_bad_store_url_is_an_error() -> None:
    with pytest.raises(PushError):
        push_graphs({G1: ONE}, "ftp://example.org/store")
    with pytest.raises(PushError):
        push_graphs({G1: ONE}, "not a url")


def test_empty_mapping_pushes_nothing() -> None:
    assert push_graphs({}, "http://127.0.0.1:1/store") == []


# --- helpers -------------------------------------------------------------------------------


def test_count_triples_skips_blank_and_comment_lines() -> None:
    assert count_triples(b"") == 0
    assert count_triples(ONE) == 3
    assert count_triples(b"  # indented comment\r\n<a> <b> <c> .\r\n\r\n") == 1


def test_graph_url() -> None:
    assert graph_url("http://h/store", "http://e.org/g#1") == (
        "http://h/store?graph=http%3A%2F%2Fe.org%2Fg%231"
    )
    assert graph_url("http://h/store?a=1", "urn:x") == "http://h/store?a=1&graph=urn%3Ax"
