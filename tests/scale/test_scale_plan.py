"""The shard plan: no host in two shards, work balanced, the global limit divided."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.scale.plan import HostWork, plan_shards, politeness_bound


def host(name: str, n: int, latency: float = 0.1, per_host: int = 4) -> HostWork:
    return HostWork(name, tuple(f"https://{name}/{i}" for i in range(n)), per_host, latency)


@st.composite
def workloads(draw: st.DrawFn) -> list[HostWork]:
    count = draw(st.integers(1, 60))
    return [
        host(f"h{i}.example", draw(st.integers(1, 200)), draw(st.floats(0.001, 2.0)),
             draw(st.integers(1, 8)))
        for i in range(count)
    ]


@settings(max_examples=150, deadline=None)
@given(workloads(), st.integers(1, 16), st.integers(1, 256))
def test_every_url_in_exactly_one_shard_and_no_host_split(
    work: list[HostWork], slots: int, concurrency: int
) -> None:
    plan = plan_shards(work, slots=slots, concurrency=concurrency)
    seen_hosts = [h for shard in plan.shards for h in shard.hosts]
    assert sorted(seen_hosts) == sorted(h.host for h in work)
    urls = [u for shard in plan.shards for u in shard.urls]
    assert sorted(urls) == sorted(u for h in work for u in h.urls)
    for shard in plan.shards:
        owners = {u.split("/")[2] for u in shard.urls}
        assert owners == set(shard.hosts)
    # the global limit is divided: the shards that run at once never exceed it
    assert plan.slots <= min(slots, concurrency)
    running_at_once = sorted((s.concurrency for s in plan.shards), reverse=True)[: plan.slots]
    assert sum(running_at_once) <= concurrency
    assert all(s.concurrency >= 1 for s in plan.shards)


@settings(max_examples=100, deadline=None)
@given(workloads(), st.integers(2, 8))
def test_shards_are_balanced_within_the_lpt_guarantee(work: list[HostWork], slots: int) -> None:
    plan = plan_shards(work, slots=slots, concurrency=512, shards_per_slot=1)
    loads = [s.work_s for s in plan.shards]
    biggest = max(h.work_s for h in work)
    # Greedy largest-first: no shard exceeds the average by more than the largest host.
    assert max(loads) <= sum(loads) / len(loads) + biggest + 1e-9


def test_one_slot_is_one_shard_with_the_whole_limit() -> None:
    plan = plan_shards([host("a", 10), host("b", 3)], slots=1, concurrency=64)
    assert len(plan.shards) == 1
    assert plan.shards[0].concurrency == 64
    assert set(plan.shards[0].hosts) == {"a", "b"}


def test_a_busy_host_is_alone_and_the_rest_share_the_other_shards() -> None:
    work = [host("hot", 400)] + [host(f"c{i}", 10) for i in range(40)]
    plan = plan_shards(work, slots=2, concurrency=64, shards_per_slot=1)
    assert len(plan.shards) == 2
    assert plan.shards[0].hosts == ("hot",)
    assert plan.shards[0].concurrency == plan.shards[1].concurrency == 32


def test_known_latency_moves_work() -> None:
    # Same URL counts; one host is ten times slower: it weighs ten times as much.
    work = [host("slow", 50, latency=1.0)] + [host(f"f{i}", 50, latency=0.1) for i in range(10)]
    plan = plan_shards(work, slots=2, concurrency=8, shards_per_slot=1)
    assert plan.shards[0].hosts == ("slow",)
    assert len(plan.shards[1].hosts) == 10


def test_the_politeness_bound() -> None:
    work = [host("a", 10, latency=0.5, per_host=4), host("b", 100, latency=0.1, per_host=2)]
    assert politeness_bound(work, concurrency=64) == pytest.approx(
        max(math.ceil(10 / 4) * 0.5, math.ceil(100 / 2) * 0.1, (5 + 10) / 64)
    )
    assert politeness_bound(work, concurrency=1) == pytest.approx(15.0)
    plan = plan_shards(work, slots=2, concurrency=64)
    assert plan.bound_s == pytest.approx(5.0)
    assert plan.expected_s >= plan.bound_s - 1e-9


def test_the_plan_is_deterministic() -> None:
    rng = random.Random(3)
    work = [host(f"h{i}", rng.randint(1, 50)) for i in range(30)]
    shuffled = work[:]
    rng.shuffle(shuffled)
    assert plan_shards(work, slots=3, concurrency=30) == plan_shards(
        shuffled, slots=3, concurrency=30
    )


def test_no_work_no_shards() -> None:
    assert plan_shards([], slots=4, concurrency=64).shards == ()
