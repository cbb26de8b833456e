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
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PageElement, PreformattedString

from linkaudit.extract.claims import citations_in
from linkaudit.extract.dates import find_dateline, json_ld_date, meta_date, parse_date
from linkaudit.extract.dedupe import RepeatTracker
from linkaudit.extract.identifiers import identifiers_in
from linkaudit.extract.interface import Extraction
from linkaudit.extract.markers import (
    Marker,
    find_markers,
    glues_citations,
    parse_ids,
    strip_markers,
)
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import _HEADING
from linkaudit.extract.urls import clean_url, entry_url, find_urls, is_template
from linkaudit.local.anchors import html_anchors
from linkaudit.model import Citation, DatedFact, DateOrigin, DocFormat, Link, LinkKind, Reference
from linkaudit.urls import same_site

_BLOCKS = frozenset(
    [
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"
    ]
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe"})
_CODE = frozenset({"code", "pre", "kbd", "samp", "tt", "var"})
_NOTE_HREF = re.compile(r"#(?:cite[_-]note|fn|footnote|endnote|note|ref|bib)[-_:]?", re.I)
_TRAILING_NUMBER = re.compile(r"(\d{1,4})$")
_LIST_HINT = re.compile(r"footnote|endnote|reference|reflist|notes|citations|bibliography", re.I)
_NOT_WEB = ("mailto:", "javascript:", "tel:", "data:", "ftp:", "file:")
_BACKLINKS = "^\u2191\u21a9\ufe0e "
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WIKI_INTERNAL = re.compile(r"(?:^|/)(?:wiki/|w/index\.php)|Special:|index\.php\?title=", re.I)
_ENTRY_START = re.compile(r"\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)](?=\s)|\^(\d{1,4})\s)")
"""The number opening a paragraph entry: `[1] Author...`, `1. Author...`, `^1 Author`."""
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_PERMALINK = " #\u00b6\u00a7\U0001f517"
"""The symbols of a heading's permalink anchor (Hugo `#`, Sphinx `¶`, `§`, `🔗`), no part of
its name."""
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_MEDIA = ["img", "source", "video", "audio"]


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a `srcset` (`a.png 1x, b.png 2x`), as the HTML standard splits it: a URL runs
    to the next whitespace (a comma ending it ends the candidate), its descriptor to the next
    comma."""
    urls: list[str] = []
    position, size = 0, len(srcset)
    while position < size:
        while position < size and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < size and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            while position < size and srcset[position] != ",":
                position += 1
        if url:
            urls.append(url)
    return urls


@dataclass
class _Paragraph:
    """The block being read: its visible text, markers and their source positions."""

    parts: list[str] = field(default_factory=list)
    size: int = 0
    markers: list[Marker] = field(default_factory=list)
    where: dict[int, tuple[int, int]] = field(default_factory=dict)
    block: Tag | None = None
    """The block element it is the text of (a list item's claim is all of it; a table cell's
    claim opens with its row's header)."""

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)


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
        metas: dict[str, str] = {}
        for meta in soup.find_all("meta"):
            key = meta.get("property") or meta.get("name") or meta.get("itemprop")
            content = meta.get("content")
            if isinstance(key, str) and isinstance(content, str):
                metas.setdefault(key.lower(), content)
        site_url = _canonical(soup, metas)
        base = _base(soup) or site_url or base_url
        date = meta_date(metas) or json_ld_date(
            s.get_text() for s in soup.find_all("script", type="application/ld+json")
        )
        references, targets, lists = _all_references(soup, base, index, in_section=False)
        walker = _Walker(text, index, base, {r.id for r in references}, targets, lists)
        walker.walk(soup)
        if date is None:
            time_tag = soup.find("time", attrs={"datetime": True})
            if isinstance(time_tag, Tag):
                value = parse_date(str(time_tag.get("datetime")))
                if value is not None:
                    date = DatedFact(value, DateOrigin.TIME_TAG, detail=str(time_tag)[:120])
        if date is None:
            date = find_dateline(walker.paragraphs[:200])
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


def _soup(text: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        # A page that is only a URL, or XHTML, is still read as HTML: no advice to print.
        warnings.simplefilter("ignore")
        return BeautifulSoup(text, "html.parser")


def _all_references(
    soup: BeautifulSoup | Tag, base: str | None, index: LineIndex, *, in_section: bool
) -> tuple[list[Reference], dict[str, str], list[Tag]]:
    """Every reference of a page (lists, paragraph lists, loose notes), the map from element id
    to reference id, and the elements that hold entries (the walker skips them)."""
    lists = _reference_lists(soup)
    references, targets = _references(lists, base, index)
    paragraphs, holders = _paragraph_entries(soup, base, lists, in_section)
    references.extend(paragraphs)
    loose = _loose_notes(soup, targets, base)
    references.extend(ref for ref, _element in loose)
    return references, targets, [*lists, *holders, *(element for _ref, element in loose)]


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
        self._index = LineIndex(text)
        self._targets: dict[str, str] = {}
        self._holders: list[Tag] = []

    def section_heading(self) -> int | None:
        """The level of the block's last heading when it names a references section, 0 when
        it is another heading (which ends such a section), None when there is none."""
        headings = self._soup.find_all(_HEADINGS)
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
            self._soup, self._base, self._index, in_section=in_section
        )
        return [replace(r, line=r.line + self._shift) for r in references]

    def as_entry(self) -> tuple[str, str | None, str | None, dict[str, str], list[str]]:
        """The block read as one reference entry (a list item whose text opens with HTML):
        its label, URL (normalised and as written), identifiers and element ids."""
        label = _label(self._soup)
        url, written = _entry_url(self._soup, self._base)
        ids = [str(t.get("id")) for t in self._soup.find_all(id=True)]
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


def _section_starts(root: BeautifulSoup | Tag) -> list[Tag]:
    """The headings that open a references section: `<h2>References</h2>`, and a paragraph that
    is only such a name (`<p><strong>References:</strong></p>`)."""
    starts: list[Tag] = []
    for tag in root.find_all([*_HEADINGS, "p", "dt"]):
        text = _marker_text(tag)
        if text:
            text = text.strip(_PERMALINK)  # `References<a class="anchor" href="#references">#</a>`
        if text and len(text) < 60 and _HEADING.fullmatch(text):
            starts.append(tag)
    return starts


def _entry_blocks(start: Tag) -> list[Tag]:
    """The blocks after a references heading, up to the next heading: where entries stand."""
    blocks: list[Tag] = []
    node = start
    # A heading wrapped alone in a container (`<div><h2>References</h2></div>`): go up.
    while node.next_sibling is None and isinstance(node.parent, Tag) and node.parent.name in (
        "div", "header", "section", "center"
    ):
        node = node.parent
    for sibling in node.next_siblings:
        if not isinstance(sibling, Tag):
            continue
        if sibling.name in _HEADINGS or sibling.find(_HEADINGS) is not None:
            break
        if sibling.name in ("p", "div", "blockquote", "section", "dd", "dl", "center"):
            blocks.append(sibling)
        if len(blocks) > 2000:
            break
    return blocks


def _paragraph_entries(
    root: BeautifulSoup | Tag, base: str | None, lists: list[Tag], in_section: bool
) -> tuple[list[Reference], list[Tag]]:
    """Reference lists written as paragraphs (the Hugo and Jekyll pattern): `<h2>References</h2>
    <p>[1] Author. "Title." <a href="...">...</a></p><p>[2] ...`, entries one per paragraph or
    several in one separated by `<br>`; and, with no heading, paragraphs that open with `[N]` and
    hold a link. Each entry's URL is its source link (see `_ranked_links`), else a bare URL."""
    candidates: list[Tag] = []
    for start in _section_starts(root):
        candidates.extend(_entry_blocks(start))
    if in_section:
        candidates.extend(t for t in root.find_all(["p", "div"]) if t.parent is root)
    seen: set[int] = {id(t) for t in lists}
    references: list[Reference] = []
    holders: list[Tag] = []
    for block in candidates:
        for tag in [block, *block.find_all("p")]:
            if id(tag) in seen or _inside(tag, seen):
                continue
            entries = _entries_in(tag, base)
            if entries:
                seen.add(id(tag))
                holders.append(tag)
                references.extend(entries)
    for tag in root.find_all("p"):
        if id(tag) in seen or _inside(tag, seen):
            continue
        if _ENTRY_START.match(_opening_text(tag)) and tag.find("a", href=True) is not None:
            entries = [e for e in _entries_in(tag, base) if e.url]
            if entries:
                seen.add(id(tag))
                holders.append(tag)
                references.extend(entries)
    return references, holders


def _inside(tag: Tag, seen: set[int]) -> bool:
    """True when one of the nearest ancestors of `tag` is in `seen` (bounded: deep nesting of
    unclosed paragraphs must stay linear)."""
    for depth, parent in enumerate(tag.parents):
        if depth > 8:
            return False
        if id(parent) in seen:
            return True
    return False


def _opening_text(tag: Tag, limit: int = 24) -> str:
    """The first `limit` characters of a tag's text, read from its first nodes only."""
    parts: list[str] = []
    size = 0
    for node in _first_nodes(tag):
        if isinstance(node, NavigableString) and not isinstance(node, Comment):
            parts.append(str(node))
            size += len(node)
            if size >= limit:
                break
    return "".join(parts)[:limit]


def _entries_in(tag: Tag, base: str | None) -> list[Reference]:
    """The `[N] ...` entries of one paragraph (split at `<br>`), or none when it opens with no
    entry number."""
    if not _ENTRY_START.match(_opening_text(tag)):
        return []
    segments: list[list[PageElement]] = [[]]
    for child in tag.contents:
        if isinstance(child, Tag) and child.name == "br":
            segments.append([child])
        else:
            segments[-1].append(child)
    references: list[Reference] = []
    for segment in segments:
        text = "".join(
            n.get_text() if isinstance(n, Tag) else str(n)
            for n in segment
            if not isinstance(n, Comment)
        )
        match = _ENTRY_START.match(text)
        if match is None:
            continue  # the rest of an entry after a `<br>`, or text between entries
        ref_id = (match.group(1) or match.group(2) or match.group(3)).lstrip("0") or "0"
        anchors: list[Tag] = []
        for node in segment:
            if isinstance(node, Tag):
                if node.name == "a" and node.get("href") is not None:
                    anchors.append(node)
                else:
                    anchors.extend(node.find_all("a", href=True))
        links = _ranked_links(anchors, base)
        label = " ".join(text[match.end() :].split())
        url: str | None = None
        written: str | None = None
        if links:
            _rank, url, written = links[0]
        else:
            bare = entry_url(label)
            if bare is not None:
                url, written = clean_url(bare.joined), bare.written
        first = next((n for n in segment if isinstance(n, Tag)), tag)
        where = tag if segment is segments[0] else first
        references.append(
            Reference(
                id=ref_id,
                url=url,
                url_as_written=written,
                line=where.sourceline or tag.sourceline or 1,
                column=(where.sourcepos or 0) + 1,
                text=label,
                identifiers=identifiers_in(label, (str(a.get("href")) for a in anchors)),
            )
        )
    return references


def is_hidden_style(style: str) -> bool:
    """True for an inline style that hides its element (`display:none`, `visibility:hidden`)."""
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and is_hidden_style(style)


def _canonical(soup: BeautifulSoup, metas: dict[str, str]) -> str | None:
    for link in soup.find_all("link", href=True):
        rel = link.get("rel")
        rels = rel if isinstance(rel, list) else [str(rel)]
        href = str(link.get("href"))
        if "canonical" in (r.lower() for r in rels) and href.lower().startswith("http"):
            return clean_url(href)
    og = metas.get("og:url")
    return clean_url(og) if og and og.lower().startswith("http") else None


def _base(soup: BeautifulSoup) -> str | None:
    tag = soup.find("base", href=True)
    href = str(tag.get("href")) if isinstance(tag, Tag) else ""
    return href if href.lower().startswith("http") else None


def _reference_lists(soup: BeautifulSoup | Tag) -> list[Tag]:
    """The `<ol>`/`<ul>` elements that are reference or footnote lists, in document order."""
    found: dict[int, Tag] = {}
    candidates = soup.find_all(["ol", "ul"])
    for tag in candidates:
        classes = " ".join(tag.get("class") or [])
        hint = classes + " " + str(tag.get("id", ""))
        if "references" in classes.split() or _LIST_HINT.search(hint) or _in_notes_section(tag):
            found[id(tag)] = tag
    if not found:
        # Only when the page marks no list as notes: the first list after a "References" heading.
        # (Wikipedia's "Sources"/"Bibliography" lists of books must not renumber its references.)
        for tag in candidates:
            heading = tag.find_previous(re.compile(r"^h[1-6]$"))
            if (
                isinstance(heading, Tag)
                and _HEADING.fullmatch(heading.get_text(" ").strip())
                and heading.find_next(["ol", "ul"]) is tag
            ):
                found[id(tag)] = tag
    lists = list(found.values())
    # A list nested in another reference list is part of it.
    return [t for t in lists if not any(p in lists for p in t.parents)]


def _entry_url(item: Tag, base: str | None) -> tuple[str | None, str | None]:
    """An entry's source URL, normalised and as written (see `_ranked_links`), else its first
    bare URL in the text."""
    ranked = _ranked_links(item.find_all("a", href=True), base)
    if ranked:
        _rank, url, written = ranked[0]
        return url, written
    bare = entry_url(_label(item))
    if bare is not None:
        return clean_url(bare.joined), bare.written
    return None, None


def _ranked_links(anchors: Iterable[Tag], base: str | None) -> list[tuple[int, str, str]]:
    """The web links of an entry as (rank, normalised URL, as written), best first.

    A wiki's reference item links its authors, publisher and `Special:BookSources` page besides
    the source itself: the source's external link (MediaWiki marks it `external`; any absolute
    link) ranks first, a relative link next; a wiki-internal page (`/wiki/...`) is never the
    source, so a book cited by ISBN alone has no URL (its identifiers say what it is). Backlinks
    (`#cite_ref-1`) and links that are not web pages (`mailto:`) are not candidates.
    """
    ranked: list[tuple[int, int, str, str]] = []
    for position, anchor in enumerate(anchors):
        href = str(anchor.get("href")).strip()
        lower = href.lower()
        if not href or href.startswith("#") or lower.startswith(_NOT_WEB):
            continue
        if lower.startswith("//"):
            absolute = "https:" + href
        elif lower.startswith(("http://", "https://")):
            absolute = href
        elif find_urls(href):
            absolute = href  # a misspelt scheme (`htp:/x`): kept, for `invalid-url`
        elif base and not _SCHEME.match(href):
            absolute = urljoin(base, href)
        else:
            continue
        classes: list[str] = list(anchor.get("class") or [])
        internal = _WIKI_INTERNAL.search(href) is not None and (
            "Special:" in href
            or absolute != href
            or base is not None and same_site(absolute, base)
        )
        if internal and "external" not in classes:
            continue  # a wiki's own page (an author, `Special:BookSources`): never the source
        rank = 0 if "external" in classes or absolute == href else 1
        ranked.append((rank, position, clean_url(absolute), href))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [(rank, url, written) for rank, _p, url, written in ranked]


def _loose_notes(
    soup: BeautifulSoup | Tag, targets: dict[str, str], base: str | None
) -> list[tuple[Reference, Tag]]:
    """Footnotes that are not list items (Substack, Ghost, hand-written `<div id="fn1">`).

    A note link in the text (`<a href="#footnote-1">1</a>`) whose target is not an entry of a
    reference list points at the note itself: the block holding the target is the entry, and
    the link's number is its id.
    """
    wanted: dict[str, tuple[str, tuple[int, int]]] = {}
    for anchor in soup.find_all("a", href=_NOTE_HREF):
        target = str(anchor.get("href"))[1:]
        text = _marker_text(anchor)  # bounded: nested note links must not walk their subtrees
        label = text.strip("[]") if text is not None else ""
        if target and target not in targets and label and parse_ids(label) is not None:
            wanted.setdefault(target, (label, _where(anchor)))
    if not wanted:
        return []
    found: list[tuple[Reference, Tag]] = []
    by_id = {str(tag.get("id")): tag for tag in soup.find_all(id=True)}
    for target, (label, marker_at) in wanted.items():
        element = by_id.get(target)
        # A note comes after its marker; the backlink from the note to the marker does not count.
        if element is None or _where(element) <= marker_at:
            continue
        if element.name in ("a", "sup", "span"):
            parent = element.find_parent(["div", "li", "p", "aside", "section", "dd"])
            if parent is None:
                continue
            element = parent
        if any(element is seen for _ref, seen in found):
            continue
        targets[target] = label
        url, written = _entry_url(element, base)
        text = _label(element).lstrip("0123456789. ")
        found.append(
            (
                Reference(
                    id=label,
                    url=url,
                    url_as_written=written,
                    line=element.sourceline or 1,
                    column=(element.sourcepos or 0) + 1,
                    text=text,
                    identifiers=_identifiers(element, text),
                ),
                element,
            )
        )
    return found


def _identifiers(item: Tag, text: str) -> dict[str, str]:
    """The ISBN, DOI, arXiv or PubMed id an entry names, in its text or its links."""
    hrefs = (str(a.get("href")) for a in item.find_all("a", href=True))
    return identifiers_in(text, hrefs)


def _where(tag: Tag) -> tuple[int, int]:
    return (tag.sourceline or 0, tag.sourcepos or 0)


def _is_alpha_list(tag: Tag) -> bool:
    """True for a list numbered a, b, c (Wikipedia's explanatory notes)."""
    if str(tag.get("type", "")) in ("a", "A") or "alpha" in str(tag.get("style", "")):
        return True
    node: Tag | None = tag
    for _ in range(4):
        if node is None:
            break
        if "alpha" in " ".join(node.get("class") or []):
            return True
        node = node.parent
    return False


def _alpha(position: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, as list-style lower-alpha counts."""
    label = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        label = chr(ord("a") + rest) + label
    return label


def _in_notes_section(tag: Tag) -> bool:
    """True when an ancestor is a footnote or references section (by role, class or id)."""
    for parent in tag.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "[document]"):
            return False
        hint = " ".join(parent.get("class") or []) + " " + str(parent.get("id", ""))
        if parent.get("role") == "doc-endnotes" or _LIST_HINT.search(hint):
            return True
    return False


def _references(
    lists: list[Tag], base: str | None, index: LineIndex
) -> tuple[list[Reference], dict[str, str]]:
    """The entries of the reference lists, and a map from element id to reference id."""
    references: list[Reference] = []
    targets: dict[str, str] = {}
    for tag in lists:
        start = tag.get("start")
        number = int(start) if isinstance(start, str) and start.isdigit() else 1
        alpha = _is_alpha_list(tag)
        for position, item in enumerate(tag.find_all("li", recursive=False)):
            element_id = str(item.get("id") or "")
            match = _TRAILING_NUMBER.search(element_id)
            if alpha:
                ref_id = _alpha(position)
            elif tag.name == "ol" or match is None:
                ref_id = str(number + position)  # what the reader sees: the item's number
            else:
                ref_id = match.group(1).lstrip("0") or "0"
            if element_id:
                targets[element_id] = ref_id
            url, written = _entry_url(item, base)
            label = _label(item)
            references.append(
                Reference(
                    id=ref_id,
                    url=url,
                    url_as_written=written,
                    line=item.sourceline or 1,
                    column=(item.sourcepos or 0) + 1,
                    text=label,
                    identifiers=_identifiers(item, label),
                )
            )
    return references, targets


MARKER_TEXT_LIMIT = 64
"""A marker's visible text is short (`[12]`, `[a]`, `note 3`); a `<sup>` or note link with more
text is not a marker, and is not walked further. This bound keeps nested `<sup>`/`<a>` (hostile
pages) linear: without it every tag re-walked its whole subtree."""


def _first_nodes(tag: Tag) -> Iterator[PageElement]:
    """The nodes inside `tag` in document order, at most `MARKER_TEXT_LIMIT` of them.

    A walk over `.contents`, not bs4's `descendants`/`strings`: those first seek the subtree's
    last descendant, which costs the whole subtree however few nodes are then read.
    """
    stack: list[PageElement] = list(reversed(tag.contents))
    for _ in range(MARKER_TEXT_LIMIT):
        if not stack:
            return
        node = stack.pop()
        yield node
        if isinstance(node, Tag):
            stack.extend(reversed(node.contents))


def _marker_text(tag: Tag) -> str | None:
    """The tag's visible text, whitespace collapsed, or None when it is bigger than a marker."""
    parts: list[str] = []
    size = nodes = 0
    for node in _first_nodes(tag):
        nodes += 1
        if isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            size += len(node)
            parts.append(str(node))
    if size > MARKER_TEXT_LIMIT or nodes >= MARKER_TEXT_LIMIT:
        return None
    return " ".join(" ".join(parts).split())


def _link_text(tag: Tag) -> str:
    """A link's text for the report, read from its first nodes (at most 300 characters)."""
    parts: list[str] = []
    size = 0
    for node in _first_nodes(tag):
        if isinstance(node, NavigableString) and not isinstance(node, Comment):
            parts.append(str(node))
            size += len(node)
            if size > 300:
                break
    return " ".join(" ".join(parts).split())[:300]


def _first_link(tag: Tag) -> Tag | None:
    """The first `<a href>` among the first nodes inside a marker-sized `tag`."""
    for node in _first_nodes(tag):
        if isinstance(node, Tag) and node.name == "a" and node.get("href") is not None:
            return node
    return None


def _is_backlink(tag: Tag) -> bool:
    classes = " ".join(tag.get("class") or [])
    if "backlink" in classes or "footnote-back" in classes or tag.get("role") == "doc-backlink":
        return True
    return tag.name == "a" and str(tag.get("href", "")).startswith("#")


def _label(item: Tag) -> str:
    """The entry's text without its backlinks (`^ a b`, `↩`)."""
    parts: list[str] = []
    for string in item.find_all(string=True):
        if isinstance(string, Comment):
            continue
        inside_backlink = False
        for parent in string.parents:
            if parent is item or not isinstance(parent, Tag):
                break
            if _is_backlink(parent):
                inside_backlink = True
                break
        if not inside_backlink:
            parts.append(str(string))
    return " ".join("".join(parts).split()).lstrip(_BACKLINKS)


class _Walker:
    """Walks the visible tree once, block by block, collecting citations and links."""

    def __init__(
        self,
        text: str,
        index: LineIndex,
        base: str | None,
        known: set[str],
        targets: dict[str, str],
        lists: list[Tag],
    ) -> None:
        self.text = text
        self.index = index
        self.base = base
        self.known = known
        self.glued = glues_citations(text, known)
        self.targets = targets
        self.skip = {id(t) for t in lists}
        self.citations: list[Citation] = []
        self.links: list[Link] = []
        self.paragraphs: list[str] = []
        self.repeats = RepeatTracker()
        self.cursor = 0
        self.current = _Paragraph()

    def walk(self, root: Tag) -> None:
        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self.flush()
                parent = node.parent if isinstance(node, Tag) else None
                self.current.block = parent if isinstance(parent, Tag) else None
                continue
            if isinstance(node, Comment):
                continue
            if isinstance(node, NavigableString):
                self.text_node(str(node), node.parent)
                continue
            if not isinstance(node, Tag) or id(node) in self.skip:
                continue
            name = node.name
            if name in _SKIPPED or (node.attrs and _hidden(node)):
                continue
            if name in _CODE:
                self.current.add(node.get_text())
                if name == "pre":
                    self.flush()
                continue
            if name == "sup" and self.sup(node):
                continue
            if name == "a" and self.anchor(node):
                continue
            if name in _MEDIA:
                self.media(node)
            if name in _BLOCKS:
                self.flush()
                self.current.block = node
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        self.flush()

    def position(self, tag: Tag) -> tuple[int, int]:
        line, column = tag.sourceline or 1, (tag.sourcepos or 0) + 1
        self.cursor = max(self.cursor, self.index.offset(line, column))
        return line, column

    def add_marker(self, ids: tuple[str, ...], at: tuple[int, int]) -> None:
        written = f"[{','.join(ids)}]"
        para = self.current
        if para.markers and para.markers[-1].end == para.size:  # [3][1]: one citation
            last = para.markers.pop()
            merged = tuple(dict.fromkeys(last.ids + ids))
            para.add(written)
            para.markers.append(Marker(last.start, para.size, merged))
            return
        para.where[para.size] = at
        para.markers.append(Marker(para.size, para.size + len(written), ids))
        para.add(written)

    def note_ids(self, tag: Tag) -> tuple[str, ...] | None:
        """The ids a note link or sup names, or None when it is not a marker."""
        text = _marker_text(tag)
        if text is None:
            return None
        inner = text[1:-1].strip() if text.startswith("[") and text.endswith("]") else text
        anchor = tag if tag.name == "a" else _first_link(tag)
        href = str(anchor.get("href", "")) if isinstance(anchor, Tag) else ""
        target = href[1:] if href.startswith("#") else ""
        is_note = bool(target) and (target in self.targets or _NOTE_HREF.match(href) is not None)
        ids = parse_ids(inner, self.known) if inner else None
        if is_note:
            if target in self.targets:
                return (self.targets[target],)  # the entry it links to decides
            if ids is None and re.fullmatch(r"[A-Za-z]{1,3}|note \d{1,4}", inner):
                ids = (inner,)
            return ids
        bracketed = text.startswith("[") and text.endswith("]")
        return ids if bracketed and not anchor else None

    def sup(self, tag: Tag) -> bool:
        ids = self.note_ids(tag)
        if ids is not None:
            self.add_marker(ids, self.position(tag))
            return True
        text = (_marker_text(tag) or "").strip()
        if "noprint" in (tag.get("class") or []):
            return True  # Wikipedia's maintenance tags: [citation needed], [dubious]
        # Page numbers (":p. 7") and "[citation needed]" are not part of the claim.
        return text.startswith(":") or (text.startswith("[") and text.endswith("]"))

    def anchor(self, tag: Tag) -> bool:
        href = str(tag.get("href", "")).strip()
        if href.startswith("#"):
            has_sup = any(isinstance(n, Tag) and n.name == "sup" for n in _first_nodes(tag))
            ids = self.note_ids(tag) if has_sup or _NOTE_HREF.match(href) else None
            if ids is not None:
                self.add_marker(ids, self.position(tag))
                return True
            # A link into this page: its text is still read as the paragraph's (by the walk, so
            # its own text is read from its first nodes only: nested links must stay linear).
            self.add_link(href, tag, _link_text(tag), LinkKind.LINK)
            return False
        if not href or is_template(href):
            return False
        text = " ".join(tag.get_text(" ").split())
        self.add_link(href, tag, text[:300], LinkKind.LINK)
        for media in _descendants(tag, _MEDIA):  # a badge: `<a href><img src></a>`
            self.media(media)
        self.current.add(tag.get_text())
        return True

    def add_link(self, href: str, tag: Tag, text: str, kind: LinkKind) -> None:
        """Record a link or an image: an absolute URL normalised, a relative one resolved against
        the page's URL; without one (a file on disk), a local path, `#fragment`, `mailto:` or
        `tel:` is kept as written for `linkaudit.local` to resolve. A site generator's template
        (`{{ site.baseurl }}/a.svg`) is not a link yet."""
        if is_template(href):
            return
        url = href
        if not href.lower().startswith(("http://", "https://")):
            if href.lower().startswith("data:"):
                return  # embedded content, not a link to anything
            if self.base is None or href.startswith("#") or _SCHEME.match(href):
                line, column = self.position(tag)
                self.links.append(Link(href, href, line, column, text, kind))
                return
            url = urljoin(self.base, href)
        line, column = self.position(tag)
        self.links.append(Link(clean_url(url), href, line, column, text, kind))

    def media(self, tag: Tag) -> None:
        """The sources of an `<img>`, `<source>`, `<video>` or `<audio>` (`src` and `srcset`)."""
        alt = " ".join(str(tag.get("alt", "")).split())[:300]
        src = tag.get("src")
        if isinstance(src, str) and src.strip():
            self.add_link(src.strip(), tag, alt, LinkKind.IMAGE)
        srcset = tag.get("srcset")
        if isinstance(srcset, str):
            for candidate in srcset_urls(srcset):
                self.add_link(candidate, tag, alt, LinkKind.IMAGE)

    def text_node(self, text: str, parent: Tag | None) -> None:
        para = self.current
        markers = find_markers(text, self.known, glued=self.glued)
        if markers:
            if isinstance(parent, Tag) and parent.sourceline:
                self.cursor = max(
                    self.cursor, self.index.offset(parent.sourceline, (parent.sourcepos or 0) + 1)
                )
            for marker in markers:
                found = self.text.find(marker.text_in(text), self.cursor)
                offset = found if found >= 0 else self.cursor
                self.cursor = offset + (marker.end - marker.start if found >= 0 else 0)
                para.where[para.size + marker.start] = self.index.position(offset)
                para.markers.append(
                    Marker(para.size + marker.start, para.size + marker.end, marker.ids)
                )
        if "://" in text:  # a bare URL in the text is a hyperlink too
            for url in find_urls(text):
                found = self.text.find(url.written, self.cursor)
                offset = found if found >= 0 else self.cursor
                self.cursor = max(self.cursor, offset)
                line, column = self.index.position(offset)
                self.links.append(Link(url.url, url.written, line, column))
        para.add(text)

    def flush(self) -> None:
        para = self.current
        if not para.parts:
            return
        self.current = _Paragraph()
        text = "".join(para.parts)
        if not text.strip():
            return
        if len(self.paragraphs) < 200:
            self.paragraphs.append(" ".join(text.split()))
        if self.repeats.is_repeat(text):
            return
        if not para.markers:
            return
        where = para.where
        whole, prefix = _claim_context(para.block)
        self.citations.extend(
            citations_in(
                text, para.markers, lambda m: where.get(m.start, (1, 1)),
                whole=whole, prefix=prefix,
            )
        )


def _claim_context(block: Tag | None) -> tuple[bool, str]:
    """(whole, prefix) for the claims of a block: a list item (or a paragraph in one) is one
    statement; a table cell's claims open with its row's first cell."""
    if block is None:
        return False, ""
    cell = block if block.name in ("td", "th") else None
    item = block if block.name == "li" else None
    parent = block.parent
    if cell is None and item is None and isinstance(parent, Tag):
        cell = parent if parent.name in ("td", "th") else None
        item = parent if parent.name == "li" else None
    if item is not None:
        return True, ""
    if cell is None or not isinstance(cell.parent, Tag) or cell.parent.name != "tr":
        return False, ""
    first = cell.parent.find(["td", "th"], recursive=False)
    if first is None or first is cell:
        return False, ""
    header = _marker_text(first)
    if header is None:
        header = " ".join(first.get_text(" ").split())[:120]
    return False, strip_markers(header, find_markers(header))


def _descendants(tag: Tag, names: Sequence[str]) -> list[Tag]:
    """`tag.find_all(names)` without its matcher: bs4 builds a filter for every call, which
    cost a sixth of the time of a page of links."""
    if not tag.contents or all(isinstance(c, str) for c in tag.contents):
        return []
    return [d for d in tag.descendants if isinstance(d, Tag) and d.name in names]
