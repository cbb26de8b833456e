"""The token bucket that paces a host (the archive's budget, Crawl-delay), on an injected clock."""

from __future__ import annotations

import asyncio

import pytest
from fakes import FakeClock

from linkaudit.check.limits import PacerClosed, TokenBucket


async def test_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(20, burst=5, sleep=clock.sleep, clock=clock)
    for _ in range(5):
        await bucket.acquire()
    assert clock.sleeps == []  # the burst is free
    start = clock.now
    for _ in range(4):
        await bucket.acquire()
    # 20 a minute is one every 3 seconds once the burst is spent
    assert round(clock.now - start, 6) == 12.0
    assert bucket.acquired == 9


async def test_twenty_a_minute_over_a_long_run() -> None:
    clock = FakeClock()
    bucket = TokenBucket(20, sleep=clock.sleep, clock=clock)
    start = clock.now
    for _ in range(65):
        await bucket.acquire()
    minutes = (clock.now - start) / 60
    assert 65 / (minutes + 0.25) <= 20.0 + 1e-9  # never more than the rate plus the burst


async def test_a_closed_bucket_refuses_queued_and_later_callers() -> None:
    clock = FakeClock()
    bucket = TokenBucket(20, burst=1, sleep=clock.sleep, clock=clock)
    await bucket.acquire()
    queued = asyncio.gather(*(bucket.acquire() for _ in range(3)), return_exceptions=True)
    bucket.close("archive given up")
    results = await queued
    assert all(isinstance(r, PacerClosed) for r in results)
    with pytest.raises(PacerClosed, match="given up"):
        await bucket.acquire()
    assert bucket.acquired == 1


async def test_spacing_is_one_start_per_interval() -> None:
    clock = FakeClock()
    bucket = TokenBucket.spacing(2.5, sleep=clock.sleep, clock=clock)
    start = clock.now
    for _ in range(4):
        await bucket.acquire()
    assert round(clock.now - start, 6) == 7.5  # the first at once, then one every 2.5 s


async def test_zero_rate_is_unlimited() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0, sleep=clock.sleep, clock=clock)
    for _ in range(100):
        await bucket.acquire()
    assert clock.sleeps == []
