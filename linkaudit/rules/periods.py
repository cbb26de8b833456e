"""The times a sentence names, each a period `start..end` (`TimeRef`), read by patterns alone.

- years (`in 2024`, `fiscal 2025`); halves (`H1 2025`, `the first half of 2025`);
- quarters (`Q2 2025`, `2Q25`, `the second quarter of 2025`, `the June quarter` = April to June
  of the document's year, or of the year before when that quarter has not begun by the
  document's date);
- months (`in August 2025`, `on September 17, 2025`, `in August` with the document's year);
- relative to the document's date: `last month`, `this month`, `last year`, `this year`,
  `earlier this year`, `last quarter`, `this quarter`, `last week`, `this week`, `today`.

A number followed by a unit (`2048 bytes`, `1920x1080`) is no year at all. What a claim makes of
these times (forecasts, titles, tenses) is `linkaudit.rules.time`'s.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from linkaudit.months import MONTHS


class TimeKind(StrEnum):
    """How a time was named."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    DAY = "day"
    RELATIVE = "relative"
    """Relative to the document's date (`last month`)."""
    PRESENT = "present"
    """No time named: a present-tense clause speaks of the document's date."""



@dataclass(frozen=True, slots=True)
class TimeRef:
    """One period a claim speaks of."""

    start: dt.date
    """First day of the period."""
    end: dt.date
    """Last day of the period."""
    kind: TimeKind
    """How it was named."""
    text: str
    """The words as written (`in 2024`, `the June quarter`)."""
    at: int = field(default=-1, compare=False)
    """Where the words start in the text they were read from (-1 when not known)."""

    def label(self) -> str:
        """The period in ISO form: `2024`, `2025-04-01..2025-06-30`, `2025-09-01`."""
        if self.start == self.end:
            return self.start.isoformat()
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"



_MONTHS = MONTHS
_MONTH_RE = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_ORDINAL = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4
}
_QUARTER_END_MONTH = {"march": 1, "june": 2, "september": 3, "december": 4}
_YEAR = r"((?:19|20)\d{2})"
_UNIT = (
    r"|\s*(?:[x×]\s*\d|×)|\s*-?(?:bytes?|bits?|[kKMGT]i?B|px|pixels?|dpi|Elo|[kMG]?Hz|ms|ns|"
    r"km|kg|mm|cm|rpm)\b"
)
"""What follows a number that is a size or a count, not a year (`2048 bytes`, `1920x1080`)."""


def _month_no(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def _quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    return start, _month_span(year, 3 * quarter)[1]


def _two_digit_year(text: str) -> int:
    value = int(text)
    return value if value >= 100 else 2000 + value


def _year_of(doc: dt.date | None, start_month: int) -> int | None:
    """The year a yearless month/quarter most likely means: the document's, unless not begun."""
    if doc is None:
        return None
    return doc.year if start_month <= doc.month else doc.year - 1


# Each pattern: (regex, handler name). Longer, more specific forms come first; their spans are
# masked so that the year inside `Q2 2025` is not read again as a bare year.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(rf"\b(?:the\s+)?(first|second|1st|2nd)\s+half\s+(?:of\s+)?{_YEAR}\b", re.I),
        "half",
    ),
    (re.compile(rf"\bH([12])\s*(?:of\s+)?(?:FY\s*)?'?{_YEAR}\b"), "half_short"),
    (re.compile(r"\bQ([1-4])\s*(?:of\s+)?(?:FY\s*|fiscal\s+)?'?(\d{4}|\d{2})\b"), "quarter"),
    (re.compile(r"\b([1-4])Q\s*'?(\d{4}|\d{2})\b"), "quarter"),
    (
        re.compile(
            rf"\b(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:fiscal\s+)?"
            rf"quarter\s+(?:of\s+)?(?:fiscal\s+)?{_YEAR}\b",
            re.I,
        ),
        "quarter_words",
    ),
    (
        re.compile(
            rf"\bthe\s+(March|June|September|December)\s+quarter(?:\s+(?:of\s+)?{_YEAR})?",
            re.I,
        ),
        "quarter_month",
    ),
    (re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b"), "day"),
    (re.compile(rf"\b{_MONTH_RE}\s+(?:of\s+)?{_YEAR}\b"), "month"),
    (
        re.compile(
            rf"\b((?i:in|since|during|until|through|by|early|late|mid-?|last|this))\s+"
            rf"{_MONTH_RE}\b(?!\s+\d)"
        ),
        "month_alone",
    ),
    (
        re.compile(
            r"\b(earlier this year|this year|last year|a year (?:ago|earlier)|the previous year|"
            r"this month|last month|the previous month|a month (?:ago|earlier)|"
            r"this quarter|last quarter|the previous quarter|"
            r"this week|last week|today|yesterday)\b",
            re.I,
        ),
        "relative",
    ),
    (
        re.compile(
            rf"(?<![\w$€£¥.,/#×-])(?:fiscal\s+|FY\s*)?{_YEAR}(?![\d%]|\s*(?:%|percent){_UNIT})"
        ),
        "year",
    ),
)


def times_in(text: str, doc_date: dt.date | None) -> list[TimeRef]:
    """Every period named in `text`, in order of appearance (yearless ones need `doc_date`)."""
    found: list[tuple[int, TimeRef]] = []
    masked = text
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(masked):
            ref = _interpret(kind, match, doc_date)
            if ref is not None:
                found.append((match.start(), replace(ref, at=match.start())))
                span = match.end() - match.start()
                masked = masked[: match.start()] + "\0" * span + masked[match.end() :]
    return [ref for _, ref in sorted(found, key=lambda item: item[0])]


def _interpret(kind: str, m: re.Match[str], doc: dt.date | None) -> TimeRef | None:
    text = m[0].strip()
    try:
        match kind:
            case "half" | "half_short":
                half = _ORDINAL.get(m[1].lower(), 0) or int(m[1])
                year = int(m[2])
                start = dt.date(year, 1 if half == 1 else 7, 1)
                return TimeRef(start, _month_span(year, 6 * half)[1], TimeKind.HALF, text)
            case "quarter":
                year = _two_digit_year(m[2])
                return TimeRef(*_quarter_span(year, int(m[1])), TimeKind.QUARTER, text)
            case "quarter_words":
                return TimeRef(
                    *_quarter_span(int(m[2]), _ORDINAL[m[1].lower()]), TimeKind.QUARTER, text
                )
            case "quarter_month":
                quarter = _QUARTER_END_MONTH[m[1].lower()]
                q_year = int(m[2]) if m[2] else _year_of(doc, 3 * quarter - 2)
                if q_year is None:
                    return None
                return TimeRef(*_quarter_span(q_year, quarter), TimeKind.QUARTER, text)
            case "day":
                day = dt.date(int(m[3]), _month_no(m[1]), int(m[2]))
                return TimeRef(day, day, TimeKind.DAY, text)
            case "month":
                return TimeRef(*_month_span(int(m[2]), _month_no(m[1])), TimeKind.MONTH, text)
            case "month_alone":
                if m[2].lower() == "may" and m[1].lower() not in ("in", "since", "during", "last"):
                    return None  # "by May" is fine, but "this may" is a modal verb
                month = _month_no(m[2])
                m_year = _year_of(doc, month)
                if m_year is None:
                    return None
                return TimeRef(*_month_span(m_year, month), TimeKind.MONTH, text)
            case "relative":
                return _relative(m[1].lower(), text, doc)
            case "year":
                year = int(m[1])
                return TimeRef(dt.date(year, 1, 1), dt.date(year, 12, 31), TimeKind.YEAR, text)
    except (ValueError, KeyError):
        return None
    return None


def _relative(phrase: str, text: str, doc: dt.date | None) -> TimeRef | None:
    if doc is None:
        return None
    kind = TimeKind.RELATIVE
    quarter = (doc.month - 1) // 3 + 1
    if phrase in ("this year",):
        return TimeRef(dt.date(doc.year, 1, 1), dt.date(doc.year, 12, 31), kind, text)
    if phrase == "earlier this year":
        return TimeRef(dt.date(doc.year, 1, 1), doc, kind, text)
    if phrase in ("last year", "a year ago", "a year earlier", "the previous year"):
        return TimeRef(dt.date(doc.year - 1, 1, 1), dt.date(doc.year - 1, 12, 31), kind, text)
    if phrase == "this month":
        return TimeRef(*_month_span(doc.year, doc.month), kind, text)
    if phrase in ("last month", "the previous month", "a month ago", "a month earlier"):
        prev = doc.replace(day=1) - dt.timedelta(days=1)
        return TimeRef(*_month_span(prev.year, prev.month), kind, text)
    if phrase == "this quarter":
        return TimeRef(*_quarter_span(doc.year, quarter), kind, text)
    if phrase in ("last quarter", "the previous quarter"):
        year, q = (doc.year, quarter - 1) if quarter > 1 else (doc.year - 1, 4)
        return TimeRef(*_quarter_span(year, q), kind, text)
    if phrase == "this week":
        return TimeRef(doc - dt.timedelta(days=doc.weekday()), doc, kind, text)
    if phrase == "last week":
        return TimeRef(doc - dt.timedelta(days=doc.weekday() + 7), doc, kind, text)
    if phrase == "today":
        return TimeRef(doc, doc, kind, text)
    if phrase == "yesterday":
        day = doc - dt.timedelta(days=1)
        return TimeRef(day, day, kind, text)
    return None
