"""The published date of a cited source, with where it came from.

The order follows htmldate's `find_date` (and `shared/reference/dates-and-claims.md`): a date in
the URL path first, then the page's metadata (meta tags, JSON-LD, `<time>`), then a visible
dateline or other page text, and last the first archive capture, which only bounds the truth
from above ("published no later than", `DatedFact.upper_bound`). Modified dates are never used
as published dates. The dates themselves are read by `linkaudit.pagedates` (URL dates with
care: see `date_from_url`). A URL date known only to the month (`/2024/09/`) loses to a precise
date in the page's metadata (meta tags, JSON-LD, `<time>`); reports show it as `2024-09`.
"""

from __future__ import annotations

import datetime as dt

from linkaudit.model import ArchiveLookup, DatedFact, DateOrigin, LinkCheck, SnapshotKind
from linkaudit.pagedates import MONTH_PRECISION, date_from_url

__all__ = [
    "MONTH_PRECISION",
    "date_from_url",
    "earliest_possible",
    "is_month_precision",
    "latest_possible",
    "source_published",
]

_META_ORIGINS = frozenset({DateOrigin.HTML_META, DateOrigin.JSON_LD, DateOrigin.TIME_TAG})


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
