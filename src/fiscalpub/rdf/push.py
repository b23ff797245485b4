"""Push named graphs to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol.

Each graph is PUT as N-Triples to ``<store_url>?graph=<IRI>``, which replaces the graph,
so pushing the same graphs twice leaves the store as after the first push.  For Oxigraph
server the Graph Store URL is ``http://host:port/store``.  Only the standard library is
used.  5xx answers and connection errors are retried (after 0.5, 1 and 2 s); 4xx answers
are not.  A bearer token (or ``user:password@`` in the URL) is sent but never shown.
"""

from __future__ import annotations

import base64
import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from fiscalpub.errors import FiscalpubError

__all__ = ["BACKOFF", "PushError", "PushResult", "count_triples", "graph_url", "push_graphs"]

BACKOFF = (0.5, 1.0, 2.0)  # seconds slept before each retry
_MESSAGE_CHARS = 200  # how much of a server's error message is kept


class PushError(FiscalpubError):
    """A Graph Store refused a graph, or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        graph: str | None,
        status: int | None = None,
        pushed: tuple[PushResult, ...] = (),
    ) -> None:
        super().__init__(message)
        self.graph = graph  # None when the URL itself is unusable
        self.status = status  # None when no HTTP answer came
        self.pushed = pushed  # the graphs pushed before this one failed


@dataclass(frozen=True)
class PushResult:
    """One graph PUT: the server's status, the triples sent, and whether it was new."""

    graph: str
    status: int
    triples: int
    created: bool


def count_triples(ntriples: bytes) -> int:
    """The N-Triples lines that are neither blank nor comments."""
    return sum(
        1 for line in ntriples.splitlines() if line.strip() and not line.lstrip().startswith(b"#")
    )


def _split_credentials(store_url: str) -> tuple[str, str | None, tuple[str, ...]]:
    """The URL without ``user:password@``, a Basic Authorization value for them, and the
    strings never to show."""
    try:
        parts = urlsplit(store_url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        ok = False
    if not ok:
        raise PushError("the Graph Store URL must be an http(s) URL with a host", graph=None)
    if "@" not in parts.netloc:
        return store_url, None, ()
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = (unquote(p) for p in userinfo.partition(":"))
    basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    base = urlunsplit(parts._replace(netloc=hostport))
    return base, basic, (store_url, userinfo, basic, password)


def graph_url(store_url: str, graph: str) -> str:
    """``store_url`` with ``graph=<IRI>`` added to its query string."""
    parts = urlsplit(store_url)
    param = urlencode({"graph": graph}, quote_via=quote, safe="")
    query = f"{parts.query}&{param}" if parts.query else param
    return urlunsplit(parts._replace(query=query))


def _server_message(body: bytes, secrets: tuple[str, ...]) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    if len(text) > _MESSAGE_CHARS:
        text = text[: _MESSAGE_CHARS - 1] + "…"
    return text


def push_graphs(
    graphs: Mapping[str, bytes],
    store_url: str,
    *,
    timeout: float = 30.0,
    token: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    merge: Collection[str] = (),
) -> list[PushResult]:
    """PUT each graph's N-Triples to the Graph Store at ``store_url``, graphs in IRI order.

    Graphs named in ``merge`` are POSTed instead (the store merges them into what the
    graph holds): for the shared vocabulary graph, which every push adds to and none
    may shrink.  Both are idempotent: a graph is a set of triples.

    Raises PushError on the first graph the store refuses or cannot take (after retrying
    5xx answers and connection errors); the graphs before it stay pushed.
    """
    base, basic, hidden = _split_credentials(store_url)
    authorization = f"Bearer {token}" if token else basic
    secrets = tuple(s for s in (token, *hidden) if s)
    results: list[PushResult] = []
    for graph in sorted(graphs):
        data = graphs[graph]
        url = graph_url(base, graph)
        method = "POST" if graph in merge else "PUT"
        status = _put(
            url, data, authorization, timeout, sleep, graph, secrets, tuple(results), method
        )
        results.append(
            PushResult(
                graph=graph, status=status, triples=count_triples(data), created=status == 201
            )
        )
    return results


def _put(
    url: str,
    data: bytes,
    authorization: str | None,
    timeout: float,
    sleep: Callable[[float], None],
    graph: str,
    secrets: tuple[str, ...],
    pushed: tuple[PushResult, ...],
    method: str = "PUT",
) -> int:
    """PUT (or POST) ``data`` to ``url``; the 2xx status, or PushError."""
    headers = {"Content-Type": "application/n-triples"}
    if authorization:
        headers["Authorization"] = authorization
    for attempt in range(len(BACKOFF) + 1):
        if attempt:
            sleep(BACKOFF[attempt - 1])
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as error:
            try:
                with error:
                    message = _server_message(error.read(), secrets)
            except (OSError, http.client.HTTPException):
                message = ""
            status = int(error.code)
            detail = f"{method} {url} failed: {status} {error.reason}" + (
                f": {message}" if message else ""
            )
            if status < 500 or attempt == len(BACKOFF):
                if status >= 500:
                    detail += f" (after {attempt + 1} tries)"
                raise PushError(detail, graph=graph, status=status, pushed=pushed) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            if attempt == len(BACKOFF):
                reason = error.reason if isinstance(error, urllib.error.URLError) else error
                detail = _server_message(str(reason).encode(), secrets)
                raise PushError(
                    f"{method} {url} failed: {detail} (after {attempt + 1} tries)",
                    graph=graph,
                    pushed=pushed,
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover
