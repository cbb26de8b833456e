"""Markdown extraction, inline: `_Aligner` walks a block's source beside its inline tokens for
true positions, `_read_inline` gathers visible text, markers and links, and `_body` turns a body
block's markers into citations and its links into links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from markdown_it.token import Token

from linkaudit.extract.claims import citations_in
from linkaudit.extract.html_nodes import MEDIA_TAGS, is_hidden_style
from linkaudit.extract.markdown_blocks import (
    _LINK_MARKER,
    _NOTE_HREF,
    _TAG,
    _VOID,
    _attributes,
    _Block,
    _FoundLink,
    _Inline,
    _State,
)
from linkaudit.extract.markers import (
    Marker,
    find_markers,
    merge_adjacent,
    parse_ids,
    strip_markers,
)
from linkaudit.extract.urls import clean_url, find_urls, is_template
from linkaudit.model import Link, LinkKind, Reference

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_ALIGN_LOOKAHEAD = 200
"""How far the aligner looks ahead for a token it did not find where it expected it."""


# --- the inline walk ------------------------------------------------------------------------


class _Aligner:
    """Walks the source of one inline block alongside its tokens, so that each token knows its
    offset in the file. It only moves forward; where the source does not hold what a token says
    (a renderer's normalisation), it looks ahead a little and, failing that, stays put."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.pos = start
        self.end = end

    def _layout(self) -> None:
        """Skip spaces, line ends and the container prefixes of a new line (`>`, `|`)."""
        text, pos, end = self.text, self.pos, self.end
        while pos < end:
            char = text[pos]
            if char in " \t|":
                pos += 1
            elif char == "\n":
                pos += 1
                while pos < end and text[pos] in " \t>":
                    pos += 1
            else:
                break
        self.pos = pos

    def literal(self, written: str) -> int:
        """Find `written` next (after layout); return its offset and move past it."""
        self._layout()
        if self.text.startswith(written, self.pos):
            at = self.pos
        else:
            at = self.text.find(written, self.pos, min(self.end, self.pos + _ALIGN_LOOKAHEAD))
            if at < 0:
                return self.pos
        self.pos = at + len(written)
        return at

    def content(self, content: str) -> list[int] | int:
        """Align a text token: its start offset when the source holds it as is, else the offset
        of each character (escapes `\\[`, entities `&amp;` and line prefixes in between)."""
        if self.text.startswith(content, self.pos):
            at = self.pos
            self.pos += len(content)
            return at
        if content and content[0] != self.text[self.pos : self.pos + 1]:
            self._layout()
        # The text as is a little further on (past a list marker, a `>` or a `|`): jump there.
        limit = min(self.end, self.pos + len(content) + _ALIGN_LOOKAHEAD)
        at = self.text.find(content, self.pos, limit) if content else -1
        if at >= 0:
            self.pos = at + len(content)
            return at
        offsets: list[int] = []
        text, end = self.text, self.end
        pos = self.pos
        for char in content:
            if pos < end and text[pos] == char:
                offsets.append(pos)
                pos += 1
                continue
            if pos + 1 < end and text[pos] == "\\" and text[pos + 1] == char:
                offsets.append(pos + 1)
                pos += 2
                continue
            if pos < end and text[pos] == "&":
                semi = text.find(";", pos, pos + 12)
                if semi > 0 and html.unescape(text[pos : semi + 1]) == char:
                    offsets.append(pos)
                    pos = semi + 1
                    continue
            if pos < end and text[pos] in " \t\n>|":
                self.pos = pos
                self._layout()
                pos = self.pos
                if pos < end and text[pos] == char:
                    offsets.append(pos)
                    pos += 1
                    continue
            near = text.find(char, pos, min(end, pos + 8))
            if near >= 0:  # a few characters of markup the token does not show
                offsets.append(near)
                pos = near + 1
                continue
            offsets.append(pos)  # not found where expected: keep the last good place
        self.pos = min(pos, end)
        offsets.append(self.pos)
        return offsets

    def code(self) -> int:
        """Skip an inline code span (`` `x` ``, ``` ``x`` ```); return its start."""
        self._layout()
        at = self.text.find("`", self.pos, self.end)
        if at < 0:
            return self.pos
        run = at
        while run < self.end and self.text[run] == "`":
            run += 1
        ticks = self.text[at:run]
        close = self.text.find(ticks, run, self.end)
        self.pos = close + len(ticks) if close >= 0 else run
        return at

    def open_link(self, autolink: bool) -> int:
        """The `[` (or `<` of an autolink) that opens a link; move past it."""
        return self.literal("<" if autolink else "[")

    def close_link(self, autolink: bool) -> None:
        """Move past the end of a link: `>`, or `]` and its `(destination "title")` / `[label]`."""
        if autolink:
            self.literal(">")
            return
        self.literal("]")
        self._skip_target()

    def image(self) -> int:
        """Skip an image `![alt](src)`; return the offset of its `!`."""
        at = self.literal("![")
        depth, pos = 1, self.pos
        while pos < self.end and depth:
            char = self.text[pos]
            if char == "\\":
                pos += 2
                continue
            depth += {"[": 1, "]": -1}.get(char, 0)
            pos += 1
        self.pos = pos
        self._skip_target()
        return at

    def _skip_target(self) -> None:
        text, pos, end = self.text, self.pos, self.end
        if pos < end and text[pos] == "(":
            depth, pos = 1, pos + 1
            while pos < end and depth:
                char = text[pos]
                if char == "\\":
                    pos += 2
                    continue
                if char == "<":
                    close = text.find(">", pos, end)
                    pos = close + 1 if close > 0 else pos + 1
                    continue
                depth += {"(": 1, ")": -1}.get(char, 0)
                pos += 1
        elif pos < end and text[pos] == "[":
            close = text.find("]", pos, end)
            pos = close + 1 if close > 0 else pos
        self.pos = min(pos, end)


def _region(token: Token, state: _State) -> tuple[int, int]:
    if token.map is None:
        return 0, 0
    first, last = token.map
    start = state.index.line_start(first + 1)
    end = state.index.line_start(last + 1) if last < state.index.line_count else len(state.text)
    return start, end


@dataclass
class _Frame:
    """A link being read: where it opened, in the source and in the visible text."""

    link: _FoundLink
    size: int
    """The visible text's length when it opened."""
    part: int
    """How many text parts there were when it opened."""
    html: bool = False
    """An inline `<a href>` (closed by `</a>`), not Markdown syntax."""


def _read_inline(
    token: Token, state: _State, *, entry: bool = False, start: int | None = None,
    region: tuple[int, int] | None = None,
) -> _Inline:
    """Walk one inline block: its visible text, markers (with source positions) and links.

    `entry` reads a reference entry or a footnote body: no markers, every link kept. `start`
    continues the aligner where the previous table cell of the same row ended.
    """
    out = _Inline()
    if region is None:
        region = _region(token, state)
    aligner = _Aligner(state.text, region[0] if start is None else start, region[1])
    parts: list[str] = []
    elements: list[tuple[str, bool]] = []  # open inline HTML elements: (name, hidden)
    frames: list[_Frame] = []

    size = 0
    swallow = False  # a `]` closing `[[1](#rw)]` is still to come

    def hidden() -> bool:
        return any(h for _n, h in elements)

    def add(text: str) -> None:
        nonlocal size
        parts.append(text)
        size += len(text)

    def finish(frame: _Frame) -> None:
        nonlocal size, swallow
        link = frame.link
        link.text = " ".join("".join(parts[frame.part :]).split())
        ids = None
        if not entry and not link.autonumber:
            inside = frame.part > 0 and parts[frame.part - 1].endswith("[")
            ids = _link_marker_ids(link.text, link.href, link.offset, state, inside)
        if ids is not None:
            del parts[frame.part :]
            size = frame.size
            if frame.part > 0 and parts[-1].endswith("["):
                # `[[1](#rw)]`: the brackets around the link are the marker's own
                parts[-1] = parts[-1][:-1]
                size -= 1
                swallow = True
            written = f"[{','.join(ids)}]"
            out.where[size] = state.index.position(link.offset)
            out.markers.append(Marker(size, size + len(written), ids))
            add(written)
            return
        link.note = _NOTE_HREF.match(link.href) is not None  # a backlink, a note: not a link
        out.links.append(link)

    for child in token.children or []:
        kind = child.type
        if kind == "text":
            content = child.content
            aligned = aligner.content(content)
            if hidden():
                continue  # hidden text: not read, not a claim
            if swallow and content.startswith("]"):
                content = content[1:]
                aligned = aligned + 1 if isinstance(aligned, int) else aligned[1:]
            swallow = False
            if not entry and not frames and "[" in content:
                for marker in find_markers(content, state.known, glued=state.glued):
                    offset = (aligned + marker.start if isinstance(aligned, int)
                              else aligned[marker.start])
                    out.where[size + marker.start] = state.index.position(offset)
                    out.markers.append(Marker(size + marker.start, size + marker.end, marker.ids))
            if not frames and ("://" in content or "www." in content or ":/" in content):
                for found in find_urls(content):
                    offset = (aligned + found.start if isinstance(aligned, int)
                              else aligned[found.start])
                    out.links.append(_FoundLink(found.url, "", offset, bare=True,
                                                written=found.written))
            add(content)
        elif kind in ("softbreak", "hardbreak"):
            add(" ")
        elif kind == "code_inline":
            aligner.code()
            if not hidden():
                add(child.content)
        elif kind in ("strong_open", "strong_close", "em_open", "em_close", "s_open", "s_close"):
            aligner.literal(child.markup)
        elif kind == "footnote_ref":
            label = str(child.meta.get("label", ""))
            written = f"[^{label}]"
            at = aligner.literal(written)
            if hidden() or entry:
                continue
            out.where[size] = state.index.position(at)
            ref_id = state.footnote_ids.get(label, label)
            out.markers.append(Marker(size, size + len(written), (ref_id,)))
            add(written)
        elif kind == "link_open":
            autolink = child.markup == "autolink"
            at = aligner.open_link(autolink)
            frames.append(_Frame(_FoundLink(str(child.attrs.get("href", "")), "", at), size,
                                 len(parts)))
        elif kind == "link_close":
            aligner.close_link(child.markup == "autolink")
            if frames and not frames[-1].html:
                finish(frames.pop())
        elif kind == "image":
            at = aligner.image()
            out.links.append(_FoundLink(str(child.attrs.get("src", "")), child.content, at,
                                        LinkKind.IMAGE))
            if not hidden():
                add(child.content)
        elif kind == "html_inline":
            at = aligner.literal(child.content)
            match = _TAG.match(child.content.strip())
            if match is None:
                continue
            name = match.group(2).lower()
            if match.group(1) == "/":
                if name == "a" and frames and frames[-1].html:
                    finish(frames.pop())
                for depth in range(len(elements) - 1, -1, -1):
                    if elements[depth][0] == name:
                        del elements[depth:]
                        break
                continue
            attrs = _attributes(child.content)
            if "id" in attrs:
                out.ids_in_html.append(attrs["id"])
            if name == "br":
                add(" ")
            if name in MEDIA_TAGS and attrs.get("src"):
                out.links.append(_FoundLink(attrs["src"], attrs.get("alt", ""), at,
                                            LinkKind.IMAGE))
            if name in _VOID or child.content.rstrip().endswith("/>"):
                continue
            concealed = (
                "hidden" in attrs
                or attrs.get("aria-hidden") == "true"
                or is_hidden_style(attrs.get("style", ""))
            )
            elements.append((name, concealed))
            if name == "a" and attrs.get("href") and not hidden():
                link = _FoundLink(attrs["href"].strip(), "", at,
                                  autonumber="autonumber" in attrs.get("class", "").split())
                frames.append(_Frame(link, size, len(parts), html=True))
    out.plain = "".join(parts)
    out.end = aligner.pos
    if len(out.markers) > 1:  # `<a>[2]</a> <a>[3]</a>`: adjacent markers are one citation
        out.markers = merge_adjacent(out.plain, sorted(out.markers, key=lambda m: m.start))
    return out


def _link_marker_ids(
    inner: str, href: str, offset: int, state: _State, inside: bool = False
) -> tuple[str, ...] | None:
    """The ids when a link is a marker: `[[2]](url)`, a note link (`<a href="#cite-ref-1">[1]`,
    `[[1](#rw)]` to an entry's anchor), or `[3]` pointing at definition 3.

    A number linking elsewhere in the page is a marker only when it is bracketed or its target
    is a note (`#cite_note-1`, an entry's anchor): `Figure <a href="#image1">1</a>` is not.
    """
    stripped = inner.strip()
    match = _LINK_MARKER.fullmatch(stripped)
    if match is None:
        return None
    ids = parse_ids(match.group(1), state.known)
    if ids is None:
        return None
    bracketed = inside or stripped.startswith("[") and stripped.endswith("]")
    if href.startswith("#"):
        if not bracketed and not _NOTE_HREF.match(href) and href[1:] not in state.anchors:
            return None
    elif not bracketed and not all(i in state.known for i in ids):
        return None
    defined = all(i in state.known for i in ids)
    if not defined and len(ids) == 1 and href.lower().startswith(("http://", "https://")):
        ref_id = ids[0]
        if ref_id not in state.synthesized:
            line, column = state.index.position(offset)
            state.synthesized[ref_id] = Reference(
                id=ref_id,
                url=clean_url(href),
                url_as_written=href,
                line=line,
                column=column,
                text=href,
            )
    return ids


def _add_link(
    href: str, text: str, offset: int, state: _State, kind: LinkKind = LinkKind.LINK,
    written: str = "",
) -> None:
    """Record an ordinary hyperlink or an image: an absolute URL normalised, a relative one of a
    web page resolved against its URL; anything else (a local path, `#fragment`, `mailto:`,
    `tel:`, a misspelt scheme such as `htp:/x`) kept as written, for `linkaudit.local` to resolve
    against the document's folder or for `invalid-url` to report. A site generator's template
    (`{{ site.url }}/x`) is not a link yet."""
    href = href.strip()
    if not href or is_template(href):
        return
    url = href
    line, column = state.index.position(offset)
    if not href.lower().startswith(("http://", "https://")):
        if state.base_url is None or href.startswith("#") or _SCHEME.match(href):
            state.links.append(Link(href, href, line, column, " ".join(text.split()), kind))
            return
        url = urljoin(state.base_url, href)
    state.links.append(
        Link(clean_url(url), written or href, line, column, " ".join(text.split()), kind)
    )


def _body(block: _Block, state: _State) -> None:
    """A body block (paragraph, list item, table cell, heading): its markers become citations,
    its links become links."""
    token = block.token
    if token.map is None:
        return
    start = None
    if block.row is not None and state.row_end[0] == block.row:
        start = state.row_end[1]
    inline = _read_inline(token, state, start=start)
    if block.row is not None:
        state.row_end = (block.row, inline.end)
        if block.cell == 0:
            state.row_header = strip_markers(inline.plain, inline.markers)
    if len(state.heads) < 200 and block.item is None:
        state.heads.extend(token.content.split("\n")[:3])
    if state.repeats.is_repeat(inline.plain, [link.href for link in inline.links]):
        return  # the same paragraph again, links and all: its links and claims are already in
    for link in inline.links:
        if not link.note:
            _add_link(link.href, link.text, link.offset, state, link.kind, link.written)
    if not inline.markers:
        return
    prefix = state.row_header if block.row is not None and block.cell > 0 else ""
    first = token.map[0]
    where = inline.where
    state.citations.extend(
        citations_in(
            inline.plain,
            inline.markers,
            lambda m: where.get(m.start, (first + 1, 1)),
            whole=block.item is not None or block.row is not None,
            prefix=prefix,
        )
    )
