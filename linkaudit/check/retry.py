"""Which failures are worth another try, and how long to wait: pure policy plus tenacity wiring.

Transient means the same request may well succeed a moment later: a timeout, a dropped
connection, a 5xx, 429 (too many requests) or 408 (request timeout). A 404, a DNS "no such
name", a refused connection or a TLS failure will not change on a retry, so they are final at
once. `retrying` wires `is_transient` into tenacity with exponential backoff and jitter; tests
inject `sleep` so that backoff costs no wall time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
from collections.abc import Awaitable, Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)

from linkaudit.config import AuditConfig
from linkaudit.http import FetchTimeout, HttpResponse, ResetError

Sleep = Callable[[float], Awaitable[None]]

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""Statuses retried. Other 5xx (501 Not Implemented, 505, 511...) say something permanent."""


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
    if response.status not in (429, 503):
        return None
    wait = parse_retry_after(response.header("retry-after"))
    if wait is None or wait > cap_s:
        return None
    return wait


def _wait_for(cfg: AuditConfig) -> Callable[[RetryCallState], float]:
    """Exponential backoff with jitter, replaced by the server's Retry-After when it gave one."""
    backoff = wait_exponential_jitter(
        multiplier=cfg.retry_wait_s, max=max(cfg.retry_wait_s * 16, 1.0), jitter=cfg.retry_wait_s
    )

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            result = outcome.result()
            if isinstance(result, HttpResponse):
                after = retry_after_of(result, cfg.retry_after_cap_s)
                if after is not None:
                    return after
        return float(backoff(state))

    return wait


def retrying(cfg: AuditConfig, sleep: Sleep = asyncio.sleep) -> AsyncRetrying:
    """A tenacity loop: retry transient exceptions and transient responses `cfg.retries` times.

    A transient *response* that is still transient after the last attempt is returned (not
    raised), so the caller classifies the final 503 or 429 itself. A 429/503 whose Retry-After
    exceeds `cfg.retry_after_cap_s` is not retried: waiting that long is not polite either way.
    """

    def transient_response(result: object) -> bool:
        if not isinstance(result, HttpResponse) or not is_transient(result):
            return False
        after = parse_retry_after(result.header("retry-after"))
        too_long = after is not None and after > cfg.retry_after_cap_s
        return not (result.status in (429, 503) and too_long)

    return AsyncRetrying(
        retry=retry_if_exception(is_transient) | retry_if_result(transient_response),
        stop=stop_after_attempt(cfg.retries + 1),
        wait=_wait_for(cfg),
        sleep=sleep,
        reraise=True,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
    )
