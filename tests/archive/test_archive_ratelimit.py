"""The shared archive token bucket, on an injected clock (no wall time)."""

from __future__ import annotations

import asyncio

from archivekit import FakeClock

from linkaudit.archive import TokenBucket


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


async def test_pause_holds_every_caller() -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, burst=10, sleep=clock.sleep, clock=clock)
    bucket.pause(30)
    await asyncio.gather(*(bucket.acquire() for _ in range(3)))
    assert clock.now >= 1030
    bucket.pause(5)
    bucket.pause(1)  # a shorter pause never shortens a longer one
    before = clock.now
    await bucket.acquire()
    assert clock.now - before >= 5


async def test_zero_rate_is_unlimited() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0, sleep=clock.sleep, clock=clock)
    for _ in range(100):
        await bucket.acquire()
    assert clock.sleeps == []
