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
with the injected `clock` and taken with the injected `sleep`), at most the network section's
`per_host` requests (or the host's policy) are in flight per host, a 429 or 503 pauses the host (its
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
import datetime as dt
import hashlib
import re
import time

from linkaudit.check.fetch import Fetcher
from linkaudit.check.limits import Clock, Sleep
from linkaudit.config import NetworkConfig
from linkaudit.crawl.frontier import OnPage, reason_of
from linkaudit.crawl.interface import CrawlOptions, CrawlResult, PageState, SkipReason
from linkaudit.crawl.ledger import Entry
from linkaudit.crawl.listings import ListingCrawler
from linkaudit.crawl.page import decode_html, scan_html
from linkaudit.crawl.urlkey import crawl_url, origin_of, page_key
from linkaudit.http import FetchError, HttpClient
from linkaudit.model import ProblemKind
from linkaudit.store import Store
from linkaudit.urls import redact_url

__all__ = ["Clock", "Crawler", "OnPage", "Sleep", "crawl_site"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


class Crawler(ListingCrawler):
    """Crawls one site once. Build it, then `await crawler.run()`.

    The layers: `Frontier` (the pages), `FetchingCrawler` (the requests and robots.txt),
    `ListingCrawler` (sitemaps and feeds); this class runs the workers that visit the pages."""

    def __init__(
        self,
        client: HttpClient,
        network: NetworkConfig,
        crawl: CrawlOptions,
        *,
        store: Store | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        today: dt.date | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        super().__init__(crawl, store=store, today=today)
        self.client = client
        """Sends the requests."""
        self.network = network
        """HTTP and politeness options (the run's network section)."""
        self.fetcher = fetcher or Fetcher(client, network, sleep=sleep, clock=clock)
        """The network layer (the run's, shared with the checker, when one is given)."""
        self._sleep = sleep
        self._clock = clock

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
                for _ in range(max(1, min(self.network.concurrency, per_host * 2)))
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
            self._problem(
                ProblemKind.STORE, f"the crawl frontier could not be saved: {self._ledger.error}"
            )
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
                    self._problem(
                        ProblemKind.CRAWL, f"{redact_url(entry.url)}: internal error {exc!r}"
                    )
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
                entry.url, headers=headers, max_body=self.network.max_body_bytes, hops=hops
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
            previous = reason_of(entry.note)
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
            self._problem(
                ProblemKind.PAGE, f"{redact_url(final)}: longer than the body cap; read in part"
            )
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


def _is_root(url: str) -> bool:
    return url.split("/", 3)[3:] in ([], [""])


def _looks_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


async def crawl_site(
    client: HttpClient,
    network: NetworkConfig,
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
    crawler = Crawler(client, network, options, store=store, sleep=sleep, clock=clock,
                      fetcher=fetcher)
    return await crawler.run(on_page)
