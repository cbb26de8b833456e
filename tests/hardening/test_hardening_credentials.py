"""Credentials: redacted in every output and log, scoped to their host, no proxy unless asked.

A document cites URLs carrying `user:password@` and `?token=`/`?api_key=`; the pages are dead so
that findings quote them. Every report format, every problem line and every log record must show
them redacted. Configured headers (a `--header`, a host policy's headers, the GitHub token) must
reach the host they were meant for and never the host a redirect leads to.
"""

from __future__ import annotations

import asyncio
import io
import logging
import socket
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from hardkit import config, markdown_doc, raw_server, redirect_to, serve
from rich.console import Console

from linkaudit.audit import run_audit
from linkaudit.check.transport import AiohttpClient, RecordingClient
from linkaudit.config import HostPolicy
from linkaudit.model import LinkStatus
from linkaudit.report import OutputFormat, render, render_table
from linkaudit.urls import redact_url

SECRETS = ("hunter2pass", "tok3nvalue", "ap1keyvalue", "s3ssionid", "alicesecretuser")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


async def _gone(request: web.Request) -> web.StreamResponse:
    if request.path == "/moved":  # a permanent redirect to a URL holding a token
        return web.Response(status=301, headers={"Location": "/new?access_token=tok3nvalue"})
    if request.path == "/new":
        return web.Response(text="<title>moved here</title>", content_type="text/html")
    if request.path == "/hop":  # a redirect with credentials to a refused address
        return web.Response(status=302, headers={
            "Location": "http://alicesecretuser:hunter2pass@10.0.0.1/x?api_key=ap1keyvalue"})
    return web.Response(status=404, text="<title>nope</title>", content_type="text/html")


def test_redact_url_hides_userinfo_and_secret_query_values() -> None:
    url = ("https://alicesecretuser:hunter2pass@example.com/p?x=1&token=tok3nvalue"
           "&api_key=ap1keyvalue&SessionId=s3ssionid#frag")
    shown = redact_url(url)
    assert _leaks(shown) == []
    assert shown.startswith("https://***@example.com/p?x=1&token=***")


async def test_secrets_in_urls_are_redacted_in_every_format_and_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # DEBUG of markdown-it echoes the input itself
    caplog.set_level(logging.DEBUG, logger="linkaudit")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    server = await serve(_gone, host="127.0.0.2")
    try:
        base = f"127.0.0.2:{server.port}"
        urls = [
            f"http://alicesecretuser:hunter2pass@{base}/a",
            f"http://{base}/b?token=tok3nvalue&page=2",
            f"http://{base}/c?api_key=ap1keyvalue",
            f"http://{base}/d?sessionid=s3ssionid",
            f"http://{base}/moved",
            f"http://{base}/hop",
        ]
        doc = markdown_doc(tmp_path, urls)
        # A URL input that fails becomes a problem line; it carries a token too.
        bad_input = f"http://{base}/article?token=tok3nvalue"
        cfg = config(tmp_path, allow_private=("127.0.0.2/32",))
        result = await run_audit([str(doc), bad_input], cfg)
    finally:
        await server.close()
    assert {c.status for c in result.checks.values()} == {
        LinkStatus.DEAD, LinkStatus.REDIRECTED, LinkStatus.SKIPPED}
    assert any(f.rule == "dead" for f in result.findings)
    assert result.problems and all(not _leaks(p.message) for p in result.problems)
    for fmt in OutputFormat:  # every format, the table too
        if fmt is OutputFormat.TABLE:
            buf = io.StringIO()
            render_table(result, cfg.report, Console(file=buf, width=300, no_color=True))
            text = buf.getvalue()
        else:
            text = render(result, fmt, cfg.report, cfg.rules)
        assert "127.0.0.2" in text, fmt  # the URLs are there...
        leaks = [line for line in text.splitlines() if _leaks(line)]
        assert leaks == [], fmt  # ...but not their secrets
    assert _leaks(caplog.text) == []


class MapResolver(AbstractResolver):
    """Resolves names from a dict, never the real DNS."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=self.names[host], port=port,
                              family=socket.AF_INET, proto=0, flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        return None


async def test_configured_headers_never_cross_to_another_host(tmp_path: Path) -> None:
    other = await serve(host="127.0.0.3")
    first = await serve(redirect_to(other.url("/landing")), host="127.0.0.2")
    # github.com (resolved to 127.0.0.2) redirects to another host and back to github.com.
    back = await serve(redirect_to(f"http://github.com:{first.port}/back"), host="127.0.0.4")
    try:
        policy = HostPolicy(headers=(("X-Api-Key", "ap1keyvalue"),))
        cfg = config(
            tmp_path,
            allow_private=("127.0.0.2/32", "127.0.0.3/32", "127.0.0.4/32"),
            headers=(("Authorization", "Bearer tok3nvalue"),),
            hosts=(("127.0.0.2", policy), ("github.com", policy)),
            github_token="ghp_tok3nvalue",
        )
        client = AiohttpClient(cfg.network, resolver=MapResolver({"github.com": "127.0.0.2"}))
        urls = [first.url("/start"), f"http://github.com:{first.port}/repo"]
        try:
            result = await run_audit([str(markdown_doc(tmp_path, urls))], cfg, client=client)
        finally:
            await client.close()
    finally:
        for s in (first, other, back):
            await s.close()
    assert result.checks[urls[0]].final_url == other.url("/landing")
    sent = first.recorder.headers_seen()
    assert all(h.get("Authorization", "").endswith("tok3nvalue") for h in sent)
    assert all(h.get("X-Api-Key") == "ap1keyvalue" for h in sent)
    # The GitHub token goes to github.com only, and never in clear text: over plain http the
    # generic header goes there as to any host (the HTTPS case: tests/local/test_local_options).
    github = [h for host, _, h in first.recorder.requests if host.startswith("github.com")]
    assert github and all(h["Authorization"] == "Bearer tok3nvalue" for h in github)
    plain = [h for host, _, h in first.recorder.requests if host.startswith("127.0.0.2")]
    assert plain and all("ghp_" not in h.get("Authorization", "") for h in plain)
    for h in other.recorder.headers_seen():
        assert "Authorization" not in h and "X-Api-Key" not in h
        assert _leaks(" ".join(h.values())) == []


async def test_headers_not_resent_when_a_chain_returns_to_the_first_host(tmp_path: Path) -> None:
    async def hop(request: web.Request) -> web.StreamResponse:
        if request.path == "/start":
            return web.Response(status=302, headers={"Location": away.url("/x")})
        return web.Response(text="<title>ok</title>", content_type="text/html")

    home = await serve(hop, host="127.0.0.2")
    away = await serve(redirect_to(home.url("/home-again")), host="127.0.0.3")
    try:
        cfg = config(tmp_path, allow_private=("127.0.0.2/32", "127.0.0.3/32"),
                     headers=(("Authorization", "Bearer tok3nvalue"),))
        result = await run_audit([str(markdown_doc(tmp_path, [home.url("/start")]))], cfg)
    finally:
        await home.close()
        await away.close()
    assert result.checks[home.url("/start")].status in (LinkStatus.ALIVE, LinkStatus.REDIRECTED)
    paths = {path: h for _, path, h in home.recorder.requests}
    assert "Authorization" in paths["/start"]
    assert "Authorization" not in paths["/home-again"]
    assert all("Authorization" not in h for h in away.recorder.headers_seen())


async def test_recorded_cassette_keeps_no_authorization(tmp_path: Path) -> None:
    server = await serve(host="127.0.0.2")
    cassette = tmp_path / "c.yaml"
    try:
        cfg = config(tmp_path, allow_private=("127.0.0.2/32",),
                     headers=(("Authorization", "Bearer tok3nvalue"), ("Cookie", "s3ssionid")))
        client = RecordingClient(AiohttpClient(cfg.network), cassette)
        try:
            await run_audit([str(markdown_doc(tmp_path, [server.url("/p")]))], cfg,
                            client=client)
        finally:
            await client.close()
    finally:
        await server.close()
    assert server.recorder.headers_seen()[0]["Authorization"] == "Bearer tok3nvalue"
    assert _leaks(cassette.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("use_env_proxy", [False, True])
async def test_env_proxy_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_env_proxy: bool
) -> None:
    proxy_hits: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        proxy_hits.append(await reader.readline())
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 24\r\n"
                     b"Connection: close\r\n\r\n<title>via proxy</title>")
        await writer.drain()
        writer.close()

    proxy_server, proxy_port = await raw_server(proxy)
    target = await serve(host="127.0.0.2")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy_port}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy_port}")
    try:
        cfg = config(tmp_path, allow_private=("127.0.0.2/32",), use_env_proxy=use_env_proxy)
        url = target.url("/page")
        result = await run_audit([str(markdown_doc(tmp_path, [url]))], cfg)
    finally:
        await target.close()
        proxy_server.close()
    assert result.checks[url].status is LinkStatus.ALIVE, result.checks[url].error
    if use_env_proxy:
        assert len(proxy_hits) == 1 and url.encode() in proxy_hits[0]
        assert target.recorder.hits == 0
        assert result.checks[url].title == "via proxy"
    else:
        assert proxy_hits == []
        assert target.recorder.hits == 1


async def test_env_proxy_does_not_lift_the_ssrf_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(await reader.readline())
        writer.close()

    proxy_server, proxy_port = await raw_server(proxy)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy_port}")
    try:
        cfg = config(tmp_path).replace(use_env_proxy=True)
        url = "http://169.254.169.254/latest/meta-data/"
        result = await run_audit([str(markdown_doc(tmp_path, [url]))], cfg)
    finally:
        proxy_server.close()
    assert result.checks[url].status is LinkStatus.SKIPPED
    assert hits == []


async def test_cli_header_scoped_and_secrets_absent_from_stdout_and_stderr(
    tmp_path: Path,
) -> None:
    """The real command line: `--header` reaches the cited host only, and nothing it prints
    (report on stdout, problem lines on stderr) holds a secret."""
    import sys

    other = await serve(host="127.0.0.3")
    first = await serve(redirect_to(other.url("/landing?token=tok3nvalue")), host="127.0.0.2")
    try:
        doc = markdown_doc(tmp_path, [first.url("/start?api_key=ap1keyvalue"),
                                      "http://alicesecretuser:hunter2pass@10.0.0.1/x"])
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "linkaudit", "audit", str(doc), "--format", "json",
            "--header", "Authorization: Bearer s3ssionid", "--allow-private", "127.0.0.2/32",
            "--allow-private", "127.0.0.3/32", "--archive", "none", "--no-cache",
            "--no-history", f"http://127.0.0.2:{first.port}/input?token=tok3nvalue",
            cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(child.communicate(), timeout=30)
    finally:
        await first.close()
        await other.close()
    sent = {path.split("?")[0]: h for _, path, h in first.recorder.requests}
    assert sent["/start"].get("Authorization") == "Bearer s3ssionid"  # the cited host has it
    # (A URL input, the article page itself, is fetched without configured headers.)
    assert all("Authorization" not in h for h in other.recorder.headers_seen())
    out, err = stdout.decode(), stderr.decode()
    assert "127.0.0.2" in out + err
    assert _leaks(out) == [] and _leaks(err) == [], (out, err)
