"""The shard plan: which worker slot checks which hosts, as a pure function of the expected work.

Politeness is per host, so a host is never split between shards: its per-host limit (and any
Retry-After pause) lives in the one checker that owns it. A host reached by a redirect may be
owned by another shard, or by none: a shard beside others does not follow such a hop
(`Shard.owns_redirects`); the main process checks those links after the shards. Splitting a host
between workers makes the per-host limit void, the lesson of Nutch and StormCrawler, which both
partition by host.

Each host's work is known before anything is checked: its URL count `n`, its per-host limit `p`
and a latency `L` per request (measured in earlier runs where the store has one, else assumed).
A host alone at its limit needs `ceil(n / p) * L` (its *floor*) and keeps `n * L` request-seconds
of slots busy (its *work*). Hosts are dealt to shards by work, largest first, each to the
lightest shard (LPT, within 4/3 of the best balance), so shards finish together.

The global `--concurrency` is divided between the slots (the shards that run at once): each shard
runs with `concurrency // slots`, so however shards are handed to slots, no more than
`concurrency` requests are in flight over the whole run. One slot gets one shard (the in-process
run is exactly today's single checker); with several slots each gets `SHARDS_PER_SLOT` shards, so
a slot that finishes early takes another (dynamic balance), a dead worker costs one small shard,
and finished shards are checkpointed while the run goes on.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

SHARDS_PER_SLOT = 4
"""Shards per worker slot when there are several slots."""
DEFAULT_LATENCY_S = 0.5
"""The time one request is assumed to take on a host the store has no timing for."""


@dataclass(frozen=True, slots=True)
class HostWork:
    """What one host asks of the run."""

    host: str
    """The host name (as `urls.host_of` gives it)."""
    urls: tuple[str, ...]
    """Its distinct URLs (one spelling each)."""
    per_host: int
    """Requests in flight allowed to it."""
    latency_s: float
    """Seconds one request to it is expected to take."""
    measured: bool = False
    """True when `latency_s` comes from earlier checks in the store, False when assumed."""

    @property
    def work_s(self) -> float:
        """Request-seconds of slots it keeps busy: `n * L`."""
        return len(self.urls) * self.latency_s

    @property
    def floor_s(self) -> float:
        """The least time it needs at its own limit: `ceil(n / p) * L`."""
        return math.ceil(len(self.urls) / max(1, self.per_host)) * self.latency_s


@dataclass(frozen=True, slots=True)
class Shard:
    """One unit of distribution: whole hosts, checked by one checker in one event loop."""

    index: int
    """Its place in the plan (0 is the largest)."""
    hosts: tuple[str, ...]
    """The hosts it owns (no other shard has any of them)."""
    urls: tuple[str, ...]
    """Every URL of those hosts, host by host."""
    concurrency: int
    """Requests in flight its checker may have: its slot's share of the global limit."""
    work_s: float
    """Request-seconds of its hosts."""
    expected_s: float
    """Its expected time: `max(busiest host's floor, work / concurrency)`."""
    anchors_for: frozenset[str] = frozenset()
    """Normalised URLs of the shard whose page anchors are wanted (`--check-fragments`)."""
    sources_for: frozenset[str] | None = None
    """Normalised URLs of the shard cited as sources, read whole (`PageRead.SOURCE`); the
    others are read as hyperlinks. None reads every page as a source."""
    owns_redirects: bool = True
    """False when other shards run beside it: a redirect to a host it does not own is not
    followed there (that host's limit lives in another checker, or in none) but handed back
    as `DEFERRED`, and the main process checks the link once the shards are done."""


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """Shards, and what the politeness bound predicts for them."""

    shards: tuple[Shard, ...]
    """Largest expected first (the order they are handed out in)."""
    slots: int
    """Shards that run at once (worker processes or cluster threads actually used)."""
    concurrency: int
    """The global limit the plan divides."""
    bound_s: float
    """The politeness bound of the whole run: `max(max_h floor_h, sum_h work_h / concurrency)`,
    whatever the sharding (the least time any polite checker needs)."""
    expected_s: float
    """The plan's own estimate: shards handed, largest first, to the slot that frees first."""

    @property
    def urls(self) -> int:
        """URLs in all shards."""
        return sum(len(s.urls) for s in self.shards)


def politeness_bound(work: Sequence[HostWork], concurrency: int) -> float:
    """`max(max_h ceil(n_h / p_h) * L_h, sum_h n_h * L_h / c)`: no host faster than its limit
    allows, no more than `c` requests at once over all hosts."""
    if not work:
        return 0.0
    floor = max(h.floor_s for h in work)
    return max(floor, math.fsum(h.work_s for h in work) / max(1, concurrency))


def plan_shards(
    work: Sequence[HostWork],
    *,
    slots: int,
    concurrency: int,
    shards_per_slot: int = SHARDS_PER_SLOT,
) -> ShardPlan:
    """Deal whole hosts to shards, balanced by work, and divide `concurrency` between `slots`.

    Deterministic: the same work gives the same plan. `slots` is capped by `concurrency` (each
    running shard needs at least one request slot) and by the number of hosts.
    """
    concurrency = max(1, concurrency)
    hosts = [h for h in work if h.urls]
    if not hosts:
        return ShardPlan((), 0, concurrency, 0.0, 0.0)
    slots = max(1, min(slots, concurrency, len(hosts)))
    count = 1 if slots == 1 else min(len(hosts), slots * max(1, shards_per_slot))
    per_shard = concurrency // slots

    # LPT: the largest host first, each to the lightest shard (ties: the lower index).
    ordered = sorted(hosts, key=lambda h: (-h.work_s, -len(h.urls), h.host))
    bins: list[list[HostWork]] = [[] for _ in range(count)]
    heap = [(0.0, i) for i in range(count)]
    for host in ordered:
        load, i = heapq.heappop(heap)
        bins[i].append(host)
        heapq.heappush(heap, (load + host.work_s, i))

    made = []
    for members in bins:
        if not members:
            continue
        work_s = math.fsum(h.work_s for h in members)
        expected = max(max(h.floor_s for h in members), work_s / per_shard)
        made.append((expected, members, work_s))
    made.sort(key=lambda item: (-item[0], item[1][0].host))
    shards = tuple(
        Shard(
            index=i,
            hosts=tuple(h.host for h in members),
            urls=tuple(u for h in members for u in h.urls),
            concurrency=per_shard,
            work_s=work_s,
            expected_s=expected,
        )
        for i, (expected, members, work_s) in enumerate(made)
    )
    return ShardPlan(
        shards=shards,
        slots=slots,
        concurrency=concurrency,
        bound_s=politeness_bound(hosts, concurrency),
        expected_s=_makespan([s.expected_s for s in shards], slots),
    )


def _makespan(durations: Sequence[float], slots: int) -> float:
    """When the last of `durations` (in hand-out order) ends, each taken by the first free slot."""
    free = [0.0] * max(1, slots)
    for duration in durations:
        start = heapq.heappop(free)
        heapq.heappush(free, start + duration)
    return max(free)
