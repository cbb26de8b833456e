"""`linkaudit.textsafe`: one policy per target, against hostile text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from rich.console import Console
from rich.text import Text

from linkaudit.textsafe import (
    html_text,
    md_text,
    md_url,
    terminal_markup,
    visible,
    workflow_data,
    workflow_property,
)

ROOT = Path(__file__).resolve().parents[1]

ANSI = "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example/\x07link\x1b]8;;\x07"
BIDI = "abc\u202edcba\u202c \u2066x\u2069 \u061c\u200e\u200f"
CONTROLS = "a\x00b\rc\x08d\x7fe\x85f\x9bg\u200bh"
TITLE = "Title\nwith lines\tand tabs"
HOSTILE = (ANSI, BIDI, CONTROLS, TITLE, "[x](javascript:alert(1))", "<script>alert(1)</script>")


@pytest.mark.parametrize("text", HOSTILE)
def test_visible_leaves_no_control_bidi_or_line_break(text: str) -> None:
    out = visible(text)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]",
                         out)
    assert "\n" not in out and "\t" not in out


def test_visible_shows_what_it_neutralises() -> None:
    assert visible("\x1b[31mred") == "\\x1b[31mred"
    assert visible("a\u202eb") == "a\\u202eb"
    assert visible("a\rb") == "a\\x0db"
    assert visible(TITLE) == "Title with lines and tabs"
    assert visible(TITLE, keep_newlines=True) == TITLE
    assert visible("a\x00\nb", keep_newlines=True) == "a\\x00\nb"


def test_visible_keeps_ordinary_text_of_every_script() -> None:
    text = "Müller — مرحبا, می‌خواهم (ZWNJ), 👨‍👩‍👧 (ZWJ), 日本語, naïve café"
    assert visible(text) == text


def test_terminal_markup_prints_as_written() -> None:
    console = Console(force_terminal=True, color_system="truecolor", width=200, record=True)
    for text in (*HOSTILE, "[bold red]styled[/]", "\\[bold]x"):
        console.print(terminal_markup(text))
    out = console.export_text()
    assert "\x1b" not in out and "\u202e" not in out
    assert "[bold red]styled[/]" in out  # rich markup in a title is printed, not obeyed
    plain = Console(force_terminal=True, color_system="truecolor", width=200, record=True)
    plain.print(Text(visible(ANSI)))
    assert "\\x1b[31mred" in plain.export_text()


def _rendered(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_is_inert(text: str) -> None:
    cell = md_text(text)
    html = _rendered(f"| a | b |\n| --- | --- |\n| {cell} | x |\n")
    assert "<script" not in html and "<a " not in html and "<strong" not in html
    assert html.count("<td>") == 2  # a `|` did not open a cell, a newline did not end the row
    assert "\n" not in cell


def test_markdown_text_escapes() -> None:
    assert md_text("[x](y) *b* _i_ `c` ~s~ a|b \\ @team") == (
        "\\[x\\](y) \\*b\\* \\_i\\_ \\`c\\` \\~s\\~ a\\|b \\\\ \\@team"
    )
    assert md_text("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert md_text("dead (HTTP 404). See #3 - ok!") == "dead (HTTP 404). See #3 - ok!"


@pytest.mark.parametrize(
    "url",
    [
        "https://e.com/a b)",
        "https://e.com/x)[y](javascript:alert(1)",
        "https://e.com/<script>",
        "https://e.com/\u202egnp.exe",
        "https://e.com/\x1b[31m|pipe\n",
        "https://e.com/'quote\"`",
    ],
)
def test_markdown_url_cannot_break_out(url: str) -> None:
    safe = md_url(url)
    assert re.fullmatch(r"[A-Za-z0-9:/?#\[\]@!$&*+,;=%~\-._]+", safe), safe
    html = _rendered(f"| [label]({safe}) | <{safe}> |\n| --- | --- |\n")
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert len(hrefs) == 2 and all(h.startswith("https://e.com/") for h in hrefs), html


def test_markdown_url_keeps_an_ordinary_url() -> None:
    url = "https://example.com/2024/09/17/a-b_c.html?q=1&r=%20#top"
    assert md_url(url) == url
    assert md_url("https://en.wikipedia.org/wiki/Foo_(bar)") == (
        "https://en.wikipedia.org/wiki/Foo_%28bar%29"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_html_text_is_inert(text: str) -> None:
    out = html_text(text)
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert "\x1b" not in out and "\u202e" not in out


def test_workflow_commands_cannot_be_injected() -> None:
    assert workflow_data("a\r\n::error::x %0A") == "a%0D%0A::error::x %250A"
    assert workflow_property("f,line=1:x") == "f%2Cline=1%3Ax"


def test_renderers_escape_through_textsafe_only() -> None:
    """No renderer escapes with its own rules: html.escape, rich's escape, a control-character
    class or a Markdown specials class appear in `linkaudit.textsafe` alone. `fix` writes URLs
    into the user's own HTML files, where `html.escape` without `visible` is right (a `\\xNN`
    would corrupt the link); its Markdown URLs go through `md_url`."""
    own = re.compile(
        r"html\.escape|from html import escape|rich\.markup import escape|_MD_SPECIAL"
        r"|\\x00-\\x08|\\x7f-\\x9f"
    )
    places = [ROOT / "linkaudit" / "report", ROOT / "linkaudit" / "health"]
    offenders = [
        str(path.relative_to(ROOT))
        for place in places
        for path in sorted(place.rglob("*.py"))
        if own.search(path.read_text(encoding="utf-8")) and path.name != "fix.py"
    ]
    assert offenders == []
