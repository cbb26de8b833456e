"""HTML, parsed with BeautifulSoup's `html.parser` (always available, and it records positions).

References come from reference lists: `<ol class="references">` (Wikipedia), footnote sections
(`section.footnotes`, `[role=doc-endnotes]`, elements whose class or id says footnotes, endnotes,
references, notes or reflist), and lists right after a heading such as "References". An entry's id
is the number at the end of its `id` (`cite_note-Smith-3` -> 3, `fn1` -> 1), else its position.

Markers are `<sup>` elements that link to a note (`#cite_note-...`, `#fn1`, any entry found
above) or whose text is a bracketed number (`[1]`); pandoc's `<a href="#fn1"><sup>1</sup></a>`;
and bracketed numbers in the visible text. A `<sup>` with a bare number and no note link is an
exponent, and `:p. 7`-style page numbers are neither markers nor part of the claim. The claim is
the sentence of the visible text of the block (paragraph, list item, table cell) holding the
marker; scripts, styles, hidden elements and code are never searched for markers.

Positions: html.parser gives each element's source line and column, so a `<sup>` marker is placed
at its tag; a marker in running text is found in the source after its parent element's tag.
The tree is walked with an explicit stack, so deep nesting cannot exhaust Python's recursion.

This module reads the page's facts and holds the fragment reader that Markdown uses for its HTML
blocks; reference lists are in `html_refs`, the body walk in `html_walk`, the small readers of
one element that both use in `html_nodes`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

from bs4 import BeautifulSoup, Tag

from linkaudit.extract.dates import find_dateline, json_ld_date, meta_date, parse_date
from linkaudit.extract.html_nodes import (
    _HEADINGS,
    _PERMALINK,
    MARKER_TEXT_LIMIT,
    TagIndex,
    _label,
    is_hidden_style,
    srcset_urls,
)
from linkaudit.extract.html_refs import _all_references, _entry_url, _identifiers
from linkaudit.extract.html_walk import _Walker
from linkaudit.extract.interface import Extraction
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import _HEADING
from linkaudit.extract.urls import clean_url
from linkaudit.local.anchors import html_anchors
from linkaudit.model import Citation, DatedFact, DateOrigin, DocFormat, Link, Reference

__all__ = [
    "MARKER_TEXT_LIMIT",
    "FragmentBody",
    "HtmlExtractor",
    "HtmlFragment",
    "is_hidden_style",
    "srcset_urls",
]

class HtmlExtractor:
    """Extracts references and citations from HTML."""

    format = DocFormat.HTML

    def extract(self, text: str, base_url: str | None) -> Extraction:
        """See `Extractor.extract`."""
        with warnings.catch_warnings():
            # A page that is only a URL, or XHTML, is still read as HTML: no advice to print.
            warnings.simplefilter("ignore")
            soup = BeautifulSoup(text, "html.parser")
        index = LineIndex(text)
        tags = TagIndex(soup)
        metas: dict[str, str] = {}
        for meta in tags.named("meta"):
            key = meta.get("property") or meta.get("name") or meta.get("itemprop")
            content = meta.get("content")
            if isinstance(key, str) and isinstance(content, str):
                metas.setdefault(key.lower(), content)
        site_url = _canonical(tags, metas)
        base = _base(tags) or site_url or base_url
        date = meta_date(metas) or json_ld_date(
            s.get_text() for s in tags.named("script") if s.get("type") == "application/ld+json"
        )
        references, targets, lists = _all_references(soup, tags, base, index, in_section=False)
        walker = _Walker(text, index, base, {r.id for r in references}, targets, lists)
        walker.walk(soup)
        if date is None:
            time_tag = next(iter(tags.having("time", "datetime")), None)
            if time_tag is not None:
                value = parse_date(str(time_tag.get("datetime")))
                if value is not None:
                    date = DatedFact(value, DateOrigin.TIME_TAG, detail=str(time_tag)[:120])
        if date is None:
            date = find_dateline(walker.paragraphs[:200])
        _release(soup)
        return Extraction(
            references=tuple(references),
            citations=tuple(walker.citations),
            links=tuple(walker.links),
            date=date,
            repeated_paragraphs=walker.repeats.repeats,
            repeated_chars=walker.repeats.repeated_chars,
            body_chars=walker.repeats.seen_chars,
            site_url=site_url,
            anchors=frozenset(html_anchors(text)),
        )


def _release(soup: BeautifulSoup) -> None:
    """Take the tree apart once read. Every element links to its parent and neighbours, so
    the whole tree is garbage that only the cyclic collector frees, which rescanned it at the
    next collection (7% of the time of a folder of pages); decomposed, it is freed at once."""
    for child in list(soup.contents):
        if isinstance(child, Tag):
            child.decompose()


def _soup(text: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        # A page that is only a URL, or XHTML, is still read as HTML: no advice to print.
        warnings.simplefilter("ignore")
        return BeautifulSoup(text, "html.parser")


@dataclass(frozen=True, slots=True)
class FragmentBody:
    """The citations and links of an HTML fragment, at their places in the whole file."""

    citations: tuple[Citation, ...]
    links: tuple[Link, ...]


class HtmlFragment:
    """An HTML block inside another document (Markdown): read with this module's rules, its
    positions shifted to the line where it starts.

    Markdown needs it in two passes (the references of every block first, then the citations
    against the whole list), so the block is parsed once and kept.
    """

    def __init__(self, text: str, first_line: int, base: str | None) -> None:
        self._text = text
        self._shift = first_line - 1
        self._base = base
        self._soup = _soup(text)
        self._tags = TagIndex(self._soup)
        self._index = LineIndex(text)
        self._targets: dict[str, str] = {}
        self._holders: list[Tag] = []

    def section_heading(self) -> int | None:
        """The level of the block's last heading when it names a references section, 0 when
        it is another heading (which ends such a section), None when there is none."""
        headings = self._tags.named(*_HEADINGS)
        if not headings:
            return None
        last = headings[-1]
        if _HEADING.fullmatch(last.get_text(" ").strip(_PERMALINK)):
            return int(last.name[1])
        return 0

    def references(self, in_section: bool) -> list[Reference]:
        """The block's reference entries; `in_section` when it stands under a references
        heading of the document, so its `[N] ...` paragraphs are entries without one."""
        references, self._targets, self._holders = _all_references(
            self._soup, self._tags, self._base, self._index, in_section=in_section
        )
        return [replace(r, line=r.line + self._shift) for r in references]

    def as_entry(self) -> tuple[str, str | None, str | None, dict[str, str], list[str]]:
        """The block read as one reference entry (a list item whose text opens with HTML):
        its label, URL (normalised and as written), identifiers and element ids."""
        label = _label(self._soup)
        url, written = _entry_url(self._soup, self._base)
        ids = [str(t.get("id")) for t in self._tags.with_id()]
        return label, url, written, _identifiers(self._soup, label), ids

    def body(self, known: set[str]) -> FragmentBody:
        """The block's citations and links, markers judged against the document's `known` ids."""
        walker = _Walker(self._text, self._index, self._base, known, self._targets,
                         self._holders)
        walker.walk(self._soup)
        return FragmentBody(
            tuple(replace(c, line=c.line + self._shift) for c in walker.citations),
            tuple(replace(k, line=k.line + self._shift) for k in walker.links),
        )


def _canonical(tags: TagIndex, metas: dict[str, str]) -> str | None:
    for link in tags.having("link", "href"):
        rel = link.get("rel")
        rels = rel if isinstance(rel, list) else [str(rel)]
        href = str(link.get("href"))
        if "canonical" in (r.lower() for r in rels) and href.lower().startswith("http"):
            return clean_url(href)
    og = metas.get("og:url")
    return clean_url(og) if og and og.lower().startswith("http") else None


def _base(tags: TagIndex) -> str | None:
    found = tags.having("base", "href")
    href = str(found[0].get("href")) if found else ""
    return href if href.lower().startswith("http") else None
