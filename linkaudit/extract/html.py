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
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PageElement, PreformattedString

from linkaudit.extract.claims import citations_in
from linkaudit.extract.dates import find_dateline, json_ld_date, meta_date, parse_date
from linkaudit.extract.dedupe import RepeatTracker
from linkaudit.extract.interface import Extraction
from linkaudit.extract.markers import Marker, find_markers, parse_ids
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import _HEADING
from linkaudit.extract.urls import clean_url, find_urls
from linkaudit.local.anchors import html_anchors
from linkaudit.model import Citation, DatedFact, DateOrigin, DocFormat, Link, LinkKind, Reference

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
        lists = _reference_lists(soup)
        references, targets = _references(lists, base, index)
        loose = _loose_notes(soup, targets, base)
        references.extend(ref for ref, _element in loose)
        lists.extend(element for _ref, element in loose)
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
            site_url=site_url,
            anchors=frozenset(html_anchors(text)),
        )


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(re.search(r"display\s*:\s*none", style, re.I))


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


def _reference_lists(soup: BeautifulSoup) -> list[Tag]:
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
    """The first web link of an entry that is not a backlink, normalised and as written."""
    for anchor in item.find_all("a", href=True):
        href = str(anchor.get("href"))
        if href.startswith("#"):
            continue
        absolute = href if href.lower().startswith(("http://", "https://")) else None
        if absolute is None and base and not href.lower().startswith(_NOT_WEB):
            absolute = urljoin(base, href)
        if absolute:
            return clean_url(absolute), href
    return None, None


def _loose_notes(
    soup: BeautifulSoup, targets: dict[str, str], base: str | None
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
        found.append(
            (
                Reference(
                    id=label,
                    url=url,
                    url_as_written=written,
                    line=element.sourceline or 1,
                    column=(element.sourcepos or 0) + 1,
                    text=_label(element).lstrip("0123456789. "),
                ),
                element,
            )
        )
    return found


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
            url = written = None
            for anchor in item.find_all("a", href=True):
                href = str(anchor.get("href"))
                if href.startswith("#"):
                    continue
                absolute = href if href.lower().startswith(("http://", "https://")) else None
                if absolute is None and base and not href.lower().startswith(_NOT_WEB):
                    absolute = urljoin(base, href)
                if absolute:
                    url, written = clean_url(absolute), href
                    break
            label = _label(item)
            if url is None:
                bare = find_urls(label)
                if bare:
                    url, written = bare[0].url, bare[0].written
            references.append(
                Reference(
                    id=ref_id,
                    url=url,
                    url_as_written=written,
                    line=item.sourceline or 1,
                    column=(item.sourcepos or 0) + 1,
                    text=label,
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
            # A link into this page: its text is still read as the paragraph's.
            text = " ".join(tag.get_text(" ").split())
            self.add_link(href, tag, text[:300], LinkKind.LINK)
            return False
        if not href:
            return False
        text = " ".join(tag.get_text(" ").split())
        self.add_link(href, tag, text[:300], LinkKind.LINK)
        for media in tag.find_all(_MEDIA):  # a badge: `<a href><img src></a>`
            self.media(media)
        self.current.add(tag.get_text())
        return True

    def add_link(self, href: str, tag: Tag, text: str, kind: LinkKind) -> None:
        """Record a link or an image: an absolute URL normalised, a relative one resolved against
        the page's URL; without one (a file on disk), a local path, `#fragment`, `mailto:` or
        `tel:` is kept as written for `linkaudit.local` to resolve."""
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
        markers = find_markers(text, self.known)
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
        where = para.where
        self.citations.extend(
            citations_in(text, para.markers, lambda m: where.get(m.start, (1, 1)))
        )
