"""A realistic `AuditResult` modelled on the example article.

The article (`examples/ainvest-alibaba-ai-chip.txt`, dated Monday, Sep 1, 2025) has five references;
here they are alive, self-cited, dead (with an archived copy), blocked and stale, with the findings
the rules would give. Reference [1]'s page title is hostile on purpose (rich markup, an escape
sequence, HTML) so that every format's escaping is exercised.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    AuditResult,
    Citation,
    DatedFact,
    DateOrigin,
    DocFormat,
    Document,
    Finding,
    Hop,
    LinkCheck,
    LinkStatus,
    Problem,
    ProblemKind,
    Reference,
    RuleSkip,
    Severity,
    Snapshot,
    SnapshotKind,
)
from linkaudit.report import rulemeta

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "examples/ainvest-alibaba-ai-chip.txt"
HOSTILE_TITLE = "Alibaba [bold]tests[/bold] \x1b[31mAI chip <script>alert(1)</script> | *Yahoo*"

URLS = {
    "1": "https://finance.yahoo.com/news/alibaba-tests-ai-chip-china-144131404.html",
    "2": "https://www.ainvest.com/news/alibaba-ai-chip-strategy-impact-global-ai-semiconductor-landscape-2508/",
    "3": "https://www.roic.ai/news/nvidia-shares-slip-on-report-alibaba-develops-new-ai-chip",
    "4": "https://www.eweek.com/news/alibaba-ai-chip/",
    "5": "https://www.cnbc.com/2024/09/17/chinese-companies-aiming-to-compete-with-nvidia-on-ai-chips.html",
}
SNAPSHOT_3 = "https://web.archive.org/web/20250830120000/" + URLS["3"]

FAKE_RULES = {
    "copied-citation": ("the claim stands word for word in a cited source", Severity.WARNING),
    "dead": ("the cited page is gone", Severity.ERROR),
    "self-citation": ("the source is on the document's own site", Severity.INFO),
    "stale-source": ("the source predates what the claim speaks of", Severity.WARNING),
    "unarchived": ("alive but never archived", Severity.INFO),
}


def sample_document(text: str | None = None) -> Document:
    """The example article as extraction would give it (first copy of the duplicated body)."""
    if text is None:
        text = (ROOT / ARTICLE).read_text(encoding="utf-8")
    refs = tuple(
        Reference(id=i, url=u, url_as_written=u, line=10 + int(i), column=1, text=f"[{i}] {u}")
        for i, u in URLS.items()
    )
    citations = (
        Citation(("1",), "It is intended to handle a broader range of AI inference tasks, "
                 "according to the report.", 5, 206, "[1]"),
        Citation(("5",), "This move aligns with China's broader push for semiconductor "
                 "self-sufficiency.", 5, 387, "[5]"),
        Citation(("4",), "Alibaba's new chip is already interoperable with Nvidia's PyTorch.",
                 5, 521, "[4]"),
        Citation(("2",), "Alibaba's $53 billion investment in AI and cloud infrastructure.",
                 6, 170, "[2]"),
        Citation(("5",), "Its H20 chip has drawn scrutiny over security risks.", 7, 261, "[5]"),
        Citation(("3",), "Chinese officials reportedly recommend halting its use.", 7, 378, "[3]"),
    )
    return Document(
        origin=ARTICLE,
        format=DocFormat.TEXT,
        text=text,
        date=DatedFact(dt.date(2025, 9, 1), DateOrigin.DATELINE, "Monday, Sep 1, 2025 10:46 am ET"),
        references=refs,
        citations=citations,
        duplicated_body=True,
        problems=(
            Problem(ProblemKind.DUPLICATED_BODY, "the body and reference list appear twice", 17),
        ),
        site_url="https://www.ainvest.com/news/alibaba-ai-chip",
    )


def sample_result() -> AuditResult:
    """The realistic run every golden file is made from."""
    at = dt.datetime(2025, 9, 2, 8, 0, tzinfo=dt.UTC)
    checks = {
        URLS["1"]: LinkCheck(URLS["1"], LinkStatus.ALIVE, 200, title=HOSTILE_TITLE,
                             published=DatedFact(dt.date(2025, 8, 29), DateOrigin.HTML_META,
                                                 "article:published_time"),
                             attempts=1, elapsed_ms=412, checked_at=at),
        URLS["2"]: LinkCheck(URLS["2"], LinkStatus.REDIRECTED, 200,
                             redirects=(Hop(301, URLS["2"].rstrip("/")),),
                             final_url=URLS["2"].rstrip("/"), title="Alibaba's AI chip strategy",
                             published=DatedFact(dt.date(2025, 8, 30), DateOrigin.JSON_LD),
                             attempts=1, elapsed_ms=230, checked_at=at),
        URLS["3"]: LinkCheck(URLS["3"], LinkStatus.DEAD, 404, error="http 404",
                             attempts=1, elapsed_ms=120, checked_at=at),
        URLS["4"]: LinkCheck(URLS["4"], LinkStatus.BLOCKED, 403, error="http 403 (bot wall)",
                             attempts=3, elapsed_ms=1900, checked_at=at),
        URLS["5"]: LinkCheck(URLS["5"], LinkStatus.ALIVE, 200,
                             title="Chinese companies aiming to compete with Nvidia on AI chips",
                             published=DatedFact(dt.date(2024, 9, 17), DateOrigin.URL_PATH,
                                                 "/2024/09/17/"),
                             attempts=1, elapsed_ms=380, checked_at=at),
    }
    archives = {
        URLS["3"]: ArchiveLookup(URLS["3"], ArchiveState.ARCHIVED, (
            Snapshot(SNAPSHOT_3, dt.datetime(2025, 8, 30, 12, 0, tzinfo=dt.UTC), 200,
                     SnapshotKind.CLOSEST_BEFORE, URLS["3"]),
        )),
        URLS["4"]: ArchiveLookup(URLS["4"], ArchiveState.NOT_ARCHIVED),
    }
    findings = (
        Finding("dead", Severity.ERROR, ARTICLE, "the cited page answers 404 | gone *for good*",
                reference="3", url=URLS["3"], line=13, column=1,
                evidence={"http_status": 404, "snapshot": SNAPSHOT_3}, fix=SNAPSHOT_3),
        Finding("self-citation", Severity.INFO, ARTICLE,
                "reference [2] is on the document's own site (ainvest.com)",
                reference="2", url=URLS["2"], line=6, column=170,
                evidence={"site": "ainvest.com"}),
        Finding("stale-source", Severity.ERROR, ARTICLE,
                "the source is dated 2024-09-17 but the claim speaks of 2025 <b>now</b>",
                reference="5", url=URLS["5"], line=7, column=261,
                evidence={"source_date": "2024-09-17", "source_date_origin": "url-path",
                          "document_date": "2025-09-01", "age_days": 349}),
        Finding("copied-citation", Severity.WARNING, ARTICLE,
                "the claim stands word for word in [1], markers and all",
                reference="1", url=URLS["1"], line=5, column=206,
                evidence={"similarity": 0.97}),
    )
    skips = (RuleSkip("stale-source", ARTICLE, "4", "no date found for the source (blocked)"),)
    return AuditResult(
        documents=(sample_document(),),
        checks=checks,
        archives=archives,
        findings=findings,
        skips=skips,
        problems=(
            Problem(ProblemKind.ARCHIVE_UNUSABLE, "the archive answered slowly; 1 lookup retried"),
        ),
        started=at,
        elapsed_s=2.345,
    )


def fixed_rule_table() -> dict[str, rulemeta.RuleMeta]:
    """The fixed rule catalogue the golden files are made with."""
    return {
        ident: rulemeta.RuleMeta(ident, summary, sev, rulemeta.default_help_uri(ident))
        for ident, (summary, sev) in FAKE_RULES.items()
    }
