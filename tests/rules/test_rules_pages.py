"""Claim rules end to end over loopback pages: a date in each place, and figures in page text.

The pages are fetched and read by the project's `Checker` through a plain aiohttp client (the
SSRF guard is the transport's job and is tested with it); the rules then judge the results.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
import pytest
from aiohttp import web
from ruleskit import archived, cite, doc, of, ref, run

from linkaudit.config import AuditConfig
from linkaudit.http import ConnectError, HttpResponse
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


class PlainClient:
    """`HttpClient` over aiohttp, no redirects followed (enough for a loopback site)."""

    def __init__(self) -> None:
        self.session = aiohttp.ClientSession()

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        try:
            async with self.session.request(method, url, allow_redirects=False) as resp:
                body = await resp.content.read(max_body or -1)
                return HttpResponse(url, resp.status, tuple(resp.headers.items()), body)
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(str(exc)) from exc

    async def close(self) -> None:
        await self.session.close()


async def _site(aiohttp_server) -> str:  # type: ignore[no-untyped-def]
    async def handle(request: web.Request) -> web.Response:
        head, body = PAGES[request.path]
        html = ARTICLE.format(title="Story", head=head, body=body)
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    for path in PAGES:
        app.router.add_get(path, handle)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_a_date_in_each_place_dates_the_source(aiohttp_server) -> None:  # type: ignore[no-untyped-def]
    base = await _site(aiohttp_server)
    urls = {path: base + path for path in PAGES}
    refs = [ref(str(i), url) for i, url in enumerate(urls.values(), 1)]
    claim = "Nvidia's sales in China fell in 2025 as export rules tightened."
    d = doc(refs, [cite(str(i), claim, line=i) for i in range(1, len(refs) + 1)])
    client = PlainClient()
    try:
        cfg = AuditConfig.build(retries=0)
        checks = await checker_module.Checker(cfg, client).check_all(list(urls.values()))
    finally:
        await client.close()
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
