"""How many cores a run may use: the process's CPU affinity, the load other jobs put on them,
and `LINKAUDIT_CPU_WORKERS`. One place for the worker pools of the audit (`linkaudit.workers`),
of extraction (`extract.pool`) and for `--workers auto` (`scale`); it imports nothing of the
project, so any of them may ask it.
"""

from __future__ import annotations

import os

ENV = "LINKAUDIT_CPU_WORKERS"
"""The environment variable that sets (or, at 0, switches off) the worker processes."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity: `taskset`, `docker --cpuset-cpus`,
    a batch scheduler's binding), not every core the machine has. A CPU quota (`docker
    --cpus`, a Kubernetes limit) leaves the affinity whole and is not seen here."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def configured_workers() -> int | None:
    """`LINKAUDIT_CPU_WORKERS` as a count (0 switches worker processes off), or None when it is
    unset or unreadable (the default then decides)."""
    configured = os.environ.get(ENV, "").strip()
    if configured:
        try:
            return max(0, int(configured))
        except ValueError:
            pass
    return None


def idle_cores() -> int:
    """The usable cores less their share of the load average, rounded: the ones other jobs
    leave free. The load is the machine's, so a process bound to 4 of 64 cores counts a
    sixteenth of it."""
    cores = usable_cores()
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available (Windows): assume the cores are free
        load = 0.0
    machine = max(cores, os.cpu_count() or cores)
    return max(0, min(cores, round(cores - load * cores / machine)))
