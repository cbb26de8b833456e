"""CPU work off the event loop: a pool of worker processes when the machine has cores to spare.

A large audit is bound by one core, not by the network: reading pages (lxml, htmldate),
extracting documents and running the rules take most of its CPU, and while the event loop does
them it sends no request. `CpuPool.run` hands such a job to a worker process and lets the loop
wait on the network meanwhile; the job's result is the one the function gives in the process.

Jobs that can wait (`CpuPool.run_when_quiet`: a document's rules) run in this process only when
the jobs the network waits on (`CpuPool.run`: reading a checked page) fall quiet, or in a worker.

When: only for a run big enough to repay starting the workers (half a second each, spent while
the first files are read: the caller decides), and only with cores to spare: one per core that
the machine's load average (over the last minute) leaves idle, less the one the event loop keeps.
On a busy machine workers only add the cost of shipping pages and documents between processes
(on this project's shared 2-core machine, with a simulated web and other jobs beside it, a
10,000-link audit took 27.4 s and 18.1 s of CPU with a worker against 26.5 s and 15.4 s without:
benchmarks/README.md). The trigger decides where a job runs, never its result.
`LINKAUDIT_CPU_WORKERS=0` keeps every job in the process, `=N` sets the number of workers.
Workers are started with `spawn` (a fresh
interpreter: forking a process that runs an event loop and resolver threads is unsafe), they
import what the jobs need once, and they hold no state between jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from linkaudit.cores import ENV as ENV  # the variable's name, where the pools are
from linkaudit.cores import configured_workers, idle_cores, usable_cores

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

P = ParamSpec("P")
R = TypeVar("R")

QUIET_S = 0.05
"""A job that can wait (`CpuPool.run_when_quiet`) runs once no `run` job started for this long."""
MAX_DEFERRED = 256
"""At most this many jobs wait for a quiet moment; beyond, the oldest runs at once."""


def worker_count(wanted: bool = True) -> int:
    """How many worker processes a run gets: 0 (work in the process) unless `wanted`, else one
    per idle core but one (the event loop keeps a core for the network);
    `LINKAUDIT_CPU_WORKERS` overrides the count (0 switches them off)."""
    if not wanted:
        return 0
    configured = configured_workers()
    if configured is not None:
        return configured
    return max(0, min(usable_cores() - 1, idle_cores() - 1))


def _warm_up() -> None:
    # Ctrl-C reaches the whole process group: the main process stops the run (and the pool),
    # a worker must not die printing a traceback of its own.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Import what the jobs use once per worker, while the main process reads its inputs.
    import linkaudit.check.page  # noqa: F401
    import linkaudit.extract  # noqa: F401
    import linkaudit.rules  # noqa: F401


class CpuPool:
    """Runs CPU-bound jobs in worker processes, or in this process when there are none."""

    def __init__(
        self, workers: int, *, quiet_s: float = QUIET_S, max_deferred: int = MAX_DEFERRED
    ) -> None:
        self.workers = workers
        """Worker processes (0: every job runs in this process)."""
        self.broken = False
        """True once the pool failed and its jobs went back to this process."""
        self._pool: ProcessPoolExecutor | None = None
        self.quiet_s = quiet_s
        """How long no `run` job must have started before a job that can wait runs here."""
        self.max_deferred = max_deferred
        """Jobs that may wait at once (each holds its inputs in memory meanwhile)."""
        self._last_run = -quiet_s
        self._quiet = asyncio.Lock()  # (bound to the loop that first uses it)
        self._crowded = asyncio.Event()
        self._deferred = 0

    def start(self) -> None:
        """Start the workers now (they warm up while the caller goes on)."""
        if self.workers and self._pool is None:
            import concurrent.futures
            import multiprocessing

            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_up,
            )
            # Submitting starts the processes: their imports overlap the caller's work.
            for _ in range(self.workers):
                self._pool.submit(_warm_up)

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """`fn(*args, **kwargs)` in a worker (arguments and result are pickled), or here.

        A pool that cannot work (a worker that died: no memory, or a program that starts an
        audit when imported, which every `spawn`ed worker would re-import) is given up, and
        its jobs run here: slower, never wrong.
        """
        self._last_run = time.monotonic()
        if not self.workers:
            return fn(*args, **kwargs)
        from concurrent.futures.process import BrokenProcessPool

        self.start()
        assert self._pool is not None
        try:
            future = self._pool.submit(fn, *args, **kwargs)
            return await asyncio.wrap_future(future, loop=asyncio.get_running_loop())
        except BrokenProcessPool:
            self.broken = True
            self.close()
            self.workers = 0
            return fn(*args, **kwargs)

    async def run_when_quiet(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """`fn(*args, **kwargs)` for a job that can wait: in a worker at once when the pool has
        workers; else here, one job at a time in the order asked, once no `run` job started for
        `quiet_s` (or at once for the oldest while more than `max_deferred` wait).

        `run` jobs are the ones the network waits on (a page read before its link's verdict);
        a job that can wait (a document's rules) would only delay them while the run is bound
        by this one core: done when the checks fall quiet (the tail of slow and hanging URLs,
        where the core idles) it costs no wall time. The result is the same either way.
        """
        if self.workers:
            return await self.run(fn, *args, **kwargs)
        self._deferred += 1
        if self._deferred > self.max_deferred:
            self._crowded.set()  # the oldest stops waiting
        try:
            async with self._quiet:
                while self._deferred <= self.max_deferred and (
                    wait := self._last_run + self.quiet_s - time.monotonic()
                ) > 0:
                    self._crowded.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._crowded.wait(), wait)
                return fn(*args, **kwargs)
        finally:
            self._deferred -= 1

    def close(self) -> None:
        """Stop the workers (pending jobs are cancelled)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=not self.broken, cancel_futures=True)
