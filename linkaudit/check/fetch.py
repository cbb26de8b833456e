"""The one network layer: requests within the host limits, retried by a policy, and redirects
followed hop by hop with a veto per hop.

The checker, the crawler, the archive client and article URLs given as inputs all send through
one `Fetcher` per run (over the run's `HttpClient`, which never follows redirects and holds the
SSRF guard), so that:

- every request to a host counts against that host's limit and the global one, whoever sends it,
  and a 429/503 pauses the host for everyone (`linkaudit.check.limits`);
- failures are retried by one decision (`linkaudit.check.retry.next_try`), with each caller's
  `RetryPolicy` (the archive has its own backoff base, Save Page Now retries nothing);
- redirects are followed in one place (`Fetcher.follow`): every hop is recorded, its Location
  resolved against the hop before, loops and chains longer than `max_redirects` stopped, and a
  caller's `veto` asked before each request (the crawler refuses hops off the site, disallowed by
  robots.txt or onto a page it fetches already). Caller headers that may carry credentials
  (`host_headers`) go only to the host the chain started on: once a hop leaves it, none is sent
  again, even if the chain comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar
from urllib.parse import urljoin, urlsplit

from linkaudit.check.classify import REDIRECT_STATUSES
from linkaudit.check.limits import HostLimits, Sleep
from linkaudit.check.retry import RetryPolicy, next_try, pause_for
from linkaudit.config import NetworkConfig
from linkaudit.http import FetchError, FetchTimeout, HttpClient, HttpResponse
from linkaudit.model import Hop
from linkaudit.urls import host_of, normalize_url

V = TypeVar("V")



class Stop(StrEnum):
    """Why a redirect chain ended before a final answer."""

    LOOP = "loop"
    """A hop led back to a URL of the chain."""
    TOO_MANY = "too-many"
    """More hops than `max_redirects`."""
    UNPARSABLE = "unparsable"
    """A Location that is not a URL (or that the caller's `canonical` refused)."""
    NOT_HTTP = "not-http"
    """A Location with another scheme than http(s)."""
    VETOED = "vetoed"
    """The caller's veto refused a URL of the chain (`Chain.vetoed` says why)."""


@dataclass(frozen=True, slots=True)
class Chain(Generic[V]):
    """Where a URL led: its hops, and the last answer (or the failure or stop that ended it)."""

    url: str
    """The URL asked for."""
    final: str
    """The URL of the last request (or the URL the veto or the stop refused)."""
    hops: tuple[Hop, ...] = ()
    """Every redirect followed, in order (a stopped hop is included)."""
    response: HttpResponse | None = None
    """The last response received (a redirect when the chain stopped)."""
    error: FetchError | None = None
    """The failure that ended the chain (no response for its last request)."""
    stop: Stop | None = None
    """Why a redirect was not followed."""
    vetoed: V | None = None
    """The veto's reason, when `stop` is `VETOED`."""
    location: str = ""
    """The raw Location header of the last redirect (for messages)."""
    attempts: int = 0
    """Tries of the first request (1 + its retries)."""
    requests: int = 0
    """Requests sent in all (hops, retries, HEAD fallbacks)."""


Veto = Callable[[str, int], Awaitable[V | None]]
"""`veto(url, hop)`: a reason not to request `url` (hop 0 is the first URL), or None."""


def _resolve(base: str, location: str) -> tuple[str, Stop | None]:
    try:
        target = urljoin(base, location)
        scheme = urlsplit(target).scheme.lower()
    except ValueError:  # a hostile Location (`http://[::1`) ends this chain, not the run
        return location, Stop.UNPARSABLE
    if scheme not in ("http", "https"):
        return target, Stop.NOT_HTTP
    return target, None


class Fetcher:
    """Sends through one `HttpClient` within one `HostLimits` (see the module docstring)."""

    def __init__(
        self,
        client: HttpClient,
        network: NetworkConfig,
        *,
        limits: HostLimits | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        """The transport (live, recording or replaying)."""
        self.network = network
        """The run's network section (limits, retries, redirects)."""
        if limits is None:
            limits = HostLimits(network, sleep=sleep, clock=clock)
        self.limits = limits
        """The run's politeness limits."""
        self.policy = RetryPolicy.from_config(network)
        """The run's retry policy (callers may pass their own)."""
        self._sleep = sleep

    async def request(
        self,
        method: str,
        url: str,
        *,
        policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> tuple[HttpResponse, int]:
        """One request with retries; returns the response and the tries it took.

        A transient response still transient after the last try is returned (the caller
        classifies the final 503 or 429 itself). A failure is raised as the `FetchError`, with
        `attempts` set on it.
        """
        policy = policy or self.policy
        host = host_of(url)
        limits = self.limits
        retry = 1
        timeouts = 0
        deadline: float | None = None
        while True:
            started = limits.now()
            outcome: HttpResponse | FetchError
            try:
                async with limits.slot(host):
                    if deadline is None:
                        outcome = await self.client.fetch(
                            method, url, headers=headers, max_body=max_body, data=data
                        )
                    else:
                        async with asyncio.timeout(deadline):
                            outcome = await self.client.fetch(
                                method, url, headers=headers, max_body=max_body, data=data
                            )
            except FetchError as exc:
                outcome = exc
            except TimeoutError:
                outcome = FetchTimeout(f"timeout: no answer within the {deadline:g} s of a retry")
            else:
                limits.answered(host)
                pause = pause_for(policy, outcome, retry)
                if pause is not None:
                    limits.pause(host, pause)
            step = next_try(
                policy, outcome, retry=retry, timeouts_retried=timeouts,
                host_answered=limits.answered_since(host, started),
            )  # fmt: skip
            if step is None:
                if isinstance(outcome, FetchError):
                    outcome.attempts = retry
                    raise outcome
                return outcome, retry
            if isinstance(outcome, FetchTimeout):
                timeouts += 1
            retry += 1
            if step.wait_s > 0:
                await self._sleep(step.wait_s)
            deadline = step.deadline_s

    async def follow(
        self,
        url: str,
        *,
        policy: RetryPolicy | None = None,
        max_redirects: int | None = None,
        veto: Veto[V] | None = None,
        headers: Mapping[str, str] | None = None,
        host_headers: Callable[[str], Mapping[str, str]] | None = None,
        max_body: int | None = None,
        head_fallback: bool = False,
        canonical: Callable[[str], str | None] | None = None,
    ) -> Chain[V]:
        """GET `url` and follow its redirects hop by hop (see the module docstring).

        `headers` go with the first request only (conditional headers); `host_headers(url)` with
        every request while the chain is on its first host. `head_fallback` tries HEAD when a
        GET is answered 405 or 501 (a failing HEAD keeps the GET's answer). `canonical` rewrites
        each redirect target (None refuses it as unparsable). Never raises for a failure: the
        chain carries it.
        """
        limit = self.network.max_redirects if max_redirects is None else max_redirects
        origin = host_of(url)
        current = url
        hops: list[Hop] = []
        seen = {normalize_url(url)}
        crossed = False
        attempts = requests = 0
        last: HttpResponse | None = None
        while True:
            if veto is not None:
                reason = await veto(current, len(hops))
                if reason is not None:
                    return Chain(url, current, tuple(hops), last, stop=Stop.VETOED,
                                 vetoed=reason, attempts=attempts, requests=requests)
            sent: dict[str, str] = dict(headers) if headers and not hops else {}
            if host_headers is not None and not crossed:
                sent.update(host_headers(current))
            try:
                response, tries = await self.request(
                    "GET", current, policy=policy, headers=sent or None, max_body=max_body
                )
                requests += tries
                if head_fallback and response.status in (405, 501):
                    # A failing HEAD must not hide that the server answered the GET.
                    with contextlib.suppress(FetchError):
                        head, more = await self.request(
                            "HEAD", current, policy=policy, headers=sent or None
                        )
                        requests += more
                        if head.status < 400:
                            response = head
            except FetchError as exc:
                tried = exc.attempts
                return Chain(url, current, tuple(hops), last, error=exc,
                             attempts=attempts or tried, requests=requests + tried)
            attempts = attempts or tries
            last = response
            location = response.header("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return Chain(url, current, tuple(hops), response, attempts=attempts,
                             requests=requests)
            location = location.strip()
            target, stop = _resolve(current, location)
            if stop is None and canonical is not None:
                rewritten = canonical(target)
                if rewritten is None:
                    stop = Stop.UNPARSABLE
                else:
                    target = rewritten
            hops.append(Hop(response.status, location[:200] if stop is Stop.UNPARSABLE
                            else target))
            if stop is None:
                key = normalize_url(target)
                if key in seen:
                    stop = Stop.LOOP
                elif len(hops) > limit:
                    stop = Stop.TOO_MANY
                seen.add(key)
            if stop is not None:
                return Chain(url, target, tuple(hops), response, stop=stop, location=location,
                             attempts=attempts, requests=requests)
            crossed = crossed or host_of(target) != origin
            current = target
