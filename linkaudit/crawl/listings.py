"""The crawl's sitemaps and feeds: read once each, indexes followed breadth-first, capped.

Each listing is fetched through `FetchingCrawler._get` (robots.txt obeyed; a trusted one, given
by the user or listed in robots.txt, may be on another site), gunzipped within its byte cap,
parsed by `linkaudit.crawl.sitemaps`, and its entries handed to the frontier as depth-0 pages.
"""

from __future__ import annotations

from collections import deque

from linkaudit.crawl.fetching import FetchingCrawler
from linkaudit.crawl.interface import SkipReason
from linkaudit.crawl.sitemaps import (
    Listing,
    ListingKind,
    ListingTooLarge,
    decompress,
    parse_listing,
)
from linkaudit.crawl.urlkey import crawl_url, page_key
from linkaudit.http import FetchError
from linkaudit.model import ProblemKind
from linkaudit.urls import redact_url


class ListingCrawler(FetchingCrawler):
    """The `FetchingCrawler` that reads sitemaps and feeds into its frontier."""

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
                self._problem(
                    ProblemKind.SITEMAP, f"{raw[:200]!r}: not an http(s) sitemap or feed URL"
                )
                continue
            key = page_key(url)
            if key in self._listings_seen:
                if parent is not None:
                    self._problem(
                        ProblemKind.SITEMAP, f"{redact_url(parent)} lists {redact_url(url)} again "
                        "(itself or a cycle); read once",
                    )  # fmt: skip
                continue
            if self._listings_read >= self.crawl.max_sitemaps:
                self._problem(
                    ProblemKind.SITEMAP, f"more than {self.crawl.max_sitemaps} sitemaps and feeds; "
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
                        ProblemKind.SITEMAP,
                        f"{redact_url(url)}: sitemap indexes nested deeper than "
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
            self._problem(ProblemKind.SITEMAP, f"{redact_url(url)}: {exc.kind} ({exc})")
            return None
        response = got.response
        if got.refused is not None or got.failure is not None or response is None:
            if not quiet or got.refused is not SkipReason.ROBOTS:
                self._problem(
                    ProblemKind.SITEMAP, f"{redact_url(url)}: {got.failure or 'not read'}"
                )
            return None
        if response.status != 200:
            if not (quiet and response.status in (404, 410)):
                self._problem(ProblemKind.SITEMAP, f"{redact_url(url)}: HTTP {response.status}")
            return None
        self._listings_read += 1
        if response.truncated and not response.body:
            self._problem(
                ProblemKind.SITEMAP, f"{redact_url(url)}: the HTTP client did not read its body "
                f"({response.content_type or 'no content type'}); not read",
            )  # fmt: skip
            return None
        if response.truncated:
            self._problem(
                ProblemKind.SITEMAP, f"{redact_url(url)}: larger than {cap} bytes; read in part"
            )
        try:
            data = decompress(response.body, cap)
        except ListingTooLarge as exc:
            self._problem(ProblemKind.SITEMAP, f"{redact_url(url)}: {exc}; not read")
            return None
        listing = parse_listing(data, max_urls=self.crawl.max_urls_per_sitemap)
        if listing.kind is ListingKind.UNKNOWN:
            if not quiet:
                self._problem(ProblemKind.SITEMAP, f"{redact_url(url)}: not a sitemap or feed "
                              f"({listing.error or 'unknown format'})")
            return None
        if listing.error:
            self._problem(
                ProblemKind.SITEMAP, f"{redact_url(url)}: {listing.error}; kept what was read"
            )
        if listing.truncated:
            self._problem(
                ProblemKind.SITEMAP, f"{redact_url(url)}: lists more than "
                f"{self.crawl.max_urls_per_sitemap} URLs; the rest were not read",
            )  # fmt: skip
        return listing
