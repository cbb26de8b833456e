"""Hostile and broken servers: every one ends as a classified link in bounded time and memory.

Each fault is a loopback server (aiohttp where it can say it, a raw asyncio server where it must
break HTTP itself) reached through the whole pipeline with a real `AiohttpClient`. The assertion
is always the class the link gets and a bound on time; a crash or a hang fails the test.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import struct
import time
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from hardkit import config, markdown_doc, raw_server, serve

from linkaudit.audit import run_audit
from linkaudit.check.transport import AiohttpClient
from linkaudit.config import ArchiveMode
from linkaudit.model import LinkCheck, LinkStatus

LOCAL = ("127.0.0.0/8",)
BOMB = gzip.compress(b"<html>" + b"\0" * (48 * 1024 * 1024), compresslevel=9)


async def _check(
    tmp: Path, url: str, client: Any = None, **changes: Any
) -> tuple[LinkCheck, float]:
    cfg = config(tmp, allow_private=LOCAL, **changes)
    t0 = time.monotonic()
    result = await run_audit([str(markdown_doc(tmp, [url]))], cfg, client=client)
    return result.checks[url], time.monotonic() - t0


async def test_decompression_bomb_is_read_only_to_the_cap(tmp_path: Path) -> None:
    async def bomb(request: web.Request) -> web.StreamResponse:
        return web.Response(body=BOMB, headers={"Content-Encoding": "gzip",
                                                "Content-Type": "text/html"})

    server = await serve(bomb)
    try:
        cfg = config(tmp_path, allow_private=LOCAL, max_body_bytes=256 * 1024)
        client = AiohttpClient(cfg.network)
        try:
            response = await client.fetch("GET", server.url("/bomb"))
        finally:
            await client.close()
        assert response.truncated and len(response.body) <= 256 * 1024
        check, elapsed = await _check(tmp_path, server.url("/bomb"), max_body_bytes=256 * 1024)
    finally:
        await server.close()
    assert check.status is LinkStatus.ALIVE and elapsed < 5


async def test_endless_body_is_cut_at_the_cap(tmp_path: Path) -> None:
    sent = [0]

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>" + b"x" * 65533
        try:
            while sent[0] < 1 << 30:  # stops when the client hangs up
                await response.write(chunk)
                sent[0] += len(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    server = await serve(endless)
    try:
        check, elapsed = await _check(tmp_path, server.url("/endless"), max_body_bytes=512 * 1024)
    finally:
        await server.close()
    assert check.status is LinkStatus.ALIVE and elapsed < 5
    assert sent[0] < 64 * 1024 * 1024  # the client hung up long before


async def test_slowloris_times_out(tmp_path: Path) -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        try:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>" * 100:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.2)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server, port = await raw_server(drip)
    try:
        check, elapsed = await _check(tmp_path, f"http://127.0.0.1:{port}/slow",
                                      timeout_s=1.0, url_deadline_s=3.0)
    finally:
        server.close()
    assert check.status is LinkStatus.TIMEOUT, check
    assert elapsed < 3.5


async def _reset_after_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
                 b"<html><title>half")
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    writer.transport.abort()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"\x16\x03\x01 this is not HTTP at all \xff\xfe\r\n\r\n")
    await writer.drain()
    writer.close()


async def _huge_header(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * 100_000 + b"\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    writer.close()


async def _bad_status(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 2000000 OK\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    writer.close()


async def _header_flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 20_000 + b"Content-Length: 0\r\n\r\n")
    await writer.drain()
    writer.close()


@pytest.mark.parametrize(
    ("behaviour", "word"),
    [
        (_reset_after_headers, "reset"),
        (_garbage, ""),
        (_huge_header, ""),
        (_bad_status, ""),
        (_header_flood, ""),
    ],
    ids=["reset-mid-body", "invalid-http", "100KB-header", "bad-status", "header-flood"],
)
async def test_broken_http_is_a_network_error(tmp_path: Path, behaviour: Any, word: str) -> None:
    server, port = await raw_server(behaviour)
    try:
        check, elapsed = await _check(tmp_path, f"http://127.0.0.1:{port}/x")
    finally:
        server.close()
    assert check.status is LinkStatus.NETWORK_ERROR, check
    assert word in (check.error or "") and "\n" not in (check.error or "")
    assert len(check.error or "") < 400  # one line, not a dump of what the server sent
    assert elapsed < 3


async def test_certificate_for_another_name(tmp_path: Path) -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("other.test").configure_cert(server_ctx)
    server = await serve(host="127.0.0.1", ssl_context=server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)  # the CA is trusted: only the name is wrong
    cfg = config(tmp_path, allow_private=LOCAL)
    client = AiohttpClient(cfg.network, ssl_context=client_ctx)
    try:
        check, _ = await _check(tmp_path, server.url("/"), client=client)
    finally:
        await client.close()
        await server.close()
    assert check.status is LinkStatus.NETWORK_ERROR
    assert (check.error or "").startswith("tls:") and "127.0.0.1" in (check.error or "")
    assert server.recorder.hits == 0  # no request was sent over the unverified channel


class SilentResolver(AbstractResolver):
    """A DNS server that never answers."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        await asyncio.sleep(3600)
        return []

    async def close(self) -> None:
        return None


async def test_dns_that_never_answers_times_out(tmp_path: Path) -> None:
    cfg = config(tmp_path, timeout_s=1.0, url_deadline_s=2.0)
    client = AiohttpClient(cfg.network, resolver=SilentResolver())
    try:
        t0 = time.monotonic()
        result = await run_audit(
            [str(markdown_doc(tmp_path, ["http://no-answer.test/a", "http://no-answer.test/b"]))],
            cfg, client=client)
        elapsed = time.monotonic() - t0
    finally:
        await client.close()
    assert {c.status for c in result.checks.values()} == {LinkStatus.TIMEOUT}
    assert elapsed < 4


@pytest.mark.parametrize("answer", ["garbage", "429", "reset"])
async def test_archive_that_misbehaves_is_said_once(tmp_path: Path, answer: str) -> None:
    async def archive(request: web.Request) -> web.StreamResponse:
        if answer == "429":
            return web.Response(status=429, headers={"Retry-After": "0"})
        if answer == "reset":
            request.transport.abort()  # type: ignore[union-attr]
            return web.Response()
        return web.Response(body=b"\x89PNG{not json[", content_type="application/json")

    async def dead(request: web.Request) -> web.StreamResponse:
        return web.Response(status=404)

    arch = await serve(archive, host="127.0.0.3")
    site = await serve(dead, host="127.0.0.2")
    try:
        urls = [site.url(f"/gone/{n}") for n in range(8)]
        cfg = config(tmp_path, allow_private=LOCAL, archive=ArchiveMode.DEAD,
                     archive_url=arch.url("").rstrip("/"), archive_rate_per_min=60_000)
        t0 = time.monotonic()
        result = await run_audit([str(markdown_doc(tmp_path, urls))], cfg)
        elapsed = time.monotonic() - t0
    finally:
        await arch.close()
        await site.close()
    assert {c.status for c in result.checks.values()} == {LinkStatus.DEAD}
    assert set(result.archives) == set(urls)  # every dead link got an archive answer...
    archive_problems = [p for p in result.problems if "archive" in p.message.lower()
                        or "wayback" in p.message.lower()]
    assert len(archive_problems) == 1, archive_problems  # ...and the trouble is said once
    assert all(a.state.value == "unknown" for a in result.archives.values())
    assert elapsed < 20


def test_sitemap_entity_expansion_and_gzip_bomb_are_refused() -> None:
    from linkaudit.crawl.sitemaps import ListingTooLarge, decompress, parse_listing

    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1)) * 10 if n > 1
                                                     else b"&lol;" * 10) for n in range(1, 10))
              + b']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
              b"&lol9;</loc></url></urlset>")
    listing = parse_listing(laughs, max_urls=10)
    assert listing.entries == () and "DOCTYPE" in (listing.error or "")
    external = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b'<urlset><url><loc>&e;</loc></url></urlset>')
    assert parse_listing(external, max_urls=10).entries == ()
    with pytest.raises(ListingTooLarge):
        decompress(gzip.compress(b"<urlset>" + b" " * (20 * 1024 * 1024)), max_bytes=1 << 20)


async def test_endless_redirects_and_odd_locations_stop(tmp_path: Path) -> None:
    async def redirects(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/chain/"):  # an endless chain of fresh URLs
            n = int(path.rsplit("/", 1)[1])
            return web.Response(status=302, headers={"Location": f"/chain/{n + 1}"})
        if path == "/loop":
            return web.Response(status=301, headers={"Location": "/loop2"})
        if path == "/loop2":
            return web.Response(status=301, headers={"Location": "/loop"})
        if path == "/js":
            return web.Response(status=302, headers={"Location": "javascript:alert(1)"})
        if path == "/file":
            return web.Response(status=302, headers={"Location": "file:///etc/passwd"})
        return web.Response(status=404)

    server = await serve(redirects)
    try:
        urls = [server.url(p) for p in ("/chain/0", "/loop", "/js", "/file")]
        cfg = config(tmp_path, allow_private=LOCAL, max_redirects=5)
        t0 = time.monotonic()
        result = await run_audit([str(markdown_doc(tmp_path, urls))], cfg)
        elapsed = time.monotonic() - t0
    finally:
        await server.close()
    chain, loop, js, file = (result.checks[u] for u in urls)
    assert chain.status is LinkStatus.NETWORK_ERROR
    assert "more than 5 redirects" in (chain.error or "")
    assert len(chain.redirects) == 6
    assert loop.status is LinkStatus.NETWORK_ERROR and "loop" in (loop.error or "")
    assert js.status is LinkStatus.INVALID and file.status is LinkStatus.INVALID
    assert server.recorder.hits == 6 + 2 + 1 + 1
    assert elapsed < 5


UNPARSABLE_LOCATIONS = ["http://[::1", "http://[zz]/", "http://a:99999999/"]


async def test_unparsable_location_is_a_classified_link(tmp_path: Path) -> None:
    async def bad(request: web.Request) -> web.StreamResponse:
        n = int(request.path.strip("/") or 0)
        return web.Response(status=302, headers={"Location": UNPARSABLE_LOCATIONS[n]})

    server = await serve(bad)
    try:
        urls = [server.url(f"/{n}") for n in range(len(UNPARSABLE_LOCATIONS))]
        result = await run_audit([str(markdown_doc(tmp_path, urls))],
                                 config(tmp_path, allow_private=LOCAL))
    finally:
        await server.close()
    for url in urls:
        check = result.checks[url]
        assert check.status in (LinkStatus.INVALID, LinkStatus.NETWORK_ERROR), check
        assert check.error and "\n" not in check.error


async def test_url_input_with_unparsable_location_is_one_problem(tmp_path: Path) -> None:
    server = await serve(lambda request: _302(UNPARSABLE_LOCATIONS[0]))
    try:
        result = await run_audit([server.url("/article"), str(markdown_doc(tmp_path, []))],
                                 config(tmp_path, allow_private=LOCAL))
    finally:
        await server.close()
    (problem,) = [p for p in result.problems if p.kind == "fetch"]
    assert "\n" not in problem.message


async def _302(location: str) -> web.StreamResponse:
    return web.Response(status=302, headers={"Location": location})


async def test_checker_given_unparsable_urls_classifies_them(tmp_path: Path) -> None:
    from linkaudit.check import Checker

    cfg = config(tmp_path)
    client = AiohttpClient(cfg.network)
    try:
        results = await Checker(cfg.network, client).check_all(UNPARSABLE_LOCATIONS[:2])
    finally:
        await client.close()
    assert set(results) == set(UNPARSABLE_LOCATIONS[:2])
    assert all(c.status in (LinkStatus.INVALID, LinkStatus.SKIPPED) for c in results.values())


async def test_archive_refusing_everything_at_the_default_rate_stops_early(tmp_path: Path) -> None:
    """At the polite default rate (20/min) an archive that answers 429 to everything costs a
    handful of calls and seconds, not a token per dead link."""
    calls = [0]

    async def archive(request: web.Request) -> web.StreamResponse:
        calls[0] += 1
        return web.Response(status=429, headers={"Retry-After": "1"})

    async def dead(request: web.Request) -> web.StreamResponse:
        return web.Response(status=404)

    arch = await serve(archive, host="127.0.0.3")
    site = await serve(dead, host="127.0.0.2")
    try:
        urls = [site.url(f"/gone/{n}") for n in range(30)]
        cfg = config(tmp_path, allow_private=LOCAL, archive=ArchiveMode.DEAD,
                     archive_url=arch.url("").rstrip("/"))
        t0 = time.monotonic()
        result = await run_audit([str(markdown_doc(tmp_path, urls))], cfg)
        elapsed = time.monotonic() - t0
    finally:
        await arch.close()
        await site.close()
    assert cfg.archive.rate_per_min == 20
    assert calls[0] <= 6 and elapsed < 10
    assert len(result.archives) == 30
    assert [p.kind for p in result.problems] == ["archive-unusable"]
