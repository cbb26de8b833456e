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
_WORD_BEFORE_INITIAL = re.compile(r"([A-Za-z]+)[\s,]+$")
_BEFORE_NAMES = frozenset(
    ["by", "of", "and", "to", "with", "from", "for", "in", "at", "on", "as", "dr", "mr", "ms",
     "mrs", "prof", "sir", "lady", "lord", "saint"]
)
"""Words after which a capital letter and a full stop is a name's initial (`by J. Smith`);
after another lower-case word it ends a sentence (`the matrix B. This`)."""
_QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb"}
_MAX_QUOTE = 600
"""A quotation longer than this is not one (a stray quote must not swallow a paragraph)."""
_CITING_WORDS = re.compile(
    r"\W*(?:see(?: also)?|ref(?:erence)?s?|sources?|citations?|cf|per|via|from)\W*", re.IGNORECASE
)
"""A sentence that is only these words and a marker (`... Reference [1]`) is no claim."""
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
    if len(word) == 1 and word.isupper():  # an initial ("J. Smith"), or "matrix B. This"
        before = _WORD_BEFORE_INITIAL.search(text, max(0, dot - 30), dot - 1)
        if before is None:
            return True
        previous = before.group(1)
        return not previous.islower() or previous in _BEFORE_NAMES
    return word.lower() in _ABBREVIATIONS


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """The (open, close) offsets of the quotations of `text`, in order, in one pass.

    Curly quotes pair by direction, straight double quotes by turns. A quotation that does not
    close within `_MAX_QUOTE` characters is no quotation (a stray or an inch mark), so one odd
    quote cannot swallow a paragraph.
    """
    spans: list[tuple[int, int]] = []
    if '"' not in text and "\u201c" not in text and "\u00ab" not in text:
        return spans
    opened = -1
    closer = ""
    for index, char in enumerate(text):
        if opened >= 0 and index - opened > _MAX_QUOTE:
            opened = -1
        if opened < 0:
            if char in _QUOTE_PAIRS:
                opened, closer = index, _QUOTE_PAIRS[char]
        elif char == closer:
            spans.append((opened, index))
            opened = -1
    return spans


def sentence_spans(text: str, markers: list[Marker]) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of `text`, covering it without gaps.

    A sentence never ends inside an open quotation (`stating, "Trump picked up 4.0 points.
    Clinton picked up less" [5].` is one sentence), unless the quotation closes right after the
    full stop (`He said "it works." Then he left.` is two).
    """
    marker_at = {m.start: m for m in markers}
    marker_ends = {m.end for m in markers}
    quotes = quotation_spans(text)
    quote_starts = [q[0] for q in quotes]
    spans: list[tuple[int, int]] = []
    start = 0
    size = len(text)
    for match in _TERMINATOR.finditer(text):
        first, end = match.start(), match.end()
        if end <= start:
            continue
        inside = bisect.bisect_right(quote_starts, first) - 1
        if inside >= 0 and first < quotes[inside][1]:
            after = end
            while after < size and text[after] in _CLOSERS and after != quotes[inside][1]:
                after += 1
            if after != quotes[inside][1]:
                continue  # a full stop inside a quotation that goes on
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
        back = index
        if back > 0 and not _has_words(text, span[0], marker.start, markers, starts):
            back -= 1
        elif back > 0 and _only_citing(text, span, marker, markers, starts):
            # "... an API change. #Not sure about this. Reference [1]": the marker cites the
            # statement before, past the citing word and any `#note`.
            back -= 1
            while back > 0 and text[spans[back][0] : spans[back][1]].lstrip().startswith("#"):
                back -= 1
        result.append(spans[back] if spans else span)
    return result


def _only_citing(
    text: str, span: tuple[int, int], marker: Marker, markers: list[Marker], starts: list[int]
) -> bool:
    """True when the sentence holding `marker` is only a citing word (`Reference`, `Source:`,
    `See`) and markers, with nothing after the marker."""
    before = text[span[0] : marker.start]
    if len(before) > 40 or not _CITING_WORDS.fullmatch(before):
        return False
    return not _has_words(text, marker.end, span[1], markers, starts)


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
