"""The extractor seam: what every per-format extractor takes in and gives back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from linkaudit.model import Citation, DatedFact, DocFormat, Link, Problem, Reference


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one extractor found in one document, before repeats are removed."""

    references: tuple[Reference, ...] = ()
    """Every reference entry in document order (a repeated list appears twice here)."""
    citations: tuple[Citation, ...] = ()
    """Every marker occurrence in document order."""
    links: tuple[Link, ...] = ()
    """Other hyperlinks."""
    date: DatedFact | None = None
    """The document's own date, if found."""
    repeated_paragraphs: int = 0
    """How many body paragraphs repeat an earlier one."""
    repeated_chars: int = 0
    """How much text (characters) those repeated paragraphs hold."""
    body_chars: int = 0
    """How much text the body paragraphs hold in all (repeats included)."""
    problems: tuple[Problem, ...] = ()
    """Repaired URLs and anything else worth saying."""
    site_url: str | None = None
    """The document's canonical URL, when it declares one."""
    anchors: frozenset[str] | None = None
    """The `#fragment`s the document offers (heading slugs, ids, names); None for plain text."""


class Extractor(Protocol):
    """Reads one format: references, citations, links and the date."""

    format: DocFormat
    """The format it reads."""

    def extract(self, text: str, base_url: str | None) -> Extraction:
        """Extract from decoded `text` (newlines normalised to `\\n`); `base_url` resolves links."""
        ...
