"""Plain text: a reference list under a heading (or `[N] URL` lines), markers in the body.

A reference block starts at a heading line (`References`, `Sources`, `Citations`, `Notes`,
`Footnotes`, `Bibliography`, `Works cited`, `Endnotes`; any case, with or without a colon, `#`
marks or bold) followed by entries, or at a line `[N] ... URL` without a heading. Entries are
`[N] text` (also `[N]: text`, `[N]- text`), `N. text`, `N) text`, `[^label]: text` or `^N text`;
in a run, `N text` too (`27 ...`, `28 Lanza ...`), and an entry glued to the end of the line
before its successor's (`**Up**1. ...` above `2. ...`). The first URL in the entry is the
reference's URL, and an entry with none is kept as a text reference. The block ends at the first
line that is neither an entry, nor a blank line, nor the unambiguous continuation of the previous
entry (an indented line, or the rest of a URL broken across lines), so several lists (a repeated
page) are each found.

Everything else is body. A body paragraph is a run of lines; a line break joins two lines into
one paragraph only when the first is long (hard-wrapped prose) and does not end a sentence, so a
scraped page with one paragraph per line keeps its paragraphs apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from linkaudit.extract.claims import citations_in
from linkaudit.extract.dates import find_dateline
from linkaudit.extract.dedupe import RepeatTracker
from linkaudit.extract.identifiers import identifiers_in
from linkaudit.extract.interface import Extraction
from linkaudit.extract.markers import Marker, find_markers, glues_citations
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.urls import clean_url, entry_url, find_urls, wrapped_rest
from linkaudit.model import DocFormat, Link, Problem, ProblemKind, Reference

_HEADING_NAME = (
    r"(?:references?|sources?|citations?|notes|footnotes|endnotes|bibliography|works cited|"
    r"further reading|literature|literature references|referencias|références|referências|"
    r"riferimenti|quellen|einzelnachweise|literatur|источники|литература|参考文献|参考资料|参考|"
    r"出典|tham khảo)"
)
_HEADING = re.compile(
    r"[ \t]{0,3}(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:\d{1,2}[.)\u3001]?[ \t]*)?(?P<name>"
    + _HEADING_NAME
    + r"(?:[ \t]*(?:,|&|\+|and|und|y|et)[ \t]*(?:&[ \t]*)?"
    + _HEADING_NAME
    + r")*)(?:\*\*|__)?[ \t]*[:：]?[ \t]*(?:\*\*|__)?[ \t]*",
    re.IGNORECASE,
)
"""A references heading: the usual names (several languages), several of them together
(`References, Footnotes, & Works Cited`), `#` marks or bold, a number."""
_ENTRY = re.compile(
    r"[ \t]{0,8}(?:[-*+][ \t]+)?(?:\[(?P<bracket>\^?[A-Za-z0-9_\-]{1,24})\][:\-\u2013\u2014]?|"
    r"(?P<number>\d{1,4})[.)]|\^(?P<caret>\d{1,4}))(?:[ \t]+|$)"
)
_SOFT_WRAP_MIN = 40
"""A line at least this long that does not end a sentence is hard-wrapped prose."""
_ENDS_SENTENCE = re.compile(r"[.!?:\]\"'\u201d\u2019)]\s*$")


@dataclass
class _Entry:
    """A reference entry being read (mutable while continuation lines arrive)."""

    ref_id: str
    line: int
    column: int
    start: int
    parts: list[str] = field(default_factory=list)
    url: str | None = None
    written: str | None = None
    joined: str | None = None
    ends_with_url: bool = False
    repaired: bool = False


class TextExtractor:
    """Extracts references and citations from plain text."""

    format = DocFormat.TEXT

    def extract(self, text: str, base_url: str | None) -> Extraction:
        """See `Extractor.extract`."""
        index = LineIndex(text)
        lines = text.split("\n")
        starts = [index.line_start(n + 1) for n in range(len(lines))]
        references, problems, ref_lines = _reference_blocks(lines, starts, cited_ids(text))
        known = {r.id for r in references}
        glued = glues_citations(text, known)
        citations = []
        links = []
        repeats = RepeatTracker()
        for start, end in _paragraphs(lines, starts, ref_lines):
            para = text[start:end].replace("\n", " ")
            if repeats.is_repeat(para):
                continue
            if "[" in para:
                markers = find_markers(para, known, glued=glued)
                citations.extend(citations_in(para, markers, _locator(index, start)))
            if ":/" in para or "www." in para:
                for found in find_urls(para):
                    line, column = index.position(start + found.start)
                    links.append(Link(found.url, found.written, line, column))
        return Extraction(
            references=tuple(references),
            citations=tuple(citations),
            links=tuple(links),
            date=find_dateline(
                line for number, line in enumerate(lines[:400]) if number not in ref_lines
            ),
            repeated_paragraphs=repeats.repeats,
            repeated_chars=repeats.repeated_chars,
            body_chars=repeats.seen_chars,
            problems=tuple(problems),
        )


def _locator(index: LineIndex, start: int) -> Callable[[Marker], tuple[int, int]]:
    """Where a marker of the paragraph starting at `start` stands in the file."""
    return lambda marker: index.position(start + marker.start)


def _paragraphs(lines: list[str], starts: list[int], skip: set[int]) -> list[tuple[int, int]]:
    """(start, end) offsets of body paragraphs, skipping reference-block lines."""
    spans: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    previous = ""
    for number, line in enumerate(lines):
        if number in skip or not line.strip():
            if current:
                spans.append(current)
            current, previous = None, ""
            continue
        begin, end = starts[number], starts[number] + len(line)
        joins = (
            current is not None
            and len(previous) >= _SOFT_WRAP_MIN
            and _ENDS_SENTENCE.search(previous[-8:]) is None
            and _ENTRY.match(line) is None
        )
        if current is not None and joins:
            current = (current[0], end)
        else:
            if current:
                spans.append(current)
            current = (begin, end)
        previous = line
    if current:
        spans.append(current)
    return spans


def cited_ids(text: str) -> set[str]:
    """The ids named by markers that do not open a line: a line that opens with `[N]` may be the
    note itself (`[0] required to be compile-time constants.`), the others are citations."""
    cited: set[str] = set()
    if "[" not in text:
        return cited
    for marker in find_markers(text):
        line_start = text.rfind("\n", 0, marker.start) + 1
        if text[line_start : marker.start].strip(" \t>*-+"):
            cited.update(marker.ids)
    return cited


def is_note_line(line: str, cited: set[str]) -> bool:
    """True for a line that is a note without a URL (`[2] Gagliordi, Natalie (2018). ...`): it
    opens with a bracketed number that a marker elsewhere cites, and text follows."""
    match = _ENTRY.match(line)
    if match is None or match.group("bracket") is None:
        return False
    ref_id = match.group("bracket").lstrip("^")
    return ref_id in cited and bool(line[match.end() :].strip())


def _reference_blocks(
    lines: list[str], starts: list[int], cited: set[str]
) -> tuple[list[Reference], list[Problem], set[int]]:
    """Every reference entry of every block, the repairs made, and the lines the blocks take.

    A block opens at a references heading, at a `[N] ... URL` line, or at a note line (a
    bracketed number cited elsewhere, then its text): a reference list in mid-document.
    """
    references: list[Reference] = []
    problems: list[Problem] = []
    taken: set[int] = set()
    number = 0
    while number < len(lines):
        line = lines[number]
        heading = len(line) < 60 and bool(line.strip()) and _HEADING.fullmatch(line) is not None
        headless = not heading and (
            "://" in line and _is_headless_entry(line) or is_note_line(line, cited)
        )
        if not heading and not headless:
            number += 1
            continue
        first = number + 1 if heading else number
        entries, end = _read_entries(lines, starts, first)
        if entries:
            taken.update(range(number, end))
            for entry in entries:
                references.append(_to_reference(entry))
                if entry.repaired:
                    problems.append(
                        Problem(
                            ProblemKind.REPAIRED_URL,
                            f"reference [{entry.ref_id}] on line {entry.line}: the URL was broken "
                            f"across a line or a space and was joined to {entry.url}",
                            line=entry.line,
                        )
                    )
            number = end
        else:
            number += 1
    return references, problems, taken


def _is_headless_entry(line: str) -> bool:
    match = _ENTRY.match(line)
    return (
        match is not None
        and match.group("bracket") is not None
        and "://" in line
        and find_urls(line[match.end() :]) != []
    )


_BARE_ENTRY = re.compile(r"[ \t]{0,3}(\d{1,4})[ \t]+(?=\S)")
"""An entry numbered with no bracket and no dot (`28 Lanza, Michele ...`): one only in a run."""
_GLUED_ENTRY = re.compile(
    r"(?:(?<=[*_)\]>\"'\u201d\u2019])|(?<=[.!?] ))[ \t]*(\d{1,4})\\?[.)][ \t]+(?=\S)"
)
"""An entry opener glued to the end of another line (`**Up one level**1. ...`): after closing
markup or a full stop, never after a word or a number (`Volume 4. ...`)."""


def _entry_number(lines: list[str], number: int) -> int | None:
    """The number of the `N.`, `N)` or bare `N` entry opening the next non-blank line after
    index `number`, if one does."""
    for line in lines[number + 1 : number + 4]:
        if line.strip():
            match = _ENTRY.match(line)
            if match is not None:
                found = match.group("number") or ""
            else:
                bare = _BARE_ENTRY.match(line)
                found = bare.group(1) if bare else ""
            return int(found) if found else None
    return None


def _glued(line: str, wanted: int) -> tuple[int, int] | None:
    """Where entry `wanted` opens inside `line`, glued to what stands before it: the offsets of
    its number and of its text; None when it does not."""
    for match in _GLUED_ENTRY.finditer(line):
        if match.start() > 0 and int(match.group(1)) == wanted:
            return match.start(1), match.end()
    return None


def _opener(
    line: str, lines: list[str], number: int, entries: list[_Entry]
) -> tuple[str, int, int] | None:
    """The entry opening `line`: its id, and the offsets of its text and of its number.

    Besides `[N]`, `N.`, `N)` and `^N`: an entry numbered with no bracket and no dot, in a run
    (`27 ...` then `28 Lanza ...`; a first one when the next line goes on with its successor),
    and an entry glued to the end of another line when the next line opens its successor
    (`**Up one level**1. ...` above `2. ...`)."""
    match = _ENTRY.match(line)
    if match is not None:
        ref_id = match.group("bracket") or match.group("number") or match.group("caret")
        return ref_id.lstrip("^"), match.end(), len(line) - len(line.lstrip())
    previous = entries[-1].ref_id if entries else None
    bare = _BARE_ENTRY.match(line)
    if bare is not None:
        value = int(bare.group(1))
        if previous is not None and previous.isdigit() and value == int(previous) + 1:
            return bare.group(1), bare.end(), bare.start(1)
        if previous is None and _entry_number(lines, number) == value + 1:
            return bare.group(1), bare.end(), bare.start(1)
    if previous is None:
        following = _entry_number(lines, number)
        glued = _glued(line, following - 1) if following and following > 1 else None
        if following and glued is not None:
            return str(following - 1), glued[1], glued[0]
    return None


def _read_entries(lines: list[str], starts: list[int], first: int) -> tuple[list[_Entry], int]:
    """The entries from line index `first` on, and the index of the first line after them."""
    entries: list[_Entry] = []
    number = first
    blanks = 0
    while number < len(lines):
        line = lines[number]
        if not line.strip():
            blanks += 1
            if blanks > 1 and entries or blanks > 2:
                break
            number += 1
            continue
        opener = _opener(line, lines, number, entries)
        if opener is not None:
            ref_id, text_at, column = opener
            text = line[text_at:]
            following = _entry_number(lines, number)
            glued = (
                _glued(text, int(ref_id) + 1)
                if ref_id.isdigit() and following == int(ref_id) + 2
                else None
            )
            if glued is not None:
                # the next entry glued to this one's line: `3. ... 4. ...` above `5. ...`
                entry = _Entry(ref_id, number + 1, column + 1, starts[number] + column)
                _add_text(entry, text[: glued[0]])
                entries.append(entry)
                ref_id, column = str(int(ref_id) + 1), text_at + glued[0]
                text = text[glued[1] :]
            entry = _Entry(ref_id, number + 1, column + 1, starts[number] + column)
            _add_text(entry, text)
            entries.append(entry)
        elif entries and blanks == 0 and _continues(entries[-1], line):
            _add_text(entries[-1], line, continuation=True)
        else:
            break
        blanks = 0
        number += 1
    end = number
    while end > first and not lines[end - 1].strip():
        end -= 1
    return entries, end


def _continues(entry: _Entry, line: str) -> bool:
    """True when `line` is the unambiguous continuation of `entry`."""
    if _url_rest(entry, line) is not None:
        return True
    return line[:1] in " \t" and _ENTRY.match(line) is None


def _url_rest(entry: _Entry, line: str) -> str | None:
    """The start of `line` that finishes the entry's URL broken at the line end, if unambiguous
    (see `wrapped_rest`)."""
    if entry.joined is None or not entry.ends_with_url:
        return None
    return wrapped_rest(entry.joined, line)


def _add_text(entry: _Entry, text: str, continuation: bool = False) -> None:
    """Add a piece of the entry's text; find (or finish) its URL."""
    stripped = text.strip()
    piece = _url_rest(entry, text) if continuation else None
    if piece is not None and entry.joined is not None:
        entry.joined += piece
        entry.written = f"{entry.written}\n{piece}"
        entry.url = clean_url(entry.joined)
        entry.repaired = True
        entry.parts.append(piece)
        rest = stripped[len(piece) :].strip()
        if not rest:
            return
        entry.parts.append(rest)
        entry.ends_with_url = False
        return
    entry.parts.append(stripped)
    entry.ends_with_url = False
    if entry.url is not None:
        return
    found = entry_url(stripped)
    if found is None:
        return
    entry.joined = found.joined
    entry.written = found.written
    entry.repaired = found.repaired
    entry.ends_with_url = found.ends_line
    entry.url = clean_url(found.joined)


def _to_reference(entry: _Entry) -> Reference:
    text = " ".join(" ".join(entry.parts).split())
    if entry.repaired and entry.joined:
        text = text.replace(" ".join(entry.written.split()) if entry.written else "", entry.joined)
    return Reference(
        id=entry.ref_id,
        url=entry.url,
        url_as_written=entry.written,
        line=entry.line,
        column=entry.column,
        text=text,
        repaired=entry.repaired,
        identifiers=identifiers_in(text),
    )
