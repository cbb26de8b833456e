"""The grammar of numbered citation markers: `[1]`, `[1, 3]`, `[1-3]`, `[1–3]`, `[7][8][9]`.

A marker is a bracket holding reference numbers, separated by commas or semicolons, with ranges
written with a hyphen or an en/em dash. Adjacent markers (`[7][8][9]`, `[1], [2]`) are one
citation naming all their ids. Scanning is linear: the bracket's content is bounded
(`_MAX_INSIDE` characters) and may not hold another `[`, so a megabyte of `[[[[` costs one
failed, constant-time attempt per character.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

_MAX_INSIDE = 60
"""The longest bracket content considered: `[1, 2, 3, ..., 20]` fits, a paragraph does not."""
_MAX_RANGE = 200
"""A range spanning more numbers than this is not a citation (`[1-2024]`)."""
_MARKER = re.compile(r"\[(\^?[0-9][0-9 ,;\u2013\u2014\-]{0,%s})\]" % str(_MAX_INSIDE))  # noqa: UP031
_FOOTNOTE = re.compile(r"\[\^([A-Za-z0-9_\-]{1,40})\]")
_NUMBER_OR_RANGE = re.compile(r"\^?([0-9]{1,4})(?:\s*[\u2013\u2014\-]\s*([0-9]{1,4}))?")
_GLUE = re.compile(r"[ \t,;]{0,3}")
_CODE_AFTER = frozenset("-=+*/<>(")
"""What follows an index in code (`v[1]->x`, `a[1] + b`, `f[1](x)`), never a citation."""
_CROSS_REFERENCE = re.compile(
    r"(?:\b(?:Figures?|Figs?\.|FIG\.|Tables?|Tabs?\.|Listings?|Equations?|Eqs?\.|Algorithms?|"
    r"Appendix|Chapters?|Sections?|Secs?\.)|\u00a7)\s*$"
)
"""Words before a bracketed number that make it a cross-reference, not a citation (capitalised,
as a caption's name is: `a shared table [3]` is prose and cites)."""
_GLUED = re.compile(r"[^\W_]\[([0-9][0-9 ,;\u2013\u2014\-]{0,20})\]")
_IDENTIFIER_BEFORE = re.compile(r"(?<![\w\-])(?:[a-z]|[a-z]+[0-9]+|\w*_\w*)$")
"""A name a bracket is glued to that no prose word looks like: one lower-case letter (`x[1]`),
letters then digits (`a1[3]`), or a name with an underscore (`row_2[5]`). Not `H2O[1]`,
`vitamin C[1]`, `COVID-19[3]`, `GPT-4[7]` or `2023[4]`: those are prose, and cite."""
_OPERATOR_BEFORE = re.compile(r"(?:[=\u2208\u2264\u2265\u2260]|(?:^|\s)[<>+*/]|\b[a-z]\s+in)\s*$")
"""What before a free-standing bracket makes it a value, not a citation: an operator
(`n = [4, 8, 16]`, `x \u2208 [1, 10]`, `a + [2, 3]`) or a variable's range (`k in [1, 10]`).
Not emphasis or a URL's end (`**2024** [1]`, `https://example.org/ [4]`), not a capital's
`in` (`Vitamin D in [6]`), and a noun is not enough (`a vector [1]`, `the h-index [4]` cite)."""


@dataclass(frozen=True, slots=True)
class Marker:
    """One citation marker (or group of adjacent markers) found in a piece of text."""

    start: int
    """Offset of the first `[`."""
    end: int
    """Offset just past the last `]`."""
    ids: tuple[str, ...]
    """Reference ids named, ranges expanded, duplicates removed, in order."""

    def text_in(self, text: str) -> str:
        """The marker as written in `text`."""
        return text[self.start : self.end]


def parse_ids(inside: str, known: Collection[str] | None = None) -> tuple[str, ...] | None:
    """The ids named by the content of one bracket (`1, 3-5`), or None if it is not a marker.

    Years are the usual false positive (`[2024]`): a four-digit number from 1800 to 2199 counts
    only when `known` (the document's reference ids) has it.
    """
    if inside.isdigit() and len(inside) <= 4:  # the common case: "[12]"
        number = int(inside)
        if 1800 <= number <= 2199 and (known is None or inside not in known):
            return None
        return (str(number),)
    ids: list[str] = []
    pieces = [raw.strip() for raw in re.split(r"[,;]", inside)]
    if len(set(pieces)) < len(pieces):
        return None  # `[200, 200]`: a point or a shape, never a citation
    for piece in pieces:
        if not piece:
            return None
        match = _NUMBER_OR_RANGE.fullmatch(piece)
        if match is None:
            return None
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if last < first or last - first > _MAX_RANGE:
            return None
        for number in (first, last):
            if 1800 <= number <= 2199 and (known is None or str(number) not in known):
                return None
        ids.extend(str(n) for n in range(first, last + 1))
    return tuple(dict.fromkeys(ids)) or None


def glues_citations(text: str, known: Collection[str]) -> bool:
    """True when the document writes its citations against words (`growth[1]`): at least one
    bracket glued to a word names references the list has. Then a glued bracket naming an
    unknown number is a citation whose entry is missing; otherwise it is an index
    (`tables[64][64]`, `atkTo[64]`)."""
    if not known:
        return False
    for match in _GLUED.finditer(text):
        ids = parse_ids(match.group(1), known)
        if ids is not None and all(i in known for i in ids) and not _identifier_before(
            text, match.start() + 1
        ):
            return True
    return False


def _alone_on_line(text: str, start: int, end: int) -> bool:
    """True when nothing but spaces and tabs stands beside `text[start:end]` on its line (read
    outward from the bracket only: linear however many brackets a line holds)."""
    at = start - 1
    while at >= 0 and text[at] in " \t":
        at -= 1
    if at >= 0 and text[at] not in "\r\n":
        return False
    at = end
    while at < len(text) and text[at] in " \t":
        at += 1
    return at == len(text) or text[at] in "\r\n"


def _identifier_before(text: str, start: int) -> bool:
    """True when the bracket at `start` is glued to a name no prose word looks like (see
    `_IDENTIFIER_BEFORE`)."""
    return _IDENTIFIER_BEFORE.search(text, max(0, start - 40), start) is not None


def _looks_like_code(text: str, start: int, end: int, ids: tuple[str, ...],
                     known: Collection[str], glued_citations: bool) -> bool:
    """True when a bracketed number is an index or an interval, not a citation.

    `[0]` and `[0, 1]` when the reference list has no 0 (lists and intervals start at zero,
    citations at one); a line holding only `[1, 2, 3]` naming numbers the list lacks (program
    output); a bracket after an operator or a variable's `in` (see `_OPERATOR_BEFORE`); a
    bracket glued to a name no prose word looks like (`x[1]`, `row_2[1]`); a bracket glued to a
    name and followed by code (`callbacks[1]->url`, `row[2] = x`, `a[1].b`), whatever the list
    holds; and a bracket glued to a name naming a number the list lacks, in a document that has
    a list but does not glue its citations (see `glues_citations`; with no list at all, such a
    bracket is left to `markers-without-list`). A number glued to a word and followed by prose
    (`growth[1].`) in a document that writes citations that way stays a citation.
    """
    glued = start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")
    if not glued:
        unknown = not all(i in known for i in ids)
        if unknown and ("0" in ids or len(ids) > 1 and _alone_on_line(text, start, end)):
            return True  # `[0, 1]`; a line of program output, `[1, 2, 3]`
        return _OPERATOR_BEFORE.search(text, max(0, start - 24), start) is not None
    if _identifier_before(text, start):
        return True
    unknown = not all(i in known for i in ids)
    if unknown and ("0" in ids or known and not glued_citations):
        return True
    after = text[end : end + 2]
    if after[:1] in _CODE_AFTER or after[:1] == "." and after[1:2].isalpha():
        return True
    rest = text[end : end + 4].lstrip(" ")
    return rest[:1] == "=" and rest[1:2] != "="


def find_markers(
    text: str, known: Collection[str] | None = None, *, glued: bool = True
) -> list[Marker]:
    """Every numbered marker in `text`, adjacent ones merged, in order of appearance.

    `[^label]` footnote markers (as written in plain text) count too, with the label as the id.
    With `known` (the document's reference ids), indices and intervals are left out (see
    `_looks_like_code`; `glued` says whether the document glues citations to words); without
    it, every bracketed number counts.
    """
    if "[" not in text:
        return []  # every marker is bracketed: most of a page's text nodes need no more
    singles: list[Marker] = []
    index_end = -1  # where the last index ended: `m[1][2]` is one index, not a citation
    math = sorted(_math_spans(text), reverse=True)
    beyond: int | None = -1  # computed when a bracket first names a number the list lacks
    for match in _MARKER.finditer(text):
        ids = parse_ids(match.group(1), known)
        if ids is None:
            continue
        while math and math[-1][1] <= match.start():
            math.pop()  # (reversed below: the spans still ahead, nearest last)
        if math and math[-1][0] < match.start():
            continue  # `$$ [-1, 0, 1] \ast [105, 255, 55] $$`: a vector in a formula
        if known and not all(i in known for i in ids):
            if beyond == -1:
                beyond = _beyond(known)
            if beyond is not None and all(i.isdigit() and int(i) > beyond for i in ids):
                continue  # `[105, 255, 55]` beside a list of 5: no missing entry is that far off
        if match.start() and _CROSS_REFERENCE.search(text, max(0, match.start() - 16),
                                                     match.start()):
            continue  # `Figure [8]`, `Table [2]`: the document's own numbering
        if known is not None and (
            match.start() == index_end
            or _looks_like_code(text, match.start(), match.end(), ids, known, glued)
        ):
            index_end = match.end()
            continue
        singles.append(Marker(match.start(), match.end(), ids))
    if "[^" in text:
        singles.extend(
            Marker(m.start(), m.end(), (m.group(1),))
            for m in _FOOTNOTE.finditer(text)
            if not m.group(1)[0].isdigit() or not _MARKER.fullmatch(m.group(0))
        )
        singles.sort(key=lambda m: m.start)
    return merge_adjacent(text, singles)


def _math_spans(text: str) -> list[tuple[int, int]]:
    r"""The spans of TeX formulas a page shows with MathJax or KaTeX: `$$ ... $$` (paired in
    order) and `\( ... \)`; one pass over the text."""
    spans: list[tuple[int, int]] = []
    for opener, closer in (("$$", "$$"), ("\\(", "\\)")):
        at = text.find(opener)
        while at != -1:
            end = text.find(closer, at + 2)
            if end == -1:
                break
            spans.append((at, end + 2))
            at = text.find(opener, end + 2)
    return spans


def _beyond(known: Collection[str] | None) -> int | None:
    """The number above which a bracket cannot cite the document's list (twice its last number
    and 20 more): a list that stops at 5 may have lost entry 8, not entry 105. None with no
    numbered list."""
    numbers = [int(i) for i in known or () if i.isdigit()]
    return 2 * max(numbers) + 20 if numbers else None


def merge_adjacent(text: str, singles: list[Marker]) -> list[Marker]:
    """Join markers separated only by up to three spaces, commas or semicolons."""
    merged: list[Marker] = []
    for marker in singles:
        if merged:
            last = merged[-1]
            if marker.start >= last.end and _GLUE.fullmatch(text, last.end, marker.start):
                ids = tuple(dict.fromkeys(last.ids + marker.ids))
                merged[-1] = Marker(last.start, marker.end, ids)
                continue
            if marker.start < last.end:
                continue
        merged.append(marker)
    return merged


def strip_markers(text: str, markers: list[Marker]) -> str:
    """`text` with the markers removed and whitespace collapsed (the claim as a reader says it)."""
    pieces: list[str] = []
    pos = 0
    for marker in markers:
        pieces.append(text[pos : marker.start])
        back = marker.start
        while back > pos and text[back - 1].isspace():  # each character looked at once
            back -= 1
        before = text[back - 1] if back > pos else ""
        pos = marker.end
        if before in (".", "!", "?") and text[pos : pos + 1] == "." and text[pos : pos + 2] != "..":
            pos += 1  # "Monday.[1].Trading": the second full stop goes with the marker
    pieces.append(text[pos:])
    joined = " ".join("".join(pieces).split())
    # Removing "growth [1]." leaves "growth ." : pull punctuation back to its word.
    return re.sub(r"\s+([.,;:!?])", r"\1", joined)
