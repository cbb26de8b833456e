"""The crawl frontier in the store: interrupted crawls resume, scheduled crawls skip what is
unchanged (304, same sitemap lastmod, same content)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from crawlkit import article, urlset
from fakes import FakeClock, LoopbackClient, LoopbackSite, Page, serve

from linkaudit.config import NetworkConfig
from linkaudit.crawl import CrawledPage, CrawlOptions, CrawlResult, PageState, crawl_site
from linkaudit.store import Store

N = 12


def blog() -> LoopbackSite:
    """/ links to p0..p5; the sitemap lists p6..p11 with lastmods; every page has an ETag."""
    site = LoopbackSite()
    site.add("/robots.txt", Page("User-agent: *\nAllow: /\n", content_type="text/plain"))
    site.add(
        "/sitemap.xml",
        Page(
            urlset(*((f"{{base}}/p{n}", f"2025-10-{n:02d}") for n in range(6, N))),
            content_type="application/xml",
        ),
    )
    site.add("/", article("Home", refs=0, links=tuple(f"/p{n}" for n in range(6))))
    for n in range(N):
        site.add(f"/p{n}", Page(article(f"Post {n}", links=("/",)), etag=f'"v1-{n}"'))
    return site


async def _crawl(
    base: str, store: Store, on_page=None, per_host: int = 1, **options
) -> CrawlResult:
    clock = FakeClock()
    client = LoopbackClient()
    try:
        return await crawl_site(
            client,
            NetworkConfig(per_host=per_host),
            CrawlOptions(start=base, **options),
            store=store,
            on_page=on_page,
            sleep=clock.sleep,
            clock=clock,
        )
    finally:
        await client.close()


def _post_hits(site: LoopbackSite) -> dict[str, int]:
    return {f"/p{n}": site.hits[f"/p{n}"] for n in range(N)}


async def test_max_pages_then_resume_fetches_only_the_rest(tmp_path: Path) -> None:
    site = blog()
    with Store.open(tmp_path / "s.db") as store:
        async with serve(site) as base:
            first = await _crawl(base, store, max_pages=5)
            assert first.fetched == 5 and first.queued_left == N + 1 - 5
            states = dict(
                store.connection.execute(
                    "SELECT state, count(*) FROM crawl_pages GROUP BY state"
                ).fetchall()
            )
            assert states == {"fetched": 5, "queued": N + 1 - 5}
            second = await _crawl(base, store, resume=True)
    assert second.fetched == N + 1 - 5 and second.queued_left == 0
    assert set(_post_hits(site).values()) == {1}  # every post fetched once over both runs
    assert site.hits["/"] == 1
    settled = {p.url for p in first.articles} | {p.url for p in second.articles}
    assert len(settled) == N + 1


async def test_cancelled_crawl_resumes(tmp_path: Path) -> None:
    site = blog()
    settled: list[CrawledPage] = []
    with Store.open(tmp_path / "s.db") as store:
        async with serve(site) as base:
            task: asyncio.Task[CrawlResult] | None = None

            def stop_after_four(page: CrawledPage) -> None:
                settled.append(page)
                if len(settled) == 4 and task is not None:
                    task.cancel()

            task = asyncio.ensure_future(_crawl(base, store, on_page=stop_after_four))
            try:
                await task
            except asyncio.CancelledError:
                pass
            else:
                raise AssertionError("the crawl was not interrupted")
            interrupted_hits = sum(_post_hits(site).values())
            second = await _crawl(base, store, resume=True)
    # The interrupted run settled 4 pages; the resumed one fetched the rest, and only a page
    # in flight at the interruption (one per host slot) may have been fetched twice.
    assert len(settled) >= 4
    done_before = {p.url for p in settled}
    assert not done_before & {p.url for p in second.pages}
    assert {p.url for p in settled} | {p.url for p in second.articles} >= {
        f"{base}/p{n}" for n in range(N)
    }
    assert sum(_post_hits(site).values()) <= N + 1
    assert interrupted_hits >= 3


async def test_scheduled_recrawl_fetches_only_what_changed(tmp_path: Path) -> None:
    site = blog()
    with Store.open(tmp_path / "s.db") as store:
        async with serve(site) as base:
            await _crawl(base, store)
            site.hits.clear()
            site.client_headers = None
            # p7 changes its lastmod in the sitemap, p2 (linked only) changes its body.
            site.pages["/sitemap.xml"] = Page(
                urlset(
                    *(
                        (f"{{base}}/p{n}", "2025-11-30" if n == 7 else f"2025-10-{n:02d}")
                        for n in range(6, N)
                    )
                ),
                content_type="application/xml",
            )
            site.add("/p2", Page(article("Post 2, corrected"), etag='"v2-2"'))
            again = await _crawl(base, store)
    by_url = {p.url.removeprefix(base): p for p in again.pages}
    # Same sitemap lastmod: not requested at all, reported unchanged.
    assert all(site.hits[f"/p{n}"] == 0 for n in range(6, N) if n != 7)
    # Not requested, but its kept body is handed over: its links are checked all the same.
    assert by_url["/p6"].unchanged and by_url["/p6"].body is not None
    # lastmod changed: fetched (conditional), and the body is the same -> 304 -> unchanged.
    assert site.hits["/p7"] == 1 and by_url["/p7"].status == 304 and by_url["/p7"].unchanged
    # Linked pages: conditional GET; 304 for the unchanged, a new body for p2.
    assert by_url["/p3"].status == 304 and by_url["/p3"].unchanged
    assert by_url["/p2"].status == 200 and not by_url["/p2"].unchanged
    assert by_url["/p2"].body is not None and b"corrected" in by_url["/p2"].body
    # The home page has no validators: fetched again, same content -> unchanged by hash.
    assert by_url["/"].status == 200 and by_url["/"].unchanged
    assert again.unchanged == N  # every post but p2, plus the home page
    assert again.queued_left == 0


async def test_unchanged_page_still_leads_to_its_links(tmp_path: Path) -> None:
    site = LoopbackSite()
    site.add("/", Page(article("Home", refs=0, links=("/hub",)), etag='"h"'))
    site.add("/hub", Page(article("Hub", refs=0, links=("/deep",)), etag='"hub"'))
    site.add("/deep", Page(article("Deep"), etag='"d1"'))
    with Store.open(tmp_path / "s.db") as store:
        async with serve(site) as base:
            await _crawl(base, store)
            site.add("/deep", Page(article("Deep, revised"), etag='"d2"'))
            again = await _crawl(base, store)
    # / and /hub answer 304 (no body, no links): their children come from the last crawl.
    by_url = {p.url.removeprefix(base): p for p in again.pages}
    assert by_url["/hub"].status == 304
    assert by_url["/deep"].status == 200 and not by_url["/deep"].unchanged


async def test_a_store_from_another_crawl_is_kept_apart(tmp_path: Path) -> None:
    site = blog()
    with Store.open(tmp_path / "s.db") as store:
        async with serve(site) as base:
            await _crawl(base, store, max_pages=2)
            other = await _crawl(f"{base}/p3", store, resume=True, max_pages=1)
    assert [p.url for p in other.articles] == [f"{base}/p3"]
    conn = sqlite3.connect(tmp_path / "s.db")
    sites = {row[0] for row in conn.execute("SELECT DISTINCT site FROM crawl_pages")}
    assert sites == {f"{base}/", f"{base}/p3"}
    assert PageState.QUEUED.value in {
        row[0] for row in conn.execute("SELECT state FROM crawl_pages")
    }


async def test_unchanged_hub_stays_a_hub(tmp_path: Path) -> None:
    site = LoopbackSite()
    site.add("/", Page(article("Home", refs=0, links=("/tag/x",)), etag='"h"'))
    site.add("/tag/x", Page(article("Tag", refs=0, links=("/story",)), etag='"t"'))
    site.add("/story", Page(article("Story"), etag='"s"'))
    with Store.open(tmp_path / "s.db") as store:
        async with serve(site) as base:
            first = await _crawl(base, store, include=("/story",))
            again = await _crawl(base, store, include=("/story",))
    assert [p.url for p in first.articles] == [f"{base}/story"]
    by_url = {p.url.removeprefix(base): p for p in again.pages}
    assert by_url["/tag/x"].status == 304 and by_url["/tag/x"].reason is not None
    assert by_url["/tag/x"].reason.value == "not-included"
    assert [p.url for p in again.articles] == [f"{base}/story"]
    assert by_url["/story"].unchanged and by_url["/story"].source is not None  # the kept body
