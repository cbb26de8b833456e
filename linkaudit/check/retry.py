"""Which failures are worth another try, and how long to wait: pure policy, one for every caller.

Transient means the same request may well succeed a moment later: a timeout, a dropped
connection, a 5xx that says "try later" (500, 502, 503, 504), 429 (too many requests) or 408
(request timeout). A 404, a DNS "no such name", a refused connection, a TLS failure or a 501
(Not Implemented: the server says it never will) will not change on a retry, so they are final at
once. The checker, the crawler, the archive client and URL inputs all retry through
`linkaudit.check.fetch.Fetcher`, each with its own `RetryPolicy` (how many retries, the backoff
base); `next_try` is the one decision.

Timeouts and the tail. A request that timed out already cost a whole `timeout_s`; retrying it
like a reset (`retries` times, with backoff) multiplies the slowest URL's cost, and the run ends on
that tail. So a timeout is retried at most once, with a shorter deadline (`timeout_retry_s`, a
quarter of the timeout, at least 2 s), and only when its host answered another request while this
one waited: then the host is up and a stalled connection or a lost packet is the likely cause,
which a fresh try with a short deadline catches. A host that answered nothing in that time would
only time out again. A link that still times out is `timeout` (never `dead`), and the history's
confirmation over runs absorbs a one-off timeout.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass

from linkaudit.config import NetworkConfig
from linkaudit.http import FetchError, FetchTimeout, HttpResponse, ResetError

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""Statuses retried. Other 5xx (501 Not Implemented, 505, 511...) say something permanent."""
PAUSING_STATUSES = frozenset({429, 503})
"""Statuses whose Retry-After pauses the whole host (RFC 9110 10.2.3)."""
MIN_TIMEOUT_RETRY_S = 2.0
"""The shortest deadline of the one retry of a timed-out request."""


def is_transient(outcome: BaseException | HttpResponse | int) -> bool:
    """Worth retrying: timeouts, resets, 408, 429 and the temporary 5xx.

    Takes an exception, a response or a bare status. DNS, connect, TLS and guard refusals are
    not transient: repeating them only delays the answer.
    """
    if isinstance(outcome, BaseException):
        return isinstance(outcome, (FetchTimeout, ResetError, TimeoutError))
    status = outcome.status if isinstance(outcome, HttpResponse) else outcome
    return status in TRANSIENT_STATUSES


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def retry_after_of(response: HttpResponse, cap_s: float) -> float | None:
    """The Retry-After of a 429/503 response if it is within `cap_s`, else None."""
    if response.status not in PAUSING_STATUSES:
        return None
    wait = parse_retry_after(response.header("retry-after"))
    if wait is None or wait > cap_s:
        return None
    return wait


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How one caller retries transient failures (see the module docstring)."""

    retries: int = 2
    """Retries of a transient failure after the first attempt (timeouts: see below)."""
    wait_s: float = 0.5
    """Base of the exponential backoff: the wait before retry k is `wait_s * 2**(k-1)` plus
    jitter, at most `max(16 * wait_s, 1 s)`."""
    retry_after_cap_s: float = 60.0
    """Longest Retry-After waited for; a 429/503 asking for longer is final (and not paused)."""
    timeout_retry_s: float | None = MIN_TIMEOUT_RETRY_S
    """Deadline of the one retry of a timed-out request; None: timeouts are never retried."""
    jitter: bool = True
    """Add up to `wait_s` of random jitter to each backoff (tests switch it off)."""
    final_when: Callable[[HttpResponse], bool] | None = None
    """A response this says is final is never retried, whatever its status (the archive's
    exclusion notices)."""

    @classmethod
    def from_config(cls, network: NetworkConfig, *, retries: int | None = None) -> RetryPolicy:
        """The run's policy: `retries`, `retry_wait_s`, `retry_after_cap_s` of `network`, and
        a timeout retry of a quarter of its `timeout_s` (at least 2 s, at most the timeout)."""
        return cls(
            retries=network.retries if retries is None else retries,
            wait_s=network.retry_wait_s,
            retry_after_cap_s=network.retry_after_cap_s,
            timeout_retry_s=min(
                network.timeout_s, max(MIN_TIMEOUT_RETRY_S, network.timeout_s / 4)
            ),
        )

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based), jitter included."""
        base = min(self.wait_s * 2 ** (retry - 1), max(self.wait_s * 16, 1.0))
        return base + (random.uniform(0, self.wait_s) if self.jitter else 0.0)


@dataclass(frozen=True, slots=True)
class NextTry:
    """Try once more: after `wait_s`, within `deadline_s` (None: the client's own timeout)."""

    wait_s: float
    deadline_s: float | None = None


def next_try(
    policy: RetryPolicy,
    outcome: HttpResponse | FetchError,
    *,
    retry: int,
    timeouts_retried: int = 0,
    host_answered: bool = False,
) -> NextTry | None:
    """Whether (and how) to try again after `outcome`; None when it is final.

    `retry` is the number the next try would have (1 after the first attempt); `timeouts_retried`
    how many timeouts were retried already; `host_answered` whether the host answered another
    request while this one waited (see the module docstring).
    """
    if isinstance(outcome, FetchError):
        if isinstance(outcome, FetchTimeout):
            if policy.timeout_retry_s is None or timeouts_retried or not host_answered:
                return None
            if retry > policy.retries:
                return None
            return NextTry(0.0, policy.timeout_retry_s)  # the timeout itself was the wait
        if not is_transient(outcome) or retry > policy.retries:
            return None
        return NextTry(policy.backoff(retry))
    if not is_transient(outcome) or retry > policy.retries:
        return None
    if policy.final_when is not None and policy.final_when(outcome):
        return None
    if outcome.status in PAUSING_STATUSES:
        after = parse_retry_after(outcome.header("retry-after"))
        if after is not None:
            if after > policy.retry_after_cap_s:
                return None  # waiting that long is not polite either way: it is the answer
            return NextTry(after)
    return NextTry(policy.backoff(retry))


def pause_for(policy: RetryPolicy, response: HttpResponse, retry: int) -> float | None:
    """How long a 429/503 pauses its whole host: its Retry-After (within the cap), or for a
    429 without one the backoff of this retry; None for anything else."""
    if response.status not in PAUSING_STATUSES:
        return None
    after = parse_retry_after(response.header("retry-after"))
    if after is not None:
        return after if after <= policy.retry_after_cap_s else None
    if response.status == 429:
        return min(policy.wait_s * 2 ** (retry - 1), max(policy.wait_s * 16, 1.0))
    return None
