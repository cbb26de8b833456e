"""The site-level summary of a crawl and its audit: how many articles, which are worst.

Pages without references are counted, not listed: a site's tag pages, home page and about page
are fetched and extracted like any page, but only articles with references are ranked. "Worst"
is by the number of failing references (dead, soft-404, ...) the caller counts from its findings,
then by the number of references.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from linkaudit.crawl.interface import CrawlResult
from linkaudit.model import Document, RankedArticle, SiteView


def worst_first(
    documents: Sequence[Document], failing: Mapping[str, int] | None = None
) -> list[RankedArticle]:
    """Documents with references, most failing references first (then most references, URL).

    `failing` maps a document's `origin` to its number of failing references.
    """
    failing = failing or {}
    rows = [
        RankedArticle(
            url=doc.site_url or doc.origin,
            origin=doc.origin,
            references=len(doc.references),
            citations=len(doc.citations),
            failing=int(failing.get(doc.origin, 0)),
            date=doc.date.value if doc.date else None,
        )
        for doc in documents
        if doc.references
    ]
    rows.sort(key=lambda r: (-r.failing, -r.references, r.url))
    return rows


def site_summary(
    result: CrawlResult,
    documents: Sequence[Document],
    failing: Mapping[str, int] | None = None,
    *,
    top: int = 20,
) -> SiteView:
    """The site view: crawl counts, articles audited, with references, the `top` worst."""
    ranked = worst_first(documents, failing)
    return SiteView(
        site=result.site,
        found=result.found,
        fetched=result.fetched,
        unchanged=result.unchanged,
        skipped=dict(result.skipped),
        failed=result.failed,
        queued_left=result.queued_left,
        articles=len(result.articles),
        audited=len(documents),
        with_references=len(ranked),
        without_references=len(documents) - len(ranked),
        with_failing_references=sum(1 for r in ranked if r.failing),
        worst=tuple(ranked[:top]),
        problems=tuple(p.message for p in result.problems),
    )
