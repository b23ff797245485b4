"""A read-only SPARQL 1.1 Protocol endpoint over a pyoxigraph Store.

``make_server`` builds the server (the caller runs ``serve_forever``); ``serve`` runs one
until Ctrl-C.  Queries go to ``/sparql`` (GET ``?query=``, POST form, POST
``application/sparql-query``); ``/`` is a small help page.  The default graph is the union
of all the store's graphs unless the request names its dataset with ``default-graph-uri`` /
``named-graph-uri`` -- as with ``oxigraph serve --union-default-graph``, that union also
overrides a query's own ``FROM`` clauses.  Results are written by pyoxigraph's serializers
and streamed (chunked) once they outgrow a small buffer.  Updates are refused, and so is
``SERVICE`` (it would make the server fetch arbitrary URLs) unless ``allow_service``.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import select
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from fiscalpub.rdf.workers import (
    DEFAULT_MAX_RESULT_MB,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    QueryPool,
    QueryRefused,
)

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["Limits", "SparqlServer", "make_server", "serve"]

ENDPOINT = "/sparql"
READ_ONLY = "this endpoint is read-only"
MAX_BODY = 10 * 1024 * 1024  # a query larger than this is refused (413)
_BUFFER = 64 * 1024  # results up to this size get a Content-Length; larger ones stream


EXAMPLE_QUERY = "SELECT ?g (COUNT(*) AS ?triples)\nWHERE { GRAPH ?g { ?s ?p ?o } }\nGROUP BY ?g"


@dataclass(frozen=True)
class Limits:
    """What one query may take: seconds of work, megabytes of answer, and how many run
    at once (each in a worker process, see fiscalpub.rdf.workers)."""

    timeout: float = DEFAULT_TIMEOUT
    max_result_mb: float = DEFAULT_MAX_RESULT_MB
    workers: int = DEFAULT_WORKERS


class SparqlServer(ThreadingHTTPServer):
    """A threading HTTP server answering SPARQL queries against ``store``."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        store: ox.Store,
        *,
        quiet: bool = True,
        allow_service: bool = False,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.quiet = quiet
        self.allow_service = allow_service
        self.limits = limits or Limits()
        self.pool: QueryPool | None = None  # started once the socket is bound
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.pool = QueryPool(
            store,
            workers=self.limits.workers,
            timeout=self.limits.timeout,
            max_result_mb=self.limits.max_result_mb,
        )

    def server_close(self) -> None:
        super().server_close()
        if self.pool is not None:
            self.pool.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early is not an error worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The endpoint's URL, e.g. ``http://127.0.0.1:7878/sparql``."""
        host, port = str(self.server_address[0]), int(self.server_address[1])
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{ENDPOINT}"


def make_server(
    store: ox.Store,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    quiet: bool = True,
    allow_service: bool = False,
    limits: Limits | None = None,
) -> SparqlServer:
    """A server bound to ``host:port`` (0 = a free port); call ``serve_forever`` on it."""
    return SparqlServer(
        (host, port), store, quiet=quiet, allow_service=allow_service, limits=limits
    )


def serve(
    store: ox.Store,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    ready: Callable[[str], None] | None = None,
    quiet: bool = True,
    allow_service: bool = False,
    limits: Limits | None = None,
) -> None:
    """Serve ``store`` until KeyboardInterrupt; ``ready(url)`` is called once listening."""
    with make_server(
        store, host, port, quiet=quiet, allow_service=allow_service, limits=limits
    ) as server:
        if ready is not None:
            ready(server.url)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


# --- SERVICE detection -------------------------------------------------------------------

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Strings, IRIs and comments, which may contain the word SERVICE without meaning it.
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w:?$.\-])SERVICE(?![\w:.\-])", re.IGNORECASE)


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def uses_service(query: str) -> bool:
    """Whether the query contains a ``SERVICE`` (federated query) clause."""
    if "service" not in query.lower() and "\\" not in query:
        return False
    code = _NOT_CODE.sub(" ", _UNICODE_ESCAPE.sub(_unescape, query))
    return _SERVICE.search(code) is not None


# --- request handling ----------------------------------------------------------------------


class _Response(io.RawIOBase):
    """A writable that buffers a small body (sent with Content-Length) and streams a larger
    one: chunked to HTTP/1.1 clients, until the connection closes to HTTP/1.0 ones."""

    def __init__(self, handler: _Handler, content_type: str) -> None:
        super().__init__()
        self._handler = handler
        self._content_type = content_type
        self._buffer = bytearray()
        self._chunked = handler.request_version == "HTTP/1.1"
        self.streaming = False

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        chunk = bytes(data)
        if self.streaming:
            self._send(chunk)
        else:
            self._buffer += chunk
            if len(self._buffer) >= _BUFFER:
                self._start()
                self._send(bytes(self._buffer))
                self._buffer.clear()
        return len(chunk)

    def _start(self) -> None:
        self.streaming = True
        h = self._handler
        h.send_response(HTTPStatus.OK)
        h.send_header("Content-Type", self._content_type)
        if self._chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.close_connection = True
            h.send_header("Connection", "close")
        h.send_header("Vary", "Accept")
        h.end_headers()

    def _send(self, data: bytes) -> None:
        if data:
            if self._chunked:
                data = b"%x\r\n%s\r\n" % (len(data), data)
            self._handler.wfile.write(data)

    def finish(self) -> None:
        """End the body: send the buffered one, or the last chunk of a streamed one."""
        if not self.streaming:
            self._handler.send_body(
                HTTPStatus.OK, bytes(self._buffer), self._content_type, vary=True
            )
        elif self._chunked:
            self._handler.wfile.write(b"0\r\n\r\n")


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "fiscalpub-sparql"
    timeout = 120  # seconds a socket may stay silent (an idle keep-alive connection, say)

    # -- plumbing

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def send_body(self, status: int, body: bytes, content_type: str, *, vary: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if vary:
            self.send_header("Vary", "Accept")
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, POST, OPTIONS")
        self.end_headers()
        self.wfile.write(body)

    def send_text(self, status: int, message: str) -> None:
        self.send_body(status, (message.rstrip() + "\n").encode(), "text/plain; charset=utf-8")

    def _path(self) -> str:
        return urlsplit(self.path).path

    def _url_params(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    # -- methods

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        requested = self.headers.get("Access-Control-Request-Headers")
        self.send_header("Access-Control-Allow-Headers", requested or "Accept, Content-Type")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Allow", "GET, POST, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self._path()
        params = self._url_params()
        if path == "/" or (path == ENDPOINT and not params):
            self._help()
        elif path == ENDPOINT:
            self._sparql(params)
        else:
            self.send_text(HTTPStatus.NOT_FOUND, f"not found: {path} (the endpoint is {ENDPOINT})")

    def do_POST(self) -> None:
        path = self._path()
        if path != ENDPOINT:
            self._discard_body()
            self.send_text(HTTPStatus.NOT_FOUND, f"not found: {path} (the endpoint is {ENDPOINT})")
            return
        params = self._url_params()
        content_type = self.headers.get_content_type()
        if content_type == "application/sparql-update":
            self._discard_body()
            self.send_text(HTTPStatus.FORBIDDEN, READ_ONLY)
            return
        body = self._read_body()
        if body is None:
            return
        if content_type == "application/x-www-form-urlencoded":
            charset = self.headers.get_content_charset() or "utf-8"
            try:
                form = parse_qs(body.decode(charset), keep_blank_values=True)
            except (UnicodeDecodeError, LookupError):
                self.send_text(HTTPStatus.BAD_REQUEST, "the form is not valid UTF-8")
                return
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
        elif content_type == "application/sparql-query":
            try:
                text = body.decode(self.headers.get_content_charset() or "utf-8")
            except (UnicodeDecodeError, LookupError):
                self.send_text(HTTPStatus.BAD_REQUEST, "the query is not valid UTF-8")
                return
            if "query" in params:
                self.send_text(HTTPStatus.BAD_REQUEST, "give the query in the body or the URL")
                return
            params["query"] = [text]
        else:
            self.send_text(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "POST application/x-www-form-urlencoded or application/sparql-query",
            )
            return
        self._sparql(params)

    def _read_only(self) -> None:
        self._discard_body()
        self.send_text(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY)

    do_PUT = do_DELETE = do_PATCH = _read_only

    # -- bodies

    def _content_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        if value is None:
            return None
        try:
            length = int(value)
        except ValueError:
            return None
        return length if length >= 0 else None

    def _discard_body(self) -> None:
        length = self._content_length()
        if length is None or length > MAX_BODY:
            self.close_connection = True
            return
        self.rfile.read(length)

    def _read_body(self) -> bytes | None:
        length = self._content_length()
        if length is None:
            self.close_connection = True
            self.send_text(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length")
            return None
        if length > MAX_BODY:
            self.close_connection = True
            self.send_text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the query is too large")
            return None
        return self.rfile.read(length)

    # -- pages

    def _help(self) -> None:
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        url = f"http://{host}{ENDPOINT}"
        page = (
            "<!doctype html>\n<html lang=en><meta charset=utf-8>"
            "<title>fiscalpub SPARQL endpoint</title>\n"
            "<h1>fiscalpub SPARQL endpoint</h1>\n"
            f"<p>A read-only SPARQL 1.1 endpoint: <code>{html.escape(url)}</code> "
            "(GET <code>?query=</code>, or POST a form or <code>application/sparql-query</code>)."
            " The default graph is the union of all graphs.</p>\n"
            f'<form method=get action="{ENDPOINT}">'
            f"<textarea name=query rows=6 cols=80>{html.escape(EXAMPLE_QUERY)}</textarea><br>"
            "<button type=submit>Run</button></form>\n"
            "<p>From a shell:</p>\n"
            "<pre>curl -H 'Accept: text/csv' --data-urlencode "
            f"{html.escape(repr('query=' + ' '.join(EXAMPLE_QUERY.split())))} "
            f"{html.escape(url)}</pre>\n</html>\n"
        )
        self.send_body(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")

    # -- queries

    def _sparql(self, params: dict[str, list[str]]) -> None:
        try:
            self._answer(params)
        except QueryRefused as refused:
            self.send_text(refused.status, refused.message)

    def _answer(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            raise QueryRefused(HTTPStatus.FORBIDDEN, READ_ONLY)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise QueryRefused(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter")
        query = queries[0]
        if not self.server.allow_service and uses_service(query):
            raise QueryRefused(
                HTTPStatus.FORBIDDEN, "SERVICE (federated query) is disabled on this endpoint"
            )
        response: _Response | None = None
        assert self.server.pool is not None
        messages = self.server.pool.run(query, params, self.headers.get("Accept"), self._gone)
        try:
            for message in messages:
                kind = message[0]
                if kind == "head":
                    response = _Response(self, message[1])
                elif kind == "chunk" and response is not None:
                    response.write(message[1])
                elif kind == "end" and response is not None:
                    response.finish()
                elif kind in ("error", "timeout") and response is not None:
                    if response.streaming:  # too late for a status: cut the body short
                        self.close_connection = True
                        return
                    response = None
                    if kind == "timeout":
                        raise self._timeout()
                    raise QueryRefused(HTTPStatus(message[1]), message[2])
                elif kind == "error":
                    raise QueryRefused(HTTPStatus(message[1]), message[2])
                elif kind == "timeout":
                    raise self._timeout()
                elif kind == "gone":
                    self.close_connection = True
                    return
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            messages.close()  # type: ignore[attr-defined]

    def _timeout(self) -> QueryRefused:
        seconds = self.server.limits.timeout
        return QueryRefused(
            HTTPStatus.SERVICE_UNAVAILABLE,
            f"query stopped after the time limit of {seconds:g} s: narrow it or add a LIMIT",
        )

    def _gone(self) -> bool:
        """The client closed its connection (it gave up waiting)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except (OSError, ValueError):
            return True
