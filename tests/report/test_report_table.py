"""The terminal table as a person reads it: at 80 columns and at 200, quiet and verbose.

URLs get the width and wrap at their separators (never cut), finding lines start with a
clickable `path:line:col` and wrap with a hanging indent, many identical findings come as one
group, skipped links say why (with one `--allow-private` hint), cached rows are marked.
"""

from __future__ import annotations

import dataclasses
import io

import pytest
from report_sample import ARTICLE, URLS, sample_result

from linkaudit.config import AuditConfig
from linkaudit.model import (
    ALLOW_PRIVATE_HINT,
    AuditResult,
    Citation,
    DatedFact,
    DateOrigin,
    DocFormat,
    Document,
    Finding,
    Link,
    LinkCheck,
    LinkStatus,
    Reference,
    RuleSkip,
    Severity,
)
from linkaudit.report import render_table

CFG = AuditConfig()


def flat(text: str) -> str:
    """`text` with its line breaks and indents as single spaces (finding lines wrap)."""
    return " ".join(text.split())


def table(result: AuditResult, width: int, verbosity: int = 0) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False)
    render_table(result, CFG.report, console, verbosity=verbosity)
    return buffer.getvalue()


@pytest.mark.parametrize("width", [80, 200])
def test_urls_get_the_width_and_wrap_whole(width: int) -> None:
    text = table(sample_result(), width)
    rows = text.split("\n\n")[0]  # the document's table
    assert all(len(line) <= width for line in rows.split("\n"))
    squeezed = "".join(rows.split())
    for url in URLS.values():
        assert url in squeezed  # every character of the URL is there, in order
    assert "…" not in "".join(line for line in rows.split("\n") if "https://" in line)
    if width == 200:
        assert all(url in rows for url in URLS.values())  # one line each when it fits


def test_a_url_wraps_at_a_separator_not_mid_word() -> None:
    text = table(sample_result(), 80)
    line = next(line for line in text.split("\n") if "www.cnbc.com" in line)
    assert line.rstrip().endswith(("/", "-", "."))


def test_finding_lines_are_clickable_places_with_a_hanging_indent() -> None:
    text = table(sample_result(), 80)
    assert f"{ARTICLE}:13:1 error dead [3] the cited page answers 404" in flat(text)
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{ARTICLE}:7:261"))
    assert lines[start + 1].startswith("    ") and lines[start + 1][4] != " "
    for line in lines:
        if line.startswith(ARTICLE + ":") or line.startswith("    "):
            assert len(line) <= 80 or len(line.split()[-1]) > 40  # only an unbreakable URL


def _many(n: int, severity: Severity = Severity.INFO) -> AuditResult:
    refs = tuple(
        Reference(str(i), f"https://old.example.org/{i}", f"https://old.example.org/{i}",
                  n + 10 + i, 1, f"[{i}]")
        for i in range(1, n + 1)
    )
    cites = tuple(Citation((str(i),), f"The firm is big {i}.", i, 5, f"[{i}]")
                  for i in range(1, n + 1))
    doc = Document("big.md", DocFormat.MARKDOWN, "x", references=refs, citations=cites,
                   date=DatedFact(__import__("datetime").date(2025, 9, 1), DateOrigin.AS_OF))
    findings = tuple(
        Finding("stale-source", severity, "big.md",
                f"[{i}] published 2024-01-01 (url-path) is cited for the document's present",
                reference=str(i), url=f"https://old.example.org/{i}", line=i, column=5)
        for i in range(1, n + 1)
    )
    checks = {r.url: LinkCheck(r.url, LinkStatus.ALIVE, 200) for r in refs if r.url}
    return AuditResult(documents=(doc,), checks=checks, findings=findings)


def test_identical_findings_come_as_one_group_and_verbose_lists_each() -> None:
    text = table(_many(200), 80, verbosity=-1)
    assert text.count("stale-source ×200") == 1
    assert "also at 2:5, 3:5" in text and "and 187 more" in flat(text)
    assert flat(text).count("is cited for the document's present") == 1
    verbose = table(_many(200), 80, verbosity=1)
    assert flat(verbose).count("is cited for the document's present") == 200
    assert "×200" not in verbose
    few = table(_many(3), 80)
    assert flat(few).count("is cited for the document's present") == 3


def test_errors_are_never_grouped() -> None:
    """Each error names its own dead URL or missing file: a CI gate lists every one."""
    text = flat(table(_many(8, Severity.ERROR), 200))
    assert "×8" not in text and "also at" not in text
    for i in range(1, 9):
        assert f"big.md:{i}:5 error stale-source" in text
        assert f"[{i}] published 2024-01-01" in text


def test_quiet_prints_only_findings_and_the_summary() -> None:
    quiet = table(sample_result(), 80, verbosity=-1)
    assert "Status" not in quiet and "note" not in quiet
    assert f"{ARTICLE}:13:1 error dead" in flat(quiet) and "╭─ linkaudit" in quiet
    normal = table(sample_result(), 80)
    assert "Status" in normal and "note" in normal


def test_rule_skips_are_listed_only_when_verbose() -> None:
    result = dataclasses.replace(
        sample_result(),
        skips=(RuleSkip("weak-support", ARTICLE, "4", "no page text: the link is blocked"),),
    )
    assert "skipped weak-support [4]" not in table(result, 80)
    assert "-v lists them" in table(result, 80)
    assert "skipped weak-support [4]: no page text" in flat(table(result, 80, verbosity=1))


def test_skipped_links_say_why_and_the_hint_comes_once() -> None:
    base = sample_result()
    checks = dict(base.checks)
    for ref in ("4", "5"):
        checks[URLS[ref]] = LinkCheck(URLS[ref], LinkStatus.SKIPPED,
                                      error=f"loopback address 127.0.0.{ref}")
    text = table(dataclasses.replace(base, checks=checks), 80)
    assert "skipped: loopback address 127.0.0.4" in text
    assert "skipped: loopback address 127.0.0.5" in text
    assert "3 links checked, 2 skipped" in " ".join(text.split())
    assert "2 links not checked: loopback address 2" in text
    assert text.count(ALLOW_PRIVATE_HINT) == 1
    excluded = {url: LinkCheck(url, LinkStatus.SKIPPED, error="excluded by --exclude 'x'")
                for url in base.checks}
    other = table(dataclasses.replace(base, checks=excluded), 80)
    assert "excluded by --exclude 5" in other and ALLOW_PRIVATE_HINT not in other


def test_cached_rows_are_marked_and_counted() -> None:
    base = sample_result()
    checks = {url: dataclasses.replace(c, from_cache=url != URLS["1"])
              for url, c in base.checks.items()}
    text = table(dataclasses.replace(base, checks=checks), 80)
    assert text.count("cached") >= 4
    assert "4 from cache; --no-cache to recheck" in text


def test_a_finding_about_an_inline_link_names_its_url() -> None:
    doc = Document("page.md", DocFormat.MARKDOWN, "See [here](https://gone.example.org/x).",
                   links=(Link("https://gone.example.org/x", "https://gone.example.org/x", 1, 5),))
    finding = Finding("dead", Severity.ERROR, "page.md", "dead link (HTTP 404)",
                      url="https://gone.example.org/x", line=1, column=5)
    result = AuditResult(documents=(doc,), findings=(finding,))
    text = table(result, 80)
    assert "page.md:1:5 error dead https://gone.example.org/x: dead link (HTTP 404)" in flat(text)
