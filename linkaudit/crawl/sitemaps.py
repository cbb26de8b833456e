"""Sitemaps and feeds: bytes in, listed URLs (with their dates) out. No network here.

One parser reads every listing format a site offers: sitemap `<urlset>`, `<sitemapindex>`, plain
text sitemaps (one URL a line), RSS 2.0, RSS 1.0 (RDF) and Atom. Safety, since the bytes are
untrusted:

- gzip (by magic bytes, whatever the name or type says) is decompressed up to a cap, so a gzip
  bomb stops at `max_bytes`;
- any `<!DOCTYPE` or `<!ENTITY` is refused outright: a sitemap or feed never needs one, and
  refusing it rules out entity expansion ("billion laughs") and external entities with the stdlib
  parser (no defusedxml dependency needed);
- the XML is parsed incrementally and each entry cleared once read; at most `max_urls` entries
  are kept, and a parse error keeps what was read before it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree as ET

_GZIP_MAGIC = b"\x1f\x8b"
_DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_W3C_DATE = re.compile(r"^\s*([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")
_CHUNK = 64 * 1024


class ListingKind(StrEnum):
    """What a listing turned out to be."""

    URLSET = "urlset"
    """A sitemap of pages."""
    INDEX = "index"
    """A sitemap index: its entries are more sitemaps."""
    FEED = "feed"
    """An RSS or Atom feed: its entries are articles."""
    TEXT = "text"
    """A plain-text sitemap: one URL a line."""
    UNKNOWN = "unknown"
    """Not a listing this parser knows (an HTML page, JSON...)."""


@dataclass(frozen=True, slots=True)
class ListedUrl:
    """One URL a sitemap or feed lists."""

    url: str
    """The URL as listed (not yet normalised)."""
    lastmod: dt.date | None = None
    """`<lastmod>`, or the feed item's updated/published date."""


@dataclass(frozen=True, slots=True)
class Listing:
    """What one sitemap or feed says."""

    kind: ListingKind
    """Which format it was."""
    entries: tuple[ListedUrl, ...] = ()
    """The listed URLs in document order (at most the cap)."""
    truncated: bool = False
    """True when entries beyond the cap were dropped."""
    error: str | None = None
    """Why (part of) it could not be read: refused DOCTYPE, parse error, bomb."""


class ListingTooLarge(Exception):
    """The (decompressed) listing is larger than the cap."""


def decompress(data: bytes, max_bytes: int) -> bytes:
    """`data` gunzipped if it is gzip (by magic bytes), never more than `max_bytes` out."""
    if not data.startswith(_GZIP_MAGIC):
        if len(data) > max_bytes:
            raise ListingTooLarge(f"larger than {max_bytes} bytes")
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise ListingTooLarge(f"broken gzip data ({exc})") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise ListingTooLarge(f"decompresses to more than {max_bytes} bytes")
    return out


def parse_date(text: str | None) -> dt.date | None:
    """A W3C datetime (`2025-09-01`, `2025-09-01T10:00Z`, `2025-09`) or an RFC 822 date."""
    if not text:
        return None
    text = text.strip()
    match = _W3C_DATE.match(text)
    if match:
        year, month, day = match.group(1), match.group(2) or "1", match.group(3) or "1"
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""


def _child_text(elem: ET.Element, *names: str) -> str | None:
    for child in elem:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def _latest(*dates: dt.date | None) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _entry_of(elem: ET.Element, name: str) -> ListedUrl | None:
    if name in ("url", "sitemap"):
        loc = _child_text(elem, "loc")
        return ListedUrl(loc, parse_date(_child_text(elem, "lastmod"))) if loc else None
    if name == "item":  # RSS 2.0 and RSS 1.0 (RDF)
        link = _child_text(elem, "link")
        if not link:
            guid = next((c for c in elem if _local(c.tag) == "guid"), None)
            permalink = guid is not None and guid.get("isPermaLink", "true").lower() == "true"
            link = guid.text.strip() if permalink and guid is not None and guid.text else None
        if not link:
            return None
        date = _latest(
            parse_date(_child_text(elem, "pubdate")),
            parse_date(_child_text(elem, "date", "updated", "modified")),
        )
        return ListedUrl(link, date)
    # Atom <entry>: the alternate link (rel absent or "alternate").
    href = next(
        (
            c.get("href")
            for c in elem
            if _local(c.tag) == "link"
            and c.get("rel", "alternate") == "alternate"
            and c.get("href")
        ),
        None,
    )
    if not href:
        return None
    date = _latest(
        parse_date(_child_text(elem, "published")), parse_date(_child_text(elem, "updated"))
    )
    return ListedUrl(href, date)


_ROOTS = {
    "urlset": (ListingKind.URLSET, "url"),
    "sitemapindex": (ListingKind.INDEX, "sitemap"),
    "rss": (ListingKind.FEED, "item"),
    "rdf": (ListingKind.FEED, "item"),
    "feed": (ListingKind.FEED, "entry"),
}


def parse_listing(data: bytes, *, max_urls: int) -> Listing:
    """Read a sitemap, sitemap index, plain-text sitemap or feed (already decompressed)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return _parse_text(data, max_urls)
    if _DOCTYPE.search(data):
        return Listing(ListingKind.UNKNOWN, error="refused: it declares a DOCTYPE or ENTITY")
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    kind = ListingKind.UNKNOWN
    entry_tag = ""
    depth = 0
    entries: list[ListedUrl] = []
    error: str | None = None
    truncated = False
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            events: Iterator[Any] = parser.read_events()
            for event, elem in events:
                name = _local(elem.tag)
                if event == "start":
                    if depth == 0:
                        if name not in _ROOTS:
                            return Listing(ListingKind.UNKNOWN, error=f"root element <{name}>")
                        kind, entry_tag = _ROOTS[name]
                    depth += 1
                    continue
                depth -= 1
                if name != entry_tag:
                    continue
                if len(entries) >= max_urls:
                    truncated = True
                    raise StopIteration
                entry = _entry_of(elem, name)
                if entry is not None:
                    entries.append(entry)
                elem.clear()
        parser.close()
    except StopIteration:
        pass
    except ET.ParseError as exc:
        error = f"XML error: {exc}"
    return Listing(kind, tuple(entries), truncated, error)


def _parse_text(data: bytes, max_urls: int) -> Listing:
    entries: list[ListedUrl] = []
    for raw in data.decode("utf-8-sig", "replace").splitlines():
        line = raw.strip()
        if not line.lower().startswith(("http://", "https://")):
            if line:
                return Listing(ListingKind.UNKNOWN, error="neither XML nor a list of URLs")
            continue
        if len(entries) >= max_urls:
            return Listing(ListingKind.TEXT, tuple(entries), truncated=True)
        entries.append(ListedUrl(line))
    return Listing(ListingKind.TEXT, tuple(entries))
