"""The crawl's memory in the store: the `crawl_pages` rows of one site.

Each URL of the site has one row (`site`, `url`) with its state, depth, where it was found, the
validators of its last fetch (ETag, Last-Modified, sitemap lastmod, content hash) and a note. The
crawler writes a batch of rows after each page, in one transaction, so a killed crawl loses at
most the pages in flight (they stay `queued` and a resumed crawl fetches them).

A fresh (not resumed) crawl first marks every earlier row `stale`: the validators are kept for
conditional requests, but nothing counts as done until this crawl has seen it again.

Each article's last body is kept too (`crawl_bodies`, zlib-compressed), because "unchanged" (a
304, the same sitemap lastmod) says the page is the same, not that its links still work: the
audit extracts the kept body again and checks its links like any other. A page known unchanged
whose body is not kept (a store of an older linkaudit) is fetched whole instead: its validators
are forgotten on load.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass

from linkaudit.crawl.interface import PageState
from linkaudit.errors import StoreError
from linkaudit.store import Store


@dataclass(slots=True)
class Entry:
    """One URL of the site as the crawl knows it (mutable: it moves through states)."""

    url: str
    """The URL to fetch (first spelling seen, normalised by `crawl_url`)."""
    state: PageState
    """Where it is in the crawl."""
    depth: int = 0
    """Links from the start page."""
    discovered_from: str | None = None
    """The page, sitemap or feed that listed it first."""
    lastmod: str | None = None
    """Sitemap lastmod or feed date (ISO), as last listed."""
    etag: str | None = None
    """ETag of the last successful fetch."""
    last_modified: str | None = None
    """Last-Modified of the last successful fetch."""
    content_hash: str | None = None
    """SHA-256 of the last body fetched (set only for successfully fetched HTML)."""
    fetched_at: float | None = None
    """When it was last fetched (epoch seconds)."""
    note: str | None = None
    """The skip reason or failure, `reason: detail`."""
    seen: bool = False
    """Seen (listed, linked or queued) in this run."""
    busy: bool = False
    """Being fetched right now (directly or as a redirect hop): nobody else fetches it."""
    hop: bool = False
    """Busy as a hop of another page's redirect chain (not by a worker of its own)."""


@dataclass(frozen=True, slots=True)
class KeptBody:
    """An article's body as last fetched, with what extraction needs besides the bytes."""

    page_url: str
    """The page's identity (its canonical URL, or the URL fetched)."""
    fetched_url: str | None
    """The URL the body came from, after redirects."""
    charset: str | None
    """The charset the server declared."""
    body: bytes
    """The HTML."""


_COLUMNS = (
    "state, depth, discovered_from, lastmod, etag, last_modified, content_hash, fetched_at, note"
)


class Ledger:
    """Reads and writes one site's rows; a no-op memory when there is no store."""

    def __init__(self, store: Store | None, site: str) -> None:
        self.store = store
        """The store, or None (nothing persists)."""
        self.site = site
        """The crawl's key."""
        self.error: str | None = None
        """The first store error of the crawl (a full disk, a lock held too long), if any: the
        crawl goes on in memory and says it once; the unwritten rows are tried again."""
        self._dirty: dict[str, Entry] = {}
        self._bodies: dict[str, KeptBody] = {}

    def load(self, *, resume: bool) -> dict[str, Entry]:
        """Every row of the site by URL; for a fresh crawl, after marking them all `stale`."""
        if self.store is None:
            return {}
        if not resume:
            with self.store.transaction() as conn:
                conn.execute(
                    "UPDATE crawl_pages SET state = ? WHERE site = ?",
                    (PageState.STALE.value, self.site),
                )
        rows = self.store.connection.execute(
            f"SELECT url, {_COLUMNS} FROM crawl_pages WHERE site = ?", (self.site,)
        ).fetchall()
        kept = {
            row[0]
            for row in self.store.connection.execute(
                "SELECT url FROM crawl_bodies WHERE site = ?", (self.site,)
            )
        }
        entries: dict[str, Entry] = {}
        for row in rows:
            try:
                state = PageState(row[1])
            except ValueError:
                state = PageState.STALE  # a state written by a newer linkaudit: start it over
            entry = Entry(row[0], state, *row[2:])
            if entry.content_hash and not entry.note and entry.url not in kept:
                # An article whose body is not kept cannot be audited unchanged: fetch it whole.
                entry.content_hash = entry.etag = entry.last_modified = None
            entries[row[0]] = entry
        return entries

    def keep_body(self, entry: Entry, body: KeptBody) -> None:
        """Remember an article's body (written at the next `flush`)."""
        if self.store is not None:
            self._bodies[entry.url] = body

    def body_of(self, entry: Entry) -> KeptBody | None:
        """The body kept for `entry` by an earlier crawl (or this one), if any."""
        if entry.url in self._bodies:
            return self._bodies[entry.url]
        if self.store is None:
            return None
        try:
            row = self.store.connection.execute(
                "SELECT page_url, fetched_url, charset, body FROM crawl_bodies "
                "WHERE site = ? AND url = ?",
                (self.site, entry.url),
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            return KeptBody(row[0], row[1], row[2], zlib.decompress(row[3]))
        except zlib.error:
            return None  # a damaged row is a miss

    def touch(self, entry: Entry) -> None:
        """Remember that `entry` changed; written at the next `flush`."""
        if self.store is not None:
            self._dirty[entry.url] = entry

    def flush(self) -> None:
        """Write every changed row in one transaction."""
        if self.store is None or not self._dirty:
            return
        rows = [
            (
                self.site,
                e.url,
                e.state.value,
                e.depth,
                e.discovered_from,
                e.lastmod,
                e.etag,
                e.last_modified,
                e.content_hash,
                e.fetched_at,
                e.note,
            )
            for e in self._dirty.values()
        ]
        bodies = [
            (self.site, url, b.page_url, b.fetched_url, b.charset, zlib.compress(b.body, 6))
            for url, b in self._bodies.items()
        ]
        dirty, self._dirty = self._dirty, {}
        kept, self._bodies = self._bodies, {}
        try:
            with self.store.transaction() as conn:
                conn.executemany(
                    f"INSERT OR REPLACE INTO crawl_pages (site, url, {_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                conn.executemany(
                    "INSERT OR REPLACE INTO crawl_bodies "
                    "(site, url, page_url, fetched_url, charset, body) VALUES (?, ?, ?, ?, ?, ?)",
                    bodies,
                )
        except StoreError as exc:
            # Keep the rows for the next flush (newer changes to the same URL win).
            self._dirty = {**dirty, **self._dirty}
            self._bodies = {**kept, **self._bodies}
            self.error = self.error or str(exc)
