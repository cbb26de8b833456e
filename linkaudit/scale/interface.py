"""The executor seam: where the shards of a run are checked, and how their results come back.

Three homes implement `Executor`: `InProcessExecutor` (the default: the run's own event loop and
client), `ProcessExecutor` (`--workers N`: local worker processes, each with its own event loop
and client) and `DaskExecutor` (`--scheduler ADDRESS`: tasks on a Dask distributed cluster).
Each is given `Shard`s (plain, picklable values) and the two sections a shard's checker reads
(the network section, and the rules section for the length of page text kept), and hands every
result to a `ResultSink` as it arrives; the main process merges them, keeps the cache, and goes on
with the archive, the rules and the reports as a one-process run would. A worker builds its HTTP
client from the configuration: no connection, session or lock ever crosses a process.

A broken link is a `LinkCheck`; a shard a worker could not finish after its retries is a
`Problem` (its links unchecked, the run exits 3); only a home that cannot run at all (a cluster
that cannot be reached, a worker that cannot start) raises an `ExecutorError`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from linkaudit.config import NetworkConfig, RulesConfig
from linkaudit.errors import LinkauditError
from linkaudit.model import LinkCheck, Problem, ProblemKind
from linkaudit.scale.plan import Shard

DEFERRED = "deferred: redirects to a host another shard owns"
"""The `skipped` reason a shard gives a link whose redirect leaves its hosts (see
`Shard.owns_redirects`); the main process checks such links itself, never reports this."""

MAX_SHARD_ATTEMPTS = 3
"""Times a shard is started before the run gives up on it (its worker died each time)."""


class ExecutorError(LinkauditError):
    """The executor cannot run the shards at all."""

    hint = "run without --workers/--scheduler to check in this process"


class SchedulerUnreachable(ExecutorError):
    """The Dask scheduler named by `--scheduler` did not answer."""

    hint = (
        "start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
        "or use --scheduler local for a cluster on this machine"
    )


class DaskMissing(ExecutorError):
    """`--scheduler` was given but Dask distributed is not installed."""

    hint = "pip install 'linkaudit-citations[dask]'"


class ResultSink(Protocol):
    """Receives results in the main process, in the order they arrive."""

    def checked(self, shard: int, checks: Sequence[LinkCheck]) -> None:
        """Some checks of shard `shard` arrived (a re-run shard may send a URL again)."""

    def finished(self, shard: int) -> None:
        """Every URL of shard `shard` has been sent."""


class Executor(Protocol):
    """A place where shards are checked."""

    description: str
    """For messages: `this process`, `2 worker processes`, `Dask at tcp://...`."""

    async def start(self) -> int:
        """Start the workers (or connect); return the slots: shards that can run at once."""
        ...

    async def run(
        self,
        shards: Sequence[Shard],
        network: NetworkConfig,
        rules: RulesConfig,
        sink: ResultSink,
    ) -> list[Problem]:
        """Check every shard with the run's `network` and `rules` sections, streaming results to
        `sink`; a shard given up is a `Problem`."""
        ...

    async def close(self) -> None:
        """Stop the workers (or disconnect); safe to call twice, and after a failed start."""
        ...


def shard_network(network: NetworkConfig, shard: Shard) -> NetworkConfig:
    """The network section a shard's checker runs with: the run's, with the shard's share of
    the global limit. (The checker is given no store: the cache lives in the main process,
    which reads it before planning and writes each result as it arrives.)"""
    return dataclasses.replace(network, concurrency=shard.concurrency)


def lost_shard(shard: Shard, missing: int, reason: str) -> Problem:
    """The problem said when a shard is given up with `missing` of its links unchecked."""
    hosts = ", ".join(shard.hosts[:3]) + (f" and {len(shard.hosts) - 3} more" if
                                           len(shard.hosts) > 3 else "")
    return Problem(
        ProblemKind.WORKER_LOST,
        f"{missing} of {len(shard.urls)} links of shard {shard.index} ({hosts}) were not "
        f"checked: {reason}",
    )
