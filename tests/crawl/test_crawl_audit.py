"""`audit URL --crawl` through the whole pipeline with the real HTTP client on a loopback site.

Every article is found and fetched exactly once, its references are checked, an interrupted
crawl resumes, and the link-health report covers every article of the site.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web
from crawlkit import gz, urlset
from fakes import LoopbackSite, Page, serve

from linkaudit.audit import run_audit
from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.crawl import CrawlOptions
from linkaudit.health.history import record_run
from linkaudit.health.json_v1 import to_json_v1
from linkaudit.health.report import build_report
from linkaudit.model import LinkStatus
from linkaudit.store import Store

N = 8


def article(n: int) -> str:
    """Article n cites the shared source /src/ok and its own /src/gone-n (a 404)."""
    return (
        f"<!doctype html><html><head><title>Post {n}</title>"
        f'<meta property="article:published_time" content="2025-10-{n + 1:02d}"></head><body>'
        f"<p>Post {n} says the market grew [1]. It also fell later [2].</p>"
        '<h2>References</h2><ol class="references">'
        '<li><a href="{base}/src/ok">Source</a></li>'
        f'<li><a href="{{base}}/src/gone-{n}">Gone</a></li></ol></body></html>'
    )


def news_site() -> LoopbackSite:
    site = LoopbackSite()
    robots = "User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml.gz\n"
    site.add("/robots.txt", Page(robots, content_type="text/plain"))

    async def sitemap(request: web.Request) -> web.Response:
        # Gzipped, as large sites serve them: the real client must read this body.
        # It lists every post twice, in two spellings: each must be fetched once.
        entries = [(f"{site.base}/p{n}", None) for n in range(N)]
        entries += [(f"{site.base}/p{n}?utm_source=feed#top", None) for n in range(N)]
        body = gz(urlset(*entries))
        return web.Response(body=body, headers={"Content-Type": "application/x-gzip"})

    site.prefixes["/sitemap.xml.gz"] = sitemap
    site.add("/", Page("<html><body><h1>Home</h1><p>No references here.</p></body></html>"))
    for n in range(N):
        site.add(f"/p{n}", Page(article(n)))
    site.add("/src/ok", Page("<html><head><title>Source</title></head><body>ok</body></html>"))
    return site


def config(tmp_path: Path) -> AuditConfig:
    return AuditConfig.build(
        allow_private=("127.0.0.0/8",),
        store=tmp_path / "s.db",
        archive=ArchiveMode.NONE,
        cache=False,
    )


async def test_crawl_audits_every_article_once_and_resumes(tmp_path: Path) -> None:
    site = news_site()
    cfg = config(tmp_path)
    async with serve(site) as base:
        first = await run_audit(
            [base + "/"], cfg, crawl=CrawlOptions(start=base + "/", max_pages=4),
            history=record_run,
        )
        second = await run_audit(
            [base + "/"], cfg, crawl=CrawlOptions(start=base + "/", resume=True),
            history=record_run,
        )
    posts = {f"/p{n}" for n in range(N)}
    assert site.count("/sitemap.xml.gz") >= 1
    # Each article fetched exactly once over both runs, whatever its spelling in the sitemap.
    assert {p: site.count(p) for p in posts} == dict.fromkeys(posts, 1)
    audited = [d.origin for d in first.documents] + [d.origin for d in second.documents]
    assert sorted(audited) == sorted(f"{base}/p{n}" for n in range(N))
    assert first.site is not None and second.site is not None
    assert first.site.queued_left > 0 and second.site.queued_left == 0
    # The home page has no references: counted in the site view, not reported as a document.
    assert all(not d.origin.rstrip("/").endswith(base.split("//")[1]) for d in first.documents)
    # References were checked: the shared source once per run, each article's own 404 dead.
    for result in (first, second):
        assert result.checks[f"{base}/src/ok"].status is LinkStatus.ALIVE
        gone = [c for u, c in result.checks.items() if "/src/gone-" in u]
        assert gone and all(c.status is LinkStatus.DEAD for c in gone)
        assert any(f.rule == "dead" for f in result.findings)
        assert result.site is not None and result.site.worst[0].failing == 1
    with Store.open(cfg.store.path) as store:
        report = json.loads(json.dumps(to_json_v1(build_report(store, cfg.health))))
    failing = {e["url"]: e for e in report["new"] + report["persisting"]}
    # The whole site: every article's dead source is in the report, none called fixed.
    assert sorted(failing) == sorted(f"{base}/src/gone-{n}" for n in range(N))
    assert report["fixed"] == []
    cited_by = {c["document"] for e in failing.values() for c in e["citers"]}
    assert cited_by == {f"{base}/p{n}" for n in range(N)}
    # The first run's failures persist (carried forward); the second run's are new.
    first_docs = {d.origin for d in first.documents}
    for entry in failing.values():
        (citer,) = entry["citers"]
        assert (entry in report["persisting"]) == (citer["document"] in first_docs)


async def test_crawl_of_a_site_without_references_reports_its_site_view(tmp_path: Path) -> None:
    """Pages without references are counted, not reported; a site of only such pages is a
    finished audit with a site view, not a run that failed."""
    site = LoopbackSite()
    site.add("/robots.txt", Page("User-agent: *\nAllow: /\n", content_type="text/plain"))
    site.add("/", Page('<html><body><p>Home.</p><a href="/about">About</a></body></html>'))
    site.add("/about", Page("<html><body><p>About us, no sources here.</p></body></html>"))
    async with serve(site) as base:
        result = await run_audit([base + "/"], config(tmp_path),
                                 crawl=CrawlOptions(start=base + "/"))
    assert result.documents == ()
    assert result.site is not None and result.site.with_references == 0
    assert result.site.audited >= 2 and result.site.without_references >= 2


async def test_a_page_the_crawl_read_is_not_fetched_again_when_an_article_links_to_it(
    tmp_path: Path,
) -> None:
    """Articles link to each other under other spellings (`?utm_...`, `#top`, a trailing
    slash), in the text and as references: the checker judges those links from the answers the
    crawl already got, so every article is requested once in the whole audit."""
    site = LoopbackSite()
    site.add("/robots.txt", Page("User-agent: *\nAllow: /\n", content_type="text/plain"))
    posts = [f"/news/p{n}" for n in range(4)]
    site.add("/", Page("<html><body>" + "".join(f'<a href="{p}">{p}</a>' for p in posts)
                       + "</body></html>"))
    for n, path in enumerate(posts):
        other = posts[(n + 1) % len(posts)]
        site.add(path, Page(
            f"<!doctype html><html><head><title>Post {n}</title></head><body>"
            f"<p>Post {n} follows up an earlier story [1]. See also "
            f'<a href="{{base}}{other}/?utm_source=related#top">the previous one</a>.</p>'
            '<h2>References</h2><ol class="references">'
            f'<li><a href="{{base}}{other}?utm_medium=email">Earlier post</a></li>'
            "</ol></body></html>"
        ))
    async with serve(site) as base:
        result = await run_audit([base + "/"], config(tmp_path),
                                 crawl=CrawlOptions(start=base + "/"))
    assert {p: site.count(p) for p in posts} == dict.fromkeys(posts, 1)
    linked = {u: c for u, c in result.checks.items() if "/news/p" in u}
    assert len(linked) >= len(posts) and all(c.status is LinkStatus.ALIVE for c in linked.values())
    assert all(c.title and c.title.startswith("Post ") for c in linked.values())


async def test_a_second_crawl_still_checks_the_links_of_unchanged_articles(
    tmp_path: Path,
) -> None:
    # ETags make most articles unchanged (304) the second time; their links must still be
    # checked (the scheduled link-health report must see them rot), from the kept bodies.
    site = news_site()
    for n in range(N):
        page = site.pages[f"/p{n}"]
        site.pages[f"/p{n}"] = Page(page.body, etag=f'"v1-{n}"')
    cfg = config(tmp_path)
    async with serve(site) as base:
        first = await run_audit([base + "/"], cfg, crawl=CrawlOptions(start=base + "/"))
        site.pages["/p0"] = Page(article(0).replace("grew", "shrank"), etag='"v2-0"')
        checked_before = site.count("/src/")
        second = await run_audit([base + "/"], cfg, crawl=CrawlOptions(start=base + "/"))
        checked_again = site.count("/src/") - checked_before
    assert len(first.documents) == N
    assert second.site is not None and second.site.unchanged >= N - 1
    assert len(second.documents) == N  # every article audited, changed or not
    gone = {url for url in second.checks if "/src/gone-" in url}
    assert len(gone) == N and all(second.checks[u].status is LinkStatus.DEAD for u in gone)
    assert checked_again >= N + 1  # each gone-n and the shared source, from the network
    assert {f.document for f in second.findings if f.rule in ("dead", "dead-unarchived")} == {
        d.origin for d in first.documents
    }


async def test_an_unchanged_page_without_a_kept_body_is_fetched_whole(tmp_path: Path) -> None:
    # A store written before bodies were kept: the page is fetched again, not skipped.
    site = news_site()
    site.pages["/p1"] = Page(site.pages["/p1"].body, etag='"same"')
    cfg = config(tmp_path)
    async with serve(site) as base:
        await run_audit([base + "/"], cfg, crawl=CrawlOptions(start=base + "/"))
        with Store.open(cfg.store.path) as store, store.transaction() as conn:
            conn.execute("DELETE FROM crawl_bodies")
        second = await run_audit([base + "/"], cfg, crawl=CrawlOptions(start=base + "/"))
    assert second.site is not None and second.site.unchanged == 0
    assert len(second.documents) == N
