"""From a paragraph and its markers to `Citation` values: the claim each marker carries."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from linkaudit.extract.markers import Marker, strip_markers
from linkaudit.extract.sentences import claim_spans
from linkaudit.model import Citation

_BULLET = re.compile(r"^(?:[-*+\u2022\u2023\u25e6\u2043\u2219\u25aa\u25cf]|\d{1,3}[.)])\s+")
"""A list bullet opening a claim is layout, not words of the claim."""
_MAX_CLAIM = 2000
"""A claim longer than this is cut (a 'sentence' of a megabyte is not a sentence)."""
_WHOLE_ITEM = 400
"""A list item up to this long is one statement: its claim is all of it. A longer item (a
paragraph in a list) is read sentence by sentence."""


def citations_in(
    text: str,
    markers: list[Marker],
    locate: Callable[[Marker], tuple[int, int]],
    *,
    whole: bool = False,
    prefix: str = "",
) -> list[Citation]:
    """One `Citation` per marker of `text`, with its sentence (markers stripped) as the claim.

    `locate` gives the marker's 1-based line and column in the original file. With `whole` (a
    list item, or a line opening with a bullet), the claim is the item's whole text when it is
    short enough to be one statement (`_WHOLE_ITEM`). `prefix` opens every claim: a table cell's
    row header (`XLE (Energy): Highest sector IV`, never a bare `Yes`).
    """
    if not markers:
        return []
    citations: list[Citation] = []
    starts = [m.start for m in markers]
    claims: dict[tuple[int, int], str] = {}  # markers of one sentence share its claim
    whole = whole or _BULLET.match(text.lstrip()) is not None
    if whole and len(text) <= _WHOLE_ITEM:
        spans = [(0, len(text))] * len(markers)
    else:
        spans = claim_spans(text, markers)
    for marker, (start, end) in zip(markers, spans, strict=True):
        claim = claims.get((start, end))
        if claim is None:
            inside = _within(markers, starts, start, end)
            claim = strip_markers(text[start:end], [_shift(m, -start) for m in inside])
            claim = _BULLET.sub("", claim, count=1)
            if prefix and claim:
                claim = f"{prefix}: {claim}"
            if len(claim) > _MAX_CLAIM:
                claim = claim[: _MAX_CLAIM - 1] + "\u2026"
            claims[(start, end)] = claim
        line, column = locate(marker)
        citations.append(
            Citation(
                ids=marker.ids,
                claim=claim,
                line=line,
                column=column,
                marker=marker.text_in(text),
            )
        )
    return citations


def _within(markers: list[Marker], starts: list[int], start: int, end: int) -> list[Marker]:
    """The markers lying inside `[start, end)`."""
    found: list[Marker] = []
    for index in range(bisect.bisect_left(starts, start), len(markers)):
        marker = markers[index]
        if marker.start >= end:
            break
        if marker.start >= start and marker.end <= end:
            found.append(marker)
    return found


def _shift(marker: Marker, delta: int) -> Marker:
    return Marker(marker.start + delta, marker.end + delta, marker.ids)
