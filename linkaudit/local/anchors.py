"""Anchors: the `#fragment`s a Markdown or HTML file offers, by GitHub's rules.

A Markdown heading's anchor is its GitHub slug: the heading's rendered text (markup removed),
lower-cased, with every character dropped that is not a letter, a mark, a decimal or letter-like
number, a connector (`_`), `-` or a space, then each space turned into `-`, nothing trimmed or
collapsed; a repeated slug gets `-1`, `-2`, ... This is github-slugger's algorithm
(https://github.com/Flet/github-slugger, `script/generate-regex.js`), whose `test/fixtures.json`
holds slugs GitHub itself produced; the tests run against it. Unicode categories come from
Python's `unicodedata`, so a character assigned after Unicode 13 may differ from GitHub's.

Explicit anchors count too: any element's `id` and an `<a name>` in raw HTML (outside code), and a
heading attribute `{#custom-id}` (MkDocs, Docusaurus, Hugo and pandoc write them; GitHub shows it
as text, so that heading keeps its GitHub slug as well). In an HTML file, every element's `id` and
every `<a name>` is an anchor.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable

from markdown_it.token import Token

_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
"""Symbols (So) that Unicode also calls Alphabetic (circled and squared letters): github-slugger
keeps them (`generator.remove(alphabetics)`)."""
_ASCII_DROP = re.compile(r"[^a-z0-9 _-]")
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)(\s[^<>]*?)?/?>")
_ATTRIBUTE = re.compile(
    r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
_HEADING_ATTRIBUTE = re.compile(r"\s*\{\s*#([^\s{}]+)[^{}]*\}\s*$")


@functools.lru_cache(maxsize=8192)
def _kept(char: str) -> bool:
    """True when github-slugger keeps `char` (already lower-cased)."""
    if char in " -":
        return True
    category = unicodedata.category(char)
    if category[0] in "LM" or category in ("Nd", "Nl", "Pc"):
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _ALPHABETIC_SYMBOLS)


def github_slug(text: str) -> str:
    """The GitHub slug of a heading's text, without the `-1` of repeats (see the module doc)."""
    lowered = text.lower()
    if lowered.isascii():
        return _ASCII_DROP.sub("", lowered).replace(" ", "-")
    return "".join(c for c in lowered if _kept(c)).replace(" ", "-")


class Slugger:
    """GitHub's slugs for the headings of one document, in order: repeats get `-1`, `-2`, ..."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        """The next heading's slug (github-slugger's `BananaSlug.slug`)."""
        base = github_slug(text)
        result = base
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        return result


def html_anchors(text: str) -> set[str]:
    """Every element's `id` and every `<a name>` in an HTML text (entities decoded)."""
    found: set[str] = set()
    lowered = text.lower()
    if "id" not in lowered and "name" not in lowered:
        return found
    for tag in _TAG.finditer(text):
        attributes = tag.group(2)
        if not attributes:
            continue
        folded = attributes.lower()
        if "id" not in folded and "name" not in folded:
            continue
        is_anchor = tag.group(1).lower() == "a"
        for attribute in _ATTRIBUTE.finditer(attributes):
            name = attribute.group(1).lower()
            if name == "id" or (name == "name" and is_anchor):
                value = attribute.group(2) or attribute.group(3) or attribute.group(4) or ""
                if value:
                    found.add(html.unescape(value))
    return found


def _heading_text(children: Iterable[Token], anchors: set[str]) -> str:
    """A heading's text as GitHub renders it: markup, images and raw HTML tags removed."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")  # a control character: the slug drops it
        elif child.type == "html_inline":
            anchors.update(html_anchors(child.content))
        elif child.type == "footnote_ref":
            parts.append(str(int(child.meta.get("id", 0)) + 1))  # GitHub shows its number
    return "".join(parts)


def markdown_anchors(text: str) -> frozenset[str]:
    """The anchors of a Markdown text: heading slugs, explicit ids and names, `{#id}`."""
    from linkaudit.extract.flavour import markdown_parser  # the extraction's own Markdown

    return markdown_token_anchors(markdown_parser().parse(text))


def markdown_token_anchors(tokens: Iterable[Token]) -> frozenset[str]:
    """The anchors of a parsed Markdown document (markdown-it's token stream), so extraction
    gets them from the parse it already made."""
    anchors: set[str] = set()
    slugger = Slugger()
    heading = False
    for token in tokens:
        if token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "html_block":
            anchors.update(html_anchors(token.content))
        elif token.type == "inline" and heading:
            title = _heading_text(token.children or [], anchors)
            anchors.add(slugger.slug(title))
            custom = _HEADING_ATTRIBUTE.search(title)
            if custom is not None:
                anchors.add(custom.group(1))
                anchors.add(github_slug(title[: custom.start()]))
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "html_inline":
                    anchors.update(html_anchors(child.content))
    return frozenset(anchors)


def anchors_of(text: str, markdown: bool) -> frozenset[str]:
    """The anchors of a document's text: Markdown (`markdown`) or HTML."""
    return markdown_anchors(text) if markdown else frozenset(html_anchors(text))
