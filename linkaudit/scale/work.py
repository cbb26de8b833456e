"""What a worker does with one shard: check its URLs with the project's `Checker`, in batches.

The same code runs in the main process (`InProcessExecutor`), in a local worker process and in a
Dask task. Results leave in batches (every `BATCH_S` seconds or `BATCH_SIZE` results), so a
100,000-URL run sends a few hundred messages, not 100,000.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkaudit import __version__
from linkaudit.config import NetworkConfig, RulesConfig
from linkaudit.http import HttpClient
from linkaudit.model import LinkCheck
from linkaudit.scale.interface import DEFERRED, ExecutorError, shard_network
from linkaudit.scale.plan import Shard
from linkaudit.urls import host_of

if TYPE_CHECKING:
    from linkaudit.check import KnownAnswer
    from linkaudit.check.fetch import Fetcher
    from linkaudit.workers import CpuPool

BATCH_S = 0.25
"""Longest a result waits in a worker before it is sent."""
BATCH_SIZE = 500
"""Most results in one message."""


@dataclass(frozen=True, slots=True)
class LocalResources:
    """What a shard checked in the main process may share with the rest of the run (none of it
    crosses to a worker process or a cluster)."""

    fetcher: Fetcher | None = None
    """The run's network layer: its host limits, pauses and pacing hold for the crawl and the
    archive too."""
    pool: CpuPool | None = None
    """The run's worker processes for reading pages."""
    known: Mapping[str, KnownAnswer] | None = None
    """Answers the run already has (pages the crawl read), by `known_key`."""
    known_key: Callable[[str], str] | None = None
    """The identity `known` is keyed by."""


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What a Dask task returns: the shard's checks, compact and picklable."""

    shard: int
    """The shard's index."""
    checks: tuple[LinkCheck, ...]
    """One check per URL of the shard."""


async def check_shard(
    shard: Shard,
    network: NetworkConfig,
    rules: RulesConfig,
    client: HttpClient,
    emit: Callable[[Sequence[LinkCheck]], None],
    *,
    local: LocalResources | None = None,
    batch_s: float = BATCH_S,
) -> None:
    """Check every URL of `shard` with `client` and the run's `network` (as `shard_network`
    gives it) and `rules` sections, calling `emit` with batches of results (at least every
    `batch_s` seconds: 0 sends each at once); `local` lends the main process's own resources to
    a shard checked there."""
    from linkaudit.check import Checker

    batch: list[LinkCheck] = []
    last = time.monotonic()

    def on_result(check: LinkCheck) -> None:
        nonlocal last
        if batch_s <= 0:
            emit((check,))
            return
        batch.append(check)
        now = time.monotonic()
        if len(batch) >= BATCH_SIZE or now - last >= batch_s:
            emit(list(batch))
            batch.clear()
            last = now

    local = local or LocalResources()
    hop_veto = None
    if not shard.owns_redirects:
        owned = frozenset(shard.hosts)

        def hop_veto(target: str) -> str | None:
            return None if host_of(target) in owned else DEFERRED

    checker = Checker(shard_network(network, shard), client, rules=rules,
                      anchors_for=shard.anchors_for, fetcher=local.fetcher, pool=local.pool,
                      hop_veto=hop_veto)
    try:
        await checker.check_all(shard.urls, on_result=on_result, known=local.known,
                                known_key=local.known_key, sources=shard.sources_for,
                                collect=False)
    finally:
        if batch:
            emit(list(batch))


def run_shard_task(
    shard: Shard, network: NetworkConfig, rules: RulesConfig, version: str
) -> ShardResult:
    """A Dask task: check `shard` in a fresh event loop with a client built from `network`."""
    import asyncio

    from linkaudit.check import make_client
    from linkaudit.pipeline import event_loop_factory

    if version != __version__:
        raise ExecutorError(
            f"this worker runs linkaudit {__version__}, the audit {version}: "
            "install the same version on every worker"
        )
    checks: list[LinkCheck] = []

    async def main() -> None:
        client = make_client(network)
        try:
            await check_shard(shard, network, rules, client, checks.extend)
        finally:
            await client.close()

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(main())
    return ShardResult(shard.index, tuple(checks))
