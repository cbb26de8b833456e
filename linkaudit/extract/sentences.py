"""A sentence splitter for claims: survives "U.S.", "Inc.", decimals, quotes and glued markers.

The splitter works on a paragraph (a line, list item or table cell) whose citation markers are
already known. A full stop, `!` or `?` (with closing quotes and brackets after it) ends a sentence
when whitespace and then a capital letter, digit, opening quote or bracket follow; a full stop
right after a marker ends one even with no space (`[1].The new chip`), since scraped pages glue
sentences that way. Abbreviations (`Inc.`, `Dr.`, `e.g.`) and initials (`U.S.`, `J.`) do not end a
sentence. The scan visits each terminator once, so time is linear in the paragraph's length.
"""

from __future__ import annotations

import bisect
import re

from linkaudit.extract.markers import Marker

_TERMINATOR = re.compile(r"[.!?\u2026]+")
_CLOSERS = "\"')]}\u2019\u201d\u00bb"
_OPENERS = "\"'([{\u2018\u201c\u00ab"
_WORD_BEFORE = re.compile(r"[A-Za-z.]{1,12}$")
_ABBREVIATIONS = frozenset(
    [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "inc", "corp", "ltd", "co",
        "plc", "llc", "no", "nos", "fig", "figs", "al", "approx", "dept", "est", "gov", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e",
        "cf", "ca", "op", "vol", "pp", "p", "ed", "eds", "rev", "gen", "col", "lt", "sgt", "capt",
        "cmdr", "adm", "hon", "pres", "sen", "rep", "univ", "assn", "bros"
    ]
)


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at `dot` closes an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if match is None:
        return False
    word = match.group(0).lstrip(".")
    if not word:
        return False
    if "." in word:  # U.S, e.g, Ph.D: dotted abbreviations
        return True
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    return word.lower() in _ABBREVIATIONS


def sentence_spans(text: str, markers: list[Marker]) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of `text`, covering it without gaps."""
    marker_at = {m.start: m for m in markers}
    marker_ends = {m.end for m in markers}
    spans: list[tuple[int, int]] = []
    start = 0
    size = len(text)
    for match in _TERMINATOR.finditer(text):
        first, end = match.start(), match.end()
        if end <= start:
            continue
        single_dot = text[first] == "." and end - first == 1
        digits = 0 < first < end < size and text[first - 1].isdigit() and text[end].isdigit()
        if single_dot and digits:
            continue  # a decimal: 2.7
        after_marker = first in marker_ends
        pos = end
        while pos < size and text[pos] in _CLOSERS:
            pos += 1
        while pos in marker_at:  # "works.[1] Next"
            pos = marker_at[pos].end
        boundary = False
        if pos >= size:
            boundary = True
        elif text[pos].isspace():
            nxt = pos
            while nxt < size and text[nxt].isspace():
                nxt += 1
            if nxt >= size:
                boundary = True
            else:
                ch = text[nxt]
                if ch.isupper() or ch.isdigit() or ch in _OPENERS or nxt in marker_at:
                    boundary = True
                elif not ch.isalpha():
                    boundary = ch not in ",;:)-"
            if boundary and text[first] == "." and end - first == 1 and not after_marker:
                boundary = not _is_abbreviation(text, first)
        elif after_marker and (text[pos].isupper() or text[pos] in _OPENERS):
            boundary = True
        if boundary:
            spans.append((start, pos))
            start = pos
    if start < size:
        spans.append((start, size))
    return spans


def claim_spans(text: str, markers: list[Marker]) -> list[tuple[int, int]]:
    """For each marker, the sentence span it belongs to.

    A marker that opens a sentence (`... growth. [1] The next`) belongs to the sentence before it:
    that is where writers put markers after the full stop.
    """
    spans = sentence_spans(text, markers)
    starts = [m.start for m in markers]
    result: list[tuple[int, int]] = []
    index = 0
    for marker in markers:
        while index + 1 < len(spans) and spans[index][1] <= marker.start:
            index += 1
        span = spans[index] if spans else (0, len(text))
        if index > 0 and not _has_words(text, span[0], marker.start, markers, starts):
            span = spans[index - 1]
        result.append(span)
    return result


def _has_words(
    text: str, start: int, end: int, markers: list[Marker], starts: list[int]
) -> bool:
    """True when `text[start:end]` holds something besides whitespace and markers."""
    if end - start > 300:  # bounded work per marker, whatever the input
        return True
    pos = start
    for index in range(bisect.bisect_left(starts, start), len(markers)):
        marker = markers[index]
        if marker.start >= end:
            break
        if text[pos : marker.start].strip():
            return True
        pos = marker.end
    return bool(text[pos:end].strip(" \t\n.,;"))
