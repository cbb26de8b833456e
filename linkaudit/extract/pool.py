"""Files spread over worker processes when cores are idle (for `extract_documents`).

Extraction is pure CPU (markdown-it-py and BeautifulSoup are Python), so on a machine with
cores to spare the files of a large input are read in parallel, one process per idle core. The
result is the one a loop in this process gives, in input order; only the time differs.

When: the input must be big enough to repay the workers (`_MIN_BYTES` in at least two files),
and there must be two idle cores or more: one per core that the load average (over the last
minute) leaves free. `LINKAUDIT_CPU_WORKERS=0` keeps every file in this process, `=N` sets the
number of worker processes (the same variable as the audit's page workers, `linkaudit.workers`).
Workers are forked where the process runs no other thread (they start at once, with every module
already imported), else spawned.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from linkaudit.cores import configured_workers, idle_cores

T = TypeVar("T")
R = TypeVar("R")

_MIN_BYTES = 2_000_000
"""Below this much input in all, starting workers costs more than it saves."""


def map_in_order(job: Callable[[T], R], items: Sequence[T], sizes: Sequence[int],
                 workers: int) -> list[R]:
    """`job` of each item, in input order: in `workers` processes (largest item first, so that a
    big file does not start last), or here when `workers` is 0 or the pool cannot run. `job`
    must never raise (a pool that breaks has its items done again here)."""
    if workers < 1 or len(items) < 2:
        return [job(item) for item in items]
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if hasattr(os, "fork") and threading.active_count() == 1 else "spawn"
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
            order = sorted(range(len(items)), key=lambda i: -sizes[i])
            futures = {i: pool.submit(job, items[i]) for i in order}
            return [futures[i].result() for i in range(len(items))]
    except Exception:  # noqa: BLE001 - a pool that cannot start or broke: do the work here
        return [job(item) for item in items]


def worker_count(sizes: Sequence[int]) -> int:
    """Worker processes for inputs of these sizes: `LINKAUDIT_CPU_WORKERS` when set, else 0 for
    a small input or a busy machine, else one per idle core (the cores less the load average)."""
    configured = configured_workers()
    if configured is not None:
        return configured
    if len(sizes) < 2 or sum(sizes) < _MIN_BYTES:
        return 0
    idle = idle_cores()
    return idle if idle >= 2 else 0
