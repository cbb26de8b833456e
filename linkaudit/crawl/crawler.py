"""The site crawler: robots.txt, sitemaps and feeds, then same-site links, breadth-first.

`crawl_site` finds a site's articles and hands each fetched HTML page over (`CrawledPage`); the
caller extracts and audits them. The order of discovery:

1. robots.txt of the start origin (its `Sitemap:` lines, its rules and Crawl-delay for our agent);
2. sitemaps: those given, those robots.txt lists, and `/sitemap.xml`; indexes are followed up to
   `max_sitemap_nesting` deep, each file read once (a sitemap listing itself, or a cycle, is read
   once and reported), at most `max_sitemaps` files, each capped in bytes (after gunzip too) and
   entries;
3. feeds: those given, and the RSS/Atom feeds the start page advertises;
4. links of fetched pages, breadth-first (lowest depth first) up to `depth`.

Every HTTP request goes through the run's network layer (`linkaudit.check.fetch.Fetcher`), which
follows redirects hop by hop and asks the crawler's veto before each one: a hop off the site,
disallowed by robots.txt, or onto a page that is fetched already (or being fetched) is refused.
Politeness is the layer's, shared with the checker: robots.txt is obeyed per origin, its
Crawl-delay paces the starts of requests to that host (a `TokenBucket`; the wait is computed
with the injected `clock` and taken with the injected `sleep`), at most `cfg.network.per_host`
requests (or the host's policy) are in flight per host, a 429 or 503 pauses the host (its
Retry-After), and transient failures are retried by the run's policy.

Each article is fetched once: URLs are normalised (`crawl_url`, `page_key`) before queueing, a
redirect target or `rel=canonical` URL is marked fetched when its page is read, and crawler traps
are refused (`linkaudit.crawl.traps`). With a store, the frontier lives in `crawl_pages`
(`linkaudit.crawl.ledger`): `resume=True` continues an interrupted crawl, and a fresh crawl sends
conditional requests (If-None-Match / If-Modified-Since) and skips pages whose sitemap lastmod is
unchanged, reporting them as `unchanged`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import hashlib
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import assert_never

from linkaudit.check.classify import REDIRECT_STATUSES
from linkaudit.check.fetch import Chain, Fetcher, Stop
from linkaudit.check.limits import TokenBucket, per_host_limit
from linkaudit.config import AuditConfig
from linkaudit.crawl.interface import (
    MAX_CRAWL_DELAY_S,
    CrawledPage,
    CrawlOptions,
    CrawlResult,
    PageState,
    SkipReason,
)
from linkaudit.crawl.ledger import Entry, KeptBody, Ledger
from linkaudit.crawl.page import decode_html, scan_html
from linkaudit.crawl.robots import ALLOW_ALL, DISALLOW_ALL, MAX_ROBOTS_BYTES, Robots, parse_robots
from linkaudit.crawl.sitemaps import (
    Listing,
    ListingKind,
    ListingTooLarge,
    decompress,
    parse_listing,
)
from linkaudit.crawl.traps import TrapGuard
from linkaudit.crawl.urlkey import crawl_url, netloc_of, origin_of, page_key
from linkaudit.errors import ConfigError
from linkaudit.http import FetchError, HttpClient, HttpResponse
from linkaudit.model import Hop, Problem
from linkaudit.report._text import plural
from linkaudit.store import Store
from linkaudit.urls import host_of, redact_url, registrable_domain

Sleep = Callable[[float], Awaitable[None]]
"""`asyncio.sleep` or a test's fake."""
Clock = Callable[[], float]
"""`time.monotonic` or a test's fake."""
OnPage = Callable[[CrawledPage], None]
"""Called with each page as soon as it is settled."""

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_ROBOTS_REDIRECTS = 5
"""RFC 9309 2.3.1.2: follow at least five redirects for robots.txt."""


class _Host:
    """One origin: its robots.txt (read once) and its request limit."""

    def __init__(self, origin: str, limit: int) -> None:
        self.origin = origin
        self.limit = limit
        self.robots: Robots | None = None
        self.robots_lock = asyncio.Lock()


@dataclass(frozen=True, slots=True)
class _Fetched:
    """The end of a redirect chain: a response, a refusal, or a failure."""

    url: str
    response: HttpResponse | None = None
    refused: SkipReason | None = None
    failure: str | None = None
    requests: int = 0
    hops: tuple[Hop, ...] = ()


class Crawler:
    """Crawls one site once. Build it, then `await crawler.run()`."""

    def __init__(
        self,
        client: HttpClient,
        cfg: AuditConfig,
        crawl: CrawlOptions,
        *,
        store: Store | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        today: dt.date | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        start = crawl_url(crawl.start)
        if start is None:
            raise ConfigError(f"{crawl.start!r}: the crawl needs an http(s) start URL")
        self.client = client
        """Sends the requests."""
        self.cfg = cfg
        """HTTP and politeness options."""
        self.crawl = crawl
        """What to crawl."""
        self.fetcher = fetcher or Fetcher(client, cfg, sleep=sleep, clock=clock)
        """The network layer (the run's, shared with the checker, when one is given)."""
        self._start = start
        self._start_key = page_key(start)
        self._domains = {registrable_domain(start)} | {
            registrable_domain(d.strip()) for d in crawl.allow_domains if d.strip()
        }
        self._include = _compile(crawl.include, "include")
        self._exclude = _compile(crawl.exclude, "exclude")
        self._sleep = sleep
        self._clock = clock
        self._ledger = Ledger(store, start)
        self._known: dict[str, Entry] = {}
        self._children: dict[str, list[str]] = {}
        self._queue: asyncio.PriorityQueue[tuple[int, int, str]] = asyncio.PriorityQueue()
        self._seq = 0
        self._hosts: dict[str, _Host] = {}
        self._guard = TrapGuard(crawl.traps, today or dt.date.today())
        self._listings_seen: set[str] = set()
        self._robots_sitemaps: tuple[str, ...] = ()
        self._pages: list[CrawledPage] = []
        self._problems: list[Problem] = []
        self._skipped: Counter[str] = Counter()
        self._on_page: OnPage | None = None
        self._found = 0
        self._fetched = 0
        self._unchanged = 0
        self._failed = 0
        self._requests = 0
        self._listings_read = 0
        self._reserved = 0
        self._stopped = False

    # -- the run -----------------------------------------------------------------------------

    async def run(self, on_page: OnPage | None = None) -> CrawlResult:
        """Crawl the site; `on_page` sees each page as it is settled. Cancel to interrupt: what
        was settled is in the store, and `resume=True` continues from there."""
        began = time.perf_counter()
        self._on_page = on_page
        self._load()
        try:
            start_host = self._host(self._start)
            await self._ensure_robots(start_host)
            # Queued first, so it is fetched first: it advertises the feeds.
            self._discover(self._start, depth=0, source=None, force=True)
            listings = [(u, True, False) for u in self.crawl.sitemaps]
            listings += [(u, True, False) for u in self._robots_sitemaps]
            listings.append((f"{origin_of(self._start)}/sitemap.xml", False, True))
            listings += [(u, True, False) for u in self.crawl.feeds]
            await self._read_listings(listings)
            self._ledger.flush()
            # Twice the start host's slots: some workers parse while others wait on the network.
            per_host = max(start_host.limit, 1)
            workers = [
                asyncio.create_task(self._worker())
                for _ in range(max(1, min(self.cfg.network.concurrency, per_host * 2)))
            ]
            try:
                await self._queue.join()
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        finally:
            self._ledger.flush()
        if self._ledger.error is not None:
            self._problem("store", f"the crawl frontier could not be saved: {self._ledger.error}")
        return CrawlResult(
            site=self._start,
            pages=tuple(self._pages),
            found=self._found,
            fetched=self._fetched,
            unchanged=self._unchanged,
            skipped=dict(sorted(self._skipped.items())),
            failed=self._failed,
            queued_left=sum(
                1 for e in self._known.values() if e.seen and e.state is PageState.QUEUED
            ),
            requests=self._requests,
            sitemaps_read=self._listings_read,
            problems=tuple(self._problems),
            elapsed_s=time.perf_counter() - began,
        )

    def _load(self) -> None:
        for url, entry in self._ledger.load(resume=self.crawl.resume).items():
            key = page_key(url)
            if key in self._known:
                continue
            self._known[key] = entry
            if entry.discovered_from:
                self._children.setdefault(entry.discovered_from, []).append(url)
            if entry.state is not PageState.STALE:
                entry.seen = True  # done (or queued) earlier in this resumed crawl
                self._found += 1
                if entry.state is PageState.QUEUED:
                    self._push(entry, key)

    async def _worker(self) -> None:
        while True:
            depth, _, key = await self._queue.get()
            try:
                entry = self._known[key]
                if (
                    entry.state is not PageState.QUEUED
                    or entry.busy
                    or depth != entry.depth
                    or self._stopped
                ):
                    continue
                if self._reserved >= self.crawl.max_pages:
                    self._stopped = True  # the rest stays queued for a resumed crawl
                    continue
                self._reserved += 1
                entry.busy = True
                try:
                    requested = await self._visit(entry, key)
                except (asyncio.CancelledError, KeyboardInterrupt):
                    raise
                except Exception as exc:  # a bug must not lose the crawl so far
                    requested = True
                    self._problem("crawl", f"{redact_url(entry.url)}: internal error {exc!r}")
                    self._settle(entry, PageState.FAILED, detail=f"internal error: {exc!r}")
                finally:
                    entry.busy = False
                if requested:
                    self._fetched += 1
                else:
                    self._reserved -= 1
            finally:
                try:
                    self._ledger.flush()
                finally:
                    self._queue.task_done()  # always, or `join()` waits forever

    # -- discovery ---------------------------------------------------------------------------

    def _in_scope(self, url: str) -> bool:
        return _site_of(netloc_of(url)) in self._domains

    def _push(self, entry: Entry, key: str) -> None:
        self._seq += 1
        self._queue.put_nowait((entry.depth, self._seq, key))

    def _discover(
        self,
        raw: str,
        *,
        depth: int,
        source: str | None,
        base: str | None = None,
        lastmod: dt.date | None = None,
        listed: bool = False,
        force: bool = False,
    ) -> None:
        url = crawl_url(raw, base)
        if url is None or not self._in_scope(url):
            return  # another site's page is a link to check, not a page of this site
        key = page_key(url)
        if key in self._listings_seen:
            return  # a sitemap or feed, not an article
        entry = self._known.get(key)
        if entry is not None and entry.seen:
            if entry.state is PageState.QUEUED and depth < entry.depth:
                entry.depth = depth
                self._ledger.touch(entry)
                self._push(entry, key)
            return
        if entry is None:
            if self._found >= self.crawl.max_found:
                self._skipped[SkipReason.FRONTIER_FULL.value] += 1
                return
            entry = Entry(url, PageState.QUEUED)
            self._known[key] = entry
        previous_lastmod = entry.lastmod
        was_article = entry.content_hash is not None and not entry.note
        entry.seen = True
        entry.depth = depth
        entry.discovered_from = source
        entry.lastmod = lastmod.isoformat() if lastmod else None
        self._found += 1
        reason, detail = self._refusal(url, key, depth, lastmod, listed=listed, force=force)
        if reason is not None:
            self._settle(entry, PageState.SKIPPED, reason=reason, detail=detail)
        elif lastmod is not None and was_article and previous_lastmod == entry.lastmod:
            # Listed with the lastmod it had when it was last fetched: not fetched again.
            self._settle(entry, PageState.FETCHED, unchanged=True, detail="same sitemap lastmod")
            self._replay_children(entry)
        else:
            entry.state = PageState.QUEUED  # its note (why it was skipped last time) is kept
            self._ledger.touch(entry)
            self._push(entry, key)

    def _refusal(
        self,
        url: str,
        key: str,
        depth: int,
        lastmod: dt.date | None,
        *,
        listed: bool,
        force: bool,
    ) -> tuple[SkipReason | None, str]:
        if force:
            return None, ""
        if any(p.search(url) for p in self._exclude):
            return SkipReason.EXCLUDED, "matches an exclude pattern"
        if depth > self.crawl.depth:
            return SkipReason.DEPTH, (
                f"{plural(depth, 'link')} from the start page (limit {self.crawl.depth})"
            )
        if self.crawl.since and lastmod and lastmod < self.crawl.since:
            return SkipReason.BEFORE_SINCE, f"listed as {lastmod.isoformat()}"
        if self._include and not any(p.search(url) for p in self._include) and (
            not self.crawl.follow_links or depth >= self.crawl.depth
        ):
            return SkipReason.NOT_INCLUDED, "matches no include pattern"
        host = self._hosts.get(origin_of(url))
        if host is not None and host.robots is not None and not host.robots.allowed(url):
            return SkipReason.ROBOTS, "disallowed by robots.txt"
        trap = self._guard.check(url, listed=listed)
        if trap:
            return SkipReason.TRAP, trap
        return None, ""

    def _replay_children(self, entry: Entry) -> None:
        # An unchanged page is not read again, so its links are taken from the last crawl.
        if self.crawl.follow_links:
            for child in self._children.get(entry.url, ()):
                self._discover(child, depth=entry.depth + 1, source=entry.url)

    def _claim(self, url: str, via: Entry) -> bool:
        """Mark `url` (a redirect target or canonical URL of `via`) as fetched: one page.

        False when it is fetched already or being fetched by another worker: then `via` is the
        duplicate."""
        key = page_key(url)
        entry = self._known.get(key)
        if entry is None:
            entry = Entry(url, PageState.FETCHED)
            self._known[key] = entry
        elif entry is not via and (
            (entry.seen and entry.state is not PageState.QUEUED)  # settled: fetched or skipped
            or (entry.busy and not entry.hop)  # another worker is fetching it
        ):
            return False
        if not entry.seen:
            entry.seen = True
            self._found += 1
        entry.state = PageState.FETCHED
        entry.busy = entry.hop = False
        entry.depth = via.depth
        entry.discovered_from = via.url
        entry.note = f"same page as {via.url}"
        self._ledger.touch(entry)
        return True

    # -- settling a page ---------------------------------------------------------------------

    def _settle(
        self,
        entry: Entry,
        state: PageState,
        *,
        reason: SkipReason | None = None,
        detail: str = "",
        status: int | None = None,
        url: str | None = None,
        fetched_url: str | None = None,
        body: bytes | None = None,
        charset: str | None = None,
        unchanged: bool = False,
        date: dt.date | None = None,
        redirects: tuple[Hop, ...] = (),
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        entry.state = state
        if state is PageState.FAILED:
            entry.note = detail or "failed"
            self._failed += 1
        elif reason is not None:
            entry.note = f"{reason.value}: {detail}" if detail else reason.value
            self._skipped[reason.value] += 1
        else:
            entry.note = None
        if unchanged:
            self._unchanged += 1
        if state is PageState.FETCHED and reason is None:
            # Unchanged is not checked: the audit reads the kept body and checks its links.
            if body is not None:
                kept_now = KeptBody(url or entry.url, fetched_url, charset, body)
                self._ledger.keep_body(entry, kept_now)
            elif unchanged and (kept := self._ledger.body_of(entry)) is not None:
                url, fetched_url, charset, body = (
                    kept.page_url, kept.fetched_url, kept.charset, kept.body
                )
        self._ledger.touch(entry)
        page = CrawledPage(
            url=url or entry.url,
            state=state,
            status=status,
            reason=reason,
            detail=detail,
            depth=entry.depth,
            discovered_from=entry.discovered_from,
            fetched_url=fetched_url,
            body=body,
            charset=charset,
            unchanged=unchanged,
            lastmod=dt.date.fromisoformat(entry.lastmod) if entry.lastmod else None,
            date=date,
            requested_url=entry.url if fetched_url else None,
            redirects=redirects,
            headers=headers if body is not None else (),
        )
        if self._on_page is not None:
            self._on_page(page)
        if body is not None and not self.crawl.keep_bodies:
            page = dataclasses.replace(page, body=None, headers=())
        self._pages.append(page)

    async def _visit(self, entry: Entry, key: str) -> bool:
        """Fetch and settle one queued page. True when a request was sent."""
        headers: dict[str, str] = {}
        if entry.content_hash:
            if entry.etag:
                headers["If-None-Match"] = entry.etag
            if entry.last_modified:
                headers["If-Modified-Since"] = entry.last_modified
        hops: list[Entry] = []
        try:
            got = await self._get(
                entry.url, headers=headers, max_body=self.cfg.network.max_body_bytes, hops=hops
            )
        except FetchError as exc:
            self._release(hops)
            self._settle(entry, PageState.FAILED, detail=f"{exc.kind}: {exc}")
            return True
        if got.response is None or got.response.status not in (200, 203):
            self._release(hops)
        last_status = got.response.status if got.response else None
        if got.refused is not None:
            self._settle(
                entry, PageState.SKIPPED, reason=got.refused, detail=got.failure or "",
                status=last_status,
            )  # fmt: skip
            return got.requests > 0
        response = got.response
        if got.failure is not None or response is None:
            self._settle(
                entry, PageState.FAILED, detail=got.failure or "no response", status=last_status
            )
            return True
        status = response.status
        if status == 304 and entry.content_hash:
            entry.fetched_at = time.time()
            # Unchanged: it is what it was last time (an article, or skipped for the same reason).
            previous = _reason_of(entry.note)
            self._settle(
                entry, PageState.FETCHED if previous is None else PageState.SKIPPED,
                reason=previous, status=status, unchanged=True,
                detail="304" if previous is None else (entry.note or "").partition(": ")[2],
            )  # fmt: skip
            self._replay_children(entry)
            return True
        if status not in (200, 203):
            self._settle(entry, PageState.FAILED, status=status, detail=f"HTTP {status}")
            return True
        final, final_key = got.url, page_key(got.url)
        claimed = final_key == key or self._claim(final, entry)
        for hop in hops:  # each queued page on the way redirects here: the same page
            self._claim(hop.url, entry)
        if not claimed:
            self._settle(
                entry, PageState.SKIPPED, reason=SkipReason.DUPLICATE, status=status,
                detail=f"redirects to {redact_url(final)}, {self._fate(final)}",
            )  # fmt: skip
            return True
        ctype = response.content_type
        if ctype not in _HTML_TYPES and not (ctype == "" and _looks_html(response.body)):
            self._settle(
                entry, PageState.SKIPPED, reason=SkipReason.NOT_HTML, status=status,
                detail=ctype or "no content type",
            )  # fmt: skip
            return True
        match = _CHARSET.search(response.header("content-type") or "")
        charset = match.group(1) if match else None
        scan = scan_html(decode_html(response.body, charset), final)
        page_url = final
        canonical = crawl_url(scan.canonical, scan.base) if scan.canonical else None
        if canonical and _is_root(canonical) and not _is_root(final):
            # NOTE: a template that names the home page as every page's canonical URL is a
            # common misconfiguration; trusting it would make every article a duplicate.
            canonical = None
        if canonical and self._in_scope(canonical) and page_key(canonical) not in (key, final_key):
            if not self._claim(canonical, entry):
                self._settle(
                    entry, PageState.SKIPPED, reason=SkipReason.DUPLICATE, status=status,
                    detail=f"its canonical {redact_url(canonical)} {self._fate(canonical)}",
                )  # fmt: skip
                return True
            page_url = canonical
        if self.crawl.follow_links and not scan.nofollow:
            for link in scan.links:
                self._discover(link, base=scan.base, depth=entry.depth + 1, source=entry.url)
        if key == self._start_key and scan.feeds:
            await self._read_listings([(f, False, False) for f in scan.feeds], base=scan.base)
        digest = hashlib.sha256(response.body).hexdigest()
        unchanged = digest == entry.content_hash
        entry.content_hash = digest
        entry.etag = response.header("etag")
        entry.last_modified = response.header("last-modified")
        entry.fetched_at = time.time()
        if response.truncated:
            self._problem("page", f"{redact_url(final)}: longer than the body cap; read in part")
        reason: SkipReason | None = None
        detail = ""
        if self.crawl.since and scan.date and scan.date < self.crawl.since:
            reason, detail = SkipReason.BEFORE_SINCE, f"dated {scan.date.isoformat()}"
        elif self._include and not any(p.search(page_url) for p in self._include):
            reason, detail = SkipReason.NOT_INCLUDED, "matches no include pattern"
        elif any(p.search(page_url) for p in self._exclude):
            reason, detail = SkipReason.EXCLUDED, "matches an exclude pattern"
        self._settle(
            entry,
            PageState.FETCHED if reason is None else PageState.SKIPPED,
            reason=reason,
            detail=detail,
            status=status,
            url=page_url,
            fetched_url=final,
            body=response.body if reason is None else None,
            charset=charset,
            unchanged=unchanged and reason is None,
            date=scan.date,
            redirects=got.hops,
            headers=response.headers,
        )
        return True

    def _fate(self, url: str) -> str:
        if any(p.search(url) for p in self._exclude):
            return "which matches an exclude pattern"
        entry = self._known.get(page_key(url))
        if entry is not None and entry.seen and entry.state is PageState.SKIPPED:
            return f"skipped ({entry.note})"
        if entry is not None and entry.seen and entry.state is PageState.FAILED:
            return f"failed ({entry.note})"
        return "fetched on its own"

    def _release(self, hops: list[Entry]) -> None:
        # The chain failed: the queued pages it passed through are fetched on their own.
        for hop in hops:
            hop.busy = hop.hop = False
            if hop.state is PageState.QUEUED:
                self._push(hop, page_key(hop.url))

    def _take_hop(self, url: str, hops: list[Entry]) -> SkipReason | None:
        """May a redirect go on to `url`? None if so (a queued page is taken over, so it is
        fetched once), else why not."""
        if any(p.search(url) for p in self._exclude):
            return SkipReason.EXCLUDED
        entry = self._known.get(page_key(url))
        if entry is None or not entry.seen:
            return None
        if entry.state is PageState.QUEUED:
            if entry.busy:
                return SkipReason.DUPLICATE  # another worker is fetching it right now
            entry.busy = entry.hop = True
            hops.append(entry)
            return None
        reason = _reason_of(entry.note) if entry.state is PageState.SKIPPED else None
        if reason is SkipReason.DEPTH:
            return None  # too deep by another route, not by this one
        return reason or SkipReason.DUPLICATE  # settled: skipped for that reason, or fetched

    # -- HTTP --------------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        origin = origin_of(url)
        host = self._hosts.get(origin)
        if host is None:
            limit = per_host_limit(self.cfg.network, host_of(url))  # `[::1]:8080` -> `::1`
            host = _Host(origin, limit)
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
    ) -> _Fetched:
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
                    return SkipReason.ROBOTS, f"{redact_url(target)} disallowed by robots.txt"
            return None

        limit = self.cfg.network.max_redirects if max_redirects is None else max_redirects
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
                return _Fetched(chain.final, response=response, requests=chain.requests,
                                hops=chain.hops)
            case Stop.VETOED:
                assert chain.vetoed is not None
                reason, failure = chain.vetoed
                return _Fetched(chain.final, response, refused=reason, failure=failure,
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
        return _Fetched(chain.final, response, failure=failure, requests=chain.requests)

    async def _ensure_robots(self, host: _Host) -> None:
        if host.robots is not None:
            return
        async with host.robots_lock:
            if host.robots is None:
                host.robots = await self._read_robots(host)

    async def _read_robots(self, host: _Host) -> Robots:
        url = f"{host.origin}/robots.txt"
        try:
            got = await self._get(
                url, headers=None, max_body=MAX_ROBOTS_BYTES, robots=False, scope=False,
                max_redirects=_ROBOTS_REDIRECTS,
            )  # fmt: skip
        except FetchError as exc:
            self._problem("robots", f"{url}: unreachable ({exc.kind}); nothing fetched from it")
            return DISALLOW_ALL
        response = got.response
        if response is None or response.status in REDIRECT_STATUSES:
            return ALLOW_ALL  # RFC 9309: too many redirects means "unavailable"
        status = response.status
        if status == 429 or status >= 500:
            self._problem("robots", f"{url}: HTTP {status}; nothing fetched from {host.origin}")
            return DISALLOW_ALL
        if status >= 400 or status < 200:
            return ALLOW_ALL
        robots = parse_robots(response.body.decode("utf-8", "replace"), self.cfg.network.user_agent)
        if robots.crawl_delay:
            delay = min(robots.crawl_delay, MAX_CRAWL_DELAY_S)
            pacer = TokenBucket.spacing(delay, sleep=self._sleep, clock=self._clock)
            self.fetcher.limits.pace(host_of(host.origin), pacer)
            if robots.crawl_delay > MAX_CRAWL_DELAY_S:
                self._problem(
                    "crawl-delay",
                    f"{url}: Crawl-delay {robots.crawl_delay:g} s "
                    f"capped at {MAX_CRAWL_DELAY_S:g} s",
                )
        if host.origin == origin_of(self._start):
            self._robots_sitemaps = robots.sitemaps
        return robots

    # -- sitemaps and feeds ------------------------------------------------------------------

    async def _read_listings(
        self, items: list[tuple[str, bool, bool]], *, base: str | None = None
    ) -> None:
        """Read sitemaps/feeds: (url, trusted, quiet when missing); indexes breadth-first.

        Trusted ones (given by the user or listed in robots.txt) may be on another site; all
        of them obey robots.txt."""
        pending: deque[tuple[str, int, bool, bool, str | None]] = deque(
            (u, 0, trusted, quiet, None) for u, trusted, quiet in items
        )
        while pending:
            raw, nesting, trusted, quiet, parent = pending.popleft()
            url = crawl_url(raw, base if parent is None else parent)
            if url is None:
                self._problem("sitemap", f"{raw[:200]!r}: not an http(s) sitemap or feed URL")
                continue
            key = page_key(url)
            if key in self._listings_seen:
                if parent is not None:
                    self._problem(
                        "sitemap", f"{redact_url(parent)} lists {redact_url(url)} again "
                        "(itself or a cycle); read once",
                    )  # fmt: skip
                continue
            if self._listings_read >= self.crawl.max_sitemaps:
                self._problem(
                    "sitemap", f"more than {self.crawl.max_sitemaps} sitemaps and feeds; "
                    f"{len(pending) + 1} not read",
                )  # fmt: skip
                return
            self._listings_seen.add(key)
            listing = await self._fetch_listing(url, trusted=trusted, quiet=quiet)
            if listing is None:
                continue
            if listing.kind is ListingKind.INDEX:
                if nesting + 1 > self.crawl.max_sitemap_nesting:
                    self._problem(
                        "sitemap", f"{redact_url(url)}: sitemap indexes nested deeper than "
                        f"{self.crawl.max_sitemap_nesting}; {len(listing.entries)} not read",
                    )  # fmt: skip
                    continue
                pending.extend((e.url, nesting + 1, False, False, url) for e in listing.entries)
                continue
            for item in listing.entries:
                self._discover(
                    item.url, base=url, depth=0, source=url, lastmod=item.lastmod, listed=True
                )
            self._ledger.flush()

    async def _fetch_listing(self, url: str, *, trusted: bool, quiet: bool) -> Listing | None:
        cap = self.crawl.max_sitemap_bytes
        try:
            got = await self._get(
                url, headers=None, max_body=cap, scope=not trusted
            )
        except FetchError as exc:
            self._problem("sitemap", f"{redact_url(url)}: {exc.kind} ({exc})")
            return None
        response = got.response
        if got.refused is not None or got.failure is not None or response is None:
            if not quiet or got.refused is not SkipReason.ROBOTS:
                self._problem("sitemap", f"{redact_url(url)}: {got.failure or 'not read'}")
            return None
        if response.status != 200:
            if not (quiet and response.status in (404, 410)):
                self._problem("sitemap", f"{redact_url(url)}: HTTP {response.status}")
            return None
        self._listings_read += 1
        if response.truncated and not response.body:
            self._problem(
                "sitemap", f"{redact_url(url)}: the HTTP client did not read its body "
                f"({response.content_type or 'no content type'}); not read",
            )  # fmt: skip
            return None
        if response.truncated:
            self._problem("sitemap", f"{redact_url(url)}: larger than {cap} bytes; read in part")
        try:
            data = decompress(response.body, cap)
        except ListingTooLarge as exc:
            self._problem("sitemap", f"{redact_url(url)}: {exc}; not read")
            return None
        listing = parse_listing(data, max_urls=self.crawl.max_urls_per_sitemap)
        if listing.kind is ListingKind.UNKNOWN:
            if not quiet:
                self._problem("sitemap", f"{redact_url(url)}: not a sitemap or feed "
                              f"({listing.error or 'unknown format'})")
            return None
        if listing.error:
            self._problem("sitemap", f"{redact_url(url)}: {listing.error}; kept what was read")
        if listing.truncated:
            self._problem(
                "sitemap", f"{redact_url(url)}: lists more than "
                f"{self.crawl.max_urls_per_sitemap} URLs; the rest were not read",
            )  # fmt: skip
        return listing

    def _problem(self, kind: str, message: str) -> None:
        self._problems.append(Problem(kind, message, origin=self._start))


def _compile(patterns: tuple[str, ...], name: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(f"crawl {name} pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)


def _reason_of(note: str | None) -> SkipReason | None:
    # A stored note is `reason: detail` for a skipped page (see `_settle`).
    try:
        return SkipReason((note or "").partition(":")[0])
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _site_of(netloc: str) -> str:
    # The registrable domain of a `crawl_url` netloc, cached: every link of every page asks.
    return registrable_domain(f"http://{netloc}/")


def _is_root(url: str) -> bool:
    return url.split("/", 3)[3:] in ([], [""])


def _looks_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


async def crawl_site(
    client: HttpClient,
    cfg: AuditConfig,
    options: CrawlOptions,
    *,
    store: Store | None = None,
    on_page: OnPage | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    fetcher: Fetcher | None = None,
) -> CrawlResult:
    """Crawl the site of `options.start` and return its pages (see `Crawler`); through the
    run's `fetcher` when one is given."""
    crawler = Crawler(client, cfg, options, store=store, sleep=sleep, clock=clock,
                      fetcher=fetcher)
    return await crawler.run(on_page)
