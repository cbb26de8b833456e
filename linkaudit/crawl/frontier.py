"""The crawl's frontier: the pages found, queued and settled, and the rules that refuse one.

`Frontier` holds a crawl's memory of the site (each URL once, by `page_key`), its priority queue
(lowest depth first), the refusals (scope, include/exclude, depth, since, robots.txt, traps) and
the settling of a page into a `CrawledPage`; the store keeps it through the `Ledger`. It sends no
request: `linkaudit.crawl.fetching` and `linkaudit.crawl.crawler` build on it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable

from linkaudit.crawl.interface import CrawledPage, CrawlOptions, PageState, SkipReason
from linkaudit.crawl.ledger import Entry, KeptBody, Ledger
from linkaudit.crawl.robots import Robots
from linkaudit.crawl.traps import TrapGuard
from linkaudit.crawl.urlkey import crawl_url, netloc_of, origin_of, page_key
from linkaudit.errors import ConfigError
from linkaudit.model import Hop, Problem, ProblemKind
from linkaudit.report._text import plural
from linkaudit.store import Store
from linkaudit.urls import registrable_domain

OnPage = Callable[[CrawledPage], None]
"""Called with each page as soon as it is settled."""


class Host:
    """One origin: its robots.txt (read once) and its request limit."""

    def __init__(self, origin: str, limit: int) -> None:
        self.origin = origin
        self.limit = limit
        self.robots: Robots | None = None
        self.robots_lock = asyncio.Lock()
        self.refused: str | None = None
        """Why nothing is fetched from this origin when its robots.txt could not be read (a
        refused private address, no answer, a 5xx): said instead of "disallowed by robots.txt",
        which only a robots.txt that was read can say."""


class Frontier:
    """A crawl's pages: found, queued, refused and settled (no request is sent here)."""

    def __init__(
        self, crawl: CrawlOptions, *, store: Store | None, today: dt.date | None
    ) -> None:
        start = crawl_url(crawl.start)
        if start is None:
            raise ConfigError(f"{crawl.start!r}: the crawl needs an http(s) start URL")
        self.crawl = crawl
        """What to crawl."""
        self._start = start
        self._start_key = page_key(start)
        self._domains = {registrable_domain(start)} | {
            registrable_domain(d.strip()) for d in crawl.allow_domains if d.strip()
        }
        self._include = _compile(crawl.include, "include")
        self._exclude = _compile(crawl.exclude, "exclude")
        self._ledger = Ledger(store, start)
        self._known: dict[str, Entry] = {}
        self._children: dict[str, list[str]] = {}
        self._queue: asyncio.PriorityQueue[tuple[int, int, str]] = asyncio.PriorityQueue()
        self._seq = 0
        self._hosts: dict[str, Host] = {}
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
            return SkipReason.ROBOTS, host.refused or "disallowed by robots.txt"
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
        reason = reason_of(entry.note) if entry.state is PageState.SKIPPED else None
        if reason is SkipReason.DEPTH:
            return None  # too deep by another route, not by this one
        return reason or SkipReason.DUPLICATE  # settled: skipped for that reason, or fetched

    def _problem(self, kind: ProblemKind, message: str) -> None:
        self._problems.append(Problem(kind, message, origin=self._start))


def _compile(patterns: tuple[str, ...], name: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(f"crawl {name} pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)


def reason_of(note: str | None) -> SkipReason | None:
    """The `SkipReason` of a stored note (`reason: detail` for a skipped page; see `_settle`)."""
    try:
        return SkipReason((note or "").partition(":")[0])
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _site_of(netloc: str) -> str:
    # The registrable domain of a `crawl_url` netloc, cached: every link of every page asks.
    return registrable_domain(f"http://{netloc}/")
