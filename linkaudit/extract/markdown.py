"""Markdown, parsed with markdown-it-py (CommonMark, tables, footnotes, front matter).

References come from footnote definitions (`[^1]: ...`, `[^note]: ...`, cited or not), numeric
reference definitions (`[3]: https://...`) used as markers, and the entries of reference lists:
under a references heading (an ordered list, or `[N] URL` lines as in plain text), a list whose
items open with a note anchor (`<span id="cite_note-1">`, a `[↑](#cite_ref-1)` backlink: pandoc's
conversion of a wiki page), `[N] ... URL` lines with no heading, and a note line anywhere
(`[0] required to be compile-time constants.`, cited elsewhere as `[0]`). HTML blocks are read by
the HTML extractor, so a blog written in HTML inside Markdown has its paragraph reference lists.

Two namespaces stay apart: a footnote `[^1]` and a link definition `[1]: url` are different
things. A numeric definition used as an ordinary reference-style link (`[stable releases][1]`,
mdBook's `[2]: ch13-01-closures.html`) is a hyperlink, not a numbered reference.

Markers are footnote references (`[^1]`), bracketed numbers in text (`[1]`, `[1-3]`), shortcut
links to numeric definitions (`[3]`), links whose whole text is a marker (`[[2]](https://...)`;
when that URL is not in the reference list, it becomes reference 2) and note links in inline HTML
(`<a href="#cite-ref-1">[1]</a>`). The parser decides what is code: nothing inside a code block,
inline code, the text of an ordinary link or a hidden HTML element (`display:none`, `hidden`,
`aria-hidden`) is ever a marker.

Extraction reads the token stream twice: first the references (so every id is known), then the
citations and links. Positions: markdown-it gives block lines but no inline offsets, so `_Aligner`
walks the source of each block alongside its inline tokens (escapes, entities, emphasis marks,
link destinations, container prefixes), and every marker and link gets its own line and column.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from urllib.parse import urljoin

from markdown_it.token import Token

from linkaudit.extract.claims import citations_in
from linkaudit.extract.dates import find_dateline, front_matter_date
from linkaudit.extract.dedupe import RepeatTracker
from linkaudit.extract.flavour import MAX_NESTING as _MAX_NESTING
from linkaudit.extract.flavour import markdown_parser as _parser
from linkaudit.extract.html import HtmlFragment, is_hidden_style
from linkaudit.extract.identifiers import identifiers_in
from linkaudit.extract.interface import Extraction
from linkaudit.extract.markers import (
    Marker,
    find_markers,
    glues_citations,
    merge_adjacent,
    parse_ids,
    strip_markers,
)
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import (
    _ENTRY,
    _HEADING,
    _Entry,
    _is_headless_entry,
    _read_entries,
    _to_reference,
    cited_ids,
    is_note_line,
)
from linkaudit.extract.urls import clean_url, entry_url, find_urls, is_template
from linkaudit.local.anchors import markdown_token_anchors
from linkaudit.model import (
    Citation,
    DatedFact,
    DocFormat,
    Link,
    LinkKind,
    Problem,
    ProblemKind,
    Reference,
)
from linkaudit.urls import same_site

_LINK_MARKER = re.compile(r"\[?\^?([0-9][0-9 ,;\u2013\u2014\-]{0,40})\]?")
_MAX_PUNCTUATION = 5000
"""More inline punctuation than this in one paragraph is not prose (see `_dense_blocks`)."""
_DEFINITION = re.compile(r"[ \t]{0,3}\[([^\]]{1,100})\]:")
_FOOTNOTE_DEFINITION = re.compile(r"[ \t]{0,3}\[\^([^\]\s]{1,100})\]:[ \t]*")
_LABEL_USE = re.compile(r"\]\[([^\]\n]{1,100})\]|\[([^\]\n]{1,100})\]\[\]")
"""A full (`[text][label]`) or collapsed (`[label][]`) reference link: the label names a link."""
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_INLINE_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*)?/?>")
_BRACKET_ENTRY = re.compile(r"[ \t]{0,3}\[\d{1,4}\][ \t]+\S")
"""A line that opens like a reference entry: `[6] Rozanski, N. ...`."""
_ESCAPED_NUMBER = re.compile(r"^(\s*\\?\[?\d{1,4})\\?([.)\]])")
_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "col"})
_NOTE_NAME = r"(?:cite[_-]note|cite[_-]ref|fn|fnref|footnote|endnote|note|ref|bib)"
_NOTE_HREF = re.compile("#" + _NOTE_NAME, re.I)
"""An in-page link to a note or back to its marker (`#cite_note-1`, `#fnref:2`)."""
_NOTE_ID = re.compile("^" + _NOTE_NAME, re.I)
"""The id of a note anchor (`cite_note-1`, `ref3`)."""
_BACKLINK_TEXT = frozenset({"↑", "^", "↩", "↩︎", "⤴"})
_WIKI_INTERNAL = re.compile(r"(?:^|/)(?:wiki/|w/index\.php|index\.php\?title=)|Special:", re.I)
_EDIT_LINK = re.compile(r"\s*\[\s*edit(?: source)?\s*\]\s*$", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_ALIGN_LOOKAHEAD = 200
"""How far the aligner looks ahead for a token it did not find where it expected it."""


class _Role(Enum):
    """What an inline or HTML block is in the document."""

    BODY = "body"
    HEADING = "heading"
    ENTRY = "entry"
    FOOTNOTE = "footnote"
    HTML = "html"


@dataclass
class _Block:
    """One block of the document and what pass one decided about it."""

    role: _Role
    token: Token
    item: Token | None = None
    """The list item holding it, if any."""
    number: int | None = None
    """The item's number as the reader sees it (an ordered list in a references section)."""
    row: int | None = None
    """For a table cell: which row (cells of one row share a source line)."""
    cell: int = 0
    """For a table cell: its index in the row."""
    label: str = ""
    """For a footnote body: its label."""
    skip_first: bool = False
    """An entry block whose first line is the heading ("**References**" as a paragraph)."""
    in_section: bool = False
    """An HTML block inside a references section."""
    fragment: HtmlFragment | None = None
    lines_only: bool = False
    """Read the block's source lines as `[N] ...` entries (Markdown swallowed by HTML)."""
    fallback: int | None = None
    """For a list item in a references section: its position among the section's items, the
    number it is read by when it shows none (a bulleted reference list)."""
    lazy: bool = False
    """A paragraph of a references section right under an entry, with no blank line between:
    the rest of that entry, cut off by the parser (`1. <div id=x/>Title. URL:` then the URL)."""


@dataclass
class _FoundLink:
    """A link of an inline block: where it starts in the source, its target and text."""

    href: str
    text: str
    offset: int
    kind: LinkKind = LinkKind.LINK
    note: bool = False
    """An in-page note link (`#cite_note-1`)."""
    autonumber: bool = False
    """MediaWiki's `[1]` for an external link without a label: a link, never a marker."""
    bare: bool = False
    """A URL in the text (not a link's target): an entry reads it with `entry_url`."""
    written: str = ""
    """For a bare URL, as written (`www.x.org`; `href` is its normalised `https://www.x.org/`)."""


@dataclass
class _Inline:
    """What one inline block holds: visible text, markers with their positions, links."""

    plain: str = ""
    markers: list[Marker] = field(default_factory=list)
    where: dict[int, tuple[int, int]] = field(default_factory=dict)
    links: list[_FoundLink] = field(default_factory=list)
    ids_in_html: list[str] = field(default_factory=list)
    """The `id` attributes of its inline HTML (note anchors)."""
    end: int = 0
    """Where the block's source was read up to (the next table cell of its row starts there)."""


@dataclass
class _State:
    """What the walk over the token stream has gathered so far."""

    text: str
    index: LineIndex
    lines: list[str]
    base_url: str | None
    known: set[str]
    cited: set[str]
    references: list[Reference] = field(default_factory=list)
    synthesized: dict[str, Reference] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    repeats: RepeatTracker = field(default_factory=RepeatTracker)
    heads: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    row_end: tuple[int, int] = (-1, 0)
    """(row, source offset) where the last table cell read ended: the next cell starts there."""
    glued: bool = False
    """The document glues citations to words (`growth[1]`): see `glues_citations`."""
    anchors: set[str] = field(default_factory=set)
    """The `id`s inside reference entries: an in-page link to one is a note link."""
    row_header: str = ""
    """The first cell of the table row being read: it opens the claims of the other cells."""


class MarkdownExtractor:
    """Extracts references and citations from Markdown."""

    format = DocFormat.MARKDOWN

    def extract(self, text: str, base_url: str | None) -> Extraction:
        """See `Extractor.extract`."""
        env: dict[str, object] = {}
        lines = text.split("\n")
        dense = _dense_blocks(lines)
        tokens = _parser().parse(_masked(lines, dense) if dense else text, env)
        state = _State(text, LineIndex(text), lines, base_url, set(), cited_ids(text))
        deepest = max((t for t in tokens if t.map), key=lambda t: t.level, default=None)
        if deepest is not None and deepest.level >= _MAX_NESTING - 2 and deepest.map:
            state.problems.append(
                Problem(
                    ProblemKind.MARKDOWN_NESTING,
                    f"line {deepest.map[0] + 1}: blocks nested {_MAX_NESTING} deep; the parser "
                    "stops there, so what follows may not be read",
                    line=deepest.map[0] + 1,
                )
            )
        date: DatedFact | None = None
        if tokens and tokens[0].type == "front_matter":
            date = front_matter_date(tokens[0].content)
        footnote_labels = _footnote_labels(env)
        blocks = _roles(tokens, state)
        link_ids = _labels_used_as_links(
            b.token.content for b in blocks if b.role is not _Role.HTML
        )
        # Pass one: every reference, so that every marker is judged against the whole list.
        state.references.extend(_definitions(env, lines, footnote_labels, link_ids, state))
        for block in blocks:
            if block.role is _Role.ENTRY:
                _reference_entry(block, state)
            elif block.role is _Role.HTML and block.fragment is not None:
                listed = block.fragment.references(block.in_section)
                if not listed and block.in_section and block.token.map:
                    # `<div id="28"></div>` above `28 Lanza ...`: entries written as text lines
                    first, last = block.token.map
                    for entry in _line_entries(first, last, state):
                        listed.append(_to_reference(entry))
                        if entry.repaired:
                            _repaired(entry.ref_id, entry.line, entry.url, state)
                state.references.extend(listed)
        state.references.extend(_footnotes(blocks, env, state))
        state.known = {r.id for r in state.references}
        state.glued = glues_citations(text, state.known)
        # Pass two: citations and links.
        for block in blocks:
            match block.role:
                case _Role.BODY | _Role.HEADING:
                    _body(block, state)
                case _Role.HTML:
                    if block.fragment is not None:
                        found = block.fragment.body(state.known)
                        state.citations.extend(found.citations)
                        state.links.extend(found.links)
                case _Role.ENTRY | _Role.FOOTNOTE:
                    pass
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
            links=tuple(sorted(state.links, key=lambda k: (k.line, k.column))),
            date=date,
            repeated_paragraphs=state.repeats.repeats,
            repeated_chars=state.repeats.repeated_chars,
            body_chars=state.repeats.seen_chars,
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
    markers = find_markers(block, state.known, glued=state.glued)
    state.citations.extend(
        citations_in(block, markers, lambda m: state.index.position(start + m.start))
    )
    for found in find_urls(block):
        line, column = state.index.position(start + found.start)
        state.links.append(Link(found.url, found.written, line, column))
    state.problems.append(
        Problem(
            ProblemKind.DENSE_MARKDOWN,
            f"lines {first + 1}-{last}: {count} Markdown punctuation characters in one paragraph; "
            "read as plain text",
            line=first + 1,
        )
    )


# --- pass one: what each block is ----------------------------------------------------------


def _roles(tokens: list[Token], state: _State) -> list[_Block]:
    """Every inline and HTML block with its role, in document order."""
    blocks: list[_Block] = []
    section_level: int | None = None
    footnote: str | None = None
    items: list[Token] = []
    # per open list: [next number, ordered?, all written as one?, added to written numbers]
    lists: list[list[int]] = []
    top: tuple[int, int] = (1, 0)  # the open top-level list's start number and last line
    before: tuple[int, int, int] | None = None  # the section's last list: start, next, end
    item_end = -1  # the line after the last top-level item of the section
    pending_heading: int | None = None
    row = -1
    cell = 0
    in_run = False  # the last block was a `[N] ...` entry: a run of them is a reference list
    section_items = 0  # list items read so far in the references section
    for position, token in enumerate(tokens):
        kind = token.type
        if kind == "footnote_open":
            footnote = str(token.meta.get("label", ""))
        elif kind == "footnote_close":
            footnote = None
        elif kind in ("fence", "code_block") and footnote is not None:
            # `[^1]:` then an indented CSL-JSON block (the EIP style): a note all the same
            blocks.append(_Block(_Role.FOOTNOTE, token, label=footnote))
        elif kind == "heading_open":
            in_run, before, item_end = False, None, -1
            level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            if section_level is not None and level <= section_level:
                section_level = None
            pending_heading = level
        elif kind in ("ordered_list_open", "bullet_list_open"):
            start = token.attrs.get("start", 1)
            first = int(start) if str(start).isdigit() else 1
            numbers = _item_numbers(tokens, position)
            ordered = kind == "ordered_list_open"
            lists.append([first, ordered, int(len(set(numbers)) <= 1 and len(numbers) > 1), 0])
            if not items and ordered and section_level is not None:
                opens = token.map[0] if token.map else 0
                carried = _carried(before, first, opens, state)
                if carried:  # the list restarted by accident: number on
                    lists[-1][0] += carried
                    lists[-1][3] = carried
                top = (first, token.map[1] if token.map else opens)
        elif kind in ("ordered_list_close", "bullet_list_close") and lists:
            closed = lists.pop()
            if not items and closed[1] and section_level is not None:
                before = (top[0], closed[0], top[1])
        elif kind == "list_item_open":
            items.append(token)
        elif kind == "list_item_close" and items:
            opened = items.pop()
            if lists:
                lists[-1][0] += 1
            if not items and section_level is not None:
                section_items += 1
                item_end = opened.map[1] if opened.map else -1
        elif kind == "tr_open":
            row, cell = row + 1, 0
        elif kind in ("td_close", "th_close"):
            cell += 1
        elif kind == "html_block":
            fragment = HtmlFragment(token.content, (token.map[0] if token.map else 0) + 1,
                                    state.base_url)
            item = items[-1] if items else None
            number = _number(item, lists[-1] if lists else None)
            if item is not None and section_level is not None and footnote is None:
                # `1. <div id="rw"></div>Nick Rozanski ...`: an entry that opens with HTML
                cited = str(section_items + 1) in state.cited
                blocks.append(_Block(_Role.ENTRY, token, item, number, fragment=fragment,
                                     fallback=section_items + 1 if cited else None))
                continue
            heading = fragment.section_heading()
            if heading is not None:
                section_level = heading if heading else None
                section_items = 0
            elif _swallowed_heading(token.content):
                # `<div id="refs"/>` right above `## References`: with no blank line between, the
                # heading is part of the HTML block (and so are the entries that follow it)
                section_level, section_items = 7, 0
                blocks.append(_Block(_Role.ENTRY, token, lines_only=True))
                continue
            blocks.append(_Block(_Role.HTML, token, in_section=section_level is not None,
                                 fragment=fragment))
        elif kind == "inline":
            item = items[-1] if items else None
            number = _number(item, lists[-1] if lists else None)
            if footnote is not None:
                blocks.append(_Block(_Role.FOOTNOTE, token, item, label=footnote))
            elif pending_heading is not None:
                if _HEADING.fullmatch(_heading_text(token)):
                    section_level, section_items = pending_heading, 0
                blocks.append(_Block(_Role.HEADING, token))
                pending_heading = None
            elif kind == "inline" and token.map is not None and _in_table(tokens, position):
                blocks.append(_Block(_Role.BODY, token, item, row=row, cell=cell))
            else:
                first_line = _unwrap_html_line(token.content.split("\n", 1)[0]).strip()
                if not items and _HEADING.fullmatch(first_line):
                    # "Citations:" or "**References**" as a paragraph opens a section too.
                    section_level, section_items = 7, 0
                    if "\n" in token.content:
                        blocks.append(_Block(_Role.ENTRY, token, skip_first=True))
                    continue
                first_line = token.content.split("\n", 1)[0]
                entry = (
                    section_level is not None
                    or _all_entries(token, state)
                    or item is not None and _is_note_item(token)
                    or is_note_line(first_line, state.cited)
                    # `[6] Rozanski, N. ...` without a URL, in a run of `[N] ... URL` entries
                    or in_run and _BRACKET_ENTRY.match(first_line) is not None
                )
                fallback = (
                    section_items + 1
                    if item is not None and section_level and str(section_items + 1) in state.cited
                    else None
                )
                lazy = (
                    item is None and section_level is not None and token.map is not None
                    and token.map[0] == item_end
                )
                blocks.append(_Block(_Role.ENTRY if entry else _Role.BODY, token, item, number,
                                     fallback=fallback, lazy=lazy))
                in_run = entry and _BRACKET_ENTRY.match(first_line) is not None
                continue
        elif kind == "heading_close":
            pending_heading = None
    return blocks


def _item_numbers(tokens: list[Token], position: int) -> list[str]:
    """The numbers written on the items of the list opening at `position` (its own level)."""
    numbers: list[str] = []
    depth = 0
    for token in tokens[position:]:
        if token.type in ("ordered_list_open", "bullet_list_open"):
            depth += 1
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            depth -= 1
            if depth == 0:
                break
        elif token.type == "list_item_open" and depth == 1:
            numbers.append(token.info)
            if len(numbers) > 2 and len(set(numbers)) > 1:
                break  # enough to tell "1. 1. 1." from "1. 2. 3."
    return numbers


def _number(item: Token | None, current: list[int] | None) -> int | None:
    """The number a reader sees on an ordered list item: as written, or by position when every
    item is written `1.` (the renderer numbers them 1, 2, 3); numbered on from the list before
    when the list restarted by accident (`_carried`)."""
    if item is None or current is None or not current[1]:
        return None
    if current[2] or not item.info.isdigit():
        return current[0]
    return int(item.info) + current[3]


def _carried(before: tuple[int, int, int] | None, first: int, opens: int, state: _State) -> int:
    """How far an ordered list of a references section numbers on from the list before it in
    the same section, when it restarted by accident; else 0.

    A line the parser could not keep inside an entry (an HTML block ends at a line with no
    indent: `1. <div id=x/>Title. URL:` then the URL on the next line) ends the list, and the
    next `1.` opens a new one that renders from 1 again, though the author wrote one list. It
    restarted when it opens at the number the section's list before it opened at, and either
    nothing but such a line stands between them (no blank line) or the markers cite the number
    that list would go on with (`[16]` after a list of 15)."""
    if before is None:
        return 0
    start, following, end = before
    if first != start or following <= first:
        return 0
    lazy = all(line.strip() for line in state.lines[end:opens])
    if lazy or str(following) in state.cited:
        return following - first
    return 0


def _in_table(tokens: list[Token], position: int) -> bool:
    return position > 0 and tokens[position - 1].type in ("td_open", "th_open")


def _heading_text(token: Token) -> str:
    """A heading's visible text, without the `[edit]` link of a Wikipedia page converted to
    Markdown (`References[[edit](/w/index.php?...)]` reads "References")."""
    text = "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))
    return _EDIT_LINK.sub("", text).strip()


def _all_entries(token: Token, state: _State) -> bool:
    """True when every source line of a block is a `[N] ... URL` entry (a list with no heading)."""
    if token.map is None:
        return False
    lines = state.lines[token.map[0] : token.map[1]]
    return bool(lines) and all(_is_headless_entry(line) for line in lines if line.strip())


def _is_note_item(token: Token) -> bool:
    """True when a block opens with a note anchor: an element whose id names a note
    (`<span id="cite_note-1">`) or a backlink to the marker (`[↑](#cite_ref-1)`,
    `<a id="cite-ref-1" href="#cite-note-1">↑</a>`): a reference list with no heading."""
    children = token.children or []
    for position, child in enumerate(children[:4]):
        if child.type == "html_inline":
            attrs = _attributes(child.content)
            after = children[position + 1].content.strip() if position + 1 < len(children) else ""
            if _LINK_MARKER.fullmatch(after) and after.startswith("["):
                return False  # `<a id="cite-note-2" href="#cite-ref-2">[2]</a>`: a marker
            if _NOTE_ID.match(attrs.get("id", "")) or (
                _NOTE_HREF.match(attrs.get("href", "")) and after in _BACKLINK_TEXT
            ):
                return True
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            text = children[position + 1].content.strip() if position + 1 < len(children) else ""
            if _NOTE_HREF.match(href) and text.strip("[]") in _BACKLINK_TEXT:
                return True
        elif child.type == "text" and child.content.strip(" [^*"):
            return False
    return False


def _labels_used_as_links(sources: Iterable[str]) -> set[str]:
    """Definition labels that inline text uses as ordinary reference-style links (`[x][1]`);
    code blocks are not inline text, so `m[1][2]` in a fence does not count."""
    used: set[str] = set()
    for source in sources:
        if "][" not in source:
            continue
        for match in _LABEL_USE.finditer(source):
            used.add((match.group(1) or match.group(2)).strip().lower())
    return used


def _footnote_labels(env: dict[str, object]) -> set[str]:
    notes = env.get("footnotes")
    refs = notes.get("refs") if isinstance(notes, dict) else None
    return {str(k)[1:] for k in refs} if isinstance(refs, dict) else set()


def _definitions(
    env: dict[str, object], lines: list[str], footnotes: set[str], link_ids: set[str],
    state: _State,
) -> list[Reference]:
    """Numeric reference definitions (`[3]: https://...`) as references, when they are markers.

    A numeric definition that the text uses as an ordinary reference-style link (`[x][3]`) is a
    hyperlink, and so is one whose number a footnote already has (the namespaces never merge);
    every other definition with a non-numeric label is a hyperlink too.
    """
    found: list[Reference] = []
    refs = env.get("references")
    if not isinstance(refs, dict):
        return found
    numeric_as_links = bool(link_ids) and all(
        label.lower() in link_ids or not re.fullmatch(r"[0-9]{1,4}", str(label))
        for label in refs
    )
    for label, value in refs.items():
        if not isinstance(value, dict):
            continue
        href = str(value.get("href", ""))
        line_number = _definition_line(value.get("map"), str(label), lines)
        line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        column = line.find("[") + 1 or 1
        numeric = re.fullmatch(r"[0-9]{1,4}", str(label)) is not None
        if (
            not numeric
            or numeric_as_links
            or str(label).lower() in link_ids
            or str(label) in footnotes
            or parse_ids(str(label)) is None
        ):
            continue  # a link definition: the links that use it are the hyperlinks
        found.append(
            Reference(
                id=str(label),
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


def _footnotes(blocks: list[_Block], env: dict[str, object], state: _State) -> list[Reference]:
    """Footnote definitions as references, cited or not: the first web link inside is the
    reference's URL; its other links are hyperlinks."""
    by_label: dict[str, list[_Block]] = {}
    for block in blocks:
        if block.role is _Role.FOOTNOTE:
            by_label.setdefault(block.label, []).append(block)
    found: list[Reference] = []
    for label, parts in by_label.items():
        inlines = [_read_inline(b.token, state, entry=True) for b in parts
                   if b.token.type == "inline"]
        first = parts[0].token.map[0] if parts[0].token.map else 0
        number = _footnote_line(label, state.lines, first)
        reference = _note_reference(label, number, inlines, state)
        codes = [b.token.content for b in parts if b.token.type != "inline"]
        if codes and reference.url is None:
            reference = _code_note(reference, "\n".join(codes))
        found.append(reference)
    notes = env.get("footnotes")
    refs = notes.get("refs") if isinstance(notes, dict) else None
    for key, value in (refs.items() if isinstance(refs, dict) else ()):
        label = str(key)[1:]
        if label in by_label:
            continue
        # Defined but with no body the parser kept: never cited (the parser drops it), or a
        # body it did not see as one (`[^1]:` above a blank line and a code block indented
        # less than four spaces). A definition all the same: its marker does not dangle.
        note = _uncited_footnote(label, state)
        if note is not None and value != -1 and note.url is None:
            code = _code_after(note.line, state)
            note = _code_note(note, code) if code else note
        if note is not None:
            found.append(note)
    return found


def _code_after(number: int, state: _State) -> str | None:
    """The fenced code block that follows line `number` (1-based) after blank lines, if one
    does: the body of a footnote definition written above it."""
    at = number
    while at < len(state.lines) and not state.lines[at].strip():
        at += 1
    if at == number or at >= len(state.lines):
        return None
    fence = state.lines[at].strip()
    if not fence.startswith(("```", "~~~")):
        return None
    body: list[str] = []
    for line in state.lines[at + 1 :]:
        if line.strip().startswith(fence[:3]):
            return "\n".join(body)
        body.append(line)
    return None


def _note_reference(label: str, number: int, inlines: list[_Inline], state: _State) -> Reference:
    """A footnote's reference from the inline blocks of its body."""
    plain = " ".join(i.plain for i in inlines)
    links = [link for i in inlines for link in i.links]
    url, written, chosen, repaired = _entry_link(links, plain, state)
    _other_links(links, chosen, written, state)
    source_line = state.lines[number - 1] if 0 < number <= len(state.lines) else ""
    return Reference(
        id=label,
        url=url,
        url_as_written=written,
        line=number,
        column=(source_line.find("[^") + 1) or 1,
        text=" ".join(plain.split()),
        repaired=repaired,
        identifiers=identifiers_in(plain, (k.href for k in links)),
    )


def _code_note(reference: Reference, code: str) -> Reference:
    """A footnote whose body is a code block: a CSL-JSON item (`"URL"`, `"DOI"`, `"title"`,
    what EIPs require) gives the URL, title and identifiers; other code, its first URL."""
    url: str | None = None
    title = ""
    try:
        item = json.loads(code)
    except ValueError:
        item = None
    if isinstance(item, list) and item and isinstance(item[0], dict):
        item = item[0]
    if isinstance(item, dict):
        found = item.get("URL") or (f"https://doi.org/{item['DOI']}" if item.get("DOI") else None)
        url = found if isinstance(found, str) else None
        title = str(item.get("title") or "")
    if url is None:
        bare = entry_url(code)
        url = bare.joined if bare is not None else None
    if url is None:
        return replace(reference, text=reference.text or " ".join(title.split()))
    text = reference.text or " ".join(title.split()) or url
    return replace(reference, url=clean_url(url), url_as_written=url, text=text,
                   identifiers=identifiers_in(code, (url,)))


def _uncited_footnote(label: str, state: _State) -> Reference | None:
    """A footnote definition no marker cites, read from its source lines (the parser drops it)."""
    for number, line in enumerate(state.lines, start=1):
        match = _FOOTNOTE_DEFINITION.match(line)
        if match is None or match.group(1) != label:
            continue
        end = number
        while end < len(state.lines) and state.lines[end].startswith(("    ", "\t")):
            end += 1
        start = state.index.line_start(number) + match.end()
        stop = state.index.line_start(end) + len(state.lines[end - 1])
        tokens = _parser().parseInline(state.text[start:stop])
        token = tokens[0] if tokens else None
        if token is None:
            return None
        inline = _read_inline(token, state, entry=True, region=(start, stop))
        return _note_reference(label, number, [inline], state)
    return None


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


def _entry_link(
    links: list[_FoundLink], plain: str, state: _State
) -> tuple[str | None, str | None, _FoundLink | None, bool]:
    """An entry's URL: its first external web link (a wiki page's author, publisher and
    `Special:BookSources` links, and in-page backlinks, are not the source), else its first
    bare URL (joined across a stray space), else its first other link."""
    ranked: list[tuple[int, int, _FoundLink]] = []
    for position, link in enumerate(links):
        href = link.href.strip()
        if not href or href.startswith("#") or link.kind is LinkKind.IMAGE or link.bare:
            continue
        if _is_wiki_internal(href, state.base_url):
            continue  # a wiki's own page (an author, `Special:BookSources`): never the source
        if href.lower().startswith(("http://", "https://", "//")) or find_urls(href):
            ranked.append((0, position, link))
        elif state.base_url is not None and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href):
            ranked.append((1, position, link))  # relative: a page of the same site
    ranked.sort(key=lambda r: (r[0], r[1]))
    if ranked and ranked[0][0] == 0:
        link = ranked[0][2]
        return _resolved(link.href, state), link.href, link, False
    bare = entry_url(plain)
    if bare is not None:
        return clean_url(bare.joined), bare.written, None, bare.repaired
    if ranked:
        link = ranked[0][2]
        return _resolved(link.href, state), link.href, link, False
    return None, None, None, False


def _is_wiki_internal(href: str, base_url: str | None) -> bool:
    """True for a wiki's own page: a relative `/wiki/...` or `index.php?title=` link, any
    `Special:` page, or a wiki page on the document's own host. A link to another wiki
    (Wikipedia from a chess wiki) is an external source."""
    if _WIKI_INTERNAL.search(href) is None:
        return False
    if "Special:" in href or not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", href):
        return True
    return base_url is not None and same_site(href, base_url)


def _other_links(
    links: list[_FoundLink], chosen: _FoundLink | None, written: str | None, state: _State
) -> None:
    """An entry's links besides its URL are hyperlinks (an archive copy, a DOI, a second
    source); the bare URL the entry's URL was read from is not another one."""
    for link in links:
        if link is chosen or link.href.startswith("#"):
            continue
        if link.bare and written is not None and link.written in written:
            continue
        _add_link(link.href, link.text, link.offset, state, link.kind, link.written)


def _resolved(href: str, state: _State) -> str:
    """A link target as a normalised URL (relative ones against the page's URL, if known)."""
    href = href.strip()
    if href.startswith("//"):
        href = "https:" + href
    if state.base_url and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href):
        href = urljoin(state.base_url, href)
    return clean_url(href)


def _reference_entry(block: _Block, state: _State) -> None:
    """An entry block: an ordered-list item, a note item, or `[N] URL` lines (as plain text)."""
    token, item = block.token, block.item
    if token.map is None:
        return
    first, last = token.map
    first += 1 if block.skip_first else 0
    if block.fragment is not None and not block.lines_only:
        _html_entry(block, block.fragment, first, last, state)
        return
    inline = _read_inline(token, state, entry=True)
    state.anchors.update(inline.ids_in_html)
    numbered = item is not None and block.number is not None and item.markup in (".", ")")
    if numbered and block.number is not None and not block.skip_first:
        ref_id = str(block.number)
        url, written, chosen, repaired = _entry_link(inline.links, inline.plain, state)
        if repaired:
            _repaired(ref_id, first + 1, url, state)
        _other_links(inline.links, chosen, written, state)
        line = state.lines[first] if first < len(state.lines) else ""
        text = _entry_text(inline.plain)
        state.references.append(
            Reference(
                id=ref_id,
                url=url,
                url_as_written=written,
                line=first + 1,
                column=len(line) - len(line.lstrip()) + 1,
                text=text,
                repaired=repaired,
                identifiers=identifiers_in(text, (k.href for k in inline.links)),
            )
        )
        return
    entries = _line_entries(first, last, state)
    hrefs = [k for k in inline.links if not k.href.startswith("#")]
    for entry in entries:
        reference = _to_reference(entry)
        if reference.url is None:
            # `[N] Title <a href=...>` or `[N] [Title](url)`: the link on the entry's lines.
            on_line = [k for k in hrefs if state.index.position(k.offset)[0] == entry.line]
            url, written, _chosen, _repaired_ = _entry_link(on_line, "", state)
            if url is not None:
                reference = replace(reference, url=url, url_as_written=written)
        state.references.append(reference)
        if entry.repaired:
            _repaired(entry.ref_id, entry.line, entry.url, state)
    if not entries and not numbered and block.fallback is not None and item is not None:
        # a bulleted reference list: the items are numbered by their place in the section
        url, written, chosen, repaired = _entry_link(inline.links, inline.plain, state)
        _other_links(inline.links, chosen, written, state)
        line = state.lines[first] if first < len(state.lines) else ""
        text = _entry_text(inline.plain)
        state.references.append(
            Reference(
                id=str(block.fallback),
                url=url,
                url_as_written=written,
                line=first + 1,
                column=len(line) - len(line.lstrip()) + 1,
                text=text,
                repaired=repaired,
                identifiers=identifiers_in(text, (k.href for k in inline.links)),
            )
        )
        return
    if not entries and not numbered and block.lazy and _finish_entry(inline, state):
        return
    if not entries and not numbered:
        block.role = _Role.BODY  # prose in a references section: read in pass two


def _line_entries(first: int, last: int, state: _State) -> list[_Entry]:
    """The `[N] ...` (`N. ...`, `N ...` in a run) entries of source lines `first` to `last`, their
    inline tags removed; entries may follow a line of prose."""
    lines = state.lines[first:last]
    starts = [state.index.line_start(first + n + 1) for n in range(len(lines))]
    unwrapped = [_unwrap_html_line(x) for x in lines]
    entries: list[_Entry] = []
    number = 0
    while number < len(unwrapped):
        found, end = _read_entries(unwrapped, starts, number)
        entries.extend(found)
        number = max(end, number + 1)
    for entry in entries:
        entry.line += first
    return entries


def _finish_entry(inline: _Inline, state: _State) -> bool:
    """Give the entry before a lazy paragraph (`_Block.lazy`) the URL and words it carries,
    when that entry has no URL of its own; True when it did."""
    if not state.references or state.references[-1].url is not None:
        return False
    url, written, chosen, repaired = _entry_link(inline.links, inline.plain, state)
    if url is None:
        return False
    _other_links(inline.links, chosen, written, state)
    last = state.references[-1]
    text = " ".join(f"{last.text} {_entry_text(inline.plain)}".split())
    state.references[-1] = replace(
        last, url=url, url_as_written=written, text=text, repaired=last.repaired or repaired,
        identifiers=identifiers_in(text, (k.href for k in inline.links)),
    )
    return True


def _html_entry(
    block: _Block, fragment: HtmlFragment, first: int, last: int, state: _State
) -> None:
    """A list item in a references section whose text opens with HTML (`1. <div id="rw">
    </div>Nick Rozanski ...`): read by the HTML extractor, numbered as the list numbers it.

    An HTML block runs to the next blank line, so the items written after it without one are
    inside it (`1. <div id=...>` lines): they are entries too, numbered on from this one when
    every item is written `1.`."""
    label, url, written, identifiers, ids = fragment.as_entry()
    state.anchors.update(ids)
    lines = [_unwrap_html_line(x) for x in state.lines[first:last]]
    if block.number is not None and sum(1 for x in lines if _ENTRY.match(x)) > 1:
        starts = [state.index.line_start(first + n + 1) for n in range(len(lines))]
        entries, _end = _read_entries(lines, starts, 0)
        written_first = entries[0].ref_id if entries else ""
        for position, entry in enumerate(entries):
            entry.line += first
            if entry.ref_id == written_first:
                entry.ref_id = str(block.number + position)
            state.references.append(_to_reference(entry))
        return
    ref_id = str(block.number) if block.number is not None else None
    match = re.match(r"\s*\[(\d{1,4})\]", label)
    if ref_id is None and match is not None:
        ref_id = match.group(1)
    if ref_id is None and block.fallback is not None:
        ref_id = str(block.fallback)
    if ref_id is None:
        return
    line = state.lines[first] if first < len(state.lines) else ""
    state.references.append(
        Reference(
            id=ref_id,
            url=url,
            url_as_written=written,
            line=first + 1,
            column=len(line) - len(line.lstrip()) + 1,
            text=_entry_text(label),
            identifiers=identifiers,
        )
    )


def _swallowed_heading(html: str) -> bool:
    """True when an HTML block holds a Markdown references heading on a line of its own."""
    for line in html.split("\n"):
        if line.lstrip().startswith("#") and _HEADING.fullmatch(_unwrap_html_line(line).strip()):
            return True
    return False


def _repaired(ref_id: str, line: int, url: str | None, state: _State) -> None:
    state.problems.append(
        Problem(
            ProblemKind.REPAIRED_URL,
            f"reference [{ref_id}] on line {line}: the URL was broken across a line or a space "
            f"and was joined to {url}",
            line=line,
        )
    )


def _entry_text(plain: str) -> str:
    """An entry's label text, without the backlinks before it (`↑`, `^ a b`)."""
    text = " ".join(plain.split())
    while text[:1] in _BACKLINK_TEXT or text[:2] in ("a ", "b ") and text[2:3] in "bc ":
        text = text[1:].lstrip()
    return text.lstrip("[] ")


def _unwrap_html_line(line: str) -> str:
    """A line of a `[N] ...` list with its inline tags removed (`<br>[2] ...`,
    `- <span id="ref1">[1]</span> ...`) and its number unescaped (`9\\. ...`), so it reads as the
    entry it is; `<https://...>` stays."""
    if "\\" in line[:8]:
        line = _ESCAPED_NUMBER.sub(r"\1\2", line, count=1)  # `9\. ...`, `\[9\] ...`
    if "<" not in line:
        return line
    return _INLINE_TAG.sub("", line)


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


def _attributes(tag: str) -> dict[str, str]:
    match = _TAG.match(tag.strip())
    if match is None:
        return {}
    attrs: dict[str, str] = {}
    for attr in _ATTR.finditer(match.group(3)):
        value = attr.group(2) if attr.group(2) is not None else attr.group(3)
        if value is None:
            value = attr.group(4) or ""
        attrs[attr.group(1).lower()] = html.unescape(value)
    if re.search(r"(?:^|\s)hidden(?:\s|=|/|$)", match.group(3)):
        attrs.setdefault("hidden", "")
    return attrs


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
            out.markers.append(Marker(size, size + len(written), (label,)))
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
            if name in ("img", "source") and attrs.get("src"):
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
    if state.repeats.is_repeat(inline.plain):
        return  # the same paragraph again: its links and claims are already in
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
