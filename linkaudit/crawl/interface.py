"""The crawl's values: what to crawl (`CrawlOptions`) and what came of it (`CrawlResult`).

A page that was not fetched is data (a `CrawledPage` with a `SkipReason`), never an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from linkaudit.crawl.traps import TrapLimits
from linkaudit.model import DocFormat, Hop, Problem

if TYPE_CHECKING:
    from linkaudit.inputs import Source

DEFAULT_MAX_PAGES = 1000
DEFAULT_DEPTH = 3
DEFAULT_MAX_SITEMAP_BYTES = 50 * 1024 * 1024
"""The sitemap protocol's own limit (50 MB uncompressed); also the cap on decompression."""
DEFAULT_MAX_SITEMAPS = 100
DEFAULT_MAX_URLS_PER_SITEMAP = 50_000
"""The sitemap protocol's own limit."""
DEFAULT_MAX_SITEMAP_NESTING = 3
"""Index -> index -> index -> sitemap. The protocol allows none; real sites use one or two."""
DEFAULT_MAX_FOUND = 100_000
"""Distinct site URLs remembered; more are counted as `frontier-full` and dropped."""
MAX_CRAWL_DELAY_S = 60.0
"""A longer Crawl-delay is capped (and reported): beyond it a crawl never ends."""


class PageState(StrEnum):
    """The state of a URL in the `crawl_pages` table."""

    QUEUED = "queued"
    """Found, not yet fetched (a resumed crawl continues from these)."""
    FETCHED = "fetched"
    """Fetched (or known unchanged) in this crawl."""
    SKIPPED = "skipped"
    """Not fetched, or fetched but not an article; `note` says why."""
    FAILED = "failed"
    """The fetch failed (HTTP error, network error); `note` says how."""
    STALE = "stale"
    """Known from an earlier crawl and not yet seen in this one (its validators are kept)."""


class SkipReason(StrEnum):
    """Why a page of the site was not handed over as an article."""

    ROBOTS = "robots"
    """robots.txt disallows it (or robots.txt could not be read: 5xx or no answer)."""
    EXCLUDED = "excluded"
    """It matches an `exclude` pattern: never fetched."""
    NOT_INCLUDED = "not-included"
    """It matches no `include` pattern: fetched only to follow its links."""
    BEFORE_SINCE = "before-since"
    """Its date (sitemap lastmod, feed date or its own) is before `since`."""
    DEPTH = "depth"
    """Further from the start page than `depth` links."""
    TRAP = "trap"
    """A crawler trap (calendar, endless query strings, repeated segments)."""
    DUPLICATE = "duplicate"
    """Its canonical URL or redirect target is a page already fetched."""
    NOT_HTML = "not-html"
    """Not an HTML page (PDF, image, feed)."""
    OFF_SITE = "off-site"
    """It redirects out of the site's scope."""
    FRONTIER_FULL = "frontier-full"
    """More distinct URLs were found than `max_found` allows."""


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    """What to crawl and how far. The politeness and HTTP options come from the network section."""

    start: str
    """The start URL (usually the site's home page); its registrable domain is the scope."""
    max_pages: int = DEFAULT_MAX_PAGES
    """Most HTML pages fetched in this run (sitemaps, feeds and robots.txt not counted). The
    rest stays queued in the store for `resume`."""
    depth: int = DEFAULT_DEPTH
    """Most links followed from the start page (sitemap and feed entries are depth 0)."""
    include: tuple[str, ...] = ()
    """Regular expressions (searched in the URL): only matching pages are articles. Others are
    still fetched to follow their links (unless `follow_links` is off)."""
    exclude: tuple[str, ...] = ()
    """Regular expressions: matching pages are never fetched."""
    since: dt.date | None = None
    """Only pages dated on or after this (sitemap lastmod, feed date, or the page's own latest
    published/modified date). Undated pages are kept."""
    sitemaps: tuple[str, ...] = ()
    """Extra sitemap URLs (robots.txt `Sitemap:` lines and `/sitemap.xml` are read anyway)."""
    feeds: tuple[str, ...] = ()
    """Extra RSS/Atom feed URLs (feeds advertised by the start page are read anyway)."""
    allow_domains: tuple[str, ...] = ()
    """Extra registrable domains in scope (`cdn-example.net`)."""
    resume: bool = False
    """Continue the crawl in the store: queued pages are fetched, finished ones are not."""
    max_sitemap_bytes: int = DEFAULT_MAX_SITEMAP_BYTES
    """Largest sitemap or feed read, before and after decompression."""
    max_sitemaps: int = DEFAULT_MAX_SITEMAPS
    """Most sitemap and feed files read."""
    max_urls_per_sitemap: int = DEFAULT_MAX_URLS_PER_SITEMAP
    """Most entries read from one sitemap or feed."""
    follow_links: bool = True
    """Follow links between pages (off: only the start page, sitemaps and feeds)."""
    max_sitemap_nesting: int = DEFAULT_MAX_SITEMAP_NESTING
    """Deepest chain of sitemap indexes followed."""
    max_found: int = DEFAULT_MAX_FOUND
    """Most distinct URLs of the site remembered in one crawl."""
    traps: TrapLimits = field(default_factory=TrapLimits)
    """Limits of the crawler-trap rules."""
    keep_bodies: bool = True
    """Keep each article's body in `CrawlResult.pages` (off: hand them over via `on_page`
    only, to bound memory on large sites)."""


@dataclass(frozen=True, slots=True)
class CrawledPage:
    """One page of the site and what the crawl did with it."""

    url: str
    """The page's identity: its canonical URL when it names one in scope, else the URL fetched."""
    state: PageState
    """FETCHED, SKIPPED or FAILED."""
    status: int | None = None
    """The HTTP status of the last hop, if a request was made."""
    reason: SkipReason | None = None
    """Why it is not an article (SKIPPED only)."""
    detail: str = ""
    """More about the reason or failure (`HTTP 404`, `timeout`, the trap rule)."""
    depth: int = 0
    """Links from the start page (0 for the start page, sitemap and feed entries)."""
    discovered_from: str | None = None
    """The page, sitemap or feed that listed it."""
    fetched_url: str | None = None
    """The URL whose body this is (after redirects), when fetched."""
    body: bytes | None = field(default=None, repr=False)
    """The HTML as fetched (None when not fetched, unchanged by 304/lastmod, or not kept)."""
    charset: str | None = None
    """The charset the server declared."""
    unchanged: bool = False
    """True when the page is known unchanged since the last crawl (304, same sitemap lastmod,
    or the same content hash)."""
    lastmod: dt.date | None = None
    """The sitemap lastmod or feed date, if listed."""
    date: dt.date | None = None
    """The latest date the page states about itself."""
    requested_url: str | None = None
    """The URL requested for it (before redirects), when fetched."""
    redirects: tuple[Hop, ...] = ()
    """The redirect hops from `requested_url` to `fetched_url`."""
    headers: tuple[tuple[str, str], ...] = ()
    """The response headers of `fetched_url`, with `body` the whole answer: a link to a page
    the crawl fetched is judged from this answer by the checker, not fetched again."""

    @property
    def is_article(self) -> bool:
        """Fetched, in scope, HTML, included: a page to extract and audit."""
        return self.state is PageState.FETCHED and self.reason is None

    @property
    def source(self) -> Source | None:
        """The page as a `linkaudit.inputs.Source` for `extract_document`, or None (no body)."""
        if self.body is None or not self.is_article:
            return None
        from linkaudit.inputs import Source  # lazily: discovery does not need extraction

        return Source(origin=self.url, data=self.body, format=DocFormat.HTML, url=self.fetched_url)


@dataclass(frozen=True, slots=True)
class CrawlResult:
    """What one crawl found, fetched, skipped and why."""

    site: str
    """The crawl's key in the store (the normalised start URL)."""
    pages: tuple[CrawledPage, ...]
    """Every page of the site settled in this run, in the order settled."""
    found: int
    """Distinct URLs of the site seen in this run (listed or linked)."""
    fetched: int
    """HTML pages requested in this run (redirect hops not counted twice)."""
    unchanged: int
    """Pages known unchanged since the last crawl."""
    skipped: Mapping[str, int]
    """Pages not handed over, by `SkipReason` value."""
    failed: int
    """Pages whose fetch failed."""
    queued_left: int
    """Pages still queued (max_pages reached): `resume=True` continues with them."""
    requests: int
    """Every HTTP request sent (robots, sitemaps, feeds, pages, redirect hops)."""
    sitemaps_read: int
    """Sitemap and feed files read."""
    problems: tuple[Problem, ...] = ()
    """What went wrong with robots.txt, sitemaps or feeds, one line each."""
    elapsed_s: float = 0.0
    """Wall time of the crawl."""

    @property
    def articles(self) -> tuple[CrawledPage, ...]:
        """The pages to extract and audit (fetched, HTML, included, not duplicates)."""
        return tuple(p for p in self.pages if p.is_article)
