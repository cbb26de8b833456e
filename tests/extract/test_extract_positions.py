"""Every link and marker carries its own line and column, in every format, wherever it stands
on its line: after another link, after an autolink, with wrapped text, inline code or an image
in it, behind escapes and entities, inside a blockquote or a table row."""

from __future__ import annotations

from linkaudit.config import LinksConfig, RulesConfig
from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import Document
from linkaudit.rules import analyse


def _doc(name: str, body: str) -> Document:
    return extract_document(Source(name, body.encode()))


def _where(doc: Document) -> dict[str, tuple[int, int]]:
    return {k.url: (k.line, k.column) for k in doc.links}


MARKDOWN = """\
Intro [first](https://a.example/1) then <https://b.example/2> and <https://c.example/3>.
A link whose text [wraps
onto the next line](https://d.example/4), then [`code` in it](https://e.example/5) and
![an image](https://f.example/6.png) then [last](https://g.example/7).

> Quoted \\[x\\] &amp; [quoted link](https://h.example/8) after escapes.

| a | b |
|---|---|
| [cell one](https://i.example/9) | text [cell two](https://j.example/10) |

# Heading with [a link](https://k.example/11)
"""


def test_markdown_links_carry_their_own_positions() -> None:
    assert _where(_doc("page.md", MARKDOWN)) == {
        "https://a.example/1": (1, 7),
        "https://b.example/2": (1, 41),
        "https://c.example/3": (1, 67),
        "https://d.example/4": (2, 19),
        "https://e.example/5": (3, 48),
        "https://f.example/6.png": (4, 1),
        "https://g.example/7": (4, 43),
        "https://h.example/8": (6, 22),
        "https://i.example/9": (10, 3),
        "https://j.example/10": (10, 42),
        "https://k.example/11": (12, 16),
    }


def test_markdown_markers_after_links_and_code_carry_their_own_positions() -> None:
    doc = _doc(
        "page.md",
        "See [a](https://a.example/) and `x[9]` then a claim [1] and\n"
        "<https://b.example/> with another [2].\n\n"
        "[1]: https://r.example/1\n[2]: https://r.example/2\n",
    )
    assert [(c.ids, c.line, c.column) for c in doc.citations] == [
        (("1",), 1, 53),
        (("2",), 2, 35),
    ]


def test_html_links_carry_their_own_positions() -> None:
    doc = _doc(
        "page.html",
        '<p>One <a href="https://a.example/1">a</a> two <a href="https://b.example/2">b</a>\n'
        'and https://c.example/3 then <a\n href="https://d.example/4">d</a></p>',
    )
    assert _where(doc) == {
        "https://a.example/1": (1, 8),
        "https://b.example/2": (1, 48),
        "https://c.example/3": (2, 5),
        "https://d.example/4": (2, 30),
    }


def test_text_links_carry_their_own_positions() -> None:
    doc = _doc(
        "notes.txt", "See https://a.example/1 and https://b.example/2\nthen www.c.example/3.\n"
    )
    assert _where(doc) == {
        "https://a.example/1": (1, 5),
        "https://b.example/2": (1, 29),
        "https://www.c.example/3": (2, 6),
    }


def test_a_finding_about_a_link_points_at_the_link() -> None:
    """`invalid-url` runs offline: its finding stands where the link is, not where the line
    or the paragraph starts."""
    doc = _doc(
        "page.md",
        "Intro [ok](https://a.example/) then [bad](htp:/b.example/x) and\n"
        "more text [wrapped\nbad link](hhttps://c.example/y).\n",
    )
    findings, _skips = analyse([doc], {}, {}, RulesConfig(), LinksConfig(), offline=True)
    assert [(f.rule, f.url, f.line, f.column) for f in findings] == [
        ("invalid-url", "htp:/b.example/x", 1, 37),
        ("invalid-url", "hhttps://c.example/y", 2, 11),
    ]
