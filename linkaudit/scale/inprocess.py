"""`InProcessExecutor`: the shards are checked in the run's own event loop, with its own client.

The default home (`--workers 1`). It has one slot, so the plan is one shard holding every host:
exactly the one checker of a run without the scale package, with the run's client (a test's
injected client, a recording or a replaying one).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from linkaudit.config import NetworkConfig, RulesConfig
from linkaudit.http import HttpClient
from linkaudit.model import Problem
from linkaudit.scale.interface import ResultSink
from linkaudit.scale.plan import Shard
from linkaudit.scale.work import LocalResources, check_shard


class InProcessExecutor:
    """Checks shards one after another in this process."""

    description = "this process"

    def __init__(self, client: HttpClient, local: LocalResources | None = None) -> None:
        self._client = client
        self._local = local

    async def start(self) -> int:
        """One slot."""
        return 1

    async def run(
        self,
        shards: Sequence[Shard],
        network: NetworkConfig,
        rules: RulesConfig,
        sink: ResultSink,
    ) -> list[Problem]:
        """Check each shard in turn; results reach `sink` as the checker gives them."""
        for shard in shards:
            emit = functools.partial(sink.checked, shard.index)
            # No pipe to spare: each result goes on at once (the run's stages start on it).
            await check_shard(shard, network, rules, self._client, emit, local=self._local,
                              batch_s=0.0)
            sink.finished(shard.index)
        return []

    async def close(self) -> None:
        """Nothing to stop (the run closes its own client)."""
