"""Markdown extraction, pass one: what each block of the token stream is (body, heading, reference
entry, footnote, HTML), with the list numbers a reader sees and where a references section runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it.token import Token

from linkaudit.extract.html import HtmlFragment
from linkaudit.extract.markdown_blocks import (
    _BACKLINK_TEXT,
    _LINK_MARKER,
    _NOTE_HREF,
    _NOTE_ID,
    _attributes,
    _Block,
    _Role,
    _State,
    _swallowed_heading,
    _unwrap_html_line,
)
from linkaudit.extract.text import _HEADING, _is_headless_entry, is_note_line

_BRACKET_ENTRY = re.compile(r"[ \t]{0,3}\[\d{1,4}\][ \t]+\S")
"""A line that opens like a reference entry: `[6] Rozanski, N. ...`."""
_EDIT_LINK = re.compile(r"\s*\[\s*edit(?: source)?\s*\]\s*$", re.IGNORECASE)


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
            if (not items and ordered and section_level is None
                    and _trailing_source_list(tokens, position, first, state)):
                section_level, section_items = 7, 0  # a list of sources with no heading
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


def _list_tokens(tokens: list[Token], position: int) -> Iterator[tuple[int, Token, int]]:
    """The tokens of the list opening at `position`, each with its index and the depth of list
    it stands in (1: the list's own items; 0: its closing token, the last one given)."""
    depth = 0
    for at in range(position, len(tokens)):  # never `tokens[position:]`: a copy of the rest
        token = tokens[at]
        if token.type in ("ordered_list_open", "bullet_list_open"):
            depth += 1
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            depth -= 1
        yield at, token, depth
        if depth == 0:
            return


def _item_numbers(tokens: list[Token], position: int) -> list[str]:
    """The numbers written on the items of the list opening at `position` (its own level)."""
    numbers: list[str] = []
    for _at, token, depth in _list_tokens(tokens, position):
        if token.type == "list_item_open" and depth == 1:
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


_WEB_URL = re.compile(r"https?://", re.IGNORECASE)


def _trailing_source_list(tokens: list[Token], position: int, first: int, state: _State) -> bool:
    """True when the ordered list opening at `position` ends the document, each of its items
    holds a web URL, and the text cites its numbers (`... grew [1].` then `1. https://...`, with
    no heading: how chat answers and exported notes end). A list in the middle of a text, or one
    whose numbers nobody cites, stays a list."""
    if state.last_content is None:  # the last token that is not an HTML block (comments)
        state.last_content = next(
            (at for at in range(len(tokens) - 1, -1, -1) if tokens[at].type != "html_block"), -1)
    items = with_url = 0
    item_has_url = False
    end = len(tokens)
    for at, token, depth in _list_tokens(tokens, position):
        if depth == 0:
            end = at
        elif token.type == "list_item_open" and depth == 1:
            items += 1
            item_has_url = False
        elif (token.type == "inline" and depth == 1 and not item_has_url
              and _WEB_URL.search(token.content)):
            item_has_url = True
            with_url += 1
    if items < 2 or with_url < items or end < state.last_content:
        return False
    cited = sum(1 for n in range(first, first + items) if str(n) in state.cited)
    return cited * 2 >= items


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
