"""What a web page says about its own dates: the one reader of page dates.

The checker (a cited source's published and modified dates, `linkaudit.check.page`), the crawler
(`--since`: the latest date a page states, `linkaudit.crawl.page`), HTML extraction (a document's
own date, `linkaudit.extract.dates`) and the source dating (`linkaudit.sourcedates`) all read here:

- `parse_date`: one parser for every date value a page carries: ISO 8601 and W3C datetimes,
  `2024/09/17`, `2024.09.17`, `20240917`, RFC 2822 (`Tue, 17 Sep 2024 05:33:01 GMT`) and, last,
  written dates (`Sep 17, 2024`, `17 September 2024`); digits found inside a longer value count
  only as a day between 1990 and next year;
- meta tags, by name, property or itemprop (`PUBLISHED_META`, `MODIFIED_META`, most trusted
  first; the first tag of a name wins);
- JSON-LD `datePublished` / `dateModified`, searched through objects, lists and `@graph` (and
  nested objects such as `mainEntity`, at most 8 deep);
- microdata outside meta tags (`<time itemprop="datePublished" datetime=...>`) and the first
  `<time datetime>`;
- the URL path (`date_from_url`, with its rules against numbers that are not dates).

A page's visible text (a dateline in a byline) is searched by htmldate in `linkaudit.check.page`,
only when none of these gave a date. Everything read here is untrusted page content: a value
that is not a plausible calendar day is no date.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from linkaudit.model import DatedFact, DateOrigin
from linkaudit.months import MONTHS

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "citation_publication_date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "pubdate",
    "publish_date",
    "publish-date",
    "publishdate",
    "date",
)
"""Meta names/properties (lower-case) that carry a published date, most trusted first."""
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
"""Meta names/properties that carry a modified date."""
MONTH_PRECISION = "month precision"
"""Marker in `DatedFact.detail` of a date known only to the month (the value is the 1st)."""

_FIRST_YEAR = 1990  # before the web had dated pages; older-looking numbers are ids
_FIRST_URL_YEAR = 1995  # before the web had dated news URLs
_NUMERIC = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|\b(\d{4})(\d{2})(\d{2})\b")
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_WRITTEN = (
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"\b" + _DAY + r"\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
)
_URL_YMD = re.compile(
    r"(?<![0-9A-Za-z])((?:19|20)\d{2})([/_-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?![0-9])"
)
_URL_YM = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])(?:/|$)")
_URL_COMPACT = re.compile(r"(?:^|[/_.-])((?:19|20)\d{6})(?=$|[/_.-])")
_JSON_LD_DEPTH = 8


def _day(year: int, month: int, day: int, first_year: int = _FIRST_YEAR) -> dt.date | None:
    if not first_year <= year <= dt.date.today().year + 1:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str | None) -> dt.date | None:
    """The calendar day a date value names (see the module docstring), or None."""
    if not value:
        return None
    value = value.strip()[:200]
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    m = _NUMERIC.search(value)
    if m:
        y, mo, d = (int(g) for g in (m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)))
        if (found := _day(y, mo, d)) is not None:
            return found
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    best: tuple[int, dt.date] | None = None
    for pattern in _WRITTEN:
        m = pattern.search(value)
        month = MONTHS.get(m.group("month").lower().rstrip(".")) if m else None
        if m and month and (best is None or m.start() < best[0]):
            try:
                best = (m.start(), dt.date(int(m.group("year")), month, int(m.group("day"))))
            except ValueError:
                continue
    return best[1] if best else None


def meta_fact(metas: Mapping[str, str], names: Iterable[str]) -> DatedFact | None:
    """The first of `names` (lower-case meta name/property/itemprop -> content) that holds a
    date, as an HTML-meta fact."""
    for name in names:
        content = metas.get(name)
        if content and (day := parse_date(content)) is not None:
            return DatedFact(day, DateOrigin.HTML_META, detail=name)
    return None


def _find_key(data: Any, key: str, depth: int) -> str | None:
    if depth > _JSON_LD_DEPTH:
        return None
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str):
            return value
        items: Iterable[Any] = data.values()
    elif isinstance(data, list):
        items = data
    else:
        return None
    for item in items:
        found = _find_key(item, key, depth + 1)
        if found is not None:
            return found
    return None


def json_ld_fact(blocks: Iterable[str], key: str = "datePublished") -> DatedFact | None:
    """`key` (`datePublished` or `dateModified`) from JSON-LD script blocks."""
    for block in blocks:
        if key not in block:
            continue  # most blocks do not name it: no need to parse them
        try:
            data = json.loads(block)
        except (ValueError, RecursionError):
            continue
        found = _find_key(data, key, depth=0)
        if found is not None and (day := parse_date(found)) is not None:
            return DatedFact(day, DateOrigin.JSON_LD, detail=key)
    return None


def itemprop_fact(values: Iterable[str], prop: str) -> DatedFact | None:
    """The first date among the values of `itemprop=prop` elements that are not meta tags
    (`datetime`, else `content`, else the text)."""
    for value in values:
        if value and (day := parse_date(value)) is not None:
            return DatedFact(day, DateOrigin.HTML_META, detail=f"itemprop={prop}")
    return None


def time_fact(values: Iterable[str]) -> DatedFact | None:
    """The first date among `<time datetime>` values."""
    for value in values:
        if value and (day := parse_date(value)) is not None:
            return DatedFact(day, DateOrigin.TIME_TAG, detail="time[datetime]")
    return None


@functools.lru_cache(maxsize=8192)  # every stage that dates a source asks, URL by URL
def date_from_url(url: str) -> DatedFact | None:
    """The publication date written in `url`'s path, or None.

    URLs are full of numbers that are not dates, so:
    - `/2024/09/17/` (also `-` or `_` between the parts) is a day;
    - `/2024/09/` is a month: the value is the 1st and `detail` says "month precision" (the
      rules then treat it as the whole month);
    - `20240917` counts only as a whole path segment or a token set apart by `-`, `_` or `.`,
      and only when it is a real calendar date between 1995 and next year;
    - `-2508` (a 4-digit id) and yahoo-style `-144131404.html` (9 digits) are not dates; a year
      alone (`/2024/`) is too vague to date a page.
    """
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    for match in _URL_YMD.finditer(path):
        value = _day(int(match[1]), int(match[3]), int(match[4]), _FIRST_URL_YEAR)
        if value is not None:
            return DatedFact(value, DateOrigin.URL_PATH, detail=f"{match[0]} in the URL path")
    for match in _URL_COMPACT.finditer(path):
        digits = match[1]
        value = _day(int(digits[:4]), int(digits[4:6]), int(digits[6:]), _FIRST_URL_YEAR)
        if value is not None:
            return DatedFact(value, DateOrigin.URL_PATH, detail=f"{digits} in the URL path")
    for match in _URL_YM.finditer(path):
        value = _day(int(match[1]), int(match[2]), 1, _FIRST_URL_YEAR)
        if value is not None:
            return DatedFact(
                value,
                DateOrigin.URL_PATH,
                detail=f"/{match[1]}/{match[2]}/ in the URL path ({MONTH_PRECISION})",
            )
    return None
