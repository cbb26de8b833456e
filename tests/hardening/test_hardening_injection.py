"""Output injection: hostile document text and page titles in every report format.

A document's claim and reference label, and a cited page's title, carry a terminal escape
sequence (`ESC ] 0 ; title BEL` rewrites a terminal's title, `ESC [2J` clears it), rich markup,
Markdown/HTML that would close a table cell or open a script, and GitHub workflow commands
(`::error::` after a newline, `%0A` that the runner would decode). Each format must show the text
and obey none of it.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from aiohttp import web
from hardkit import config, serve
from rich.console import Console

from linkaudit.audit import run_audit
from linkaudit.config import AuditConfig
from linkaudit.model import AuditResult, ProblemKind
from linkaudit.report import OutputFormat, render, render_table

ESC_TITLE = "\x1b]0;PWNED\x07"
CLEAR = "\x1b[2J"
HOSTILE = (
    f"{ESC_TITLE}{CLEAR}[bold red]RICH[/bold red] </td></tr><script>alert(1)</script>"
    "<img src=x onerror=alert(2)> | **md** ]]></x> \u202eevil"
)
PAGE_TITLE = f"Title {ESC_TITLE} <script>alert(3)</script> [link=https://evil.test]x[/link]"


def _page(request: web.Request) -> web.StreamResponse:
    if request.path.startswith("/alive"):
        html = (f"<html><head><title>{PAGE_TITLE}</title></head><body><article>"
                "<p>Nothing about revenue here.</p></article></body></html>")
        return web.Response(text=html, content_type="text/html")
    return web.Response(status=404, text="<title>gone</title>", content_type="text/html")


async def _handler(request: web.Request) -> web.StreamResponse:
    return _page(request)


@pytest.fixture
async def hostile_result(tmp_path: Path) -> tuple[AuditResult, AuditConfig]:
    server = await serve(_handler, host="127.0.0.2")
    try:
        alive = server.url("/alive")
        dead = server.url("/dead%0A::error::injected-by-url")
        doc = tmp_path / "hostile.md"
        doc.write_text(
            "---\ndate: 2025-09-01\n---\n\n# Report\n\n"
            f"Revenue rose 99% to $7.7 billion {HOSTILE} [1].\n\n"
            f"Profit fell 41% {HOSTILE}\n::error::injected-by-newline [2].\n\n"
            "## References\n\n"
            f"1. [Source {HOSTILE}]({alive})\n"
            f"2. [::warning::label-injection {HOSTILE}]({dead})\n",
            encoding="utf-8",
        )
        cfg = config(tmp_path, allow_private=("127.0.0.2/32",))
        result = await run_audit([str(doc)], cfg)
    finally:
        await server.close()
    assert result.findings, "the hostile document must produce findings to render"
    return result, cfg


def _rendered(result: AuditResult, cfg: AuditConfig, fmt: OutputFormat, color: bool = False) -> str:
    if fmt is OutputFormat.TABLE:
        buf = io.StringIO()
        console = Console(file=buf, width=200, no_color=not color, force_terminal=color,
                          color_system="truecolor" if color else None)
        render_table(result, cfg.report, console)
        return buf.getvalue()
    return render(result, fmt, cfg.report, cfg.rules)


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_no_control_sequence_survives(hostile_result: tuple[AuditResult, AuditConfig],
                                      fmt: OutputFormat) -> None:
    result, cfg = hostile_result
    text = _rendered(result, cfg, fmt)
    assert "\x1b" not in text and "\x07" not in text
    if fmt not in (OutputFormat.JSON, OutputFormat.SARIF):
        # Human formats show a bidi override escaped (it reorders what a reader sees); the
        # machine formats keep data verbatim, JSON-escaped where JSON requires it.
        assert "\u202e" not in text


def test_table_on_a_colour_terminal_obeys_no_markup(
    hostile_result: tuple[AuditResult, AuditConfig],
) -> None:
    result, cfg = hostile_result
    text = _rendered(result, cfg, OutputFormat.TABLE, color=True)
    assert "\x1b[" in text  # the table's own colours are there...
    assert "\x1b]0;" not in text and "\x1b[2J" not in text  # ...the document's escapes are not
    assert "]8;" not in text  # [link=...] markup did not become a terminal hyperlink
    assert "[/link]" in text  # the title's markup is shown, not interpreted
    assert "\\x1b]0;PWNED" in text  # the escape is shown as text


def test_github_commands_cannot_be_injected(
    hostile_result: tuple[AuditResult, AuditConfig],
) -> None:
    result, cfg = hostile_result
    text = render(result, OutputFormat.GITHUB, cfg.report, cfg.rules)
    lines = text.splitlines()
    assert lines
    command = re.compile(r"^::(error|warning|notice|debug|group|endgroup)( [^:]*)?::")
    for line in lines:
        if line.startswith("::"):
            assert command.match(line), line
    # No line *starts* with an injected command; newlines in a message are encoded.
    assert not any(line.startswith(("::error::injected", "::warning::label")) for line in lines)
    assert all("\r" not in line for line in lines)
    for line in lines:
        m = command.match(line)
        if m and m.group(2):
            # Properties must escape `,` and `:` (or a title could add a property or end early).
            props = m.group(2)
            assert "::" not in props


def test_html_escapes_everything_and_has_a_csp(
    hostile_result: tuple[AuditResult, AuditConfig],
) -> None:
    result, cfg = hostile_result
    text = render(result, OutputFormat.HTML, cfg.report, cfg.rules)
    assert "alert(1)" in text or "alert(3)" in text  # the text is shown...
    assert "<script>alert" not in text and "<img src=x" not in text  # ...never run
    assert "</td></tr><script>" not in text
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert csp is not None
    policy = csp.group(1)
    assert "default-src 'none'" in policy or "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[-1].split(";")[0]
    # Every inline script the report has is its own, allowed by hash or nonce.
    scripts = re.findall(r"<script\b[^>]*>", text)
    assert all("nonce=" in s or "sha256" in policy for s in scripts)


def test_markdown_cannot_break_out(hostile_result: tuple[AuditResult, AuditConfig]) -> None:
    result, cfg = hostile_result
    text = render(result, OutputFormat.MARKDOWN, cfg.report, cfg.rules)
    assert "<script>" not in text and "<img src=x" not in text and "</td>" not in text
    for line in text.splitlines():
        if line.startswith("|"):
            # A table row keeps its column count: a `|` in the text is escaped.
            cells = re.split(r"(?<!\\)\|", line.strip())
            assert len(cells) >= 3


def test_machine_formats_stay_well_formed(hostile_result: tuple[AuditResult, AuditConfig]) -> None:
    result, cfg = hostile_result
    for fmt in (OutputFormat.JSON, OutputFormat.SARIF):
        data = json.loads(render(result, fmt, cfg.report, cfg.rules))
        assert data
    root = ET.fromstring(render(result, OutputFormat.JUNIT, cfg.report, cfg.rules))
    assert root.tag == "testsuites"
    # The title survives JSON verbatim (JSON escapes control characters by itself).
    data = json.loads(render(result, OutputFormat.JSON, cfg.report, cfg.rules))
    titles = [link.get("title") for link in data.get("links", [])]
    assert any(t and "PWNED" in t for t in titles), titles


def _hostile_finding_result() -> AuditResult:
    """A result whose finding, problem and document name carry workflow commands and markup."""
    from linkaudit.model import Finding, Problem, Severity

    doc_name = "docs/a,b:c\n::error::name.md"
    finding = Finding(
        rule="dead",
        severity=Severity.ERROR,
        document=doc_name,
        message=f"gone\n::error file=x::forged\r\n::add-mask::x %0A {HOSTILE}",
        reference="1,2:3",
        url="http://example.com/x",
        line=3,
        column=1,
        fix="https://example.com/y\n::error::from-fix",
    )
    problem = Problem(ProblemKind.FETCH, f"bad\n::error::from-problem {HOSTILE}", origin=doc_name)
    return AuditResult(documents=(), checks={}, archives={}, findings=(finding,), skips=(),
                       problems=(problem,))


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_hostile_findings_and_problems_in_every_format(tmp_path: Path, fmt: OutputFormat) -> None:
    result = _hostile_finding_result()
    text = _rendered(result, config(tmp_path), fmt)
    assert "\x1b" not in text and "\x07" not in text
    lines = text.splitlines()
    assert not any(
        line.lstrip().startswith(("::error::", "::error file=x", "::add-mask::")) for line in lines
    ), fmt
    match fmt:
        case OutputFormat.GITHUB:
            command = [line for line in lines if line.startswith("::error ")]
            assert len(command) == 1  # one finding, one command line
            assert "gone%0A::error file=x::forged" in command[0]  # newline encoded
            assert "::add-mask::x %250A" in command[0]  # a literal %0A stays literal
            assert "\r" not in text
            props = command[0].split("::")[1]
            assert "a%2Cb%3Ac%0A%3A%3Aerror%3A%3Aname.md" in props
        case OutputFormat.HTML:
            assert "<script>alert" not in text and "<img src=x" not in text
        case OutputFormat.MARKDOWN:
            assert "<script>" not in text and "</td>" not in text
        case OutputFormat.JUNIT:
            ET.fromstring(text)
        case OutputFormat.JSON | OutputFormat.SARIF:
            json.loads(text)
        case OutputFormat.TABLE:
            assert "[bold red]RICH[/bold red]" in text


def test_problem_lines_on_stderr_show_escapes(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "evil\x1b]0;PWNED\x07\x1b[2J.md").write_bytes(b"")
    (tmp_path / "ok.md").write_text("Fine [1].\n\n1. https://example.com/\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "linkaudit", "audit", str(tmp_path),
                           "--offline", "--format", "json"], capture_output=True, timeout=60,
                          check=False, cwd=tmp_path)
    assert b"PWNED" in done.stderr  # the problem is said...
    assert b"\x1b" not in done.stderr  # ...without its escape sequences
