"""The `extract` outputs: JSON contract details and the escaped rich table."""

from __future__ import annotations

import io

from rich.console import Console

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import Problem, ProblemKind
from linkaudit.report.extract import extract_json, render_extract_table
from linkaudit.textsafe import terminal_markup

_HOSTILE = (
    "Evil \x1b[2J\x1b]0;pwned\x07claim [bold red]x[/] here [1]. Other [6].\n\n"
    "References\n[1] https://user:pw@a.example/x?token=abc\n[2] https://a.example/y\n"
    "[3] https://a.example/y\n"
)


def test_json_integrity_fields_and_redaction() -> None:
    doc = extract_document(Source("evil.txt", _HOSTILE.encode()))
    missing = Problem(ProblemKind.MISSING, "nope.txt: no such file", origin="nope.txt")
    data = extract_json([doc], [missing])
    (entry,) = data["documents"]
    assert entry["dangling_markers"] == ["6"]
    assert entry["uncited_references"] == ["2", "3"]
    assert entry["duplicate_urls"] == [["2", "3"]]
    assert entry["references"][0]["url"] == "https://***@a.example/x?token=***"
    assert data["problems"] == [
        {"kind": "missing", "message": "nope.txt: no such file", "line": None, "origin": "nope.txt"}
    ]


def test_table_escapes_untrusted_text() -> None:
    doc = extract_document(Source("evil.txt", _HOSTILE.encode()))
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None, force_terminal=False)
    render_extract_table([doc], console)
    out = buffer.getvalue()
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold red]x[/]" in out  # shown literally, not interpreted as markup
    assert "a.example" in out and "pw@" not in out
    assert "cited but not listed: 6" in out


def test_terminal_text_shows_controls_instead_of_obeying_them() -> None:
    assert terminal_markup("a\x1b[31mb\x1b[0m\u202ec\x00") == "a\\x1b[31mb\\x1b[0m\\u202ec\\x00"
