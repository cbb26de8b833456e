"""What a worker does with one shard: check its URLs with the project's `Checker`, in batches.

The same code runs in the main process (`InProcessExecutor`), in a local worker process and in a
Dask task. Results leave in batches (every `BATCH_S` seconds or `BATCH_SIZE` results), so a
100,000-URL run sends a few hundred messages, not 100,000.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from linkaudit import __version__
from linkaudit.config import AuditConfig
from linkaudit.http import HttpClient
from linkaudit.model import LinkCheck
from linkaudit.scale.interface import ExecutorError, shard_config
from linkaudit.scale.plan import Shard

BATCH_S = 0.25
"""Longest a result waits in a worker before it is sent."""
BATCH_SIZE = 500
"""Most results in one message."""


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What a Dask task returns: the shard's checks, compact and picklable."""

    shard: int
    """The shard's index."""
    checks: tuple[LinkCheck, ...]
    """One check per URL of the shard."""


async def check_shard(
    shard: Shard,
    cfg: AuditConfig,
    client: HttpClient,
    emit: Callable[[Sequence[LinkCheck]], None],
) -> None:
    """Check every URL of `shard` with `client`, calling `emit` with batches of results."""
    from linkaudit.check import Checker

    batch: list[LinkCheck] = []
    last = time.monotonic()

    def on_result(check: LinkCheck) -> None:
        nonlocal last
        batch.append(check)
        now = time.monotonic()
        if len(batch) >= BATCH_SIZE or now - last >= BATCH_S:
            emit(list(batch))
            batch.clear()
            last = now

    checker = Checker(shard_config(cfg, shard), client, anchors_for=shard.anchors_for)
    try:
        await checker.check_all(shard.urls, on_result=on_result)
    finally:
        if batch:
            emit(list(batch))


def run_shard_task(shard: Shard, cfg: AuditConfig, version: str) -> ShardResult:
    """A Dask task: check `shard` in a fresh event loop with a client built from `cfg`."""
    import asyncio

    from linkaudit.audit import event_loop_factory
    from linkaudit.check import make_client

    if version != __version__:
        raise ExecutorError(
            f"this worker runs linkaudit {__version__}, the audit {version}: "
            "install the same version on every worker"
        )
    checks: list[LinkCheck] = []

    async def main() -> None:
        client = make_client(cfg)
        try:
            await check_shard(shard, cfg, client, checks.extend)
        finally:
            await client.close()

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(main())
    return ShardResult(shard.index, tuple(checks))
