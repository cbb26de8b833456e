"""`DaskExecutor`: shards as tasks on a Dask distributed cluster (`--scheduler ADDRESS|local`).

Each shard is one task (`linkaudit.scale.work.run_shard_task`): the worker checks it in a fresh
event loop with a client built from the configuration, and returns the shard's checks as one
compact result, which the main process takes as tasks complete. The cluster's threads are the
slots (a worker started with `--nthreads 2` runs two shards at once, each with its share of the
global limit).

A worker that dies mid-task is Dask's to handle: the scheduler runs the task again on another
worker (up to its `distributed.scheduler.allowed-failures`, 3 by default), and since a task's
result exists only once it has finished, nothing is counted twice. A task that kills every
worker it meets ends in `KilledWorker`: its shard's links are given up as a `Problem`.

The workers need linkaudit installed, in the same version (a task checks it). The network and
rules sections of the configuration, headers and tokens included, are sent to the workers: use a
cluster you trust (`tls://` addresses take their certificates from Dask's own configuration).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from linkaudit import __version__
from linkaudit.config import NetworkConfig, RulesConfig
from linkaudit.cores import usable_cores
from linkaudit.model import Problem
from linkaudit.scale.interface import (
    DaskMissing,
    ExecutorError,
    ResultSink,
    SchedulerUnreachable,
    lost_shard,
)
from linkaudit.scale.plan import Shard

CONNECT_TIMEOUT_S = 10.0
"""Seconds to wait for the scheduler to answer."""
HANDSHAKE_S = 10.0
"""Seconds beyond the connect allowed for the scheduler to answer as one."""
CLOSE_TIMEOUT_S = 5.0
"""Longest a disconnect may take (a half-open client must not hold the run's exit)."""
WORKERS_TIMEOUT_S = 30.0
"""Seconds to wait for a scheduler with no workers to get one."""
LOCAL = "local"
"""The `--scheduler` value that starts a `LocalCluster` on this machine."""


class DaskExecutor:
    """Checks shards as tasks on the Dask cluster at `address` (or a new local one)."""

    def __init__(self, address: str, local_workers: int | None = None) -> None:
        self.address = address
        """The scheduler's address, or `local`."""
        self._local_workers = local_workers
        self._client: Any = None
        self._cluster: Any = None
        self._futures: list[Any] = []
        self.description = (
            "a local Dask cluster" if address == LOCAL else f"the Dask cluster at {address}"
        )

    async def start(self) -> int:
        """Connect (or start a local cluster) and count the cluster's threads."""
        try:
            import distributed
        except ImportError:
            raise DaskMissing("--scheduler needs Dask distributed, which is not installed") \
                from None
        # Dask logs every failed connection attempt; the run says it once, as an error.
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        try:
            if self.address == LOCAL:
                self._cluster = await distributed.LocalCluster(
                    n_workers=self._local_workers or usable_cores(),
                    threads_per_worker=1,
                    processes=True,
                    asynchronous=True,
                    # Any free port on loopback: Dask serves its dashboard even when asked for
                    # none, and warns when its usual port is taken.
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.CRITICAL,
                )
                self._client = await distributed.Client(
                    self._cluster, asynchronous=True, set_as_default=False
                )
            else:
                pending = distributed.Client(
                    self.address,
                    asynchronous=True,
                    timeout=CONNECT_TIMEOUT_S,
                    set_as_default=False,
                )
                self._client = pending
                # Dask's timeout covers the TCP connect, not the handshake: a server that
                # accepts and never speaks Dask (its dashboard's port) would hang the run.
                await asyncio.wait_for(_awaited(pending), CONNECT_TIMEOUT_S + HANDSHAKE_S)
        except (OSError, TimeoutError) as exc:
            await self.close()
            raise SchedulerUnreachable(
                f"the Dask scheduler at {self.address} cannot be reached "
                f"({_first_line(exc) or type(exc).__name__})"
            ) from None
        except ValueError as exc:
            await self.close()
            raise SchedulerUnreachable(
                f"--scheduler {self.address!r}: {_first_line(exc)}"
            ) from None
        except Exception as exc:  # noqa: BLE001 - another service's bytes read as Dask's
            await self.close()
            what = ("a local Dask cluster could not start" if self.address == LOCAL
                    else f"{self.address} did not answer as a Dask scheduler")
            raise SchedulerUnreachable(
                f"{what} ({type(exc).__name__}: {_first_line(exc)[:120]})"
            ) from None
        try:
            await self._client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
        except (TimeoutError, OSError):
            await self.close()
            raise ExecutorError(
                f"the Dask scheduler at {self.address} has no workers "
                f"(waited {WORKERS_TIMEOUT_S:g} s)",
                hint="start workers with `dask worker ADDRESS`",
            ) from None
        threads = await self._client.nthreads()
        return max(1, sum(threads.values()))

    async def run(
        self,
        shards: Sequence[Shard],
        network: NetworkConfig,
        rules: RulesConfig,
        sink: ResultSink,
    ) -> list[Problem]:
        """Submit one task per shard (largest first) and take results as tasks complete."""
        import distributed

        from linkaudit.scale.work import ShardResult, run_shard_task

        assert self._client is not None, "start() first"
        if network.replay is not None:
            # A worker runs in its own folder (on its own machine the cassette must be at the
            # same absolute path, as the README says): a relative path is this folder's.
            network = dataclasses.replace(network, replay=network.replay.absolute())
        token = uuid.uuid4().hex[:12]
        by_key: dict[str, Shard] = {}
        for shard in shards:
            key = f"linkaudit-shard-{token}-{shard.index}"
            by_key[key] = shard
            self._futures.append(
                self._client.submit(
                    run_shard_task, shard, network, rules, __version__, key=key, pure=False,
                    priority=len(shards) - shard.index,
                )
            )
        async def outcome(future: Any) -> tuple[Any, ShardResult | None, Exception | None]:
            try:
                return future, await future, None
            except Exception as exc:  # noqa: BLE001 - judged below, in arrival order
                return future, None, exc

        problems: list[Problem] = []
        for arrival in asyncio.as_completed([outcome(f) for f in self._futures]):
            future, result, failure = await arrival
            shard = by_key[future.key]
            try:
                if failure is not None:
                    raise failure
                assert result is not None
            except distributed.KilledWorker as exc:
                reason = f"it killed its workers ({exc})"
                problems.append(lost_shard(shard, len(shard.urls), reason))
                continue
            except (ImportError, AttributeError) as exc:
                raise ExecutorError(
                    f"the Dask workers cannot run linkaudit's tasks: {_first_line(exc)}",
                    hint=f"install linkaudit {__version__} where the workers run",
                ) from None
            except OSError as exc:
                raise SchedulerUnreachable(
                    f"lost the Dask scheduler at {self.address}: {_first_line(exc)}"
                ) from None
            sink.checked(shard.index, result.checks)
            sink.finished(shard.index)
        self._futures.clear()
        return problems

    async def close(self) -> None:
        """Cancel what is left, disconnect, and stop a local cluster."""
        client, cluster, futures = self._client, self._cluster, self._futures
        self._client = self._cluster = None
        self._futures = []
        if client is not None:
            # Closing a broken connection must not hide why the run stopped.
            with contextlib.suppress(Exception):
                if futures:
                    await client.cancel(futures)
                await asyncio.wait_for(client.close(), CLOSE_TIMEOUT_S)
        if cluster is not None:
            with contextlib.suppress(Exception):
                await cluster.close()


async def _awaited(client: Any) -> Any:
    """`await client` as a coroutine, for `asyncio.wait_for`."""
    return await client


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
