"""The time a claim speaks of: the times it names, and the tense of each of its clauses.

Pure functions over one sentence and the document's date; no model, only patterns, so every
decision can be shown as evidence.

Times named (each a period `start..end`):
- years (`in 2024`, `fiscal 2025`); halves (`H1 2025`, `the first half of 2025`);
- quarters (`Q2 2025`, `2Q25`, `the second quarter of 2025`, `the June quarter` = April to June
  of the document's year, or of the year before when that quarter has not begun by the
  document's date);
- months (`in August 2025`, `on September 17, 2025`, `in August` with the document's year);
- relative to the document's date: `last month`, `this month`, `last year`, `this year`,
  `earlier this year`, `last quarter`, `this quarter`, `last week`, `this week`, `today`.

A time that begins after the document's date is a forecast (`by 2030`): any older source may
make it, so it is listed but not used. So are the times of a clause that states an expectation
or a plan (`analysts expected growth in 2025`, `plans to open in 2026`, `will`, `is set to`,
`guidance`): the source may be the one that foresaw them.

Clauses: the sentence is cut at `, while`, `, whereas`, `, but`, `, although`, `; ` and
`while`/`whereas`. Each clause gets a tense from marker words: present perfect (`has drawn`,
`have limited`), past (`was`, `jumped`, `said`), future (`will`), present (`is`, `faces`,
`aligns`), else unknown. A clause in the present or present perfect with no time of its own
(or only open-ended ones: `has fallen since 2022`) speaks of the document's date
(`ClaimTime.present_clause`). When another clause of the same
sentence names a time, the writer has dated one part and set the other apart from it (`in 2024,
while its H20 chip ... has drawn scrutiny`): that clause is `contrasted`, and the rules treat
its "now" as a time the claim names (see `linkaudit.rules.claims.StaleSource`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
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


class Tense(StrEnum):
    """The tense of a clause, as far as marker words tell."""

    PRESENT = "present"
    PRESENT_PERFECT = "present-perfect"
    PAST = "past"
    FUTURE = "future"
    UNKNOWN = "unknown"


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

    def label(self) -> str:
        """The period in ISO form: `2024`, `2025-04-01..2025-06-30`, `2025-09-01`."""
        if self.start == self.end:
            return self.start.isoformat()
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a claim, with its own times and tense."""

    text: str
    """The clause as written."""
    times: tuple[TimeRef, ...]
    """Times named in it (forecasts excluded)."""
    tense: Tense
    """Its tense."""
    marker: str = ""
    """The word(s) that decided the tense."""
    until_now: bool = False
    """True when its times are all open-ended (`since 2022`): it still speaks of the present."""
    prospective: bool = False
    """True when it states an expectation or a plan (`analysts expected growth in 2025`, `plans
    to open in 2026`): its times are what someone foresaw, which an older source could state."""


@dataclass(frozen=True, slots=True)
class ClaimTime:
    """What a claim says about time."""

    named: tuple[TimeRef, ...]
    """Every time the claim names that is not after the document's date."""
    forecasts: tuple[TimeRef, ...]
    """Times after the document's date, and times of an expectation or plan (not used)."""
    clauses: tuple[Clause, ...]
    """The clauses, in order."""
    present_clause: Clause | None
    """The first present or present-perfect clause with no time of its own, if any."""

    @property
    def contrasted(self) -> bool:
        """True when a present clause without a time stands beside a clause that names one."""
        present = self.present_clause
        return present is not None and any(c.times for c in self.clauses if c is not present)


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
        re.compile(rf"(?<![\d$€£¥.,/-])(?:fiscal\s+|FY\s*)?{_YEAR}(?![\d%]|\s*(?:%|percent))"),
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
                found.append((match.start(), ref))
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


_CLAUSE_SPLIT = re.compile(
    r",\s*(?:while|whereas|but|although|though|even as|yet)\s+|;\s+|\s+(?:while|whereas)\s+", re.I
)
_PARTICIPLES = (
    "been|drawn|grown|risen|fallen|shown|taken|made|seen|become|begun|brought|built|won|lost|held|"
    "led|left|met|paid|put|set|sold|spent|told|given|known|written|done|gone|hit|cut|struck|"
    "sought|found|kept|run|bought|thrown|driven|said|come|got|gotten|felt|stood|understood"
)
_PERFECT = re.compile(
    rf"\b(?:has|have|hasn't|haven't)\s+(?:(?:\w+ly|not|also|already|since|now|just|yet)\s+)*"
    rf"(?:{_PARTICIPLES}|\w+ed)\b",
    re.I,
)
_FUTURE = re.compile(r"\b(?:will|won't|shall|is going to|are going to)\b", re.I)
_PAST_AUX = re.compile(r"\b(?:was|were|had|did|wasn't|weren't|didn't|ago)\b", re.I)
_PAST_IRREGULAR = re.compile(
    r"\b(?:said|rose|fell|grew|saw|took|won|lost|paid|sold|spent|became|began|came|went|told|"
    r"led|left|held|brought|bought|built|found|gave|got|kept|knew|met|ran|sent|thought|wrote)\b",
    re.I,
)
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|am|be|been|being|get|gets)\s+(?:\w+ly\s+)?$", re.I)
_BE_OR_HAVE = frozenset(
    (
        "is", "are", "am", "be", "been", "being", "was", "were", "has", "have", "had", "get",
        "gets", "got", "the", "a", "an", "its", "their", "his", "her", "our", "your", "this",
        "that", "these", "those", "of", "by", "with", "and", "or", "to", "for", "in", "on",
        "from", "as",
    )
)
_PRESENT_WORDS = re.compile(
    r"\b(?:is|are|am|isn't|aren't|does|do|doesn't|don't|has|have|remains?|continues?|seems?|"
    r"appears?|stands?|lags?|leads?|holds?|owns?|faces?|aims?|plans?|expects?|seeks?)\b",
    re.I,
)
_NOT_SUBJECT = frozenset(
    (
        "the", "a", "an", "its", "their", "his", "her", "our", "your", "this", "that", "these",
        "those", "of", "in", "on", "for", "with", "by", "to", "and", "or", "as", "like",
        "from", "at", "more", "most", "many", "several", "some", "such", "other", "than",
        "into", "over", "under",
    )
)
_NOT_VERB_S = frozenset(
    (
        "is", "as", "us", "its", "this", "has", "was", "does", "his", "hers", "ours", "yours",
        "theirs", "less", "unless", "always", "perhaps", "news", "thus", "plus", "various",
        "previous", "famous", "series", "means", "across", "whereas",
    )
)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'’-]*", text)


def tense_of(clause: str) -> tuple[Tense, str]:
    """The tense of `clause` and the word(s) that decided it (see the module docstring)."""
    if m := _PERFECT.search(clause):
        return Tense.PRESENT_PERFECT, m[0]
    if m := _FUTURE.search(clause):
        return Tense.FUTURE, m[0]
    if m := _PAST_AUX.search(clause):
        return Tense.PAST, m[0]
    for m in _PAST_IRREGULAR.finditer(clause):
        if not _PASSIVE_BEFORE.search(clause[: m.start()]):  # "is built" is a present passive
            return Tense.PAST, m[0]
    words = _words(clause)
    for prev, word in zip(words, words[1:], strict=False):
        lower = word.lower()
        # A bare -ed word after a subject-like word ("revenue jumped"), not a passive, not an
        # adjective after a determiner, not a hyphenated compound ("Tencent-backed").
        if (
            lower.endswith("ed")
            and "-" not in lower
            and len(lower) > 4
            and prev.lower() not in _BE_OR_HAVE
            and not prev.lower().endswith("ly")
            and not prev.endswith(",")
        ):
            return Tense.PAST, f"{prev} {word}"
    if m := _PRESENT_WORDS.search(clause):
        return Tense.PRESENT, m[0]
    for prev, word in zip(words, words[1:], strict=False):
        lower = word.lower()
        # A third-person -s verb right after its subject ("This move aligns", "Nvidia faces").
        if (
            lower.endswith("s")
            and not lower.endswith(("ss", "'s", "’s", "ous", "ics"))
            and len(lower) > 3
            and lower not in _NOT_VERB_S
            and prev.lower() not in _NOT_SUBJECT
            and not prev.lower().endswith(("'s", "’s"))
        ):
            return Tense.PRESENT, f"{prev} {word}"
    return Tense.UNKNOWN, ""


_PROSPECTIVE = re.compile(
    r"\b(?:expect(?:s|ed|ing)?|forecasts?|forecast(?:ed|ing)|project(?:s|ed|ing)|"
    r"predict(?:s|ed|ing)?|anticipat(?:es|ed|ing)|estimat(?:es|ed|ing)|"
    r"(?:plans?|planned|planning|aims?|aimed|aiming|intends?|intended|hopes?|hoped|seeks?|sought|"
    r"targets?|targeted|promised?|pledged?|vowed?)\s+to|"
    r"(?:is|are|was|were)\s+(?:set|scheduled|slated|due|poised|likely|expected|on track)\s+to|"
    r"outlook|guidance|target(?:s|ed)?\s+(?:for|of)|will|would|could|might|may\s+(?!\d))\b",
    re.I,
)
"""Words of an expectation or a plan: the times of such a clause are foreseen, not reported."""

_SINCE = re.compile(r"\bsince\s+(?:the\s+|early\s+|late\s+|mid-?\s*)?\S+(?:\s+\S+){0,3}$", re.I)


def claim_time(claim: str, doc_date: dt.date | None) -> ClaimTime:
    """What `claim` says about time, relative to the document's date (see the module docstring)."""
    clauses = []
    named: list[TimeRef] = []
    forecasts: list[TimeRef] = []
    for piece in _CLAUSE_SPLIT.split(claim):
        piece = piece.strip()
        if not piece:
            continue
        own: list[TimeRef] = []
        future: list[TimeRef] = []
        prospective = bool(_PROSPECTIVE.search(piece))
        for ref in times_in(piece, doc_date):
            foreseen = prospective or (doc_date is not None and ref.start > doc_date)
            (future if foreseen else own).append(ref)
        tense, marker = tense_of(piece)
        until_now = bool(own) and all(
            _SINCE.search(piece, 0, piece.find(r.text) + len(r.text)) for r in own
        )
        clauses.append(Clause(piece, tuple(own), tense, marker, until_now, prospective))
        named.extend(own)
        forecasts.extend(future)
    present = next(
        (
            c
            for c in clauses
            if (not c.times or c.until_now)
            and c.tense in (Tense.PRESENT, Tense.PRESENT_PERFECT)
            and not any(f.text in c.text for f in forecasts)  # a forecast dates the clause
        ),
        None,
    )
    return ClaimTime(tuple(named), tuple(forecasts), tuple(clauses), present)
