"""Batched archive lookups give exactly the answers of per-URL lookups, with fewer calls.

A fake CDX server on loopback holds an index (sorted by key, then timestamp, in blocks of 40 rows
as a paged ZipNum index has) and answers exact and prefix queries, `limit`, `to`, `fl`, the
statuscode filter, `showNumPages` and `page`; it counts every call.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from fakes import LoopbackClient

from linkaudit.archive.batch import lookup_batched, match_captures, page_key, plan_batches
from linkaudit.archive.cdx import Capture
from linkaudit.archive.wayback import WaybackArchive

BLOCK = 40


def canon(url: str) -> str:
    """A SURT-like key: host reversed with commas (no www, no port), then the path, lower-cased."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/").lower()
    return key + (f"?{parts.query.lower()}" if parts.query else "")


class FakeCdx:
    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        # (original, timestamp, status) -> index lines sorted as a CDX file is
        self.index = sorted((canon(o), ts, o, st) for o, ts, st in rows)
        self.calls: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        q = request.query
        self.calls.append(request.query_string)
        url = q["url"]
        key = canon(url)
        prefix = q.get("matchType") == "prefix"
        span = [i for i, row in enumerate(self.index)
                if (row[0].startswith(key) if prefix else row[0] == key)]
        status_re = None
        for flt in q.getall("filter", []):
            field, _, pattern = flt.partition(":")
            assert field == "statuscode"
            status_re = re.compile(pattern)
        if q.get("showNumPages") == "true":
            blocks = {i // BLOCK for i in span}
            return web.Response(text=str(len(blocks)))
        rows = [self.index[i] for i in span]
        if "page" in q:
            blocks = sorted({i // BLOCK for i in span})
            page = int(q["page"])
            wanted = blocks[page] if page < len(blocks) else -1
            rows = [self.index[i] for i in span if i // BLOCK == wanted]
        if status_re is not None:
            rows = [r for r in rows if status_re.fullmatch(r[3])]
        if "to" in q:
            to = q["to"].ljust(14, "9")
            rows = [r for r in rows if r[1] <= to]
        limit = int(q.get("limit", "0"))
        if limit > 0:
            rows = rows[:limit]
        elif limit < 0:
            rows = rows[limit:]
        names = {"urlkey": 0, "timestamp": 1, "original": 2, "statuscode": 3}
        fields = q.get("fl", "urlkey,timestamp,original,statuscode").split(",")
        out = [fields] + [[r[names[f]] for f in fields] for r in rows] if rows else []
        return web.Response(text=json.dumps(out), content_type="application/json")


def corpus(seed: int = 7) -> tuple[list[tuple[str, str, str]], dict[str, dt.date | None]]:
    """An index of captures over three sites and the lookups an audit would ask."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    asks: dict[str, dt.date | None] = {}
    for site in ("news.example", "blog.example"):
        for n in range(24):
            path = f"/{rng.choice(['2023', '2024'])}/story-{n}.html"
            url = f"https://www.{site}{path}" if n % 3 else f"https://{site}{path}"
            if n % 5:  # archived: several captures, spelt the archive's way
                for _ in range(rng.randint(1, 9)):
                    ts = f"20{rng.randint(19, 25)}{rng.randint(1, 12):02}{rng.randint(1, 28):02}" \
                         f"{rng.randint(0, 23):02}0000"
                    status = rng.choice(["200", "200", "200", "301", "404"])
                    rows.append((f"http://www.{site}:80{path}", ts, status))
            near = None if n % 4 == 0 else dt.date(2020 + n % 6, 1 + n % 12, 10)
            asks[url] = near
    # a third site with two lookups only (looked up alone) and many unrelated captures
    rows.extend(
        (f"http://big.example/p/{n}", f"2021{n % 12 + 1:02}01000000", "200") for n in range(120)
    )
    asks["https://big.example/p/3"] = dt.date(2021, 6, 1)
    asks["https://big.example/gone"] = None
    return rows, asks


@pytest.fixture
async def fake_cdx(aiohttp_server) -> AsyncIterator[tuple[FakeCdx, str]]:  # type: ignore[no-untyped-def]
    rows, _ = corpus()
    fake = FakeCdx(rows)
    app = web.Application()
    app.router.add_get("/cdx/search/cdx", fake.handle)
    server = await aiohttp_server(app)
    yield fake, str(server.make_url("")).rstrip("/")


async def test_batched_lookups_equal_per_url_lookups_with_fewer_calls(fake_cdx) -> None:  # type: ignore[no-untyped-def]
    fake, base = fake_cdx
    _, asks = corpus()
    client = LoopbackClient()
    try:
        single = WaybackArchive(client, base_url=base, rate_per_min=0)
        one_by_one = {url: await single.lookup(url, near) for url, near in asks.items()}
        per_url_calls = len(fake.calls)
        fake.calls.clear()

        batched_archive = WaybackArchive(client, base_url=base, rate_per_min=0)
        seen = []
        batched = await lookup_batched(batched_archive, asks, on_result=seen.append)
        batched_calls = len(fake.calls)
    finally:
        await client.close()

    assert batched == one_by_one
    assert len(seen) == len(asks)
    states = {lookup.state.value for lookup in batched.values()}
    assert {"archived", "not-archived"} <= states
    assert any(len(lookup.snapshots) == 3 for lookup in batched.values())
    assert batched_calls < per_url_calls / 3, (batched_calls, per_url_calls)
    assert sum("matchType=prefix" in call for call in fake.calls) >= 2


async def test_a_prefix_too_large_is_split_or_asked_alone(fake_cdx) -> None:  # type: ignore[no-untyped-def]
    fake, base = fake_cdx
    asks: dict[str, dt.date | None] = {f"https://big.example/p/{n}": None for n in (1, 2, 5)}
    client = LoopbackClient()
    try:
        archive = WaybackArchive(client, base_url=base, rate_per_min=0)
        batched = await lookup_batched(archive, asks, max_pages=1)
        alone = WaybackArchive(client, base_url=base, rate_per_min=0)
        expected = {url: await alone.lookup(url, None) for url in asks}
    finally:
        await client.close()
    assert batched == expected
    assert all(lookup.snapshots for lookup in batched.values())


def test_plan_groups_by_host_and_common_directory() -> None:
    batches, singles = plan_batches([
        "https://www.a.example/news/2024/x", "http://a.example/news/2023/y",
        "https://a.example/news/z", "https://b.example/one", "https://b.example/two",
    ])
    assert [(b.prefix, len(b.urls)) for b in batches] == [("a.example/news/", 3)]
    assert singles == ["https://b.example/one", "https://b.example/two"]


def test_rows_belong_to_one_index_key_or_the_url_is_asked_alone() -> None:
    assert page_key("https://WWW.A.example:443/x?q=1#f") == "a.example/x?q=1"
    rows = [
        Capture("20200101000000", "http://www.a.example:80/x", 200, "example,a)/x"),
        Capture("20210101000000", "https://a.example/x", 200, "example,a)/x"),
        Capture("20200101000000", "http://a.example/y", 200, "example,a)/y"),
        Capture("20200101000000", "http://a.example/y", 200, "example,a)/y-other-key"),
    ]
    found = match_captures(["https://a.example/x", "https://a.example/y",
                            "https://a.example/z"], rows)
    assert list(found) == ["https://a.example/x"]
    assert len(found["https://a.example/x"]) == 2
