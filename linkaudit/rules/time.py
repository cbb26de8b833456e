"""The time a claim speaks of: the times it names, and the tense of each of its clauses.

Pure functions over one sentence and the document's date; no model, only patterns, so every
decision can be shown as evidence.

Times named (each a period `start..end`): years, halves, quarters, months, days, and times
relative to the document's date (`last month`, `this year`); `linkaudit.rules.periods` reads them.

A time that begins after the document's date (with no document date: after the day of the
run) is a forecast (`by 2030`): any older source may make it, so it is listed but not used. So
are the times of a clause that states an expectation or a plan (`analysts expected growth in
2025`, `plans to open in 2026`, `due for release in 2011`, `will`, `is set to`, `guidance`):
the source may be the one that foresaw them.

Some dates are no time the claim speaks of, and are set aside with the reason: a date inside a
quoted title (`the "State of AI in 2025" report`: the source's own title, or a short Title-Case
phrase; a quoted sentence is what someone said, and stays), and the dateline of a cited work
(`Re: Hashing by Jane Roe, CCC, March 16, 2016`, a wiki's list of forum posts). A number
followed by a unit (`2048 bytes`, `1920x1080`) is no year at all. `supported_part` cuts a claim
to the clause its marker closes.

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
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from linkaudit.rules.periods import TimeKind, TimeRef, times_in

__all__ = [
    "ClaimTime",
    "Clause",
    "SetAside",
    "Tense",
    "TimeKind",
    "TimeRef",
    "claim_time",
    "supported_part",
    "tense_of",
    "times_in",
]


class Tense(StrEnum):
    """The tense of a clause, as far as marker words tell."""

    PRESENT = "present"
    PRESENT_PERFECT = "present-perfect"
    PAST = "past"
    FUTURE = "future"
    UNKNOWN = "unknown"



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
class SetAside:
    """A date the claim writes that is not a time it speaks of, and why."""

    time: TimeRef
    """The date as read."""
    reason: str
    """Why it is set aside (`in a quoted title`, `the date of a cited work`)."""


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
    set_aside: tuple[SetAside, ...] = ()
    """Dates that are not a time the claim speaks of: a date in a cited title or byline."""

    @property
    def contrasted(self) -> bool:
        """True when a present clause without a time stands beside a clause that names one."""
        present = self.present_clause
        return present is not None and any(c.times for c in self.clauses if c is not present)


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
    r"(?:due|scheduled|slated|planned|earmarked|set)\s+(?:for|in|by)|"
    r"(?:to|will)\s+be\s+(?:released|launched|completed|introduced|delivered|opened|held|built)|"
    r"upcoming|roadmap|"
    r"outlook|guidance|target(?:s|ed)?\s+(?:for|of)|will|would|could|might|may\s+(?!\d))\b",
    re.I,
)
"""Words of an expectation or a plan: the times of such a clause are foreseen, not reported."""

_SINCE = re.compile(r"\bsince\s+(?:the\s+|early\s+|late\s+|mid-?\s*)?\S+(?:\s+\S+){0,3}$", re.I)


_QUOTED = re.compile(
    r'"([^"\n]{1,200})"|\u201c([^\u201d\n]{1,200})\u201d|\u00ab([^\u00bb\n]{1,200})\u00bb'
)
"""A quoted span: straight or curly double quotes, guillemets (single quotes are apostrophes)."""
_TITLE_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_BYLINE_BEFORE = re.compile(
    r"\bby\s+[A-Z\u00c0-\u024f][^,;()]{0,60}(?:(?:,[^,;()]{1,80}){0,3},\s*|\s*\(\s*)$"
)
"""`Title by Author, Venue, ` or `Title by Author (` just before a date: the dateline of a
cited work (a forum post, an article), not a time the claim speaks of."""
_BYLINE_AFTER = re.compile(r"\s*(?:\)\s*)?(?:$|[\u00bb|\u2013\u2014(\[.]|-\s)")


def _is_title(quoted: str, titles: Sequence[str]) -> bool:
    """True when a quoted span reads as a title: words found in the source's own title or
    entry (`titles`), or a short Title-Case phrase that is not a sentence (`"The State of AI
    in 2025"`; a quoted sentence such as `"sales rose in 2025"` is what someone said)."""
    plain = " ".join(_TITLE_WORD.findall(quoted)).lower()
    if plain and any(plain in " ".join(_TITLE_WORD.findall(t)).lower() for t in titles if t):
        return True
    words = _TITLE_WORD.findall(quoted)
    if not words or len(words) > 15 or re.search(r"[.!?]\s+\S", quoted):
        return False
    long = [w for w in words if len(w) >= 4]
    capitalised = sum(w[0].isupper() for w in long)
    return bool(long) and 2 * capitalised >= len(long) and words[0][0].isupper()


def _set_aside(piece: str, ref: TimeRef, titles: Sequence[str]) -> str | None:
    """Why the date `ref` of `piece` is not a time the claim speaks of, or None when it is."""
    if ref.at < 0:
        return None
    end = ref.at + len(ref.text)
    for match in _QUOTED.finditer(piece):
        if match.start() < ref.at and end <= match.end():
            inner = match.group(1) or match.group(2) or match.group(3) or ""
            return "in a quoted title" if _is_title(inner, titles) else None
    if _BYLINE_BEFORE.search(piece, 0, ref.at) and _BYLINE_AFTER.match(piece, end):
        return "the date of a cited work (`Title by Author, Venue, date`)"
    return None


_REST_OPENS = re.compile(
    r"\s*(?:[,;:(\u2013\u2014]|-\s|(?:and|but|which|where|while|whereas|who)\b)"
)
_ATTRIBUTION = re.compile(
    r"\b(?:according to|as (?:reported|noted|stated|shown|described|found) (?:by|in)|"
    r"said|says|reported|reports|wrote|writes|noted|notes|found|finds|showed|shows|argued|"
    r"argues|claimed|claims|stated|states|estimated|estimates|suggested|suggests|concluded|"
    r"concludes|explained|explains|study|report|survey|paper|article|analysis|research|review|"
    r"data|figures)\b[^,;]{0,60}$",
    re.I,
)


def supported_part(claim: str, lead: int | None) -> str:
    """The part of `claim` its marker supports, the marker standing `lead` characters in.

    A marker in mid-sentence supports the clause it closes (`He graduated in 2005 from X [3],
    and worked there until 2011`: [3] is cited for the graduation, not for 2011) when that
    clause is a statement of its own (it has a verb) and the rest is set apart (a comma, `and`,
    `which`). When the words before the marker name the source (`According to the report [3],
    sales fell in 2025`, `Smith said [2] that ...`), what follows is what the source says: the
    whole claim."""
    if lead is None or lead <= 0 or lead >= len(claim):
        return claim
    head, rest = claim[:lead].rstrip(), claim[lead:]
    if (
        len(_words(head)) < 3
        or len(_words(rest)) < 2
        or not _REST_OPENS.match(rest)
        or _ATTRIBUTION.search(head)
        or tense_of(head)[0] is Tense.UNKNOWN
    ):
        return claim
    return head


def claim_time(
    claim: str,
    doc_date: dt.date | None,
    *,
    today: dt.date | None = None,
    titles: Sequence[str] = (),
) -> ClaimTime:
    """What `claim` says about time, relative to the document's date (see the module docstring).

    A time that begins after the document's date is a forecast; with no document date, after
    `today` (a document cannot be dated later than the day it is read: `the puzzle game 2048`
    is no year it reports). `titles` are the source's own title and entry text: a year quoted
    from them names the source, not a time.
    """
    horizon = doc_date or today
    clauses = []
    named: list[TimeRef] = []
    forecasts: list[TimeRef] = []
    aside: list[SetAside] = []
    for piece in _CLAUSE_SPLIT.split(claim):
        piece = piece.strip()
        if not piece:
            continue
        own: list[TimeRef] = []
        future: list[TimeRef] = []
        prospective = bool(_PROSPECTIVE.search(piece))
        for ref in times_in(piece, doc_date):
            reason = _set_aside(piece, ref, titles)
            if reason is not None:
                aside.append(SetAside(ref, reason))
                continue
            foreseen = prospective or (horizon is not None and ref.start > horizon)
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
    return ClaimTime(tuple(named), tuple(forecasts), tuple(clauses), present, tuple(aside))
