"""Overlapped stages (`linkaudit.stages`): archive lookups and analysis start as checks arrive,
and the audit's result is the one the stages give run one after another."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiohttp import web
from fakes import cdx_answer

from linkaudit import audit
from linkaudit.archive import WaybackArchive, lookup_requests
from linkaudit.archive.batch import lookup_batched
from linkaudit.audit import finish, run_audit
from linkaudit.check import AiohttpClient, Checker
from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.extract import extract_document
from linkaudit.inputs import Source

TEXT = (
    "<p>Chipmakers in China are racing to build processors for artificial intelligence.</p>"
    "<p>The company said revenue rose 26% to $53 billion in the quarter.</p>"
)
PAGES = {
    "/a": '<meta property="article:published_time" content="2024-01-05">',
    "/b": "",
    "/slow": '<meta property="article:published_time" content="2025-10-01">',
}


async def _web(aiohttp_server, events: list[tuple[float, str]]):  # type: ignore[no-untyped-def]
    """The pages and the archive on one server, and the slow page alone on a second one (another
    site: the first site's lookups need not wait for it)."""
    async def page(request: web.Request) -> web.Response:
        if request.path == "/slow":
            await asyncio.sleep(0.6)
            events.append((time.monotonic(), "slow answered"))
        if request.path not in PAGES:
            return web.Response(status=404, text="<title>404</title>", content_type="text/html")
        html = (f"<html><head><title>Page {request.path}</title>{PAGES[request.path]}</head>"
                f"<body><article>{TEXT}</article></body></html>")
        return web.Response(text=html, content_type="text/html")

    async def cdx(request: web.Request) -> web.Response:
        events.append((time.monotonic(), "archive asked"))
        captures = {request.query["url"]: [("20240301000000", "200")]}
        status, body, headers = cdx_answer(captures, request.query)
        return web.Response(status=status, text=body, headers=headers)

    app = web.Application()
    app.router.add_get("/cdx/search/cdx", cdx)
    app.router.add_get("/{name}", page)
    server = await aiohttp_server(app)
    slow = web.Application()
    slow.router.add_get("/{name}", page)
    other = await aiohttp_server(slow)
    return str(server.make_url("")).rstrip("/"), str(other.make_url("")).rstrip("/")


def _documents(folder: Path, base: str, slow: str) -> list[Path]:
    claims = ("Chipmakers in China are racing to build AI processors in 2025",
              "Revenue rose 41% to $12 billion",
              "Port volumes in Europe fell sharply last month according to officials")
    paths = []
    for n, refs in enumerate((["/a", "/dead", "/slow"], ["/b", "/a", "/gone"], ["/slow"])):
        lines = ["---", f"date: 2025-0{n + 1}-15", "---", "", f"# Story {n}", ""]
        lines += [f"{claims[i % 3]} [{i + 1}]." for i in range(len(refs))]
        lines += ["", f"See [the other story]({base}/b?from={n}).", "", "## References", ""]
        lines += [f"{i + 1}. Source. <{slow if path == '/slow' else base}{path}>"
                  for i, path in enumerate(refs)]
        path = folder / f"story-{n}.md"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _cfg(base: str) -> AuditConfig:
    return AuditConfig.build(allow_private=("127.0.0.0/8",), archive=ArchiveMode.DEAD,
                       archive_url=base, archive_rate_per_min=0, cache=False, history=False,
                       retries=0)


@pytest.mark.parametrize("workers", [0, 2], ids=["in-process", "worker-processes"])
async def test_overlapped_stages_give_the_result_of_the_stages_in_turn(
    aiohttp_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    workers: int,
) -> None:
    events: list[tuple[float, str]] = []
    base, slow = await _web(aiohttp_server, events)
    paths = _documents(tmp_path, base, slow)
    cfg = _cfg(base)
    # Extraction, page reading and analysis in worker processes when asked: the same result.
    monkeypatch.setenv("LINKAUDIT_CPU_WORKERS", str(workers))
    monkeypatch.setattr(audit, "POOL_FILES", 1)
    monkeypatch.setattr(audit, "POOL_URLS", 1)
    overlapped = await run_audit([str(p) for p in paths], cfg)

    # The same run, one stage after another.
    documents = [extract_document(Source(str(p), p.read_bytes())) for p in paths]
    urls = list(dict.fromkeys(
        [r.url for d in documents for r in d.references if r.url]
        + [link.url for d in documents for link in d.links]
    ))
    client = AiohttpClient(cfg.network)
    try:
        checks = await Checker(cfg.network, client).check_all(urls)
        archive = WaybackArchive.from_config(client, cfg.archive, cfg.network)
        archives = await lookup_batched(
            archive, lookup_requests(documents, checks, cfg.archive, cfg.rules)
        )
    finally:
        await client.close()
    serial = finish(documents, checks, archives, cfg)

    assert overlapped.findings == serial.findings
    assert overlapped.skips == serial.skips
    assert overlapped.archives == serial.archives
    assert {u: c.status for u, c in overlapped.checks.items()} == {
        u: c.status for u, c in serial.checks.items()}
    assert {f.rule for f in overlapped.findings} >= {
        "dead", "stale-source", "unsupported-number", "source-after-document"}
    # Memory holds verdicts, not pages: no excerpt outlives the analysis of its documents.
    assert all(c.excerpt is None for c in overlapped.checks.values())
    assert any(c.excerpt for c in checks.values())


async def test_a_dead_link_is_looked_up_while_others_are_still_checked(
    aiohttp_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    events: list[tuple[float, str]] = []
    base, slow = await _web(aiohttp_server, events)
    paths = _documents(tmp_path, base, slow)
    await run_audit([str(p) for p in paths], _cfg(base))
    order = [what for _, what in sorted(events)]
    assert "archive asked" in order and "slow answered" in order
    assert order.index("archive asked") < order.index("slow answered")
