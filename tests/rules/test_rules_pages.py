"""Claim rules end to end over loopback pages: a date in each place, and figures in page text.

The pages are served by the shared `LoopbackSite` and fetched and read by the project's `Checker`
through the shared `LoopbackClient` (the SSRF guard is the transport's job and is tested with it);
the rules then judge the results.
"""

from __future__ import annotations

import pytest
from fakes import LoopbackClient, StartSite
from ruleskit import archived, cite, doc, of, ref, run

from linkaudit.config import AuditConfig
from linkaudit.model import Severity

checker_module = pytest.importorskip("linkaudit.check.checker")

ARTICLE = (
    "<html><head><title>{title}</title>{head}</head><body><article>{body}</article></body></html>"
)
TEXT = "<p>Nvidia's sales in China fell as export rules tightened. Alibaba will invest $53B.</p>"
PAGES = {
    "/2024/09/17/story.html": ("", TEXT),
    "/meta": ('<meta property="article:published_time" content="2024-05-01T08:00:00Z">', TEXT),
    "/jsonld": (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-06-01T10:00:00Z"}</script>',
        TEXT,
    ),
    "/time": ("", '<time datetime="2024-07-01">July 1, 2024</time>' + TEXT),
    "/text": ("", "<p class='dateline'>Published July 2, 2024</p>" + TEXT),
    "/undated": ("", TEXT),
}


async def test_a_date_in_each_place_dates_the_source(
    loopback_site: StartSite, client: LoopbackClient
) -> None:
    site = await loopback_site(
        {path: ARTICLE.format(title="Story", head=head, body=body)
         for path, (head, body) in PAGES.items()}
    )
    base = site.base
    urls = {path: base + path for path in PAGES}
    refs = [ref(str(i), url) for i, url in enumerate(urls.values(), 1)]
    claim = "Nvidia's sales in China fell in 2025 as export rules tightened."
    d = doc(refs, [cite(str(i), claim, line=i) for i in range(1, len(refs) + 1)])
    cfg = AuditConfig.build(retries=0)
    checks = await checker_module.Checker(cfg.network, client).check_all(list(urls.values()))
    undated = urls["/undated"]
    archives = {undated: archived(undated, before="20240801000000", first="20240801000000")}
    findings, _ = run(d, checks, archives, cfg)
    stale = of(findings, "stale-source")
    origins = {f.reference: f.evidence["source_date_origin"] for f in stale}
    assert origins == {
        "1": "url-path",
        "2": "html-meta",
        "3": "json-ld",
        "4": "time-tag",
        "5": "page-text",
        "6": "archive-first-capture",
    }
    assert all(f.severity is Severity.ERROR for f in stale)
    # the page says "$53B": a claim of "$53 billion" is supported, "$60 billion" is not
    d2 = doc([refs[0]], [cite("1", "Alibaba will invest $53 billion in 2024."),
                         cite("1", "Alibaba will invest $60 billion.", line=2)])
    unsupported = of(run(d2, checks, archives, cfg)[0], "unsupported-number")
    assert [f.evidence["figures_not_found"] for f in unsupported] == [["$60 billion"]]
