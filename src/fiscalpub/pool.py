"""Worker processes for batches (report probes, the pipeline): one way to start and stop
them."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """Worker processes that hold nothing of the parent's and end with it. Started fresh
    (spawn), they do not inherit the run lock or the parent's pipes — forked workers of a
    run killed with SIGTERM or SIGKILL lived on holding OUT's lock, and every later run was
    refused — and each watches its parent: when the parent is gone, the worker exits
    within a second instead of finishing a queue nobody waits for."""
    import multiprocessing

    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_watch_parent,
        initargs=(os.getpid(),),
    )


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:  # re-parented: the parent died
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="fiscalpub-watch-parent").start()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now. A SIGINT that reaches only
    the parent (kill -INT, a supervisor) left `with ProcessPoolExecutor` waiting for the
    whole queue; a worker ended mid-report leaves at most a package folder that the next
    run rebuilds (it is not in the manifest)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
