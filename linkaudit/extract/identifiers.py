"""Identifiers of a cited work in a reference entry: ISBN, DOI, arXiv id, PubMed id.

A reference to a book by ISBN has no link to check, yet it is not a broken reference: its
identifier says what it is. The identifiers are read from the entry's text (`ISBN 0-521-53927-7`,
`doi:10.1000/182`, `arXiv:1706.03762`, `PMID 12345678`) and from its links (`doi.org/...`,
`arxiv.org/abs/...`, MediaWiki's `Special:BookSources/...`), normalised (ISBN digits only, DOI in
lower case), and an ISBN counts only when its check digit is right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

_ISBN = re.compile(r"\bISBN(?:-1[03])?[:\s]*((?:97[89][\s-]?)?[0-9][0-9\s-]{7,14}[0-9Xx])\b")
_BOOK_SOURCES = re.compile(r"Special:BookSources/([0-9Xx-]{10,17})")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_ARXIV = re.compile(
    r"(?:\barXiv:\s*|arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7})",
    re.IGNORECASE,
)
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b|pubmed\.ncbi\.nlm\.nih\.gov/(\d{5,9})")
_DOI_TRAILING = ".,;:)]}'\""


def _isbn_ok(digits: str) -> bool:
    if len(digits) == 10:
        total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(digits))
        return digits[:9].isdigit() and total % 11 == 0
    if len(digits) == 13 and digits.isdigit():
        total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits))
        return total % 10 == 0
    return False


def identifiers_in(text: str, hrefs: Iterable[str] = ()) -> dict[str, str]:
    """The identifiers found in an entry's text and links, first of each kind."""
    found: dict[str, str] = {}
    sources = [text, *(unquote(h) for h in hrefs)]
    for source in sources:
        if "isbn" not in found:
            for match in (*_ISBN.finditer(source), *_BOOK_SOURCES.finditer(source)):
                digits = re.sub(r"[\s-]", "", match.group(1)).upper()
                if _isbn_ok(digits):
                    found["isbn"] = digits
                    break
        if "doi" not in found and (doi := _DOI.search(source)):
            found["doi"] = doi.group(1).rstrip(_DOI_TRAILING).lower()
        if "arxiv" not in found and (arxiv := _ARXIV.search(source)):
            found["arxiv"] = arxiv.group(1)
        if "pmid" not in found and (pmid := _PMID.search(source)):
            found["pmid"] = pmid.group(1) or pmid.group(2)
    return found
