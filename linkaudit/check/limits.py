"""Politeness: a global limit on requests in flight, a per-host limit, and per-host pauses.

A request takes its host's slot first and a global slot second, so a busy host never holds global
slots that other hosts could use. A host that answers 429 (or 503) with a Retry-After is paused
alone until then: its queued requests wait, every other host goes on. Like lychee's
`ratelimit/` module, this holds no HTTP logic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from linkaudit.config import AuditConfig

Sleep = Callable[[float], Awaitable[None]]


def per_host_limit(cfg: AuditConfig, host: str) -> int:
    """Requests in flight allowed to `host` (a host name, as `urls.host_of` gives it): the host
    policy's limit, else `cfg.per_host`; at least 1. The checker and the crawler both use it."""
    policy = cfg.host_policy(host)
    if policy is not None and policy.per_host:
        return max(1, policy.per_host)
    return max(1, cfg.per_host)


class HostLimits:
    """Global and per-host concurrency limits with per-host pauses."""

    def __init__(
        self,
        cfg: AuditConfig,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cfg = cfg
        self._global = asyncio.Semaphore(max(1, cfg.concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._paused_until: dict[str, float] = {}
        self._sleep = sleep
        self._clock = clock
        self.in_flight: dict[str, int] = {}
        """Requests in flight per host now (for progress and tests)."""
        self.peak: dict[str, int] = {}
        """Most requests ever in flight at once per host."""

    def limit_for(self, host: str) -> int:
        """The per-host limit: the host policy's, else `cfg.per_host`."""
        return per_host_limit(self._cfg, host)

    def pause(self, host: str, seconds: float) -> None:
        """Hold back new requests to `host` for `seconds` from now (the longest pause wins)."""
        until = self._clock() + max(0.0, seconds)
        if until > self._paused_until.get(host, 0.0):
            self._paused_until[host] = until

    def paused_for(self, host: str) -> float:
        """Seconds until `host` may be asked again (0 when not paused)."""
        return max(0.0, self._paused_until.get(host, 0.0) - self._clock())

    async def _wait_pause(self, host: str) -> None:
        # Loop: another request may extend the pause while this one sleeps.
        while (wait := self.paused_for(host)) > 0:
            await self._sleep(wait)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot for `host` (waiting out a pause first)."""
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.limit_for(host))
        await self._wait_pause(host)
        async with sem:
            await self._wait_pause(host)
            async with self._global:
                n = self.in_flight.get(host, 0) + 1
                self.in_flight[host] = n
                self.peak[host] = max(self.peak.get(host, 0), n)
                try:
                    yield
                finally:
                    self.in_flight[host] -= 1
