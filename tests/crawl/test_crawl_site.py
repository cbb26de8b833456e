"""The crawler against a loopback news site: discovery, scope, dedup, politeness, traps."""

from __future__ import annotations

import datetime as dt

import pytest
from aiohttp import web
from crawlkit import article, gz, sitemapindex, urlset
from fakes import FakeClock, LoopbackClient, LoopbackSite, Page, serve

from linkaudit.config import NetworkConfig
from linkaudit.crawl import CrawlOptions, CrawlResult, PageState, SkipReason, crawl_site
from linkaudit.crawl.traps import TrapLimits

TODAY = dt.date(2026, 11, 29)
ROBOTS = """\
User-agent: *
Disallow: /
Crawl-delay: 9

# our group: merged from two blocks, the longest rule wins
User-agent: LinkAudit
Disallow: /private/
Crawl-delay: 0.5

User-agent: otherbot
Disallow: /articles/

User-agent: linkaudit
Allow: /private/open-
Sitemap: {base}/sitemap_index.xml
"""


def news_site() -> LoopbackSite:
    """Articles a1..a8 reachable by sitemaps (nested, gzipped), a feed and links; traps."""
    site = LoopbackSite()
    site.add("/robots.txt", Page(ROBOTS, content_type="text/plain"))
    site.add(
        "/sitemap_index.xml",
        Page(
            sitemapindex(
                "{base}/sitemaps/posts.xml",
                "{base}/sitemaps/archive.xml.gz",
                "{base}/sitemaps/nested.xml",
                "{base}/sitemap_index.xml",  # lists itself
            ),
            content_type="application/xml",
        ),
    )
    site.add(
        "/sitemaps/posts.xml",
        Page(
            urlset(
                ("{base}/articles/a1", "2025-09-01"),
                ("{base}/articles/a1/?utm_source=newsletter&amp;utm_medium=email", None),
                ("HTTP://127.0.0.1:" + "{port}/articles/a2#comments", "2025-09-02"),
                ("{base}/articles/./a3", "2025-09-03T10:00:00+00:00"),
            ),
            content_type="application/xml",
        ),
    )
    nested = sitemapindex("{base}/sitemaps/more.xml")
    site.add("/sitemaps/nested.xml", Page(nested, content_type="text/xml"))
    site.add(
        "/sitemaps/more.xml",
        Page(urlset(("{base}/articles/a6", "2025-09-06")), content_type="text/xml"),
    )
    site.add(
        "/feed.xml",
        Page(
            "<rss version='2.0'><channel><title>News</title>"
            "<item><link>{base}/articles/a7</link><pubDate>Sun, 07 Sep 2025 08:00:00 GMT</pubDate>"
            "</item><item><link>{base}/articles/a1?fbclid=abc</link></item></channel></rss>",
            content_type="application/rss+xml",
        ),
    )
    home_links = (
        "/articles/a8",
        "/articles/A8-not-this",  # path case is kept: a different page (404 here)
        "articles/a1?gclid=1",
        "/private/secret",
        "/private/open-door",
        "/calendar/2026/11",
        "/search?q=0",
        "/s/",
        "/about",
        "/files/report.pdf",
        "/old-url",
        "/dup-canonical",
        "/loop1",
        "/go-away",
        "/to-private",
        "https://elsewhere.example/page",
        "mailto:editor@example.org",
        "javascript:void(0)",
    )
    site.add(
        "/",
        article(
            "Home",
            refs=0,
            links=home_links,
            head='<link rel="alternate" type="application/rss+xml" href="/feed.xml">',
        ),
    )
    for n in range(1, 9):
        site.add(
            f"/articles/a{n}",
            Page(article(f"Article {n}", links=("/", f"/articles/a{n % 8 + 1}")), etag=f'"a{n}"'),
        )
    site.add("/private/open-door", article("Open door"))
    site.add("/private/secret", article("Secret"))
    site.add("/about", article("About", refs=0))
    site.add("/files/report.pdf", Page(b"%PDF-1.4 ...", content_type="application/pdf"))
    site.add("/old-url", Page(status=301, headers={"Location": "/articles/a3"}))
    site.add(
        "/dup-canonical",
        article("A2 again", head='<link rel="canonical" href="{base}/articles/a2">'),
    )
    site.add("/loop1", Page(status=302, headers={"Location": "/loop2"}))
    site.add("/loop2", Page(status=302, headers={"Location": "/loop1"}))
    site.add("/go-away", Page(status=302, headers={"Location": "https://elsewhere.example/"}))
    site.add("/to-private", Page(status=302, headers={"Location": "/private/secret"}))

    async def calendar(request):  # /calendar/YYYY/MM with an endless "next month" link
        from aiohttp import web

        year, month = (int(x) for x in request.path.split("/")[2:4])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return web.Response(
            text=f'<html><a href="/calendar/{year}/{month:02d}">next</a></html>',
            content_type="text/html",
        )

    async def search(request):  # /search?q=N links to ?q=N+1, forever
        from aiohttp import web

        n = int(request.query.get("q", "0"))
        return web.Response(
            text=f'<html><a href="/search?q={n + 1}">more</a></html>', content_type="text/html"
        )

    async def stacked(request):  # relative "a/" stacks a segment on every hop
        from aiohttp import web

        return web.Response(text='<html><a href="a/">deeper</a></html>', content_type="text/html")

    site.prefixes = {"/calendar/": calendar, "/search": search, "/s/": stacked}
    return site


async def _crawl(
    site: LoopbackSite, base: str, clock: FakeClock | None = None, **options
) -> CrawlResult:
    clock = clock or FakeClock()
    client = LoopbackClient()
    try:
        return await crawl_site(
            client,
            NetworkConfig(user_agent="linkaudit/0.0-test"),
            CrawlOptions(start=f"{base}/", **options),
            sleep=clock.sleep,
            clock=clock,
        )
    finally:
        await client.close()


def _fix_port(site: LoopbackSite, base: str) -> None:
    port = base.rsplit(":", 1)[1]
    for page in site.pages.values():
        if isinstance(page.body, str):
            page.body = page.body.replace("{port}", port)
    site.add(
        "/sitemaps/archive.xml.gz",
        Page(
            gz(urlset((f"{base}/articles/a4", "2025-09-04"), (f"{base}/articles/a5", None))),
            content_type="application/x-gzip",
        ),
    )


def _by_url(result: CrawlResult, base: str) -> dict[str, object]:
    return {p.url.removeprefix(base): p for p in result.pages}


async def test_finds_every_article_once_and_says_why_others_were_skipped() -> None:
    site = news_site()
    clock = FakeClock()
    async with serve(site) as base:
        _fix_port(site, base)
        result = await _crawl(site, base, clock, depth=50, traps=TrapLimits(max_query_variants=5))

    articles = {p.url.removeprefix(base) for p in result.articles}
    assert {a for a in articles if a.startswith("/articles/")} == {
        f"/articles/a{n}" for n in range(1, 9)
    }
    assert {"/", "/about", "/private/open-door", "/calendar/2026/11"} <= articles
    # Every article fetched exactly once, whatever spelling it was listed or linked under.
    for n in range(1, 9):
        assert site.hits[f"/articles/a{n}"] == 1, n
    assert not [p for p in site.hits if p.startswith("/articles/a1/") or "utm" in p or "clid" in p]
    # Robots: our group (merged, longest match wins), not `*` (which disallows everything).
    assert site.hits["/private/secret"] == 0
    assert site.hits["/private/open-door"] == 1
    assert site.hits["/robots.txt"] == 1
    pages = _by_url(result, base)
    assert pages["/private/secret"].reason is SkipReason.ROBOTS
    assert pages["/files/report.pdf"].reason is SkipReason.NOT_HTML
    assert pages["/dup-canonical"].reason is SkipReason.DUPLICATE  # canonical is a2
    assert pages["/old-url"].reason is SkipReason.DUPLICATE  # redirects to a3
    assert pages["/go-away"].reason is SkipReason.OFF_SITE
    assert pages["/to-private"].reason is SkipReason.ROBOTS  # checked on every hop
    assert pages["/loop1"].state is PageState.FAILED and "loop" in pages["/loop1"].detail
    assert pages["/articles/A8-not-this"].status == 404
    assert not any("elsewhere" in p.url for p in result.pages)  # not in scope, never fetched
    # Sitemap index listing itself: read once, reported; the gzipped sitemap was read.
    assert site.hits["/sitemap_index.xml"] == 1
    assert [p.message for p in result.problems if p.kind == "sitemap"] == [
        f"{base}/sitemap_index.xml lists {base}/sitemap_index.xml again (itself or a cycle); "
        "read once"
    ]
    assert site.hits["/sitemaps/archive.xml.gz"] == 1 and site.hits["/feed.xml"] == 1
    assert site.hits["/sitemap.xml"] == 1  # the default location is tried, quietly missing
    # Traps: the calendar stops at next year's end, the endless query after 5 variants, the
    # stacked path when a segment repeats a third time.
    assert site.count("/calendar/") == 14  # 2026/11 .. 2027/12
    assert site.count("/search") == 5
    assert site.count("/s/") == 3  # /s/, /s/a/, /s/a/a/
    assert result.skipped["trap"] == 3
    # Politeness: the Crawl-delay of our group (0.5 s, not 9 s) spaced every request.
    assert clock.sleeps and all(s > 0 for s in clock.sleeps)
    assert min(clock.sleeps) >= 0.5 - 1e-9
    assert all(round(s / 0.5, 6).is_integer() for s in clock.sleeps)
    assert site.agents == {"linkaudit/0.0-test"}
    assert result.fetched == sum(
        1 for p in result.pages if p.status is not None or p.state is PageState.FAILED
    )
    assert result.failed == 2  # A8-not-this (404) and the redirect loop
    assert result.queued_left == 0


async def test_depth_and_max_pages_bound_the_crawl() -> None:
    site = news_site()
    async with serve(site) as base:
        _fix_port(site, base)
        shallow = await _crawl(site, base, follow_links=False)
        assert site.count("/calendar/") == 0 and site.hits["/articles/a8"] == 0
        assert {p.url.removeprefix(base) for p in shallow.articles} >= {"/articles/a7", "/"}
        site.hits.clear()
        capped = await _crawl(site, base, max_pages=3)
    assert capped.fetched == 3
    assert sum(site.count(f"/articles/a{n}") for n in range(1, 9)) <= 3
    assert capped.queued_left > 0


async def test_depth_limit_is_reported() -> None:
    site = news_site()
    async with serve(site) as base:
        _fix_port(site, base)
        result = await _crawl(site, base, depth=1, sitemaps=(), follow_links=True)
    # a8 is linked from the home page (depth 1); the calendar's second month is depth 2.
    assert site.hits["/articles/a8"] == 1
    assert site.count("/calendar/") == 1
    assert result.skipped["depth"] >= 1


async def test_include_exclude_and_since() -> None:
    site = news_site()
    site.add(
        "/articles/a8",
        article("Old", head='<meta property="article:published_time" content="2024-01-05">'),
    )
    async with serve(site) as base:
        _fix_port(site, base)
        result = await _crawl(
            site,
            base,
            include=(r"/articles/",),
            exclude=(r"/private/", r"/calendar/", r"/search", r"/s/"),
            since=dt.date(2025, 9, 3),
        )
    pages = _by_url(result, base)
    # Listed with an older lastmod: never fetched.
    assert site.hits["/articles/a1"] == 0 and site.hits["/articles/a2"] == 0
    assert pages["/articles/a1"].reason is SkipReason.BEFORE_SINCE
    # Undated in the listing, dated before `since` by its own meta tag: fetched, not an article.
    assert pages["/articles/a8"].reason is SkipReason.BEFORE_SINCE
    assert pages["/articles/a8"].date == dt.date(2024, 1, 5)
    assert site.count("/private/") == 0 and site.count("/calendar/") == 0
    assert pages["/private/secret"].reason is SkipReason.EXCLUDED
    assert pages["/to-private"].reason is SkipReason.EXCLUDED  # the redirect is not followed
    # The home page is fetched to follow its links but is not an article.
    assert pages["/"].reason is SkipReason.NOT_INCLUDED
    articles = {p.url.removeprefix(base) for p in result.articles}
    assert articles == {"/articles/a3", "/articles/a4", "/articles/a5", "/articles/a6",
                        "/articles/a7"}  # fmt: skip


async def test_pages_become_sources_for_extraction() -> None:
    site = news_site()
    async with serve(site) as base:
        _fix_port(site, base)
        result = await _crawl(site, base)
    page = next(p for p in result.articles if p.url.endswith("/articles/a4"))
    source = page.source
    assert source is not None
    assert source.origin == page.url and source.url == page.fetched_url
    assert b"[1]" in source.data and source.format is not None
    skipped = next(p for p in result.pages if p.reason is not None)
    assert skipped.source is None


async def test_crawled_articles_extract_with_their_references() -> None:
    pytest.importorskip("linkaudit.extract")
    from linkaudit.crawl import site_summary
    from linkaudit.extract import extract_document

    site = news_site()
    async with serve(site) as base:
        _fix_port(site, base)
        result = await _crawl(site, base, follow_links=False)
    documents = [extract_document(p.source) for p in result.articles if p.source is not None]
    by_origin = {d.origin.removeprefix(base): d for d in documents}
    assert len(by_origin["/articles/a4"].references) == 2
    assert not by_origin["/"].references  # the home page: counted, not ranked
    summary = site_summary(result, documents, {f"{base}/articles/a4": 2})
    assert summary.with_references == summary.audited - 1
    assert summary.worst[0].url.endswith("/articles/a4")


async def test_per_host_limit_is_never_exceeded() -> None:
    import asyncio

    from aiohttp import web

    site = LoopbackSite()
    site.add("/", article("Home", refs=0, links=tuple(f"/slow/{n}" for n in range(12))))
    in_flight = 0
    peak = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return web.Response(text=article("Slow"), content_type="text/html")

    site.prefixes = {"/slow/": slow}
    client = LoopbackClient()
    clock = FakeClock()
    async with serve(site) as base:
        try:
            result = await crawl_site(
                client,
                NetworkConfig(per_host=3, concurrency=64),
                CrawlOptions(start=f"{base}/"),
                sleep=clock.sleep,
                clock=clock,
            )
        finally:
            await client.close()
    assert len(result.articles) == 13
    assert peak == 3 and client.max_in_flight == 3
    assert clock.sleeps == []  # no Crawl-delay: no waiting


async def test_a_canonical_naming_the_home_page_everywhere_is_ignored() -> None:
    site = LoopbackSite()
    head = '<link rel="canonical" href="/">'
    site.add("/", article("Home", refs=0, links=("/x", "/y"), head=head))
    site.add("/x", article("X", head=head))
    site.add("/y", article("Y", head='<link rel="canonical" href="/x">'))
    async with serve(site) as base:
        result = await _crawl(site, base)
    pages = _by_url(result, base)
    assert pages["/x"].is_article and pages["/"].is_article
    assert pages["/y"].reason is SkipReason.DUPLICATE  # a real canonical is still honoured
    assert "its canonical" in pages["/y"].detail


async def test_a_429_pauses_the_host_and_the_page_is_fetched_after_it() -> None:
    site = LoopbackSite()
    site.add("/robots.txt", Page("User-agent: *\nAllow: /\n", content_type="text/plain"))
    site.add("/", article("Home", refs=0, links=tuple(f"/p{n}" for n in range(4))))
    for n in range(1, 4):
        site.add(f"/p{n}", article(f"Post {n}"))
    limited: list[int] = []

    async def p0(request: web.Request) -> web.Response:
        if not limited:
            limited.append(1)
            return web.Response(status=429, headers={"Retry-After": "3"})
        return web.Response(text=article("Post 0"), content_type="text/html")

    site.prefixes = {"/p0": p0}
    clock = FakeClock()
    hits: list[tuple[float, str]] = []
    site.on_hit = lambda path: hits.append((clock.now, path))
    client = LoopbackClient()
    async with serve(site) as base:
        try:
            result = await crawl_site(client, NetworkConfig(per_host=1),
                                      CrawlOptions(start=f"{base}/"),
                                      sleep=clock.sleep, clock=clock)
        finally:
            await client.close()
    fetched = sorted(p.url.rsplit("/", 1)[1] for p in result.articles)
    assert fetched == ["", "p0", "p1", "p2", "p3"]
    assert site.hits["/p0"] == 2  # the 429 was retried once the pause was over
    (limited_at,) = [t for t, path in hits if path == "/p0"][:1]
    later = [t for t, _ in hits[[p for _, p in hits].index("/p0") + 1:]]
    assert later and all(t >= limited_at + 3 for t in later)  # the whole host waited
