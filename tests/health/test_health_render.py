"""The report renderers: escaping, the JSON contract, and the HTML page in headless Chromium."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from health_support import day, doc_citing, result_of

from linkaudit.config import AuditConfig
from linkaudit.health.history import record_run
from linkaudit.health.html import render_html
from linkaudit.health.markdown import md_url, render_markdown
from linkaudit.health.render import ReportFormat
from linkaudit.health.report import HealthReport, build_report
from linkaudit.model import LinkStatus
from linkaudit.store import Store
from linkaudit.textsafe import md_text

CHROMIUM = "/usr/bin/chromium"
EVIL = 'https://evil.example/<script>alert(1)</script>?a="b"&c=|x|'
JS = "javascript:alert(1)"


def _report(tmp_path: Path) -> HealthReport:
    cfg = AuditConfig.build(store=tmp_path / "r.db")
    urls = {
        EVIL: LinkStatus.DEAD,
        JS: LinkStatus.DEAD,
        "https://ok.example/": LinkStatus.ALIVE,
        "https://a.example/x": LinkStatus.SERVER_ERROR,
    }
    doc = doc_citing(list(urls), origin="docs/<b>bold</b>@team.md")
    with Store.open(cfg.store.path) as store:
        for n in range(4):
            record_run(store, result_of(urls, day(2 * n), docs=(doc,)))
        return build_report(store, cfg.health, now=day(40))


def test_every_format_has_a_renderer(tmp_path: Path) -> None:
    report = _report(tmp_path)
    for fmt in ReportFormat:
        assert fmt.renderer()(report).endswith("\n")


def test_markdown_escapes_untrusted_text(tmp_path: Path) -> None:
    text = render_markdown(_report(tmp_path))
    assert "<script>" not in text and "<b>" not in text
    assert "%3Cscript%3E" in text  # the URL stays a link, its specials encoded
    assert "docs/&lt;b&gt;bold&lt;/b&gt;\\@team.md \\[1\\]" in text
    assert "### Oldest dead links (3)" in text
    assert md_text("a|b\nc") == "a\\|b c"
    assert md_url("https://x/ a>b") == "<https://x/%20a%3Eb>"


def test_json_is_the_v1_contract(tmp_path: Path) -> None:
    data = json.loads(ReportFormat.JSON.renderer()(_report(tmp_path)))
    assert data["schema"] == "linkaudit.report/1"
    assert [r["id"] for r in data["runs"]] == [1, 2, 3, 4]
    assert data["runs"][0]["counts"] == {"alive": 1, "dead": 2, "server-error": 1}
    assert data["runs"][0]["links"] == 4
    assert {d["url"] for d in data["dead"]} == {EVIL, JS, "https://a.example/x"}
    for item in data["dead"]:
        assert set(item) == {"url", "status", "since", "citers"}
        assert item["citers"][0]["document"] == "docs/<b>bold</b>@team.md"


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    page = render_html(_report(tmp_path))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "src=" not in page.replace("default-src", "")
    assert "&lt;script&gt;" in page
    assert 'href="#"' in page  # the javascript: URL is not a link
    assert page.count("<svg") == 3


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")
def test_html_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(_report(tmp_path)), encoding="utf-8")
    profile = tmp_path / "profile"
    argv = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri(),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<h1>Link health</h1>" in dom
    assert dom.count("<svg") == 3 and "<rect" in dom
    assert "<script" not in dom  # the URL's <script> stayed text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "Oldest dead links (3)" in dom

