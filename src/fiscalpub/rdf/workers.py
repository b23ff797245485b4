"""Queries of the SPARQL endpoint run in worker processes that can be ended.

pyoxigraph cannot interrupt a running query from Python: a three-way cross join ran on
long after its client had given up, and a handful of such requests took a public
endpoint down. So each query runs in a worker process that holds a read-only view of
the store (a copy on disk, opened by every worker): past the time limit, when the result
outgrows the size limit, or when the client goes away, the worker is killed and a fresh
one started. The answer travels back in chunks, so large results still stream.

Messages from a worker: ("head", media) then ("chunk", bytes)… and ("end",); or
("error", status, message) at any point.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

CHUNK = 64 * 1024
DEFAULT_TIMEOUT = 30.0  # seconds a query may run
DEFAULT_MAX_RESULT_MB = 64.0  # size of an answer before it is cut
DEFAULT_WORKERS = 2


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
    from fiscalpub.rdf import serve

    store = ox.Store.read_only(path)
    while True:
        try:
            query, params, accept = conn.recv()
        except (EOFError, OSError):
            return
        try:
            serve.answer(store, query, params, accept, _Pipe(conn, limit))
        except serve.QueryRefused as refused:
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
