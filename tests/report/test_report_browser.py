"""The HTML report in a real browser: headless Chromium runs the page's script under its own CSP.

`.ci/run` installs Debian's `chromium` when it is missing, so these run in CI; they skip only
where no Chromium can be had (`/usr/bin/chromium`, or google-chrome on GitHub's runners).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from report_sample import sample_result

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import (
    AuditResult,
    DatedFact,
    DateOrigin,
    DocFormat,
    Document,
    Finding,
    LinkCheck,
    LinkStatus,
    Reference,
    Severity,
)
from linkaudit.report import OutputFormat, render
from linkaudit.report.html import AGE_BINS

CHROMIUM = next(
    # Debian's chromium here; GitHub's Ubuntu runners ship google-chrome.
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "",
                 shutil.which("chromium-browser") or "", shutil.which("google-chrome") or "")
     if p and Path(p).exists()),
    None,
)


def dump_dom(html: str, tmp_path: Path) -> str:
    """The page's DOM after its script ran, as headless Chromium sees it."""
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    assert CHROMIUM is not None
    completed = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom", page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
def test_html_report_script_runs_under_its_csp(tmp_path: Path) -> None:
    page = render(sample_result(), OutputFormat.HTML, ReportConfig(), RulesConfig())
    dom = dump_dom(page, tmp_path)
    # The script ran (the CSP hash matched): it marked the page ready and filled the count.
    assert 'data-ready="yes"' in dom
    assert "4 of 4 findings shown" in dom
    # The hostile title stayed text: no second script element appeared in the live DOM.
    assert dom.count("<script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def _many_references(n: int, documents: int = 2) -> AuditResult:
    """`documents` dated documents citing `n` sources each, of every age, with findings."""
    docs, checks, findings = [], {}, []
    day = dt.date(2025, 9, 1)
    for d in range(documents):
        origin = f"doc{d}.md"
        refs = []
        for i in range(n):
            url = f"https://s{d}.example.org/{i}"
            refs.append(Reference(str(i + 1), url, url, 100 + i, 1, f"[{i + 1}]"))
            published = DatedFact(day - dt.timedelta(days=7 * i - 20), DateOrigin.URL_PATH)
            checks[url] = LinkCheck(url, LinkStatus.ALIVE, 200, published=published)
            rule = "stale-source" if d == 0 else "unarchived"
            findings.append(Finding(rule, Severity.INFO, origin, f"finding {i}",
                                    reference=str(i + 1), url=url, line=100 + i, column=1))
        docs.append(Document(origin, DocFormat.MARKDOWN, "x", references=tuple(refs),
                             date=DatedFact(day, DateOrigin.AS_OF)))
    return AuditResult(documents=tuple(docs), checks=checks, findings=tuple(findings))


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
def test_the_age_chart_is_a_histogram_and_findings_are_grouped_by_document(
    tmp_path: Path,
) -> None:
    html = render(_many_references(200), OutputFormat.HTML, ReportConfig(), RulesConfig())
    # The rule filter preset, as a reader would choose it: the script applies it on load.
    html = html.replace('<option value="stale-source">', '<option value="stale-source" selected>')
    dom = dump_dom(html, tmp_path)
    assert 'data-ready="yes"' in dom
    start = dom.rindex("<svg", 0, dom.index('id="chart-ages"'))
    chart = dom[start: dom.index("</svg>", start)]
    assert chart.count('class="bin"') == len(AGE_BINS)  # 400 sources, a handful of bars
    assert f'height="{24 * len(AGE_BINS) + 10}"' in chart[: chart.index(">")]
    assert 'id="legend"' in dom and "stale after 180 days" in dom
    assert dom.count('<tbody class="doc') == 2
    assert "doc0.md" in dom and "200 findings" in dom
    # Filtered to stale-source: doc1's findings (all unarchived) hide, and so does its group.
    assert "200 of 400 findings shown" in dom
    assert dom.count('<tbody class="doc hidden">') == 1
