"""Worker processes for batches (report probes, the pipeline): one way to start and stop
them."""

from __future__ import annotations

import gc
import os
import sys
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


# Cyclic garbage collection for a batch: the default thresholds (700, 10, 10) make a
# process that parses and packages report after report spend ~10% of its CPU in the
# collector, mostly in full collections walking a heap that only grows (the registry,
# frictionless' modules, memoised readings); collecting the young generation every
# 10,000 allocations and the others as often relative to it takes ~2% (bench/pipeline.py
# --real) and holds ~1 MB more.
BATCH_GC_THRESHOLDS = (10_000, 20, 10)


def batch_gc() -> None:
    """Collect garbage as a batch process should (BATCH_GC_THRESHOLDS): the workers of
    worker_pool, and `fiscalpub run` itself when it builds the reports in-process."""
    gc.set_threshold(*BATCH_GC_THRESHOLDS)


def _watch_parent(parent: int) -> None:
    batch_gc()
    _die_with_parent()
    if os.getppid() != parent:  # the parent died while this worker was starting
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:  # re-parented: the parent died
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="fiscalpub-watch-parent").start()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to end this worker when its parent dies (prctl
    PR_SET_PDEATHSIG): immediate, and it does not depend on the watcher thread getting the
    interpreter while a long page is being read. Elsewhere the watcher alone does it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl here: the watcher thread still runs
        pass


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
