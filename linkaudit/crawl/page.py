"""What the crawler needs from one HTML page: its links, canonical URL, feeds, date, robots meta.

One lxml pass (lxml comes with htmldate and is what the checker parses with; it is tolerant of
broken markup and about five times faster than `html.parser`, which mattered in the benchmark).
Reference extraction is not done here: that is `linkaudit.extract`'s job on the `Source` the
crawler hands over.

The page's date, used by `--since`, is the latest of the dates it states about itself (its
published and modified meta tags, `itemprop=datePublished` and `dateModified`, JSON-LD
`datePublished`/`dateModified`, the first `<time datetime>`) and, failing all of those, a date
in the URL path (`/2024/09/17/`), each read by `linkaudit.pagedates`. The latest, so that an
article updated after `--since` is still audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

from linkaudit.pagedates import (
    MODIFIED_META,
    PUBLISHED_META,
    date_from_url,
    json_ld_fact,
    parse_date,
)

_DATE_META = frozenset(PUBLISHED_META) | frozenset(MODIFIED_META)
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+xml"})
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)


@dataclass(frozen=True, slots=True)
class PageScan:
    """The crawl-relevant facts of one HTML page."""

    links: tuple[str, ...]
    """`<a>`/`<area>` hrefs as written (join them to `base`)."""
    base: str
    """The URL relative links resolve against (`<base href>` or the page URL)."""
    canonical: str | None
    """`<link rel=canonical>` as written, if any."""
    feeds: tuple[str, ...]
    """`<link rel=alternate>` hrefs of RSS/Atom feeds."""
    date: dt.date | None
    """The latest date the page states about itself (see module docstring)."""
    nofollow: bool
    """`<meta name=robots content=nofollow>`: its links must not be followed."""


_WANTED = ("a", "area", "link", "meta", "time", "base", "script")


class _Scan:
    """Collects the facts while walking the parsed tree once."""

    def __init__(self) -> None:
        self.links: list[str] = []
        self.base: str | None = None
        self.canonical: str | None = None
        self.feeds: list[str] = []
        self.dates: list[dt.date] = []
        self.time_date: dt.date | None = None
        self.nofollow = False
        self.jsonld: list[str] = []

    def element(self, tag: str, a: Mapping[str, str], text: str | None) -> None:
        if tag in ("a", "area"):
            if a.get("href"):
                self.links.append(a["href"].strip())
        elif tag == "link":
            rels = a.get("rel", "").lower().split()
            if "canonical" in rels and self.canonical is None and a.get("href"):
                self.canonical = a["href"].strip()
            if "alternate" in rels and a.get("type", "").lower() in _FEED_TYPES and a.get("href"):
                self.feeds.append(a["href"].strip())
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in _DATE_META and (date := parse_date(a.get("content"))):
                self.dates.append(date)
            elif key == "robots" and "nofollow" in a.get("content", "").lower():
                self.nofollow = True
        elif tag == "time":
            value = a.get("datetime")
            if a.get("itemprop", "").lower() in ("datepublished", "datemodified"):
                if date := parse_date(value):
                    self.dates.append(date)
            elif self.time_date is None:
                self.time_date = parse_date(value)
        elif tag == "base":
            if self.base is None and a.get("href"):
                self.base = a["href"].strip()
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json" and text:
            self.jsonld.append(text)


def decode_html(body: bytes, charset: str | None) -> str:
    """Decode with the declared charset, else UTF-8; undecodable bytes replaced."""
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return body.decode(encoding, "replace")
            except LookupError:
                continue
    return body.decode("utf-8", "replace")


def scan_html(text: str, url: str) -> PageScan:
    """Scan the HTML `text` of the page at `url`. Never raises on bad markup."""
    scan = _Scan()
    try:
        # Bytes with a fixed encoding: lxml refuses a str that carries an XML declaration.
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = None  # empty or hopeless: no links, no date
    if root is not None:
        for el in root.iter(*_WANTED):
            scan.element(el.tag, el.attrib, el.text)
    scanner = scan
    dates = list(scanner.dates)
    dates += [f.value for k in ("datePublished", "dateModified")
              if (f := json_ld_fact(scanner.jsonld, k)) is not None]
    if not dates and scanner.time_date:
        dates.append(scanner.time_date)
    if not dates and (fact := date_from_url(url)) is not None:
        dates.append(fact.value)
    return PageScan(
        links=tuple(scanner.links),
        base=scanner.base or url,
        canonical=scanner.canonical,
        feeds=tuple(scanner.feeds),
        date=max(dates) if dates else None,
        nofollow=scanner.nofollow,
    )
