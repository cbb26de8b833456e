"""The Markdown report (the Action's job summary) and the HTML page say what the table says about
links not checked now: each skipped row's reason, the skips counted with the `--allow-private`
hint once, cached rows marked and counted."""

from __future__ import annotations

import dataclasses

import pytest
from report_sample import URLS, sample_result

from linkaudit.config import AuditConfig
from linkaudit.model import ALLOW_PRIVATE_HINT, AuditResult, LinkCheck, LinkStatus
from linkaudit.report import OutputFormat, render

CFG = AuditConfig()


def _result() -> AuditResult:
    base = sample_result()
    checks = dict(base.checks)
    checks[URLS["4"]] = LinkCheck(URLS["4"], LinkStatus.SKIPPED, error="loopback address 127.0.0.4")
    checks[URLS["1"]] = dataclasses.replace(checks[URLS["1"]], from_cache=True)
    return dataclasses.replace(base, checks=checks)


@pytest.mark.parametrize("fmt", [OutputFormat.MARKDOWN, OutputFormat.HTML])
def test_skips_and_cached_results_are_said(fmt: OutputFormat) -> None:
    text = render(_result(), fmt, CFG.report, CFG.rules)
    assert "skipped: loopback address" in text  # the row says why
    assert "1 link not checked: loopback address 1" in text
    assert text.count(ALLOW_PRIVATE_HINT) == 1
    assert "(cached)" in text and "1 from cache; --no-cache to recheck" in text


@pytest.mark.parametrize("fmt", [OutputFormat.MARKDOWN, OutputFormat.HTML])
def test_a_run_that_checked_everything_now_says_nothing_of_it(fmt: OutputFormat) -> None:
    text = render(sample_result(), fmt, CFG.report, CFG.rules)
    assert "(cached)" not in text and "from cache" not in text
    assert "not checked:" not in text and ALLOW_PRIVATE_HINT not in text
