"""`linkaudit.workers`: CPU jobs in worker processes, and back in the process when they fail."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from linkaudit.workers import ENV, CpuPool, worker_count


def _where() -> int:
    return os.getpid()


def _die_in_a_worker() -> str:
    if multiprocessing.parent_process() is not None:
        os._exit(3)  # a worker that dies (out of memory, killed)
    return "done here"


def test_worker_count_follows_the_cores_and_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def cores(n: int) -> None:  # the machine's, and this process's affinity
        monkeypatch.setattr(os, "cpu_count", lambda: n)
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(n)), raising=False)

    monkeypatch.delenv(ENV, raising=False)
    cores(4)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert worker_count() == 3 and worker_count(wanted=False) == 0
    monkeypatch.setattr(os, "getloadavg", lambda: (2.2, 1.0, 1.0))
    assert worker_count() == 1  # two cores busy elsewhere, one for the event loop
    cores(2)
    assert worker_count() == 0  # no core to spare: the pages would only travel
    cores(1)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert worker_count() == 0  # one core: the event loop needs it
    monkeypatch.setenv(ENV, "0")
    cores(8)
    assert worker_count() == 0
    monkeypatch.setenv(ENV, "2")
    assert worker_count() == 2
    monkeypatch.setenv(ENV, "lots")
    assert worker_count() == 7  # unreadable: the default (8 idle cores)


async def test_jobs_run_in_a_worker_and_a_broken_pool_falls_back_to_the_process() -> None:
    pool = CpuPool(1)
    try:
        assert await pool.run(_where) != os.getpid()
        assert await pool.run(_die_in_a_worker) == "done here"
        assert pool.broken and pool.workers == 0
        assert await pool.run(_where) == os.getpid()
    finally:
        pool.close()
    assert await CpuPool(0).run(_where) == os.getpid()


async def test_a_job_that_can_wait_runs_once_the_urgent_jobs_fall_quiet() -> None:
    import asyncio

    ran: list[str] = []
    pool = CpuPool(0, quiet_s=0.3)
    await pool.run(ran.append, "page 1")
    later = asyncio.create_task(pool.run_when_quiet(ran.append, "rules"))
    await asyncio.sleep(0.05)
    await pool.run(ran.append, "page 2")  # still busy: the rules keep waiting
    await asyncio.sleep(0.05)
    assert ran == ["page 1", "page 2"] and not later.done()
    await later
    assert ran == ["page 1", "page 2", "rules"]
    # Quiet already: at once.
    idle = CpuPool(0, quiet_s=0.3)
    await asyncio.wait_for(idle.run_when_quiet(ran.append, "alone"), timeout=0.25)
    assert ran[-1] == "alone"


async def test_no_more_than_max_deferred_jobs_wait() -> None:
    import asyncio

    ran: list[int] = []
    pool = CpuPool(0, quiet_s=600, max_deferred=2)
    await pool.run(ran.append, 0)
    first, second, third = (
        asyncio.create_task(pool.run_when_quiet(ran.append, n)) for n in (1, 2, 3)
    )
    await asyncio.wait_for(first, timeout=5)  # three waiting, two allowed: the oldest runs
    assert ran == [0, 1]
    await asyncio.sleep(0.05)
    assert not second.done() and not third.done()  # two left: they wait for quiet
    for task in (second, third):
        task.cancel()
    await asyncio.gather(second, third, return_exceptions=True)


def test_auto_counts_the_cores_this_process_may_run_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--workers auto` on a machine of 8 cores whose container allows 2: two workers."""
    from linkaudit.scale.run import parse_workers

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert parse_workers("auto") == 2


def test_a_process_bound_to_a_few_cores_counts_its_share_of_the_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """4 of 64 cores, the machine at load 20: the 4 are mostly free (20/64 of each is busy)."""
    from linkaudit.cores import idle_cores

    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (20.0, 20.0, 20.0))
    assert idle_cores() == 3
