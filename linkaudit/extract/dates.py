"""The document's own date: a dateline near the top, front matter, or HTML metadata.

Only the head of a text is searched for a dateline (the first `_HEAD_LINES` non-empty lines, and
only short lines where the date comes early or after "Published"/"Updated"/"Date"), so a date in
the body ("On September 1, 2025, Alibaba said") or in a reference ("accessed 2024-03-01") is never
taken for the document's date. The date is kept as written (a publisher's local calendar date);
time zones are not converted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from linkaudit.model import DatedFact, DateOrigin
from linkaudit.months import MONTHS
from linkaudit.pagedates import PUBLISHED_META, json_ld_fact, meta_fact, parse_date

__all__ = ["find_dateline", "front_matter_date", "json_ld_date", "meta_date", "parse_date"]

_HEAD_LINES = 40
_MONTHS = MONTHS
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MDY = re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+(?P<year>\d{4})\b", re.I)
_DMY = re.compile(r"\b" + _DAY + r"\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I)
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d])")
_YEAR = re.compile(r"\d{4}")
_CITED = re.compile(r"\b(?:accessed|retrieved|archived)\b", re.I)
"""A date on such a line belongs to a reference, not to the document."""
_LABEL = re.compile(r"^\W*(published|posted|updated|last updated|date|dated|on)\b", re.I)


def _to_date(match: re.Match[str]) -> dt.date | None:
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower().rstrip("."))
    if month is None:
        return None
    try:
        return dt.date(int(match.group("year")), month, int(match.group("day")))
    except ValueError:
        return None


def find_dateline(lines: Iterable[str]) -> DatedFact | None:
    """A dateline among the first non-empty lines (`Monday, Sep 1, 2025 10:46 am ET`)."""
    seen = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        seen += 1
        if seen > _HEAD_LINES:
            break
        if len(line) > 160 or _YEAR.search(line) is None or _CITED.search(line):
            continue  # every pattern needs a year; the month names make them slow to search
        for pattern in (_MDY, _DMY, _ISO):
            match = pattern.search(line)
            if match is None:
                continue
            early = match.start() <= 40 or _LABEL.match(line) is not None
            value = _to_date(match)
            if early and value is not None:
                return DatedFact(value, DateOrigin.DATELINE, detail=line[:120])
    return None


def front_matter_date(front_matter: str) -> DatedFact | None:
    """The `date:` (or `published:`, `pubDate:`, `created:`) of YAML front matter."""
    try:
        import yaml

        data = yaml.safe_load(front_matter)
    except Exception:  # noqa: BLE001 - front matter is untrusted; bad YAML means no date
        data = None
    if not isinstance(data, Mapping):
        return None
    for key in ("date", "published", "pubDate", "pubdate", "published_at", "created"):
        value = data.get(key)
        parsed = _coerce(value)
        if parsed is not None:
            return DatedFact(parsed, DateOrigin.FRONT_MATTER, detail=f"{key}: {value}"[:120])
    return None


def _coerce(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    return None


def meta_date(metas: Mapping[str, str]) -> DatedFact | None:
    """A published date from HTML meta tags, keyed by lower-cased `property`/`name`/`itemprop`
    (the names and their order are `linkaudit.pagedates.PUBLISHED_META`)."""
    return meta_fact(metas, PUBLISHED_META)


def json_ld_date(blocks: Iterable[str]) -> DatedFact | None:
    """`datePublished` from JSON-LD script blocks (`linkaudit.pagedates.json_ld_fact`)."""
    return json_ld_fact(blocks, "datePublished")
