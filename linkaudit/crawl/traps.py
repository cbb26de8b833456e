"""Crawler-trap defence: pure rules that stop endless URL spaces before they are queued.

Sites generate endless URLs: a calendar whose "next month" link never ends, faceted search with
every combination of query parameters, relative links that stack path segments
(`/a/b/a/b/a/b/`). The rules, each with its own limit in `TrapLimits`:

- a path with more than `max_path_segments` segments;
- a path segment repeated more than `max_segment_repeats` times;
- more than `max_query_variants` distinct query strings on one path;
- a calendar year (`/2031/05`, `2031-05`, `year=2031`) outside `[min_year, today.year + 1]`: a
  calendar being paged into the far past or future (a bare number such as `/p/2500` is not one);
- more than `max_pattern_urls` link-discovered URLs sharing one shape (digits replaced by `#`,
  `/calendar/2031/05` -> `/calendar/#/#`).

Sitemaps and feeds are not subject to the query and shape caps: the site lists those pages
itself, one by one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

# A year that reads as a calendar position: `/2031/05`, `2031-05`, `year=2031`.
_CALENDAR_YEAR = re.compile(
    r"/([12][0-9]{3})/(?:0?[1-9]|1[0-2])(?=[/?]|$)"
    r"|(?<![0-9])([12][0-9]{3})-(?:0[1-9]|1[0-2])(?![0-9])"
    r"|(?:^|[?&;])(?:year|yr|y)=([12][0-9]{3})(?![0-9])",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class TrapLimits:
    """Limits of the trap rules (defaults suit news sites and blogs)."""

    max_path_segments: int = 12
    """Most segments in a path."""
    max_segment_repeats: int = 2
    """Most times one segment may appear in a path."""
    max_query_variants: int = 25
    """Most distinct query strings queued for one path."""
    max_pattern_urls: int = 500
    """Most link-discovered URLs of one shape (digit runs replaced by `#`)."""
    min_year: int = 1990
    """Years in a URL before this are a calendar paged into the past."""


def static_trap(url: str, limits: TrapLimits, today: dt.date) -> str | None:
    """Why `url` looks like a trap on its own (no history needed), or None."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > limits.max_path_segments:
        return f"path has {len(segments)} segments (limit {limits.max_path_segments})"
    if segments:
        seg, count = Counter(segments).most_common(1)[0]
        if count > limits.max_segment_repeats:
            return f"path segment {seg!r} repeated {count} times"
    for match in _CALENDAR_YEAR.finditer(f"{parts.path}?{parts.query}"):
        year = int(next(g for g in match.groups() if g))
        if year < limits.min_year or year > today.year + 1:
            return f"year {year} outside {limits.min_year}-{today.year + 1} (a calendar?)"
    return None


def url_shape(url: str) -> str:
    """The host and path with every digit run replaced by `#` (the query dropped)."""
    parts = urlsplit(url)
    return f"{parts.netloc}{_DIGITS.sub('#', parts.path)}"


class TrapGuard:
    """Counts query variants per path and URLs per shape over one crawl."""

    def __init__(self, limits: TrapLimits, today: dt.date) -> None:
        self.limits = limits
        """The limits applied."""
        self.today = today
        """The date the year window is centred on."""
        self._variants: dict[str, set[str]] = {}
        self._shapes: Counter[str] = Counter()

    def check(self, url: str, *, listed: bool) -> str | None:
        """Why `url` is a trap, or None (and then it is counted). `listed`: from a sitemap/feed."""
        reason = static_trap(url, self.limits, self.today)
        if reason or listed:
            return reason
        parts = urlsplit(url)
        if parts.query:
            path = f"{parts.netloc}{parts.path}"
            variants = self._variants.setdefault(path, set())
            if parts.query not in variants:
                if len(variants) >= self.limits.max_query_variants:
                    return f"more than {self.limits.max_query_variants} query variants of {path}"
                variants.add(parts.query)
        shape = url_shape(url)
        if "#" in shape:
            if self._shapes[shape] >= self.limits.max_pattern_urls:
                return f"more than {self.limits.max_pattern_urls} URLs shaped {shape}"
            self._shapes[shape] += 1
        return None
