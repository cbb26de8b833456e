"""Markdown, parsed with markdown-it-py (CommonMark, tables, footnotes, front matter).

References come from footnote definitions (`[^1]: ...`, `[^note]: ...`), numeric reference
definitions (`[3]: https://...`) and the entries under a references heading (an ordered list, or
`[N] URL` lines as in plain text). Markers are footnote references (`[^1]`), bracketed numbers in
text (`[1]`, `[1-3]`), shortcut links to numeric definitions (`[3]`) and links whose whole text is
a marker (`[[2]](https://...)`; when that URL is not in the reference list, it becomes reference 2).
The parser decides what is code: nothing inside a code block, inline code, raw HTML or the text of
an ordinary link is ever a marker.

Lines and columns come from the parser's block map; within a block, each marker is found in the
source by searching forward from the previous piece, so the column is the marker's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from linkaudit.extract.claims import citations_in
from linkaudit.extract.dates import find_dateline, front_matter_date
from linkaudit.extract.dedupe import RepeatTracker
from linkaudit.extract.interface import Extraction
from linkaudit.extract.markers import Marker, find_markers, parse_ids
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import _HEADING, _is_headless_entry, _read_entries, _to_reference
from linkaudit.extract.urls import clean_url, find_urls
from linkaudit.local.anchors import markdown_token_anchors
from linkaudit.model import Citation, DatedFact, DocFormat, Link, LinkKind, Problem, Reference

_LINK_MARKER = re.compile(r"\[?\^?([0-9][0-9 ,;\u2013\u2014\-]{0,40})\]?")
_MAX_PUNCTUATION = 5000
"""More inline punctuation than this in one paragraph is not prose (see `_dense_blocks`)."""
_DEFINITION = re.compile(r"[ \t]{0,3}\[([^\]]{1,100})\]:")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark")
        .use(footnote_plugin)
        .use(front_matter_plugin)
        .enable(["table", "strikethrough"])
    )


@dataclass
class _State:
    """What the walk over the token stream has gathered so far."""

    text: str
    index: LineIndex
    lines: list[str]
    base_url: str | None
    known: set[str]
    references: list[Reference] = field(default_factory=list)
    synthesized: dict[str, Reference] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    repeats: RepeatTracker = field(default_factory=RepeatTracker)
    heads: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cursor_line: int = -1
    cursor: int = 0


class MarkdownExtractor:
    """Extracts references and citations from Markdown."""

    format = DocFormat.MARKDOWN

    def extract(self, text: str, base_url: str | None) -> Extraction:
        """See `Extractor.extract`."""
        env: dict[str, object] = {}
        lines = text.split("\n")
        dense = _dense_blocks(lines)
        tokens = _parser().parse(_masked(lines, dense) if dense else text, env)
        state = _State(text, LineIndex(text), lines, base_url, set())
        date: DatedFact | None = None
        if tokens and tokens[0].type == "front_matter":
            date = front_matter_date(tokens[0].content)
        definitions = _definitions(env, lines, state.index)
        footnotes = _footnotes(tokens, state)
        state.references.extend(definitions)
        state.references.extend(footnotes)
        state.known = {r.id for r in state.references}
        _walk(tokens, state)
        if date is None:
            date = find_dateline(state.heads[:200])
        for first, last, count in dense:
            _plain_block(first, last, count, state)
        state.citations.sort(key=lambda c: (c.line, c.column))
        references = sorted(state.references, key=lambda r: (r.line, r.column))
        references.extend(r for r in state.synthesized.values() if r.id not in state.known)
        return Extraction(
            references=tuple(references),
            citations=tuple(state.citations),
            links=tuple(state.links),
            date=date,
            repeated_paragraphs=state.repeats.repeats,
            problems=tuple(state.problems),
            anchors=markdown_token_anchors(tokens),
        )


def _dense_blocks(lines: list[str]) -> list[tuple[int, int, int]]:
    """Blocks (0-based first line, end line, count) with too much inline punctuation to parse.

    markdown-it-py's inline parser spends tens of microseconds on every unmatched `[` or `*`, so a
    megabyte of `[[[[` would take most of a minute. A paragraph with more than
    `_MAX_PUNCTUATION` such characters is not prose: it is read as plain text instead (markers
    still found, with a problem saying so). Code fences and indented code are left to the parser,
    which does not inline-parse them (and must keep them free of markers).
    """
    dense: list[tuple[int, int, int]] = []
    fence = ""
    first, count, code_only = -1, 0, True
    for number, line in enumerate([*lines, ""]):
        stripped = line.lstrip(" ")
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        if len(line) - len(stripped) <= 3 and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        if not line.strip():
            if first >= 0 and count > _MAX_PUNCTUATION and not code_only:
                dense.append((first, number, count))
            first, count, code_only = -1, 0, True
            continue
        if first < 0:
            first = number
        code_only = code_only and line.startswith(("    ", "\t"))
        count += sum(line.count(c) for c in "[]*_!<`~")
    return dense


def _masked(lines: list[str], dense: list[tuple[int, int, int]]) -> str:
    """The text with the dense blocks blanked (same lines, so positions stay true)."""
    copy = list(lines)
    for first, last, _count in dense:
        for number in range(first, last):
            copy[number] = ""
    return "\n".join(copy)


def _plain_block(first: int, last: int, count: int, state: _State) -> None:
    """Read a dense block as plain text: its markers and URLs, and a problem saying why."""
    start = state.index.line_start(first + 1)
    end = state.index.line_start(last) + len(state.lines[last - 1])
    block = state.text[start:end].replace("\n", " ")
    markers = find_markers(block, state.known)
    state.citations.extend(
        citations_in(block, markers, lambda m: state.index.position(start + m.start))
    )
    for found in find_urls(block):
        line, column = state.index.position(start + found.start)
        state.links.append(Link(found.url, found.written, line, column))
    state.problems.append(
        Problem(
            "dense-markdown",
            f"lines {first + 1}-{last}: {count} Markdown punctuation characters in one paragraph; "
            "read as plain text",
            line=first + 1,
        )
    )


def _definitions(env: dict[str, object], lines: list[str], index: LineIndex) -> list[Reference]:
    """Numeric reference definitions (`[3]: https://...`) as references."""
    found: list[Reference] = []
    refs = env.get("references")
    if not isinstance(refs, dict):
        return found
    for label, value in refs.items():
        if not isinstance(value, dict) or parse_ids(str(label).lstrip("^")) is None:
            continue
        if not re.fullmatch(r"\^?[0-9]{1,4}", str(label)):
            continue
        href = str(value.get("href", ""))
        line_number = _definition_line(value.get("map"), str(label), lines)
        line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        column = line.find("[") + 1 or 1
        found.append(
            Reference(
                id=str(label).lstrip("^"),
                url=clean_url(href) if href else None,
                url_as_written=href or None,
                line=line_number,
                column=column,
                text=" ".join((str(value.get("title") or "") or href).split()),
            )
        )
    return found


def _definition_line(mapping: object, label: str, lines: list[str]) -> int:
    if isinstance(mapping, Sequence) and mapping and isinstance(mapping[0], int):
        return int(mapping[0]) + 1
    for number, line in enumerate(lines, start=1):
        match = _DEFINITION.match(line)
        if match and match.group(1).strip().lower() == label.lower():
            return number
    return 1


def _footnotes(tokens: list[Token], state: _State) -> list[Reference]:
    """Footnote definitions as references: the first URL inside is the reference's URL."""
    found: list[Reference] = []
    label: str | None = None
    pieces: list[str] = []
    urls: list[tuple[str, str]] = []
    line = 0
    for token in tokens:
        if token.type == "footnote_open":
            label = str(token.meta.get("label", token.meta.get("id", "")))
            pieces, urls, line = [], [], 0
        elif token.type == "footnote_close" and label is not None:
            number = line or _footnote_line(label, state.lines)
            source_line = state.lines[number - 1] if 0 < number <= len(state.lines) else ""
            url, written = urls[0] if urls else (None, None)
            found.append(
                Reference(
                    id=label,
                    url=url,
                    url_as_written=written,
                    line=number,
                    column=(source_line.find("[^") + 1) or 1,
                    text=" ".join(" ".join(pieces).split()),
                )
            )
            label = None
        elif label is not None and token.type == "inline":
            if not line and token.map:
                line = _footnote_line(label, state.lines, token.map[0])
            plain, hrefs = _plain(token.children or [])
            pieces.append(plain)
            urls.extend(hrefs)
            urls.extend((f.url, f.written) for f in find_urls(plain))
    return found


def _footnote_line(label: str, lines: list[str], near: int = 0) -> int:
    """The line of `[^label]:` at or before the 0-based line `near` (footnote maps may be off)."""
    needle = f"[^{label}]:"
    for number in range(min(near, len(lines) - 1), -1, -1):
        if needle in lines[number]:
            return number + 1
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return near + 1


def _plain(children: list[Token]) -> tuple[str, list[tuple[str, str]]]:
    """The visible text of inline tokens, and the (normalised, written) hrefs of their links."""
    parts: list[str] = []
    hrefs: list[tuple[str, str]] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if href.lower().startswith(("http://", "https://")):
                hrefs.append((clean_url(href), href))
    return "".join(parts), hrefs


def _walk(tokens: list[Token], state: _State) -> None:
    """Visit the block tokens: reference sections, footnote bodies and body paragraphs."""
    section_level: int | None = None
    in_footnote = 0
    list_items: list[Token] = []
    pending_heading: int | None = None
    for token in tokens:
        kind = token.type
        if kind == "footnote_open":
            in_footnote += 1
        elif kind == "footnote_close":
            in_footnote -= 1
        elif kind == "heading_open":
            level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            if section_level is not None and level <= section_level:
                section_level = None
            pending_heading = level
        elif kind == "list_item_open":
            list_items.append(token)
        elif kind == "list_item_close" and list_items:
            list_items.pop()
        elif kind == "inline":
            if len(state.heads) < 200 and section_level is None and not in_footnote:
                state.heads.extend(token.content.split("\n"))
            if pending_heading is not None:
                if _HEADING.fullmatch(_heading_text(token)):
                    section_level = pending_heading
                pending_heading = None
                continue
            if in_footnote:
                continue
            lines = token.content.split("\n", 1)
            if not list_items and _HEADING.fullmatch(lines[0].strip()):
                # "Citations:" or "**References**" as a paragraph opens a section too.
                section_level = 7
                if len(lines) > 1:
                    _reference_entry(token, None, state, skip_first=True)
                continue
            if section_level is not None or _all_entries(token, state):
                _reference_entry(token, list_items[-1] if list_items else None, state)
            else:
                _body(token, state)
        elif kind == "heading_close":
            pending_heading = None


_EDIT_LINK = re.compile(r"\s*\[\s*edit(?: source)?\s*\]\s*$", re.IGNORECASE)


def _heading_text(token: Token) -> str:
    """A heading's visible text, without the `[edit]` link of a Wikipedia page converted to
    Markdown (`References[[edit](/w/index.php?...)]` reads "References")."""
    plain, _hrefs = _plain(token.children or [])
    return _EDIT_LINK.sub("", plain).strip()


def _all_entries(token: Token, state: _State) -> bool:
    """True when every source line of a block is a `[N] ... URL` entry (a list with no heading)."""
    if token.map is None:
        return False
    lines = state.lines[token.map[0] : token.map[1]]
    return bool(lines) and all(_is_headless_entry(line) for line in lines if line.strip())


def _reference_entry(
    token: Token, item: Token | None, state: _State, skip_first: bool = False
) -> None:
    """An entry under a references heading: an ordered-list item or `[N] URL` lines."""
    if token.map is None:
        return
    first, last = token.map
    first += 1 if skip_first else 0
    if item is not None and item.info.isdigit() and item.markup in (".", ")"):
        plain, hrefs = _plain(token.children or [])
        bare = [(f.url, f.written) for f in find_urls(plain)]
        pairs: list[tuple[str | None, str | None]] = [*hrefs, *bare, (None, None)]
        url, written = pairs[0]
        line = state.lines[first] if first < len(state.lines) else ""
        state.references.append(
            Reference(
                id=item.info,
                url=url,
                url_as_written=written,
                line=first + 1,
                column=len(line) - len(line.lstrip()) + 1,
                text=" ".join(plain.split()),
            )
        )
        state.known.add(item.info)
        return
    lines = state.lines[first:last]
    starts = [state.index.line_start(first + n + 1) for n in range(len(lines))]
    entries, _end = _read_entries(lines, starts, 0)
    for entry in entries:
        entry.line += first
        reference = _to_reference(entry)
        state.references.append(reference)
        state.known.add(reference.id)
        if entry.repaired:
            state.problems.append(
                Problem(
                    "repaired-url",
                    f"reference [{entry.ref_id}] on line {entry.line}: the URL was broken across "
                    f"a line or a space and was joined to {entry.url}",
                    line=entry.line,
                )
            )
    if not entries:
        _body(token, state)


def _body(token: Token, state: _State) -> None:
    """A body block: its markers become citations, its links become links."""
    if token.map is None or state.repeats.is_repeat(token.content):
        return
    first, last = token.map
    region_start = state.index.line_start(first + 1)
    region_end = state.index.line_start(last + 1) if last < state.index.line_count else len(
        state.text
    )
    region = state.text[region_start:region_end]
    if state.cursor_line != first:  # table cells of one row share a line: keep the cursor
        state.cursor_line, state.cursor = first, 0
    plain: list[str] = []
    size = 0
    markers: list[Marker] = []
    where: dict[int, tuple[int, int]] = {}

    def locate(needle: str, fallback: int) -> int:
        found = region.find(needle, state.cursor) if needle else -1
        return found if found >= 0 else fallback

    children = token.children or []
    position = 0
    while position < len(children):
        child = children[position]
        kind = child.type
        if kind == "text":
            content = child.content
            at = locate(content, state.cursor)
            for marker in find_markers(content, state.known):
                source = at + marker.start
                if region[source : source + 1] != "[":
                    source = locate(marker.text_in(content), at)
                where[size + marker.start] = state.index.position(region_start + source)
                markers.append(Marker(size + marker.start, size + marker.end, marker.ids))
            for found in find_urls(content):
                line, column = state.index.position(region_start + at + found.start)
                state.links.append(Link(found.url, found.written, line, column))
            if at >= state.cursor:
                state.cursor = at + len(content)
            plain.append(content)
            size += len(content)
        elif kind == "footnote_ref":
            label = str(child.meta.get("label", ""))
            written = f"[^{label}]"
            at = locate(written, state.cursor)
            state.cursor = at + len(written)
            where[size] = state.index.position(region_start + at)
            markers.append(Marker(size, size + len(written), (label,)))
            plain.append(written)
            size += len(written)
        elif kind == "code_inline":
            at = locate(child.content, state.cursor)
            state.cursor = max(state.cursor, at + len(child.content))
            plain.append(child.content)
            size += len(child.content)
        elif kind in ("softbreak", "hardbreak"):
            plain.append(" ")
            size += 1
        elif kind == "link_open":
            close = position + 1
            while close < len(children) and children[close].type != "link_close":
                close += 1
            inner, _ = _plain(children[position + 1 : close])
            href = str(child.attrs.get("href", ""))
            images = [c for c in children[position + 1 : close] if c.type == "image"]
            at = locate(inner, state.cursor) if inner else state.cursor
            start_at = max(region.rfind("[", 0, at), 0) if inner else at
            if images and not inner:  # a badge: `[![alt](src)](href)` starts at its `[`
                badge = region.find("[![", state.cursor)
                start_at = at = badge if badge >= 0 else at
            spot = state.index.position(region_start + start_at)
            ids = _link_marker_ids(inner, href, spot, state)
            if ids is not None:
                written = f"[{','.join(ids)}]"
                where[size] = spot
                markers.append(Marker(size, size + len(written), ids))
                plain.append(written)
                size += len(written)
            else:
                _add_link(href, inner, region_start + start_at, state)
                for image in images:
                    _add_image(image, region, region_start, state)
                plain.append(inner)
                size += len(inner)
            if at >= state.cursor:
                state.cursor = at + len(inner)
            position = close
        elif kind == "image":
            _add_image(child, region, region_start, state)
            plain.append(child.content)
            size += len(child.content)
        position += 1
    paragraph = "".join(plain)
    state.citations.extend(
        citations_in(paragraph, markers, lambda m: where.get(m.start, (first + 1, 1)))
    )


def _link_marker_ids(
    inner: str, href: str, spot: tuple[int, int], state: _State
) -> tuple[str, ...] | None:
    """The ids when a link is a marker: `[[2]](url)`, or `[3]` pointing at definition 3."""
    stripped = inner.strip()
    match = _LINK_MARKER.fullmatch(stripped)
    if match is None:
        return None
    ids = parse_ids(match.group(1), state.known)
    if ids is None:
        return None
    bracketed = stripped.startswith("[") and stripped.endswith("]")
    defined = all(i in state.known for i in ids)
    if not bracketed and not defined:
        return None
    if not defined and len(ids) == 1 and href.lower().startswith(("http://", "https://")):
        ref_id = ids[0]
        if ref_id not in state.synthesized:
            state.synthesized[ref_id] = Reference(
                id=ref_id,
                url=clean_url(href),
                url_as_written=href,
                line=spot[0],
                column=spot[1],
                text=href,
            )
    return ids


def _add_link(
    href: str, text: str, offset: int, state: _State, kind: LinkKind = LinkKind.LINK
) -> None:
    """Record an ordinary hyperlink or an image: an absolute URL normalised, a relative one of a
    web page resolved against its URL; anything else (a local path, `#fragment`, `mailto:`,
    `tel:`) kept as written, for `linkaudit.local` to resolve against the document's folder."""
    if not href:
        return
    url = href
    line, column = state.index.position(offset)
    if not href.lower().startswith(("http://", "https://")):
        if state.base_url is None or href.startswith("#") or _SCHEME.match(href):
            state.links.append(Link(href, href, line, column, " ".join(text.split()), kind))
            return
        url = urljoin(state.base_url, href)
    state.links.append(Link(clean_url(url), href, line, column, " ".join(text.split()), kind))


def _add_image(image: Token, region: str, region_start: int, state: _State) -> None:
    """Record an image (`![alt](src)`, a badge inside a link) at its `![`."""
    at = region.find("![", state.cursor)
    if at < 0:
        at = state.cursor
    else:
        state.cursor = at + 2
    _add_link(str(image.attrs.get("src", "")), image.content, region_start + at, state,
              LinkKind.IMAGE)
