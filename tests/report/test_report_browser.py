"""The HTML report in a real browser: headless Chromium runs the page's script under its own CSP.

Skipped when no Chromium is installed (Debian's `chromium` package provides `/usr/bin/chromium`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from report_sample import sample_result

from linkaudit.config import AuditConfig
from linkaudit.report import OutputFormat, render

CHROMIUM = next(
    # Debian's chromium here; GitHub's Ubuntu runners ship google-chrome.
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "",
                 shutil.which("chromium-browser") or "", shutil.which("google-chrome") or "")
     if p and Path(p).exists()),
    None,
)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
def test_html_report_script_runs_under_its_csp(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(sample_result(), OutputFormat.HTML, AuditConfig()), encoding="utf-8")
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
    dom = completed.stdout
    assert completed.returncode == 0, completed.stderr[-2000:]
    # The script ran (the CSP hash matched): it marked the page ready and filled the count.
    assert 'data-ready="yes"' in dom
    assert "4 of 4 findings shown" in dom
    # The hostile title stayed text: no second script element appeared in the live DOM.
    assert dom.count("<script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
