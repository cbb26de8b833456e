"""One token bucket shared by every archive call (CDX, availability, Save Page Now).

Why: Internet Archive staff said in 2023 that clients are "limited to an average of 60/min. Over
that and we start sending 429s. If 429s are ignored for more than a minute we block the IP at the
firewall ... for 1 hour" (edgi-govdata-archiving/wayback issue 137), and the `wayback` client
lowered its own default to 24/min in 2026. So every archive request of a run waits for a token
from one bucket (default `cfg.archive_rate_per_min` = 20/min), and a 429 pauses the whole
bucket (not just one URL) for its Retry-After.

The bucket holds at most `burst` tokens (default a quarter of a minute's worth) so that a run
never starts with a full minute's worth at once. `rate_per_min <= 0` switches the limit off
(for replaying a cassette, where no request reaches the archive). `clock` and `sleep` are
injected so that tests take no wall time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class TokenBucket:
    """A token bucket with a shared pause; `await acquire()` before every archive request."""

    def __init__(
        self,
        rate_per_min: int,
        *,
        burst: int | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.rate_per_min = rate_per_min
        """Tokens added per minute; `<= 0` means unlimited."""
        self.capacity = float(burst if burst is not None else max(1, rate_per_min // 4))
        """Most tokens held at once."""
        self._sleep = sleep
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.waited_s = 0.0
        """Total time spent waiting for tokens or pauses (for measurements)."""
        self.acquired = 0
        """Tokens handed out so far (= archive requests sent)."""

    @property
    def unlimited(self) -> bool:
        """True when the limit is switched off."""
        return self.rate_per_min <= 0

    def pause(self, seconds: float) -> None:
        """Stop handing out tokens for `seconds` from now (a 429's Retry-After); never shortens."""
        if seconds > 0:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _refill(self, now: float) -> None:
        rate_per_s = self.rate_per_min / 60.0
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * rate_per_s)
        self._stamp = now

    async def acquire(self) -> None:
        """Wait until a request may be sent, then take a token; callers queue in order."""
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await self._wait(self._paused_until - now)
                    continue
                if self.unlimited:
                    break
                self._refill(now)
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    break
                await self._wait((1.0 - self._tokens) * 60.0 / self.rate_per_min)
            self.acquired += 1

    async def _wait(self, seconds: float) -> None:
        self.waited_s += seconds
        await self._sleep(seconds)
