"""Scraped pages often carry the article body and its reference list twice: report them once.

A reference list is repeated when an id comes back with the same URL (a different URL is a
conflict, reported as such, and the first entry is kept). A paragraph is repeated when its text,
whitespace collapsed and at least `_MIN_PARAGRAPH` characters long, was seen before; its second
copy is skipped (the same claims with the same ids). The body is reported duplicated only when the
reference list repeats or a substantial part of the text does (`_SUBSTANTIAL`): one short sentence
said twice (a badge notice, a "Note:" line) is not a duplicated page. Then a citation whose ids
and claim were already reported is dropped: the second copy of a sentence is the same claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from linkaudit.model import Citation, Problem, ProblemKind, Reference

_MIN_PARAGRAPH = 40
"""Shorter repeated lines ("Share", "Advertisement") are page furniture, not a repeated body."""
_SUBSTANTIAL = 0.2
"""The share of the body's text that must repeat for the body to count as duplicated."""
_SUBSTANTIAL_MIN = 200
"""And at least this many characters of it."""


@dataclass(frozen=True, slots=True)
class Deduplicated:
    """References and citations with repeats removed, and what was found repeated."""

    references: tuple[Reference, ...]
    """Each id once, the first entry kept."""
    citations: tuple[Citation, ...]
    """Each (ids, claim) once when the body was duplicated; all of them otherwise."""
    duplicated_body: bool
    """True when the reference list or paragraphs appeared more than once."""
    problems: tuple[Problem, ...]
    """A `duplicated-body` problem, and `conflicting-reference` ones."""


class RepeatTracker:
    """Counts paragraphs that repeat an earlier one, so extractors can skip their second copy.

    Skipping is exact, not a heuristic: a repeated paragraph has the same claims with the same
    ids, which `deduplicate` would drop anyway; skipping them keeps a page that repeats itself
    thousands of times linear and fast.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self.repeats = 0
        """How many repeats were seen."""
        self.repeated_chars = 0
        """How many characters the repeats held."""
        self.seen_chars = 0
        """How many characters all paragraphs held (repeats included)."""

    def is_repeat(self, paragraph: str, targets: Sequence[str] = ()) -> bool:
        """True (and counted) when `paragraph` is long enough and was seen before with the same
        link `targets`: a list that names one site twice, once over `http:` and once over
        `https:`, repeats its words, not its links, and both links are checked."""
        text = " ".join(paragraph.split())
        self.seen_chars += len(text)
        if len(text) < _MIN_PARAGRAPH:
            return False
        key = "\n".join((text, *targets))
        if key in self._seen:
            self.repeats += 1
            self.repeated_chars += len(text)
            return True
        self._seen.add(key)
        return False


def substantial(repeated_chars: int, body_chars: int) -> bool:
    """True when repeated paragraphs hold a substantial part of the body's text."""
    return repeated_chars >= max(_SUBSTANTIAL_MIN, _SUBSTANTIAL * body_chars)


def deduplicate(
    references: Sequence[Reference],
    citations: Sequence[Citation],
    repeated: int,
    repeated_chars: int | None = None,
    body_chars: int = 0,
) -> Deduplicated:
    """Keep each reference id once and, if the list or much of the text repeated, each
    (ids, claim) once. `repeated_chars` None counts every repeated paragraph as substantial."""
    kept: dict[str, Reference] = {}
    problems: list[Problem] = []
    list_repeats = 0
    for ref in references:
        first = kept.get(ref.id)
        if first is None:
            kept[ref.id] = ref
        elif first.url == ref.url and (first.url is not None or first.text == ref.text):
            list_repeats += 1
        else:
            problems.append(
                Problem(
                    ProblemKind.CONFLICTING_REFERENCE,
                    f"reference [{ref.id}] is listed again on line {ref.line} with a different "
                    f"entry; the one on line {first.line} is used",
                    line=ref.line,
                )
            )
    if repeated and repeated_chars is not None and not substantial(repeated_chars, body_chars):
        repeated = 0  # a sentence said twice is not a duplicated page
    duplicated = list_repeats > 0 or repeated > 0
    kept_citations: list[Citation] = list(citations)
    dropped = 0
    if duplicated:
        seen: set[tuple[tuple[str, ...], str]] = set()
        kept_citations = []
        for citation in citations:
            key = (citation.ids, citation.claim)
            if key in seen:
                dropped += 1
                continue
            seen.add(key)
            kept_citations.append(citation)
        what = []
        if list_repeats:
            what.append("the reference list is repeated")
        if repeated:
            plural = "s" if repeated != 1 else ""
            what.append(f"{repeated} paragraph{plural} appear twice")
        problems.insert(
            0,
            Problem(
                ProblemKind.DUPLICATED_BODY,
                "the body appears more than once ("
                + ", ".join(what)
                + "); each reference and claim is reported once"
                # The copies of a repeated paragraph were skipped as they were read: uncounted.
                + (f" ({dropped} repeated citation{'s' if dropped != 1 else ''} dropped)"
                   if dropped else ""),
            ),
        )
    return Deduplicated(tuple(kept.values()), tuple(kept_citations), duplicated, tuple(problems))
