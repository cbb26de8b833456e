"""Builders for the rules tests: documents, references, citations and checks by hand.

The worked example (`examples/ainvest-alibaba-ai-chip.txt`) is rebuilt here as a `Document`
with the exact claim sentences, so these tests do not depend on extraction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from linkaudit.config import AuditConfig
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    Citation,
    DatedFact,
    DateOrigin,
    DocFormat,
    Document,
    Finding,
    LinkCheck,
    LinkStatus,
    Reference,
    RuleSkip,
    Snapshot,
    SnapshotKind,
)
from linkaudit.rules import analyse

ROOT = Path(__file__).resolve().parents[2]
DOC_DATE = DatedFact(dt.date(2025, 9, 1), DateOrigin.DATELINE, "Monday, Sep 1, 2025 10:46 am ET")

EXAMPLE_URLS = {
    "1": "https://finance.yahoo.com/news/alibaba-tests-ai-chip-china-144131404.html",
    "2": "https://www.ainvest.com/news/alibaba-ai-chip-strategy-impact-global-ai-semiconductor-landscape-2508/",
    "3": "https://www.roic.ai/news/nvidia-shares-slip-on-report-alibaba-develops-new-ai-chip",
    "4": "https://www.eweek.com/news/alibaba-ai-chip/",
    "5": "https://www.cnbc.com/2024/09/17/chinese-companies-aiming-to-compete-with-nvidia-on-ai-chips.html",
}
H20_CLAIM = (
    "U.S. export restrictions have limited its access to China’s $2.7 billion AI cloud market in "
    "2024, while its H20 chip, the most powerful version permitted for sale, has drawn scrutiny "
    "over security risks."
)
ALIGNS_CLAIM = (
    "This move aligns with China's broader push for semiconductor self-sufficiency, as companies "
    "like Huawei, Tencent-backed Enflame, and Cambricon also advance homegrown solutions."
)
INVEST_CLAIM = (
    "Alibaba's strategic pivot toward AI inference chips and its $53 billion investment in AI and "
    "cloud infrastructure signal a profound shift in the U.S.-China tech rivalry."
)
HALT_CLAIM = (
    "Chinese officials reportedly recommend halting its use, creating a vacuum Alibaba and others "
    "are poised to fill."
)
REVENUE_CLAIM = (
    "Alibaba's cloud revenue jumped 26% in the June quarter, underscoring the company's growing "
    "importance in the AI cloud market."
)


def ref(ref_id: str, url: str | None, line: int = 20) -> Reference:
    return Reference(ref_id, url, url, line, 1, f"[{ref_id}] {url}")


def cite(ids: Sequence[str] | str, claim: str, line: int = 5, column: int = 10) -> Citation:
    ids = (ids,) if isinstance(ids, str) else tuple(ids)
    return Citation(ids, claim, line, column, "[" + ", ".join(ids) + "]")


def doc(
    refs: Iterable[Reference] = (),
    cites: Iterable[Citation] = (),
    *,
    text: str = "Body.\n",
    date: DatedFact | None = DOC_DATE,
    origin: str = "doc.txt",
    site_url: str | None = None,
) -> Document:
    return Document(
        origin, DocFormat.TEXT, text, date, tuple(refs), tuple(cites), site_url=site_url
    )


def alive(url: str, *, excerpt: str | None = None, published: DatedFact | None = None,
          status: LinkStatus = LinkStatus.ALIVE, **kw: object) -> LinkCheck:
    return LinkCheck(url, status, http_status=kw.pop("http_status", 200),  # type: ignore[arg-type]
                     excerpt=excerpt, published=published, **kw)  # type: ignore[arg-type]


def snap(url: str, ts: str, kind: SnapshotKind, base: str = "https://web.archive.org") -> Snapshot:
    stamp = dt.datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    return Snapshot(f"{base}/web/{ts}/{url}", stamp, 200, kind, url)


def archived(url: str, before: str = "20250831000000", first: str = "20250829000000",
             latest: str = "20251101000000") -> ArchiveLookup:
    return ArchiveLookup(
        url,
        ArchiveState.ARCHIVED,
        (
            snap(url, before, SnapshotKind.CLOSEST_BEFORE),
            snap(url, first, SnapshotKind.FIRST),
            snap(url, latest, SnapshotKind.LATEST),
        ),
    )


def run(
    documents: Sequence[Document] | Document,
    checks: Mapping[str, LinkCheck] | None = None,
    archives: Mapping[str, ArchiveLookup] | None = None,
    cfg: AuditConfig | None = None,
    *,
    offline: bool = False,
) -> tuple[list[Finding], list[RuleSkip]]:
    docs = [documents] if isinstance(documents, Document) else list(documents)
    cfg = cfg or AuditConfig()
    return analyse(docs, checks or {}, archives or {}, cfg.rules, cfg.links,
                   offline=offline or cfg.network.offline)


def of(findings: Iterable[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def example_document() -> Document:
    """The worked example, as extraction gives it (body once, 5 references)."""
    text = (ROOT / "examples" / "ainvest-alibaba-ai-chip.txt").read_text(encoding="utf-8")
    refs = [ref(i, u, line=13 + int(i)) for i, u in EXAMPLE_URLS.items()]
    cites = [
        cite("5", ALIGNS_CLAIM, line=5, column=387),
        cite("2", INVEST_CLAIM, line=6, column=170),
        cite("5", H20_CLAIM, line=7, column=261),
        cite("3", HALT_CLAIM, line=7, column=378),
        cite("1", REVENUE_CLAIM, line=18, column=412),
    ]
    return doc(refs, cites, text=text, origin="examples/ainvest-alibaba-ai-chip.txt")


AINVEST_PAGE = (
    "Alibaba's strategic pivot toward AI inference chips and its $53 billion investment in AI "
    "and cloud infrastructure signal a profound shift in the U.S.-China tech rivalry [2]. "
    "Nvidia faces vulnerabilities in this evolving landscape. U.S. export restrictions have "
    "limited its access to China’s $2.7 billion AI cloud market in 2024, while its H20 chip, the "
    "most powerful version permitted for sale, has drawn scrutiny over security risks [5]. "
    "Chinese officials reportedly recommend halting its use, creating a vacuum Alibaba and "
    "others are poised to fill [3]. Alibaba plans to invest $53B over three years."
)
