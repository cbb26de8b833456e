"""An offline audit fetches nothing, yet the dates in its sources' URLs are known (the rules use
them): the HTML report's age chart and the Published column of the HTML and Markdown reports
show them."""

from __future__ import annotations

import datetime as dt

from linkaudit.config import AuditConfig
from linkaudit.model import (
    AuditResult,
    Citation,
    DatedFact,
    DateOrigin,
    DocFormat,
    Document,
    Reference,
)
from linkaudit.report import OutputFormat, render

CFG = AuditConfig()
URL = "https://news.example.com/2024/09/17/chips.html"


def test_an_offline_report_charts_the_dates_its_urls_give() -> None:
    doc = Document("a.md", DocFormat.MARKDOWN, "Chips [1].",
                   references=(Reference("1", URL, URL, 3, 1, f"[1] {URL}"),),
                   citations=(Citation(("1",), "Chips.", 1, 7, "[1]"),),
                   date=DatedFact(dt.date(2025, 9, 1), DateOrigin.AS_OF))
    page = render(AuditResult(documents=(doc,), offline=True), OutputFormat.HTML, CFG.report,
                  CFG.rules)
    assert 'id="chart-ages"' in page and "No dated sources" not in page
    assert "<td>2024-09-17</td>" in page
    text = render(AuditResult(documents=(doc,), offline=True), OutputFormat.MARKDOWN, CFG.report,
                  CFG.rules)
    assert "| 2024-09-17 |" in text
