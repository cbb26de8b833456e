"""A store that fails mid-crawl (full disk, a lock held too long) costs the saved frontier, not
the crawl: it finishes, keeps its pages, and says so once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawlkit import article, urlset
from fakes import LoopbackClient, LoopbackSite, Page, serve

from linkaudit.config import NetworkConfig
from linkaudit.crawl import CrawlOptions, crawl_site
from linkaudit.errors import StoreError
from linkaudit.store import Store


async def test_store_failing_mid_crawl_neither_hangs_nor_loses_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = LoopbackSite()
    site.add("/robots.txt", Page("User-agent: *\nAllow: /\n", content_type="text/plain"))
    site.add(
        "/sitemap.xml",
        Page(urlset(*((f"{{base}}/p{n}", None) for n in range(6))), content_type="application/xml"),
    )
    for n in range(6):
        site.add(f"/p{n}", Page(article(f"Post {n}")))
    store = Store.open(tmp_path / "s.db")
    real = Store.transaction
    calls = {"n": 0}

    @contextlib.contextmanager
    def failing(self: Store) -> Iterator[object]:
        calls["n"] += 1
        if calls["n"] > 2:  # the first writes work, then the disk is full
            raise StoreError(f"{self.path}: cannot write to the store: database or disk is full")
        with real(self) as conn:
            yield conn

    monkeypatch.setattr(Store, "transaction", failing)
    client = LoopbackClient()
    try:
        async with serve(site) as base:
            result = await asyncio.wait_for(
                crawl_site(client, NetworkConfig(), CrawlOptions(start=base + "/"), store=store),
                timeout=20,
            )
    finally:
        await client.close()
        store.close()
    assert {p.url.rsplit("/", 1)[1] for p in result.articles} >= {f"p{n}" for n in range(6)}
    problems = [p for p in result.problems if p.kind == "store"]
    assert len(problems) == 1 and "disk is full" in problems[0].message
