"""The link checker: every distinct URL once, politely, with every redirect hop recorded.

For one URL: filters (`--include`/`--exclude`), then the cache, then GET through the run's
`Fetcher` (`linkaudit.check.fetch`: retries of transient failures, the global and per-host limits,
redirects followed one hop at a time, each re-checked by the guard in the transport, at most
`max_redirects`, loops detected), a HEAD fallback when the server answers 405/501 to GET, then the
class (`linkaudit.check.classify`) and, for a live HTML page, its title, dates and excerpt
(`linkaudit.check.page`). The whole URL runs under `url_deadline_s`.

Configured headers (`network.headers`, host policy headers, the GitHub token) go only to
the host the URL names: once a redirect leaves that host, none is sent again, even if the chain
comes back (the fetcher's `host_headers`). The GitHub token goes only to GitHub's own hosts,
and only over HTTPS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email.utils
import functools
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Collection, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, assert_never
from urllib.parse import urlsplit

from linkaudit.check.cache import cache_ttl, cached_check, check_to_dict
from linkaudit.check.cache import check_from_dict as check_from_dict  # (the old home)
from linkaudit.check.classify import SHORT_PAGE_CHARS, classify_error, classify_response
from linkaudit.check.fetch import Chain, Fetcher, Stop
from linkaudit.check.limits import HostLimits, Sleep
from linkaudit.check.page import decode_body, is_html, read_body
from linkaudit.config import NetworkConfig, RulesConfig, StoreConfig
from linkaudit.errors import ConfigError, StoreError
from linkaudit.http import HttpClient, HttpResponse
from linkaudit.local.anchors import html_anchors
from linkaudit.model import DatedFact, DateOrigin, Hop, LinkCheck, LinkStatus, PageRead
from linkaudit.pagedates import date_from_url
from linkaudit.store import Store
from linkaudit.urls import host_of, invalid_url_reason, normalize_url
from linkaudit.workers import CpuPool

GITHUB_HOSTS = frozenset({"github.com", "api.github.com", "raw.githubusercontent.com"})
_CACHE_BATCH = 256
"""Checks written to the store's cache at once."""


def filter_reason(
    url: str, include: Sequence[re.Pattern[str]], exclude: Sequence[re.Pattern[str]]
) -> str | None:
    """Why `--include`/`--exclude` leave `url` out, or None when it is checked."""
    if include and not any(p.search(url) for p in include):
        return "not matched by --include"
    for pattern in exclude:
        if pattern.search(url):
            return f"excluded by --exclude {pattern.pattern!r}"
    return None


def _github_host(host: str) -> bool:
    return host in GITHUB_HOSTS or host.endswith(".github.com")


@dataclass(frozen=True, slots=True)
class KnownAnswer:
    """The final answer for a URL that the run fetched already (a page the crawl read): a link
    to it is judged from this answer instead of being fetched again."""

    response: HttpResponse
    """The final response, body included."""
    hops: tuple[Hop, ...] = ()
    """The redirects that led to it."""
    attempts: int = 1
    """Tries of the first request."""


class Checker:
    """Checks URLs and returns `LinkCheck` values; a broken link is a value, never an exception.

    It reads the run's `network` section (filters, limits, deadline, headers, accepted
    statuses), the `rules` section's `excerpt_chars` (the page text kept for a source) and,
    when a `store` is given, the `store_config` section (`cache` and the TTLs); a section not
    given has its defaults.
    """

    def __init__(
        self,
        network: NetworkConfig,
        client: HttpClient,
        *,
        rules: RulesConfig | None = None,
        store: Store | None = None,
        store_config: StoreConfig | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        fetcher: Fetcher | None = None,
        pool: CpuPool | None = None,
        anchors_for: Collection[str] = frozenset(),
        hop_veto: Callable[[str], str | None] | None = None,
    ) -> None:
        self._network = network
        self._hop_veto = hop_veto
        """Asked before each redirect hop: a reason stops the chain there, and the link is
        `skipped` with that reason (a shard's checker leaves hosts it does not own alone)."""
        self._excerpt_chars = (rules or RulesConfig()).excerpt_chars
        self._store_config = store_config or StoreConfig()
        self._anchors_for = frozenset(anchors_for)  # normalised URLs whose ids are wanted
        self._store = store
        self._clock = clock
        self._pool = pool or CpuPool(0)
        self.fetcher = fetcher or Fetcher(client, network, sleep=sleep, clock=clock)
        """The network layer (shared with the rest of the run when one is given)."""
        self.store_error: str | None = None
        """Why the cache could not be written, if it could not (the checks are still returned)."""
        try:
            self._include = [re.compile(p) for p in network.include]
            self._exclude = [re.compile(p) for p in network.exclude]
        except re.error as exc:
            raise ConfigError(f"--include/--exclude: bad regular expression: {exc}") from exc

    @property
    def limits(self) -> HostLimits:
        """The concurrency limits (exposed for progress displays and tests)."""
        return self.fetcher.limits

    # -- public ---------------------------------------------------------------------------------

    async def check_all(
        self,
        urls: Iterable[str],
        on_result: Callable[[LinkCheck], None] | None = None,
        *,
        known: Mapping[str, KnownAnswer] | None = None,
        known_key: Callable[[str], str] | None = None,
        sources: Collection[str] | None = None,
        collect: bool = True,
    ) -> dict[str, LinkCheck]:
        """Check every distinct URL once (concurrently within the limits), keyed by URL as given.

        Fresh results are written to the store's cache in batches; cached ones are reused when
        `store_config.cache` is on. `on_result` is called as each result arrives (progress
        display). A URL whose `known_key` is in `known` is judged from that answer, without a
        request.
        `sources` are the URLs cited as sources (as given, or normalised): their pages are read
        whole (`PageRead.SOURCE`),
        the others only as far as their verdict needs (`PageRead.LINK`); None reads every page
        as a source. `on_result` sees every URL as given (each spelling of one page); with
        `collect=False` the results are handed to it alone and the returned dict stays empty
        (the caller keeps what it needs, for as long as it needs it).
        """
        groups: dict[str, list[str]] = {}
        for u in urls:
            spellings = groups.setdefault(normalize_url(u), [])
            if u not in spellings:
                spellings.append(u)
        link_only = (
            set() if sources is None
            else {k for k, spellings in groups.items()
                  if k not in sources and not any(u in sources for u in spellings)}
        )  # fmt: skip
        results: dict[str, LinkCheck] = {}
        pending_cache: list[tuple[str, dict[str, Any], float]] = []
        caching = self._store is not None and self._store_config.cache

        def done(key: str, spellings: list[str], check: LinkCheck) -> None:
            ttl = cache_ttl(check, self._store_config) if caching else None
            if ttl is not None:
                pending_cache.append((key, check_to_dict(check), ttl))
                if len(pending_cache) >= _CACHE_BATCH:
                    self._write_cache(pending_cache)
            for n, spelling in enumerate(spellings):
                each = check if n == 0 else _replace(check, url=spelling)
                if collect:
                    results[spelling] = each
                if on_result is not None:
                    on_result(each)

        async def one(key: str) -> None:
            spellings = groups[key]
            url = spellings[0]
            read = PageRead.LINK if key in link_only else PageRead.SOURCE
            answer = known.get(known_key(url) if known_key else url) if known else None
            if answer is not None and self._filtered(url) is None:
                check = await self._finish(
                    url, answer.response, list(answer.hops), answer.attempts, read
                )
                done(key, spellings, _replace(check, checked_at=_now()))
            else:
                done(key, spellings, await self.check(url, read=read))

        try:
            await self._schedule(list(groups), one)
        finally:
            self._write_cache(pending_cache)
        return results

    def _write_cache(self, pending: list[tuple[str, dict[str, Any], float]]) -> None:
        """Write `pending` to the store's cache and empty it (a batch: memory stays flat)."""
        if self._store is None or not pending or self.store_error is not None:
            pending.clear()
            return
        try:
            self._store.put_checks(pending)
        except StoreError as exc:
            # A full disk or a read-only store costs the cache, not the run's results (the
            # history write that follows reports the store in the run's problems).
            self.store_error = str(exc)
            logging.getLogger(__name__).warning("%s", exc)
        pending.clear()

    async def _schedule(
        self, keys: list[str], one: Callable[[str], Coroutine[Any, Any, None]]
    ) -> None:
        """Run `one(key)` for every key, host-aware: round-robin over hosts, bounded in flight.

        At most `4 * concurrency` URLs are in progress at once, and at most twice a host's limit
        for one host, so memory stays flat for any corpus size, a URL's redirect hops and
        retries never queue behind hundreds of fresh URLs of its own host (which would eat its
        deadline), and a corpus dominated by one host does not starve the others.
        """
        pending: dict[str, deque[str]] = {}
        for key in keys:
            pending.setdefault(host_of(key), deque()).append(key)
        window = max(16, 4 * self._network.concurrency)
        caps = {h: 2 * self.limits.limit_for(h) for h in pending}
        active = dict.fromkeys(pending, 0)
        ready: deque[str] = deque(pending)
        running: set[asyncio.Task[None]] = set()
        wake = asyncio.Event()
        failure: list[BaseException] = []

        def finished(task: asyncio.Task[None], host: str) -> None:
            running.discard(task)
            active[host] -= 1
            if pending[host] and active[host] == caps[host] - 1:
                ready.append(host)  # it was at its cap: eligible again
            if not task.cancelled() and task.exception() is not None:
                failure.append(task.exception())  # type: ignore[arg-type]
            wake.set()

        try:
            while ready or running:
                while ready and len(running) < window and not failure:
                    host = ready.popleft()
                    task = asyncio.create_task(one(pending[host].popleft()))
                    running.add(task)
                    active[host] += 1
                    task.add_done_callback(functools.partial(finished, host=host))
                    if pending[host] and active[host] < caps[host]:
                        ready.append(host)
                if failure:
                    raise failure[0]
                if not running:
                    break
                wake.clear()
                await wake.wait()
        finally:
            for task in list(running):
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    async def check(self, url: str, *, read: PageRead = PageRead.SOURCE) -> LinkCheck:
        """Check one URL (filters, cache, network) within the per-URL deadline, reading its
        page as `read` says."""
        started = self._clock()
        reason = self._filtered(url)
        if reason is not None:
            return LinkCheck(url=url, status=LinkStatus.SKIPPED, error=reason, checked_at=_now())
        if self._store is not None and self._store_config.cache:
            hit = cached_check(self._store, normalize_url(url), url,
                               wants_anchors=self._wants_anchors(url),
                               wants_source=read is PageRead.SOURCE)
            if hit is not None:
                return hit
        try:
            async with asyncio.timeout(self._network.url_deadline_s):
                result = await self._check(url, read)
        except TimeoutError:
            result = LinkCheck(
                url=url,
                status=LinkStatus.TIMEOUT,
                error=f"timeout: no result within the {self._network.url_deadline_s:g} s URL "
                "deadline",
            )
        elapsed = int((self._clock() - started) * 1000)
        return _replace(result, elapsed_ms=elapsed, checked_at=_now())

    # -- internals ------------------------------------------------------------------------------

    def _wants_anchors(self, url: str) -> bool:
        return bool(self._anchors_for) and normalize_url(url) in self._anchors_for

    def _filtered(self, url: str) -> str | None:
        return filter_reason(url, self._include, self._exclude)

    def _headers_for(self, url: str) -> dict[str, str]:
        """The configured headers for `url`'s host (the fetcher sends them only while a chain
        stays on the host it started on)."""
        host = host_of(url)
        headers = dict(self._network.headers)
        policy = self._network.host_policy(host)
        if policy is not None:
            headers.update(policy.headers)
        token = self._network.github_token
        if token and _github_host(host) and url.lower().startswith("https:"):
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def _check(self, url: str, read: PageRead) -> LinkCheck:
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError as exc:  # `http://[::1` and the like: a value, never a crash
            return LinkCheck(url=url, status=LinkStatus.INVALID, error=f"unparsable URL: {exc}")
        # The rule's own test, so no request is sent for a URL `invalid-url` flags offline.
        reason = invalid_url_reason(url)
        if reason is not None:
            return LinkCheck(url=url, status=LinkStatus.INVALID, error=reason)
        if scheme not in ("http", "https"):
            return LinkCheck(url=url, status=LinkStatus.INVALID,
                             error=f"not an http(s) URL: {url[:200]}")
        if not host_of(url):
            return LinkCheck(url=url, status=LinkStatus.INVALID, error="no host in URL")
        veto = None
        if self._hop_veto is not None:
            hop_veto = self._hop_veto

            async def veto(target: str, hop: int) -> str | None:
                return hop_veto(target) if hop else None

        chain: Chain[str] = await self.fetcher.follow(
            url, host_headers=self._headers_for, head_fallback=True, veto=veto
        )
        hops = list(chain.hops)
        if chain.error is not None:
            status, reason = classify_error(chain.error)
            if hops and status is LinkStatus.SKIPPED:
                reason = f"redirect to {chain.final} refused: {reason}"
            return LinkCheck(
                url=url, status=status, redirects=chain.hops,
                final_url=chain.final if hops else None, error=reason, attempts=chain.attempts,
            )
        response = chain.response
        assert response is not None
        match chain.stop:
            case None:
                return await self._finish(url, response, hops, chain.attempts, read)
            case Stop.UNPARSABLE:
                status = LinkStatus.INVALID
                reason = f"redirect to an unparsable URL: {chain.location[:200]!r}"
            case Stop.NOT_HTTP:
                status = LinkStatus.INVALID
                reason = f"redirect to a non-http URL: {chain.final[:200]}"
            case Stop.LOOP:
                status = LinkStatus.NETWORK_ERROR
                reason = f"redirect loop at {chain.final[:200]}"
            case Stop.TOO_MANY:
                status = LinkStatus.NETWORK_ERROR
                reason = f"more than {self._network.max_redirects} redirects"
            case Stop.VETOED:  # by `hop_veto` (the guard sits in the transport)
                return LinkCheck(url=url, status=LinkStatus.SKIPPED, redirects=chain.hops,
                                 final_url=chain.final, error=chain.vetoed,
                                 attempts=chain.attempts)
            case _ as unreachable:
                assert_never(unreachable)
        return self._stop(url, hops, response, chain.attempts, status, reason)

    def _stop(
        self, url: str, hops: list[Hop], response: HttpResponse, attempts: int,
        status: LinkStatus, reason: str,
    ) -> LinkCheck:
        return LinkCheck(url=url, status=status, http_status=response.status,
                         redirects=tuple(hops), final_url=hops[-1].location, error=reason,
                         attempts=attempts)

    async def _finish(
        self, url: str, response: HttpResponse, hops: list[Hop], attempts: int,
        read: PageRead = PageRead.SOURCE,
    ) -> LinkCheck:
        """The class of the final answer and what its page says, read as far as `read` needs:
        a hyperlink's page no further than the soft-404 test looks, and htmldate's search only
        for a source whose URL carries no date (`linkaudit.sourcedates` puts a URL date
        first: a date found in the page would never be used). The page is read in a worker
        process when the run has them (`linkaudit.workers`)."""
        final_url = hops[-1].location if hops else None
        policy = self._network.host_policy(host_of(final_url or url))
        accept = (policy.accept if policy is not None else frozenset()) | self._network.accept
        ctype = response.content_type
        title = None
        published = modified = None
        excerpt = None
        headings: tuple[str, ...] = ()
        text = ""
        anchors = None
        source = read is PageRead.SOURCE
        chars = self._excerpt_chars if source else SHORT_PAGE_CHARS
        if is_html(ctype) and response.body and 200 <= response.status < 300:
            dated = date_from_url(url) or (final_url is not None and date_from_url(final_url))
            facts = await self._pool.run(
                read_body, response.body, response.header("content-type") or "",
                excerpt_chars=chars, use_htmldate=source and not dated,
            )  # fmt: skip
            title, headings, text = facts.title, facts.headings, facts.excerpt
            published, modified = facts.published, facts.modified
            excerpt = facts.excerpt or None
            if not response.truncated and self._wants_anchors(url):  # --check-fragments all
                ctype_header = response.header("content-type") or ""
                anchors = frozenset(html_anchors(decode_body(response.body, ctype_header)))
        elif ctype.startswith("text/plain") and response.body and 200 <= response.status < 300:
            text = decode_body(response.body, response.header("content-type") or "")[:chars]
            excerpt = text or None
        if not source:
            excerpt = None  # no rule reads a hyperlink's text
        status, reason = classify_response(url, response, hops, accept=accept, title=title,
                                           headings=headings, text=text)
        if not status.is_ok:
            excerpt = None  # an error page's text is no evidence for a claim
        last_modified = response.header("last-modified")
        if modified is None and last_modified and status.is_ok:
            try:
                day = email.utils.parsedate_to_datetime(last_modified).date()
                modified = DatedFact(day, DateOrigin.HTTP_HEADER, detail="Last-Modified")
            except (TypeError, ValueError, IndexError):
                pass
        return LinkCheck(
            url=url, status=status, http_status=response.status, redirects=tuple(hops),
            final_url=final_url, content_type=ctype or None, title=title,
            published=published if status.is_ok else None,
            modified=modified if status.is_ok else None, excerpt=excerpt, error=reason,
            attempts=attempts, anchors=anchors, read=read,
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _replace(check: LinkCheck, **changes: Any) -> LinkCheck:
    return dataclasses.replace(check, **changes)
