"""Markdown extraction's parser and its shared shapes: what a block is, what an inline block
holds, the state of the walk, and the small readers of raw HTML lines that several passes use.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from enum import Enum

from markdown_it.token import Token

from linkaudit.extract.dedupe import RepeatTracker
from linkaudit.extract.flavour import MAX_NESTING, markdown_parser
from linkaudit.extract.html import HtmlFragment
from linkaudit.extract.markers import Marker
from linkaudit.extract.positions import LineIndex
from linkaudit.extract.text import _HEADING
from linkaudit.model import Citation, Link, LinkKind, Problem, Reference

_LINK_MARKER = re.compile(r"\[?\^?([0-9][0-9 ,;\u2013\u2014\-]{0,40})\]?")
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_INLINE_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*)?/?>")
_ESCAPED_NUMBER = re.compile(r"^(\s*\\?\[?\d{1,4})\\?([.)\]])")
_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "col"})
_NOTE_NAME = r"(?:cite[_-]note|cite[_-]ref|fn|fnref|footnote|endnote|note|ref|bib)"
_NOTE_HREF = re.compile("#" + _NOTE_NAME, re.I)
"""An in-page link to a note or back to its marker (`#cite_note-1`, `#fnref:2`)."""
_NOTE_ID = re.compile("^" + _NOTE_NAME, re.I)
"""The id of a note anchor (`cite_note-1`, `ref3`)."""
_BACKLINK_TEXT = frozenset({"↑", "^", "↩", "↩︎", "⤴"})
_MAX_NESTING = MAX_NESTING
"""The parser's nesting limit (`linkaudit.extract.flavour`)."""
_parser = markdown_parser
"""One parser for every document, the one `local.anchors` reads a Markdown file with."""


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
    last_content: int | None = None
    """Index of the stream's last token that is not an HTML block (found when first asked)."""
    problems: list[Problem] = field(default_factory=list)
    row_end: tuple[int, int] = (-1, 0)
    """(row, source offset) where the last table cell read ended: the next cell starts there."""
    glued: bool = False
    """The document glues citations to words (`growth[1]`): see `glues_citations`."""
    anchors: set[str] = field(default_factory=set)
    """The `id`s inside reference entries: an in-page link to one is a note link."""
    row_header: str = ""
    """The first cell of the table row being read: it opens the claims of the other cells."""
    footnote_ids: dict[str, str] = field(default_factory=dict)
    """Footnote labels whose number a reference list also has, and the id the footnote gets."""


def _swallowed_heading(html: str) -> bool:
    """True when an HTML block holds a Markdown references heading on a line of its own."""
    for line in html.split("\n"):
        if line.lstrip().startswith("#") and _HEADING.fullmatch(_unwrap_html_line(line).strip()):
            return True
    return False


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
