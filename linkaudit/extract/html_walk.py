"""HTML extraction's body walk: `_Walker` reads the page in document order, paragraph by
paragraph, turning note links and bracketed numbers into citations and every other link into a
link, with true positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import Comment, NavigableString, Tag

from linkaudit.extract.claims import citations_in
from linkaudit.extract.dedupe import RepeatTracker
from linkaudit.extract.html_nodes import (
    _NOTE_HREF,
    _SCHEME,
    MEDIA_TAGS,
    _descendants,
    _first_link,
    _first_nodes,
    _hidden,
    _link_text,
    _marker_text,
    srcset_urls,
)
from linkaudit.extract.markers import (
    Marker,
    find_markers,
    glues_citations,
    parse_ids,
    strip_markers,
)
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.urls import clean_url, find_urls, is_template
from linkaudit.model import Citation, Link, LinkKind

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
            if name in _SKIPPED:
                if name == "iframe" and not (node.attrs and _hidden(node)):
                    self.media(node)  # its source is embedded; its content is fallback text
                continue
            if node.attrs and _hidden(node):
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
            if name in MEDIA_TAGS:
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
        strings = list(tag.strings)  # `get_text`'s strings, read once for both texts
        text = " ".join(" ".join(strings).split())
        self.add_link(href, tag, text[:300], LinkKind.LINK)
        for media in _descendants(tag, MEDIA_TAGS):  # a badge: `<a href><img src></a>`
            self.media(media)
        self.current.add("".join(strings))
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
        """The sources of an `<img>`, `<source>`, `<video>`, `<audio>`, `<iframe>` or `<embed>`
        (`src` and `srcset`)."""
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
