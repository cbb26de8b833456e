"""Sitemap and feed defences against a loopback site: bombs, cycles, nesting, caps; and scope."""

from __future__ import annotations

import gzip

from crawlkit import article, sitemapindex, urlset
from fakes import FakeClock, LoopbackClient, LoopbackSite, Page, serve

from linkaudit.config import NetworkConfig
from linkaudit.crawl import CrawlOptions, CrawlResult, SkipReason, crawl_site


async def _crawl(base: str, **options) -> CrawlResult:
    options.setdefault("follow_links", False)
    clock = FakeClock()
    client = LoopbackClient()
    try:
        return await crawl_site(
            client,
            NetworkConfig(),
            CrawlOptions(start=f"{base}/", **options),
            sleep=clock.sleep,
            clock=clock,
        )
    finally:
        await client.close()


def _messages(result: CrawlResult) -> str:
    return "\n".join(p.message for p in result.problems)


async def test_deep_nesting_self_listing_and_cycles_are_cut() -> None:
    site = LoopbackSite()
    site.add("/", article("Home", refs=0))
    # /sitemap.xml lists itself and /deep/1.xml; /deep/N.xml lists /deep/N+1.xml forever, and
    # /deep/2.xml also lists /deep/1.xml (a cycle).
    site.add("/sitemap.xml", Page(sitemapindex("{base}/sitemap.xml", "{base}/deep/1.xml")))

    async def deep(request):
        from aiohttp import web

        n = int(request.path.split("/")[2].split(".")[0])
        listed = [f"{site.base}/deep/{n + 1}.xml"] + ([f"{site.base}/deep/1.xml"] if n == 2 else [])
        return web.Response(body=sitemapindex(*listed).encode(), content_type="application/xml")

    site.prefixes = {"/deep/": deep}
    async with serve(site) as base:
        result = await _crawl(base, max_sitemap_nesting=3)
    assert site.hits["/sitemap.xml"] == 1
    assert site.count("/deep/") == 3  # nesting 1, 2, 3; /deep/4.xml would be the 4th level
    text = _messages(result)
    assert "sitemap.xml lists" in text and "again" in text  # itself and the cycle, read once
    assert "nested deeper than 3" in text


async def test_huge_sitemaps_and_gzip_bombs_are_capped() -> None:
    site = LoopbackSite()
    site.add("/", article("Home", refs=0))
    site.add(
        "/sitemap.xml",
        Page(sitemapindex("{base}/big.xml", "{base}/bomb.xml.gz", "{base}/doctype.xml",
                          "{base}/huge.xml", "{base}/urls.txt")),  # fmt: skip
    )
    site.add("/big.xml", Page(urlset(*((f"{{base}}/a/{n}", None) for n in range(80)))))
    site.add("/bomb.xml.gz", Page(gzip.compress(b" " * 3_000_000), content_type="application/gzip"))
    site.add(
        "/doctype.xml",
        Page(
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            '"&lol;&lol;&lol;">]><urlset><url><loc>&lol2;</loc></url></urlset>'
        ),
    )
    site.add("/huge.xml", Page(urlset(("{base}/a/x", None)) + " " * 1_200_000))
    site.add("/urls.txt", Page("{base}/t/1\n{base}/t/2\n\n", content_type="text/plain"))
    async with serve(site) as base:
        result = await _crawl(
            base, max_urls_per_sitemap=50, max_sitemap_bytes=1_000_000, max_pages=0
        )
    text = _messages(result)
    assert "big.xml: lists more than 50 URLs" in text
    assert "bomb.xml.gz: decompresses to more than 1000000 bytes" in text
    assert "doctype.xml: not a sitemap or feed (refused: it declares a DOCTYPE" in text
    assert "huge.xml: larger than 1000000 bytes" in text
    # 50 from big.xml, 2 from the text sitemap, 1 from the part of huge.xml read, the start
    # page; nothing from the others.
    assert result.found == 54
    assert result.queued_left == 54 and result.fetched == 0


async def test_max_sitemaps_is_a_hard_cap() -> None:
    site = LoopbackSite()
    site.add("/", article("Home", refs=0))
    site.add("/sitemap.xml", Page(sitemapindex(*(f"{{base}}/s/{n}.xml" for n in range(30)))))

    async def one(request):
        from aiohttp import web

        return web.Response(
            body=urlset((f"{site.base}/p{request.path}", None)).encode(),
            content_type="application/xml",
        )

    site.prefixes = {"/s/": one}
    async with serve(site) as base:
        result = await _crawl(base, max_sitemaps=5, max_pages=0)
    assert site.count("/s/") == 4  # the index is the first of the five
    assert "more than 5 sitemaps and feeds; 26 not read" in _messages(result)


async def test_unreachable_robots_means_nothing_is_fetched() -> None:
    site = LoopbackSite()
    site.add("/robots.txt", Page("oops", status=503))
    site.add("/", article("Home"))
    async with serve(site) as base:
        result = await _crawl(base)
    assert site.hits["/"] == 0
    assert result.pages[0].reason is SkipReason.ROBOTS
    assert "robots.txt: HTTP 503" in _messages(result)


async def test_allowed_domains_widen_the_scope() -> None:
    site = LoopbackSite()
    site.add("/", article("Home", refs=0, links=("http://localhost:{port}/other",)))
    site.add("/other", article("Other"))
    async with serve(site) as base:
        port = base.rsplit(":", 1)[1]
        site.pages["/"].body = str(site.pages["/"].body).replace("{port}", port)
        narrow = await _crawl(base, follow_links=True)
        assert site.hits["/other"] == 0
        assert narrow.found == 1  # another registrable domain is not part of the site
        wide = await _crawl(base, follow_links=True, allow_domains=("localhost",))
    assert site.hits["/other"] == 1
    assert f"http://localhost:{port}/other" in {p.url for p in wide.articles}


async def test_feeds_given_and_their_dates_with_since() -> None:
    import datetime as dt

    site = LoopbackSite()
    site.add("/", article("Home", refs=0))
    site.add(
        "/atom",
        Page(
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            '<entry><link href="{base}/new"/><updated>2025-10-02T00:00:00Z</updated></entry>'
            '<entry><link rel="alternate" href="{base}/old"/><published>2023-01-01</published>'
            "</entry></feed>",
            content_type="application/atom+xml",
        ),
    )
    site.add("/new", article("New"))
    site.add("/old", article("Old"))
    async with serve(site) as base:
        result = await _crawl(base, feeds=(f"{base}/atom",), since=dt.date(2025, 1, 1))
    assert site.hits["/new"] == 1 and site.hits["/old"] == 0
    old = next(p for p in result.pages if p.url.endswith("/old"))
    assert old.reason is SkipReason.BEFORE_SINCE and old.lastmod == dt.date(2023, 1, 1)


async def test_an_absurd_crawl_delay_is_capped_and_reported() -> None:
    site = LoopbackSite()
    site.add("/robots.txt", Page("User-agent: *\nCrawl-delay: 86400\n", content_type="text/plain"))
    site.add("/", article("Home", refs=0, links=("/a", "/b")))
    site.add("/a", article("A"))
    site.add("/b", article("B"))
    clock = FakeClock()
    client = LoopbackClient()
    async with serve(site) as base:
        try:
            result = await crawl_site(
                client, NetworkConfig(), CrawlOptions(start=f"{base}/"),
                sleep=clock.sleep, clock=clock,
            )  # fmt: skip
        finally:
            await client.close()
    assert len(result.articles) == 3
    assert clock.sleeps and max(clock.sleeps) <= 60.0 * 3
    assert clock.now - 1000.0 >= 60.0 * 3  # four requests after robots.txt, 60 s apart
    assert "Crawl-delay 86400 s capped at 60 s" in _messages(result)
