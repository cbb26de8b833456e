"""Markdown, parsed with markdown-it-py (CommonMark, tables, footnotes, front matter).

References come from footnote definitions (`[^1]: ...`, `[^note]: ...`, cited or not), numeric
reference definitions (`[3]: https://...`) used as markers, and the entries of reference lists:
under a references heading (an ordered list, or `[N] URL` lines as in plain text), a list whose
items open with a note anchor (`<span id="cite_note-1">`, a `[↑](#cite_ref-1)` backlink: pandoc's
conversion of a wiki page), `[N] ... URL` lines with no heading, and a note line anywhere
(`[0] required to be compile-time constants.`, cited elsewhere as `[0]`). HTML blocks are read by
the HTML extractor, so a blog written in HTML inside Markdown has its paragraph reference lists.

Two namespaces stay apart: a footnote `[^1]` and a link definition `[1]: url` are different
things, and so are a footnote `[^1]` and entry 1 of a reference list (the footnote is `^1`
then). A numeric definition used as an ordinary reference-style link (`[stable releases][1]`,
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

This module runs the two passes; the parser and the shapes they share are in `markdown_blocks`,
pass one's roles in `markdown_roles`, references in `markdown_refs`, the inline walk (positions,
markers, links) in `markdown_inline`.
"""

from __future__ import annotations

from dataclasses import replace

from linkaudit.extract.claims import citations_in
from linkaudit.extract.dates import find_dateline, front_matter_date
from linkaudit.extract.interface import Extraction
from linkaudit.extract.markdown_blocks import _MAX_NESTING, _parser, _Role, _State
from linkaudit.extract.markdown_inline import _body
from linkaudit.extract.markdown_refs import (
    _definitions,
    _footnote_labels,
    _footnotes,
    _labels_used_as_links,
    _line_entries,
    _reference_entry,
    _repaired,
)
from linkaudit.extract.markdown_roles import _roles
from linkaudit.extract.markers import find_markers, glues_citations
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import _to_reference, cited_ids
from linkaudit.extract.urls import find_urls
from linkaudit.local.anchors import markdown_token_anchors
from linkaudit.model import DatedFact, DocFormat, Link, Problem, ProblemKind

_MAX_PUNCTUATION = 5000
"""More inline punctuation than this in one paragraph is not prose (see `_dense_blocks`)."""
_PUNCTUATION = "[]*_!<`~"


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
        footnotes = _footnotes(blocks, env, state)
        # A footnote `[^1]` and entry 1 of a reference list are two references (the namespaces
        # never merge): the footnote is `^1` then, and its markers cite that.
        numbered = {r.id for r in state.references}
        state.footnote_ids = {r.id: f"^{r.id}" for r in footnotes if r.id in numbered}
        state.references.extend(
            replace(r, id=state.footnote_ids[r.id]) if r.id in state.footnote_ids else r
            for r in footnotes
        )
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
    whole = "".join(lines)
    if sum(whole.count(c) for c in _PUNCTUATION) <= _MAX_PUNCTUATION:
        return dense  # not enough in the whole document for one block
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
        count += sum(line.count(c) for c in _PUNCTUATION)
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
