"""HTML extraction's references: reference lists (`<ol class="references">`, a notes section's
lists), entries written as paragraphs, and loose notes that a marker links to by id.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PageElement

from linkaudit.extract.html_nodes import (
    _HEADINGS,
    _NOTE_HREF,
    _PERMALINK,
    _SCHEME,
    TagIndex,
    _first_nodes,
    _label,
    _marker_text,
)
from linkaudit.extract.identifiers import identifiers_in
from linkaudit.extract.markers import parse_ids
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import _HEADING
from linkaudit.extract.urls import clean_url, entry_url, find_urls
from linkaudit.model import Reference
from linkaudit.urls import same_site

_TRAILING_NUMBER = re.compile(r"(\d{1,4})$")
_LIST_HINT = re.compile(r"footnote|endnote|reference|reflist|notes|citations|bibliography", re.I)
_NOT_WEB = ("mailto:", "javascript:", "tel:", "data:", "ftp:", "file:")
_WIKI_INTERNAL = re.compile(r"(?:^|/)(?:wiki/|w/index\.php)|Special:|index\.php\?title=", re.I)
_ENTRY_START = re.compile(r"\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)](?=\s)|\^(\d{1,4})\s)")
"""The number opening a paragraph entry: `[1] Author...`, `1. Author...`, `^1 Author`."""


def _all_references(
    soup: BeautifulSoup | Tag,
    tags: TagIndex,
    base: str | None,
    index: LineIndex,
    *,
    in_section: bool,
) -> tuple[list[Reference], dict[str, str], list[Tag]]:
    """Every reference of a page (lists, paragraph lists, loose notes), the map from element id
    to reference id, and the elements that hold entries (the walker skips them). `tags` is the
    index of `soup`'s tags."""
    lists = _reference_lists(tags)
    references, targets = _references(lists, base, index)
    paragraphs, holders = _paragraph_entries(soup, tags, base, lists, in_section)
    references.extend(paragraphs)
    loose = _loose_notes(tags, targets, base)
    references.extend(ref for ref, _element in loose)
    return references, targets, [*lists, *holders, *(element for _ref, element in loose)]


def _section_starts(tags: TagIndex) -> list[Tag]:
    """The headings that open a references section: `<h2>References</h2>`, and a paragraph that
    is only such a name (`<p><strong>References:</strong></p>`)."""
    starts: list[Tag] = []
    for tag in tags.named(*_HEADINGS, "p", "dt"):
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
    root: BeautifulSoup | Tag, tags: TagIndex, base: str | None, lists: list[Tag],
    in_section: bool,
) -> tuple[list[Reference], list[Tag]]:
    """Reference lists written as paragraphs (the Hugo and Jekyll pattern): `<h2>References</h2>
    <p>[1] Author. "Title." <a href="...">...</a></p><p>[2] ...`, entries one per paragraph or
    several in one separated by `<br>`; and, with no heading, paragraphs that open with `[N]` and
    hold a link. Each entry's URL is its source link (see `_ranked_links`), else a bare URL."""
    candidates: list[Tag] = []
    for start in _section_starts(tags):
        candidates.extend(_entry_blocks(start))
    if in_section:
        candidates.extend(t for t in tags.named("p", "div") if t.parent is root)
    seen: set[int] = {id(t) for t in lists}
    references: list[Reference] = []
    holders: list[Tag] = []
    for block in candidates:
        # A container's own paragraphs first: `<div><p>[1] ...</p><p>[2] ...</p></div>` is three
        # entries, not one opening with `[1]`; a container with no entry paragraph is read whole
        # (entries split at `<br>`). A paragraph is read itself first (unclosed ones nest).
        inner = block.find_all("p")
        order = [block, *inner] if block.name == "p" else [*inner, block]
        for tag in order:
            if id(tag) in seen or _inside(tag, seen):
                continue
            if tag is block and block.name != "p" and any(id(t) in seen for t in inner):
                continue
            entries = _entries_in(tag, base)
            if entries:
                seen.add(id(tag))
                holders.append(tag)
                references.extend(entries)
    for tag in tags.named("p"):
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


def _reference_lists(tags: TagIndex) -> list[Tag]:
    """The `<ol>`/`<ul>` elements that are reference or footnote lists, in document order."""
    found: dict[int, Tag] = {}
    candidates = tags.named("ol", "ul")
    for tag in candidates:
        classes = " ".join(tag.get("class") or [])
        hint = classes + " " + str(tag.get("id", ""))
        if "references" in classes.split() or _LIST_HINT.search(hint) or _in_notes_section(tag):
            found[id(tag)] = tag
    if not found:
        # Only when the page marks no list as notes: the first list after a "References" heading.
        # (Wikipedia's "Sources"/"Bibliography" lists of books must not renumber its references.)
        # The heading before a list (`find_previous`) and the list after a heading (`find_next`),
        # by place in document order.
        headings = tags.named(*_HEADINGS)
        heading_at = [tags.position(h) for h in headings]
        list_at = [tags.position(t) for t in candidates]
        for tag, at in zip(candidates, list_at, strict=True):
            before = bisect_left(heading_at, at) - 1
            if before < 0:
                continue
            heading = headings[before]
            after = bisect_right(list_at, heading_at[before])
            if (
                _HEADING.fullmatch(heading.get_text(" ").strip())
                and after < len(candidates)
                and candidates[after] is tag
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
    tags: TagIndex, targets: dict[str, str], base: str | None
) -> list[tuple[Reference, Tag]]:
    """Footnotes that are not list items (Substack, Ghost, hand-written `<div id="fn1">`).

    A note link in the text (`<a href="#footnote-1">1</a>`) whose target is not an entry of a
    reference list points at the note itself: the block holding the target is the entry, and
    the link's number is its id.
    """
    wanted: dict[str, tuple[str, tuple[int, int]]] = {}
    for anchor in tags.having("a", "href"):
        if _NOTE_HREF.search(str(anchor.get("href"))) is None:
            continue
        target = str(anchor.get("href"))[1:]
        text = _marker_text(anchor)  # bounded: nested note links must not walk their subtrees
        label = text.strip("[]") if text is not None else ""
        if target and target not in targets and label and parse_ids(label) is not None:
            wanted.setdefault(target, (label, _where(anchor)))
    if not wanted:
        return []
    found: list[tuple[Reference, Tag]] = []
    by_id = {str(tag.get("id")): tag for tag in tags.with_id()}
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
