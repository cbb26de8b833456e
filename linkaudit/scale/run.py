"""The check stage of a run, in any home: cache, shard plan, executor, merged results, checkpoints.

`check_urls` is the one hook the audit calls. In the main process it reads the cache (a cached
URL never goes to a worker), groups the rest by host into a `ShardPlan` sized to the executor's
slots, runs the shards in the chosen home and merges what comes back: each URL's check once (a
re-run shard's repeats are dropped), every spelling of a URL given its check, `on_result` called
per result (the progress bar). Results are written to the store's cache as they arrive, every
`CHECKPOINT_S` seconds and whenever a shard finishes, so a run that is killed and started again
with the cache on redoes only what had not come back.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linkaudit.check.cache import cache_ttl, cached_check, check_to_dict
from linkaudit.check.limits import per_host_limit
from linkaudit.config import NetworkConfig, RulesConfig, ScaleConfig, StoreConfig
from linkaudit.cores import usable_cores
from linkaudit.errors import ConfigError, StoreError
from linkaudit.http import HttpClient
from linkaudit.model import LinkCheck, LinkStatus, Problem, ProblemKind
from linkaudit.scale.inprocess import InProcessExecutor
from linkaudit.scale.interface import DEFERRED, Executor
from linkaudit.scale.plan import DEFAULT_LATENCY_S, HostWork, Shard, ShardPlan, plan_shards
from linkaudit.scale.work import LocalResources
from linkaudit.store import Store
from linkaudit.urls import host_of, normalize_url

if TYPE_CHECKING:
    from linkaudit.check import KnownAnswer
    from linkaudit.check.fetch import Fetcher
    from linkaudit.workers import CpuPool

CHECKPOINT_S = 2.0
"""Longest a result waits in the main process before it is written to the cache."""


@dataclass(frozen=True, slots=True)
class CheckRun:
    """What the check stage hands back to the audit."""

    checks: dict[str, LinkCheck]
    """URL as cited -> its check (cached ones included)."""
    problems: tuple[Problem, ...]
    """Shards given up, a cache that could not be written."""
    plan: ShardPlan | None
    """The plan the URLs to check were run with (None when all came from the cache)."""
    home: str
    """Where they were checked (`this process`, `2 worker processes`, ...)."""


def parse_workers(value: object) -> int:
    """`--workers`/`workers`: a positive integer, or `auto` for the machine's cores."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "auto":
            return usable_cores()
        if not text.isdecimal():
            raise ConfigError(f"workers: expected a positive integer or 'auto', got {value!r}")
        value = int(text)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"workers: expected a positive integer or 'auto', got {value!r}")
    return value


def parse_scheduler(value: object) -> str:
    """`--scheduler`/`scheduler`: `local`, or a Dask address such as `tcp://10.0.0.5:8786`."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"scheduler: expected 'local' or an address, got {value!r}")
    text = value.strip()
    if text.lower() == "local":
        return "local"
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text  # Dask takes a bare host:port as tcp
    if scheme not in ("tcp", "tls", "ws", "wss", "ucx", "inproc") or not rest:
        raise ConfigError(
            f"scheduler: {value!r} is not a Dask address (tcp://HOST:PORT, tls://..., or local)"
        )
    return f"{scheme}://{rest}"


def make_executor(
    scale: ScaleConfig,
    network: NetworkConfig,
    client: HttpClient | None,
    local: LocalResources | None = None,
) -> Executor:
    """The home the scale section asks for: a Dask cluster (`scheduler`), worker processes
    (`workers` > 1), else this process with the run's own client (and its `local` resources).
    A recording run (the network section's `record`) stays in this process."""
    if network.record is not None and (scale.scheduler or scale.workers > 1):
        raise ConfigError(
            "--record writes one cassette from one process: drop --workers/--scheduler to record"
        )
    if scale.scheduler:
        from linkaudit.scale.dask import DaskExecutor

        workers = scale.workers
        return DaskExecutor(scale.scheduler, local_workers=workers if workers > 1 else None)
    if scale.workers > 1:
        from linkaudit.scale.processes import ProcessExecutor

        return ProcessExecutor(scale.workers)
    if client is None:
        raise ValueError("a check in this process needs the run's client")
    return InProcessExecutor(client, local)


def measured_latencies(store: Store | None) -> dict[str, float]:
    """Host -> median seconds per check measured by earlier runs (the store's cached checks,
    expired ones included); empty without a store."""
    if store is None:
        return {}
    samples: dict[str, list[int]] = {}
    for key, elapsed_ms in store.check_timings():
        samples.setdefault(host_of(key), []).append(elapsed_ms)
    return {host: statistics.median(ms) / 1000 for host, ms in samples.items() if host}


def host_work(
    urls: Iterable[str],
    network: NetworkConfig,
    latencies: Mapping[str, float],
    default_latency_s: float = DEFAULT_LATENCY_S,
) -> list[HostWork]:
    """The URLs grouped by host, with each host's limit (the network section's `per_host`, or
    the host's policy) and latency (measured, else assumed)."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(host_of(url), []).append(url)
    out = []
    for host, members in by_host.items():
        measured = latencies.get(host)
        out.append(
            HostWork(
                host=host,
                urls=tuple(members),
                per_host=per_host_limit(network, host),
                latency_s=measured if measured is not None else default_latency_s,
                measured=measured is not None,
            )
        )
    return out


async def _check_here(shards: Sequence[Shard], network: NetworkConfig, rules: RulesConfig,
                      sink: _Merge, client: HttpClient | None,
                      local: LocalResources) -> list[Problem]:
    """Check `shards` in this process, with the run's client (or one of its own when the run
    left every request to its workers and gave none)."""
    if client is not None:
        return await InProcessExecutor(client, local).run(shards, network, rules, sink)
    from linkaudit.check import make_client

    own = make_client(network)
    try:
        return await InProcessExecutor(own, local).run(shards, network, rules, sink)
    finally:
        await own.close()


def _fitted(shards: Sequence[Shard], anchors: frozenset[str], sources: frozenset[str] | None,
            *, owns_redirects: bool) -> tuple[Shard, ...]:
    """`shards` told which of their URLs want anchors and which are sources, and whether they
    follow redirects out of their own hosts (only when no other shard runs beside them)."""
    fitted = []
    for shard in shards:
        # The URLs' keys only when a set asks for them (normalize_url is cached, not free).
        keys = [normalize_url(u) for u in shard.urls] if anchors or sources is not None else []
        fitted.append(dataclasses.replace(
            shard,
            anchors_for=frozenset(k for k in keys if k in anchors) if anchors else frozenset(),
            sources_for=None if sources is None else frozenset(k for k in keys if k in sources),
            owns_redirects=owns_redirects,
        ))
    return tuple(fitted)


class _Checkpoint:
    """Writes results to the cache in batches; a store that fails is said once and left."""

    def __init__(self, store: Store | None, store_config: StoreConfig) -> None:
        self._store = store if store_config.cache else None
        self._store_config = store_config
        self._rows: list[tuple[str, dict[str, Any], float]] = []
        self._last = time.monotonic()
        self.error: str | None = None

    def add(self, key: str, check: LinkCheck) -> None:
        if self._store is None:
            return
        ttl = cache_ttl(check, self._store_config)
        if ttl is not None:
            self._rows.append((key, check_to_dict(check), ttl))
        if time.monotonic() - self._last >= CHECKPOINT_S:
            self.flush()

    def flush(self) -> None:
        self._last = time.monotonic()
        if self._store is None or not self._rows:
            return
        rows, self._rows = self._rows, []
        try:
            self._store.put_checks(rows)
        except StoreError as exc:
            # A full disk or a read-only store costs the cache, not the run's results.
            self.error = str(exc)
            self._store = None


class _Merge:
    """The `ResultSink` of the main process."""

    def __init__(
        self,
        spellings: Mapping[str, list[str]],
        results: dict[str, LinkCheck],
        checkpoint: _Checkpoint,
        on_result: Callable[[LinkCheck], None] | None,
        collect: bool = True,
    ) -> None:
        self._keys = {names[0]: key for key, names in spellings.items()}
        self._spellings = spellings
        self._results = results
        self._checkpoint = checkpoint
        self._on_result = on_result
        self._collect = collect
        self._seen: set[str] = set()
        self.deferred: dict[str, str] = {}
        """Links a shard handed back (`DEFERRED`), by key: checked here once the shards are
        done."""

    def checked(self, shard: int, checks: Sequence[LinkCheck]) -> None:
        for check in checks:
            key = self._keys.get(check.url)
            if key is None or key in self._seen:
                continue  # not asked for, or a re-run shard's repeat
            if check.status is LinkStatus.SKIPPED and check.error == DEFERRED:
                self.deferred.setdefault(key, check.url)
                continue
            self.deferred.pop(key, None)
            self._seen.add(key)
            self._checkpoint.add(key, check)
            for n, spelling in enumerate(self._spellings[key]):
                each = check if n == 0 else dataclasses.replace(check, url=spelling)
                if self._collect:
                    self._results[spelling] = each
                if self._on_result is not None:
                    self._on_result(each)

    def finished(self, shard: int) -> None:
        self._checkpoint.flush()


async def check_urls(
    urls: Sequence[str],
    network: NetworkConfig,
    rules: RulesConfig,
    store_config: StoreConfig,
    scale: ScaleConfig,
    *,
    client: HttpClient | None,
    store: Store | None = None,
    on_result: Callable[[LinkCheck], None] | None = None,
    executor: Executor | None = None,
    anchors_for: Collection[str] = frozenset(),
    sources_for: Collection[str] | None = None,
    fetcher: Fetcher | None = None,
    pool: CpuPool | None = None,
    known: Mapping[str, KnownAnswer] | None = None,
    known_key: Callable[[str], str] | None = None,
    collect: bool = True,
) -> CheckRun:
    """Check every distinct URL once, in the home the `scale` section asks for (see the module
    docstring).

    The checks are made as the `network` section says (and keep the page text the `rules`
    section's `excerpt_chars` allows); `store` is read and written as the `store_config` section
    says (`cache`, the TTLs).

    `anchors_for` are the normalised URLs whose page anchors are wanted (`--check-fragments`);
    `sources_for` the normalised URLs cited as sources, whose pages are read whole (None: all);
    `executor` replaces the one `scale` asks for (tests). `client` may be None when every
    request goes to workers (one is made here if a link comes back `DEFERRED`). `fetcher`,
    `pool` and the `known` answers (by `known_key`) are lent to a check in this process (see
    `LocalResources`).
    `on_result` sees every spelling of every URL; with `collect=False` the results go to it
    alone (`CheckRun.checks` stays empty). A cancelled run still writes what came back to the
    cache, and stops its workers.
    """
    anchors = frozenset(anchors_for)
    spellings: dict[str, list[str]] = {}
    for url in urls:
        names = spellings.setdefault(normalize_url(url), [])
        if url not in names:
            names.append(url)
    results: dict[str, LinkCheck] = {}
    checkpoint = _Checkpoint(store, store_config)
    merge = _Merge(spellings, results, checkpoint, on_result, collect)
    sources = None if sources_for is None else frozenset(sources_for)

    fresh: list[str] = []
    for key, names in spellings.items():
        hit = (cached_check(store, key, names[0], wants_anchors=key in anchors,
                            wants_source=sources is None or key in sources)
               if store is not None and store_config.cache else None)
        if hit is None:
            fresh.append(names[0])
        else:
            merge.checked(-1, [hit])

    problems: list[Problem] = []
    plan: ShardPlan | None = None
    home = "the cache"
    if fresh:
        local = LocalResources(fetcher, pool, known, known_key)
        chosen = executor or make_executor(scale, network, client, local)
        home = chosen.description
        try:
            slots = await chosen.start()
            latencies = measured_latencies(store)
            work = host_work(fresh, network, latencies)
            plan = plan_shards(work, slots=slots, concurrency=network.concurrency)
            # A shard alone (one slot, or every URL on one host) may follow any redirect.
            shards = _fitted(plan.shards, anchors, sources,
                             owns_redirects=len(plan.shards) <= 1)
            problems.extend(await chosen.run(shards, network, rules, merge))
            if merge.deferred:
                # Every shard is done, so the hosts these links redirect to are no one else's
                # now: checked here, from their first hop, within the run's own host limits.
                # (Their first request is sent twice: the price of never splitting a host.)
                again = plan_shards(host_work(list(merge.deferred.values()), network, latencies),
                                    slots=1, concurrency=network.concurrency)
                problems.extend(await _check_here(
                    _fitted(again.shards, anchors, sources, owns_redirects=True),
                    network, rules, merge, client, local))
        finally:
            checkpoint.flush()
            await chosen.close()
    if checkpoint.error:
        problems.append(
            Problem(ProblemKind.STORE, f"the cache could not be written: {checkpoint.error}")
        )
    return CheckRun(results, tuple(problems), plan, home)
