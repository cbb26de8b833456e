"""The published date of a cited source, with where it came from.

The order follows htmldate's `find_date` (and `shared/reference/dates-and-claims.md`): a date in
the URL path first, then the page's metadata (meta tags, JSON-LD, `<time>`), then a visible
dateline or other page text, and last the first archive capture, which only bounds the truth
from above ("published no later than", `DatedFact.upper_bound`). Modified dates are never used
as published dates.

URL dates are read with care, because URLs are full of numbers that are not dates:
- `/2024/09/17/` (also `-` or `_` between the parts) is a day;
- `/2024/09/` is a month: the value is the 1st and `detail` says "month precision" (the rules
  then treat it as the whole month, reports show `2024-09`); a precise date in the page's
  metadata (meta tags, JSON-LD, `<time>`) wins over it;
- `20240917` counts only as a whole path segment or a token set apart by `-`, `_` or `.`, and
  only when it is a real calendar date between 1995 and next year;
- `-2508` (a 4-digit id) and yahoo-style `-144131404.html` (9 digits) are not dates; a year alone
  (`/2024/`) is too vague to date a page.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote, urlsplit

from linkaudit.model import ArchiveLookup, DatedFact, DateOrigin, LinkCheck, SnapshotKind

MONTH_PRECISION = "month precision"
"""Marker in `DatedFact.detail` of a date known only to the month (the value is the 1st)."""

_FIRST_YEAR = 1995  # before the web had dated news URLs; older-looking numbers are ids
_YMD = re.compile(
    r"(?<![0-9A-Za-z])((?:19|20)\d{2})([/_-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?![0-9])"
)
_YM = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])(?:/|$)")
_COMPACT = re.compile(r"(?:^|[/_.-])((?:19|20)\d{6})(?=$|[/_.-])")

_META_ORIGINS = frozenset({DateOrigin.HTML_META, DateOrigin.JSON_LD, DateOrigin.TIME_TAG})


def _plausible(year: int) -> bool:
    return _FIRST_YEAR <= year <= dt.date.today().year + 1


def _make(year: int, month: int, day: int) -> dt.date | None:
    if not _plausible(year):
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_from_url(url: str) -> DatedFact | None:
    """The publication date written in `url`'s path, or None (see the module docstring)."""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    for match in _YMD.finditer(path):
        value = _make(int(match[1]), int(match[3]), int(match[4]))
        if value is not None:
            return DatedFact(value, DateOrigin.URL_PATH, detail=f"{match[0]} in the URL path")
    for match in _COMPACT.finditer(path):
        digits = match[1]
        value = _make(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if value is not None:
            return DatedFact(value, DateOrigin.URL_PATH, detail=f"{digits} in the URL path")
    for match in _YM.finditer(path):
        value = _make(int(match[1]), int(match[2]), 1)
        if value is not None:
            return DatedFact(
                value,
                DateOrigin.URL_PATH,
                detail=f"/{match[1]}/{match[2]}/ in the URL path ({MONTH_PRECISION})",
            )
    return None


def is_month_precision(fact: DatedFact) -> bool:
    """True when `fact` is only known to the month."""
    return MONTH_PRECISION in fact.detail


def latest_possible(fact: DatedFact) -> dt.date:
    """The latest day the fact allows (the month's end for a month-precision date)."""
    if not is_month_precision(fact):
        return fact.value
    nxt = (fact.value.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def earliest_possible(fact: DatedFact) -> dt.date | None:
    """The earliest day the fact allows; None for an upper bound (it could be any time before)."""
    return None if fact.upper_bound else fact.value


def source_published(
    url: str, check: LinkCheck | None, lookup: ArchiveLookup | None
) -> DatedFact | None:
    """The best published date of the source at `url`, in the order of the module docstring.

    The final URL of a redirect is read too (a moved page often keeps its dated path).
    """
    fact = date_from_url(url)
    published = check.published if check is not None else None
    if fact is not None:
        if (
            is_month_precision(fact)
            and published is not None
            and published.origin in _META_ORIGINS
            and not published.upper_bound
        ):
            return published  # `/2020/12/` says the month; the page's metadata says the day
        return fact
    if published is not None and published.origin in _META_ORIGINS:
        return published
    if published is not None and published.origin is DateOrigin.URL_PATH:
        return published
    if check is not None and check.final_url and check.final_url != url:
        fact = date_from_url(check.final_url)
        if fact is not None:
            return DatedFact(fact.value, fact.origin, f"{fact.detail} (after redirects)")
    if published is not None:
        return published
    if lookup is not None:
        first = lookup.snapshot(SnapshotKind.FIRST)
        if first is not None:
            return DatedFact(
                first.timestamp.date(),
                DateOrigin.ARCHIVE_FIRST_CAPTURE,
                detail=f"first archive capture {first.url}",
                upper_bound=True,
            )
    return None
