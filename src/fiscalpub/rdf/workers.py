"""Queries of the SPARQL endpoint run in worker processes that can be ended.

pyoxigraph cannot interrupt a running query from Python: a three-way cross join ran on
long after its client had given up, and a handful of such requests took a public
endpoint down. So each query runs in a worker process that holds a read-only view of
the store (a copy on disk, opened by every worker): past the time limit, when the result
outgrows the size limit, or when the client goes away, the worker is killed and a fresh
one started. The answer travels back in chunks, so large results still stream.

Messages from a worker: ("head", media) then ("chunk", bytes)… and ("end",); or
("error", status, message) at any point.

What a worker does with one query (``answer``: run it, negotiate the format, stream it)
lives here too, so the HTTP side (rdf.serve) imports the workers and never the reverse.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

CHUNK = 64 * 1024
DEFAULT_TIMEOUT = 30.0  # seconds a query may run
DEFAULT_MAX_RESULT_MB = 64.0  # size of an answer before it is cut
DEFAULT_WORKERS = 2

_JSON = "application/sparql-results+json"
# Offered formats, the server's preference first.
_RESULT_FORMATS: list[tuple[str, ox.QueryResultsFormat]] = [
    (_JSON, ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
_GRAPH_FORMATS: list[tuple[str, ox.RdfFormat]] = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
]


class TooLarge(Exception):
    pass


class _Pipe:
    """A writable for pyoxigraph's serializers that sends chunks up the pipe and stops
    the serialization when the answer outgrows the limit."""

    def __init__(self, conn: Connection, limit: int) -> None:
        self.conn, self.limit, self.sent = conn, limit, 0
        self.buffer = bytearray()
        self.too_large = False

    def write(self, data: bytes) -> int:
        self.buffer += data
        if self.sent + len(self.buffer) > self.limit:
            self.too_large = True
            raise TooLarge
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.conn.send(("chunk", bytes(self.buffer)))
            self.sent += len(self.buffer)
            self.buffer.clear()


def _work(path: str, conn: Connection, limit: int) -> None:
    """A worker's life: answer (query, params, accept) requests until the pipe closes."""
    store = ox.Store.read_only(path)
    while True:
        try:
            query, params, accept = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer(store, query, params, accept, _Pipe(conn, limit))
        except QueryRefused as refused:
            conn.send(("error", int(refused.status), refused.message))
        except TooLarge:
            conn.send(
                ("error", 503, f"the answer is larger than {limit // 1048576} MB: add a LIMIT")
            )
        except Exception as error:  # anything pyoxigraph raises: an answer, not a dead worker
            conn.send(("error", 500, f"{type(error).__name__}: {error}"))


def too_large(limit: int) -> str:
    return f"the answer is larger than the limit of {limit / 1048576:g} MB: add a LIMIT"


@dataclass
class _Worker:
    process: Any
    conn: Connection


class QueryPool:
    """`workers` processes answering queries over a read-only copy of `store`."""

    def __init__(
        self,
        store: ox.Store,
        *,
        workers: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        max_result_mb: float = DEFAULT_MAX_RESULT_MB,
    ) -> None:
        self.timeout = timeout
        self.limit = int(max_result_mb * 1048576)
        self._dir = tempfile.mkdtemp(prefix="fiscalpub-sparql-")
        copy = ox.Store(self._dir)
        copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
        copy.flush()
        del copy
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._closed = False
        for _ in range(max(1, workers)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_work, args=(self._dir, theirs, self.limit), daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(process, mine)
        with self._lock:
            self._all.append(worker)
        return worker

    def _end(self, worker: _Worker) -> None:
        """Kill a worker (a query past its limits) and put a fresh one in its place."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._all.remove(worker)
        if not self._closed:
            self._idle.put(self._spawn())

    def run(
        self,
        query: str,
        params: dict[str, list[str]],
        accept: str | None,
        gone: Callable[[], bool],
    ) -> Iterator[tuple[Any, ...]]:
        """The worker's messages for one query. Ends with ("timeout",) past the time limit
        and ("gone",) when `gone()` says the client left; the worker is then killed."""
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            yield ("error", 503, f"all query workers busy for {self.timeout:g} s: try again")
            return
        finished = False
        try:
            worker.conn.send((query, params, accept))
            while True:
                if worker.conn.poll(0.1):
                    message = worker.conn.recv()
                    if message[0] in ("end", "error"):
                        finished = True
                    yield message
                    if finished:
                        return
                elif time.monotonic() > deadline:
                    yield ("timeout",)
                    return
                elif gone():
                    yield ("gone",)
                    return
        except (EOFError, OSError):  # the worker died (out of memory, say)
            yield ("error", 500, "the query worker died")
        finally:
            if finished:
                self._idle.put(worker)
            else:
                self._end(worker)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.process.kill()
            worker.process.join(5)
            worker.conn.close()
        shutil.rmtree(self._dir, ignore_errors=True)


# --- answering one query (in a worker) ---------------------------------------------------


class QueryRefused(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def answer(
    store: ox.Store, query: str, params: dict[str, list[str]], accept: str | None, out: Any
) -> None:
    """Run one query (in a worker process) and send its answer up `out` (workers._Pipe):
    ("head", media), the serialized chunks, ("end",); QueryRefused for a client error."""
    kwargs = _dataset(params)
    try:
        result = store.query(query, **kwargs)
    except SyntaxError as error:
        raise QueryRefused(HTTPStatus.BAD_REQUEST, f"SPARQL syntax error: {error}") from None
    except ValueError as error:
        raise QueryRefused(HTTPStatus.BAD_REQUEST, str(error)) from None
    except OSError as error:
        raise QueryRefused(HTTPStatus.INTERNAL_SERVER_ERROR, str(error)) from None
    fmt: ox.QueryResultsFormat | ox.RdfFormat | None
    if isinstance(result, ox.QueryTriples):
        media = negotiate(accept, [m for m, _ in _GRAPH_FORMATS])
        fmt = dict(_GRAPH_FORMATS).get(media or "")
        if media is None or fmt is None:
            raise _not_acceptable([m for m, _ in _GRAPH_FORMATS])
    else:
        media = negotiate(accept, [m for m, _ in _RESULT_FORMATS])
        fmt = dict(_RESULT_FORMATS).get(media or "")
        if media is None or fmt is None:
            raise _not_acceptable([m for m, _ in _RESULT_FORMATS])
    charset = "" if media.endswith("json") else "; charset=utf-8"
    out.conn.send(("head", media + charset))
    try:
        result.serialize(out, fmt)  # type: ignore[arg-type]
    except (OSError, ValueError, SyntaxError, TooLarge) as error:
        if out.too_large:  # raised in out.write, perhaps re-raised by pyoxigraph as OSError
            out.conn.send(("error", int(HTTPStatus.SERVICE_UNAVAILABLE), too_large(out.limit)))
        else:
            out.conn.send(("error", int(HTTPStatus.INTERNAL_SERVER_ERROR), str(error)))
        return
    out.flush()
    out.conn.send(("end",))


def _not_acceptable(offered: Sequence[str]) -> QueryRefused:
    return QueryRefused(
        HTTPStatus.NOT_ACCEPTABLE, "not acceptable; this answer comes as " + ", ".join(offered)
    )


def _dataset(params: dict[str, list[str]]) -> dict[str, Any]:
    """Store.query keyword arguments for the request's dataset."""
    default = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    if not default and not named:
        return {"use_default_graph_as_union": True}
    try:
        return {
            "default_graph": [ox.NamedNode(iri) for iri in default],
            "named_graphs": [ox.NamedNode(iri) for iri in named],
        }
    except ValueError as error:
        raise QueryRefused(HTTPStatus.BAD_REQUEST, f"bad graph IRI: {error}") from None


# --- content negotiation ---------------------------------------------------------------


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float


def _accept_ranges(accept: str) -> list[_Range]:
    ranges = []
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        type_, _, subtype = media.partition("/")
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(type_, subtype or "*", q))
    return ranges


def _quality(media: str, ranges: Sequence[_Range]) -> float:
    """q of the most specific range matching ``media`` (0 when none matches)."""
    type_, _, subtype = media.partition("/")
    best, q = -1, 0.0
    for r in ranges:
        if r.type == type_ and r.subtype == subtype:
            specificity = 2
        elif r.type == type_ and r.subtype == "*":
            specificity = 1
        elif r.type == "*":
            specificity = 0
        else:
            continue
        if specificity > best:
            best, q = specificity, r.q
    return q


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept header prefers (the first when it is absent)."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _accept_ranges(accept)
    best: tuple[float, str] | None = None
    for media in offered:
        q = _quality(media, ranges)
        if q > 0 and (best is None or q > best[0]):
            best = (q, media)
    return best[1] if best else None
