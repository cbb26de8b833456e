"""Politeness: a global limit on requests in flight, a per-host limit, per-host pauses and pacing.

One `HostLimits` serves every request of a run (checker, crawler, archive client, URL inputs), so
a host is asked at most its limit at once whoever asks. A request takes its host's slot first and
a global slot last, so a busy, paused or paced host never holds global slots that other hosts
could use. A host that answers 429 (or 503) with a Retry-After is paused alone until then: its
queued requests wait, every other host goes on. A host may also be *paced*: a `TokenBucket`
spaces the starts of its requests, for robots.txt's Crawl-delay (one token, refilled every
Crawl-delay seconds) and for the archive's per-minute budget. Like lychee's `ratelimit/` module,
this holds no HTTP logic.

The archive's budget, and why: Internet Archive staff said in 2023 that clients are "limited to
an average of 60/min. Over that and we start sending 429s. If 429s are ignored for more than a
minute we block the IP at the firewall ... for 1 hour" (edgi-govdata-archiving/wayback issue
137), and the `wayback` client lowered its own default to 24/min in 2026. So every archive
request of a run waits for a token from one bucket (default `cfg.archive.rate_per_min` = 20/min)
holding at most a quarter of a minute's worth, so that a run never starts with a full minute's
worth at once; a 429 pauses the archive's host like any other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from linkaudit.config import NetworkConfig

Sleep = Callable[[float], Awaitable[None]]


Clock = Callable[[], float]


class Pacer(Protocol):
    """Spaces the starts of requests (`TokenBucket`)."""

    async def acquire(self) -> None:
        """Wait until the next request may start (raises `PacerClosed` to refuse it)."""


class PacerClosed(Exception):
    """A closed pacer refuses every request still queued or to come (the archive was given up
    for the run: queued lookups must not be sent after all)."""


class TokenBucket:
    """A token bucket: `await acquire()` before each request; callers queue in order.

    `rate_per_min <= 0` switches the limit off (a replayed cassette reaches no server). `clock`
    and `sleep` are injected so that tests take no wall time.
    """

    def __init__(
        self,
        rate_per_min: float,
        *,
        burst: int | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.rate_per_min = rate_per_min
        """Tokens added per minute; `<= 0` means unlimited."""
        self.capacity = float(burst if burst is not None else max(1, int(rate_per_min) // 4))
        """Most tokens held at once."""
        self._sleep = sleep
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()
        self._lock = asyncio.Lock()
        self._closed: str | None = None
        self.waited_s = 0.0
        """Total time spent waiting for tokens (for measurements)."""
        self.acquired = 0
        """Tokens handed out so far (= requests sent)."""

    @classmethod
    def spacing(
        cls, seconds: float, *, sleep: Sleep = asyncio.sleep, clock: Clock = time.monotonic
    ) -> TokenBucket:
        """One request start every `seconds` at most (robots.txt's Crawl-delay)."""
        return cls(60.0 / seconds, burst=1, sleep=sleep, clock=clock)

    @property
    def unlimited(self) -> bool:
        """True when the limit is switched off."""
        return self.rate_per_min <= 0

    def close(self, reason: str) -> None:
        """Refuse every request from now on, queued ones included (`PacerClosed(reason)`)."""
        self._closed = reason

    def _refill(self, now: float) -> None:
        rate_per_s = self.rate_per_min / 60.0
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * rate_per_s)
        self._stamp = now

    async def acquire(self) -> None:
        """Wait until a request may be sent, then take a token."""
        async with self._lock:
            while True:
                if self._closed is not None:
                    raise PacerClosed(self._closed)
                if self.unlimited:
                    break
                now = self._clock()
                self._refill(now)
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    break
                wait = (1.0 - self._tokens) * 60.0 / self.rate_per_min
                self.waited_s += wait
                await self._sleep(wait)
            self.acquired += 1


def per_host_limit(network: NetworkConfig, host: str) -> int:
    """Requests in flight allowed to `host` (a host name, as `urls.host_of` gives it): the host
    policy's limit, else `network.per_host`; at least 1."""
    policy = network.host_policy(host)
    if policy is not None and policy.per_host:
        return max(1, policy.per_host)
    return max(1, network.per_host)


class HostLimits:
    """Global and per-host concurrency limits with per-host pauses and pacing."""

    def __init__(
        self,
        network: NetworkConfig,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._network = network
        self._global = asyncio.Semaphore(max(1, network.concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._paused_until: dict[str, float] = {}
        self._pacers: dict[str, Pacer] = {}
        self._answered: dict[str, float] = {}
        self._sleep = sleep
        self._clock = clock
        self.in_flight: dict[str, int] = {}
        """Requests in flight per host now (for progress and tests)."""
        self.peak: dict[str, int] = {}
        """Most requests ever in flight at once per host."""

    def limit_for(self, host: str) -> int:
        """The per-host limit: the host policy's, else `network.per_host`."""
        return per_host_limit(self._network, host)

    def now(self) -> float:
        """The clock the limits run on."""
        return self._clock()

    def pause(self, host: str, seconds: float) -> None:
        """Hold back new requests to `host` for `seconds` from now (the longest pause wins)."""
        until = self._clock() + max(0.0, seconds)
        if until > self._paused_until.get(host, 0.0):
            self._paused_until[host] = until

    def paused_for(self, host: str) -> float:
        """Seconds until `host` may be asked again (0 when not paused)."""
        return max(0.0, self._paused_until.get(host, 0.0) - self._clock())

    def pace(self, host: str, pacer: Pacer | None) -> None:
        """Space the starts of requests to `host` with `pacer` (None: no pacing)."""
        if pacer is None:
            self._pacers.pop(host, None)
        else:
            self._pacers[host] = pacer

    def pacer(self, host: str) -> Pacer | None:
        """The pacer of `host`, if it has one."""
        return self._pacers.get(host)

    def answered(self, host: str) -> None:
        """Note that `host` just answered a request (any status)."""
        self._answered[host] = self._clock()

    def answered_since(self, host: str, since: float) -> bool:
        """True when `host` answered some request after `since` (a `now()` reading)."""
        return self._answered.get(host, float("-inf")) > since

    async def _wait_pause(self, host: str) -> None:
        # Loop: another request may extend the pause while this one sleeps.
        while (wait := self.paused_for(host)) > 0:
            await self._sleep(wait)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot for `host` (waiting out a pause and the pacing first)."""
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.limit_for(host))
        await self._wait_pause(host)
        async with sem:
            await self._wait_pause(host)
            pacer = self._pacers.get(host)
            if pacer is not None:
                await pacer.acquire()
            async with self._global:
                n = self.in_flight.get(host, 0) + 1
                self.in_flight[host] = n
                if n > self.peak.get(host, 0):
                    self.peak[host] = n
                try:
                    yield
                finally:
                    self.in_flight[host] -= 1
