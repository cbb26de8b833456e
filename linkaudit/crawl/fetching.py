"""The crawl's requests: every GET through the run's network layer, with robots.txt obeyed.

`FetchingCrawler` adds to the `Frontier` the one way the crawl sends a request (`_get`): the
network layer (`linkaudit.check.fetch.Fetcher`) follows redirects hop by hop and asks this veto
before each one (off the site, disallowed by robots.txt, a page fetched already), and each
origin's robots.txt is read once, its Crawl-delay pacing the requests to that host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from linkaudit.check.classify import REDIRECT_STATUSES
from linkaudit.check.fetch import Chain, Fetcher, Stop
from linkaudit.check.limits import Clock, Sleep, TokenBucket, per_host_limit
from linkaudit.config import NetworkConfig
from linkaudit.crawl.frontier import Frontier, Host
from linkaudit.crawl.interface import MAX_CRAWL_DELAY_S, SkipReason
from linkaudit.crawl.ledger import Entry
from linkaudit.crawl.robots import ALLOW_ALL, DISALLOW_ALL, MAX_ROBOTS_BYTES, Robots, parse_robots
from linkaudit.crawl.urlkey import crawl_url, origin_of
from linkaudit.http import FetchError, HttpResponse
from linkaudit.model import (
    ALLOW_PRIVATE_HINT,
    Hop,
    LinkStatus,
    ProblemKind,
    is_address_refusal,
    skip_reason,
)
from linkaudit.urls import host_of, redact_url

_ROBOTS_REDIRECTS = 5
"""RFC 9309 2.3.1.2: follow at least five redirects for robots.txt."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """The end of a redirect chain: a response, a refusal, or a failure."""

    url: str
    response: HttpResponse | None = None
    refused: SkipReason | None = None
    failure: str | None = None
    requests: int = 0
    hops: tuple[Hop, ...] = ()


class FetchingCrawler(Frontier):
    """The `Frontier` with its requests: robots.txt per origin, redirects vetoed hop by hop."""

    network: NetworkConfig
    """HTTP and politeness options (the run's network section)."""
    fetcher: Fetcher
    """The network layer (the run's, shared with the checker, when one is given)."""
    _sleep: Sleep
    _clock: Clock

    def _host(self, url: str) -> Host:
        origin = origin_of(url)
        host = self._hosts.get(origin)
        if host is None:
            limit = per_host_limit(self.network, host_of(url))  # `[::1]:8080` -> `::1`
            host = Host(origin, limit)
            self._hosts[origin] = host
        return host

    async def _get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None,
        max_body: int,
        robots: bool = True,
        scope: bool = True,
        max_redirects: int | None = None,
        hops: list[Entry] | None = None,
    ) -> Fetched:
        """GET `url` through the network layer, with scope, robots.txt and the pages fetched
        already checked before every hop. Raises the `FetchError` of a request that failed."""

        async def veto(target: str, hop: int) -> tuple[SkipReason, str] | None:
            if hop and hops is not None:
                taken = self._take_hop(target, hops)
                if taken is not None:
                    return taken, f"redirects to {redact_url(target)}, {self._fate(target)}"
            if scope and not self._in_scope(target):
                return SkipReason.OFF_SITE, f"redirects off the site to {redact_url(target)}"
            if robots:
                host = self._host(target)
                await self._ensure_robots(host)
                assert host.robots is not None
                if not host.robots.allowed(target):
                    why = host.refused or "disallowed by robots.txt"
                    return SkipReason.ROBOTS, f"{redact_url(target)} {why}"
            return None

        limit = self.network.max_redirects if max_redirects is None else max_redirects
        chain: Chain[tuple[SkipReason, str]] = await self.fetcher.follow(
            url, max_redirects=limit, veto=veto, headers=headers, max_body=max_body,
            canonical=crawl_url,
        )  # fmt: skip
        self._requests += chain.requests
        if chain.error is not None:
            raise chain.error
        response = chain.response
        match chain.stop:
            case None:
                return Fetched(chain.final, response=response, requests=chain.requests,
                                hops=chain.hops)
            case Stop.VETOED:
                assert chain.vetoed is not None
                reason, failure = chain.vetoed
                return Fetched(chain.final, response, refused=reason, failure=failure,
                                requests=chain.requests)
            case Stop.UNPARSABLE | Stop.NOT_HTTP:
                assert response is not None
                failure = (f"HTTP {response.status} to an unusable location "
                           f"{chain.location[:200]!r}")
            case Stop.LOOP:
                failure = f"redirect loop at {redact_url(chain.final)}"
            case Stop.TOO_MANY:
                failure = f"more than {limit} redirects"
            case _ as unreachable:
                assert_never(unreachable)
        return Fetched(chain.final, response, failure=failure, requests=chain.requests)

    async def _ensure_robots(self, host: Host) -> None:
        if host.robots is not None:
            return
        async with host.robots_lock:
            if host.robots is None:
                host.robots = await self._read_robots(host)

    async def _read_robots(self, host: Host) -> Robots:
        url = f"{host.origin}/robots.txt"
        try:
            got = await self._get(
                url, headers=None, max_body=MAX_ROBOTS_BYTES, robots=False, scope=False,
                max_redirects=_ROBOTS_REDIRECTS,
            )  # fmt: skip
        except FetchError as exc:
            if exc.kind is LinkStatus.SKIPPED:  # refused before any request: a private address
                host.refused = f"not fetched: {exc}"
                private = is_address_refusal(skip_reason(str(exc)))
                hint = f" ({ALLOW_PRIVATE_HINT})" if private else ""
                self._problem(ProblemKind.ROBOTS, f"{host.origin} refused: {exc}{hint}")
                return DISALLOW_ALL
            host.refused = f"not fetched: its robots.txt is unreachable ({exc.kind})"
            self._problem(
                ProblemKind.ROBOTS, f"{url}: unreachable ({exc.kind}); nothing fetched from it"
            )
            return DISALLOW_ALL
        response = got.response
        if response is None or response.status in REDIRECT_STATUSES:
            return ALLOW_ALL  # RFC 9309: too many redirects means "unavailable"
        status = response.status
        if status == 429 or status >= 500:
            host.refused = f"not fetched: its robots.txt answered HTTP {status}"
            self._problem(
                ProblemKind.ROBOTS, f"{url}: HTTP {status}; nothing fetched from {host.origin}"
            )
            return DISALLOW_ALL
        if status >= 400 or status < 200:
            return ALLOW_ALL
        robots = parse_robots(response.body.decode("utf-8", "replace"), self.network.user_agent)
        if robots.crawl_delay:
            delay = min(robots.crawl_delay, MAX_CRAWL_DELAY_S)
            pacer = TokenBucket.spacing(delay, sleep=self._sleep, clock=self._clock)
            self.fetcher.limits.pace(host_of(host.origin), pacer)
            if robots.crawl_delay > MAX_CRAWL_DELAY_S:
                self._problem(
                    ProblemKind.CRAWL_DELAY,
                    f"{url}: Crawl-delay {robots.crawl_delay:g} s "
                    f"capped at {MAX_CRAWL_DELAY_S:g} s",
                )
        if host.origin == origin_of(self._start):
            self._robots_sitemaps = robots.sitemaps
        return robots
