"""HTML extraction's small readers of one element: its first nodes, a marker's text, a link's
text, an entry's label, whether it is hidden; shared by the reference lists and the body walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bs4 import Comment, NavigableString, Tag
from bs4.element import PageElement, PreformattedString

_NOTE_HREF = re.compile(r"#(?:cite[_-]note|fn|footnote|endnote|note|ref|bib)[-_:]?", re.I)
_BACKLINKS = "^\u2191\u21a9\ufe0e "
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_PERMALINK = " #\u00b6\u00a7\U0001f517"
"""The symbols of a heading's permalink anchor (Hugo `#`, Sphinx `¶`, `§`, `🔗`), no part of
its name."""
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
MEDIA_TAGS = ("img", "source", "video", "audio", "iframe", "embed")
"""Elements whose `src` (and `srcset`) a page embeds, in HTML files and in Markdown's inline HTML
alike: checked as images are (they rot too)."""


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


def is_hidden_style(style: str) -> bool:
    """True for an inline style that hides its element (`display:none`, `visibility:hidden`)."""
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and is_hidden_style(style)


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


def _descendants(tag: Tag, names: Sequence[str]) -> list[Tag]:
    """`tag.find_all(names)` without its matcher: bs4 builds a filter for every call, which
    cost a sixth of the time of a page of links."""
    if not tag.contents or all(isinstance(c, str) for c in tag.contents):
        return []
    return [d for d in tag.descendants if isinstance(d, Tag) and d.name in names]


class TagIndex:
    """Every tag under a root, in document order and by name: one walk of the tree for all the
    lookups of a page (its metas, links, lists, headings, ids), where each bs4 `find_all` walked
    the whole tree again through its matcher (a sixth of the time of a page).

    The lookups answer as `find_all` does: descendants of the root only, in document order; an
    attribute asked for is present when its value is not None.
    """

    __slots__ = ("_order", "by_name", "tags")

    def __init__(self, root: Tag) -> None:
        self.tags: list[Tag] = [d for d in root.descendants if isinstance(d, Tag)]
        self.by_name: dict[str, list[Tag]] = {}
        for tag in self.tags:
            self.by_name.setdefault(tag.name, []).append(tag)
        self._order: dict[int, int] | None = None

    def named(self, *names: str) -> list[Tag]:
        """The tags of these names, in document order (a new list)."""
        if len(names) == 1:
            return list(self.by_name.get(names[0], ()))
        wanted = set(names)
        return [t for t in self.tags if t.name in wanted]

    def having(self, name: str, attribute: str) -> list[Tag]:
        """The tags of this name that carry the attribute."""
        return [t for t in self.by_name.get(name, ()) if t.get(attribute) is not None]

    def with_id(self) -> list[Tag]:
        """The tags that carry an `id`."""
        return [t for t in self.tags if t.get("id") is not None]

    def position(self, tag: Tag) -> int:
        """The tag's place in document order (an index into `tags`)."""
        if self._order is None:
            self._order = {id(t): i for i, t in enumerate(self.tags)}
        return self._order[id(tag)]
