"""Helpers of the checker tests: a loopback web site with one route per behaviour.

Every route lives on 127.0.0.1 (a second copy on 127.0.0.2 stands for "another host"). The site
counts requests in flight per Host header so tests can assert the per-host limit.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from fakes import start_app

from linkaudit.config import AuditConfig

ARTICLE = """<!doctype html><html><head><title>Alibaba tests a new AI chip</title>
<meta property="article:published_time" content="2025-08-29T14:41:31Z">
<meta property="article:modified_time" content="2025-08-30T09:00:00Z">
</head><body><nav>Home | News</nav><article><h1>Alibaba tests a new AI chip</h1>
<p>Alibaba is testing a new AI chip built by a Chinese manufacturer.</p>
<p>Cloud revenue jumped 26% in the June quarter.</p></article><footer>(c)</footer></body></html>"""

NOT_FOUND_PAGE = """<html><head><title>Page not found | Example News</title></head>
<body><h1>Sorry, we couldn't find that page</h1><p>Try the search.</p></body></html>"""

CHALLENGE_PAGE = """<html><head><title>Just a moment...</title></head><body>
<div id="challenge-platform">Checking your browser</div></body></html>"""


@dataclass
class SiteState:
    """What the site saw: requests in flight per host, their peak, and per-path counters."""

    in_flight: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    seen_headers: dict[str, dict[str, str]] = field(default_factory=dict)


def _bomb() -> bytes:
    # 64 MiB of zeros compress to ~64 KiB: the client must stop at its cap, not inflate it all.
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


_BOMB = _bomb()


def make_app(state: SiteState) -> web.Application:
    """The site: one route per behaviour."""

    @web.middleware
    async def count(request: web.Request, handler: Callable[[web.Request],
                                                            Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
        host = request.host
        state.in_flight[host] = state.in_flight.get(host, 0) + 1
        state.peak[host] = max(state.peak.get(host, 0), state.in_flight[host])
        state.hits[request.path] = state.hits.get(request.path, 0) + 1
        state.seen_headers[request.path] = dict(request.headers)
        try:
            return await handler(request)
        finally:
            state.in_flight[host] -= 1

    def html(text: str, status: int = 200, **headers: str) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html",
                            headers=headers)

    def redirect(location: str, status: int) -> web.Response:
        return web.Response(status=status, headers={"Location": location})

    async def handle(request: web.Request) -> web.StreamResponse:
        path = request.path
        hits = state.hits[path]
        if path == "/":
            return html("<html><head><title>Example News: home</title></head>"
                        "<body><p>Latest stories</p></body></html>")
        if path == "/ok":
            return html(ARTICLE)
        if path == "/text":
            return web.Response(text="plain words", content_type="text/plain")
        if path == "/missing":
            return html("<title>404</title>", status=404)
        if path == "/gone":
            return web.Response(status=410)
        if path == "/error":
            return web.Response(status=500)
        if path == "/flaky":
            return web.Response(status=503) if hits == 1 else html(ARTICLE)
        if path == "/perm":
            return redirect("/ok", 301)
        if path == "/temp":
            return redirect("/ok", 302)
        if path == "/chain":
            return redirect("/chain2", 302)
        if path == "/chain2":
            return redirect("/chain3", 308)
        if path == "/chain3":
            return redirect("/ok", 307)
        if path == "/loop":
            return redirect("/loop2", 301)
        if path == "/loop2":
            return redirect("/loop", 302)
        if path.startswith("/many/"):
            n = int(path.rsplit("/", 1)[1])
            return redirect(f"/many/{n + 1}", 302)
        if path == "/to-home":
            return redirect("/", 301)
        if path == "/to-login":
            return redirect("/login?next=/x", 302)
        if path == "/login":
            return html("<title>Sign in</title><p>Sign in</p>")
        if path == "/soft":
            return html(NOT_FOUND_PAGE)
        if path == "/challenge":
            return html(CHALLENGE_PAGE, status=403, **{"cf-mitigated": "challenge"})
        if path == "/challenge-200":
            return html(CHALLENGE_PAGE)
        if path == "/auth":
            return web.Response(status=401)
        if path == "/forbidden":
            return web.Response(status=403)
        if path == "/linkedin":
            return web.Response(status=999)
        if path == "/bad":
            return web.Response(status=400)
        if path == "/ratelimit":
            if hits == 1:
                return web.Response(status=429, headers={"Retry-After": "2"})
            return html(ARTICLE)
        if path == "/always-429":
            return web.Response(status=429, headers={"Retry-After": "1"})
        if path == "/ratelimit-long":
            return web.Response(status=429, headers={"Retry-After": "3600"})
        if path == "/method":
            if request.method == "HEAD":
                return web.Response(status=200, content_type="text/html")
            return web.Response(status=405, headers={"Allow": "HEAD"})
        if path == "/hang":
            await asyncio.sleep(3600)
        if path == "/slow":
            await asyncio.sleep(0.05)
            return html(ARTICLE)
        if path == "/reset":
            resp = web.StreamResponse(headers={"Content-Type": "text/html",
                                               "Content-Length": "100000"})
            await resp.prepare(request)
            await resp.write(b"<html><title>partial</title>" + b"x" * 1000)
            assert request.transport is not None
            request.transport.abort()
            return resp
        if path == "/bomb":
            return web.Response(body=_BOMB, headers={"Content-Type": "text/html",
                                                     "Content-Encoding": "gzip"})
        if path == "/endless":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            try:
                while True:
                    await resp.write(b"<p>" + b"more " * 2000 + b"</p>")
            except (ConnectionError, RuntimeError):
                return resp
        if path == "/trickle":
            # Slowloris: headers at once, then one byte every 50 ms, forever.
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            try:
                while True:
                    await resp.write(b" ")
                    await asyncio.sleep(0.05)
            except (ConnectionError, RuntimeError):
                return resp
        if path == "/pdf":
            return web.Response(body=b"%PDF-1.7" + b"\0" * 50_000,
                                content_type="application/pdf")
        if path == "/headers":
            return web.json_response(dict(request.headers))
        if path == "/to-other":
            return redirect(request.query["to"], int(request.query.get("status", "302")))
        return web.Response(status=404)

    app = web.Application(middlewares=[count])
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@dataclass
class Site:
    """A running loopback site."""

    base: str
    state: SiteState
    runner: web.AppRunner

    def url(self, path: str) -> str:
        """An absolute URL on the site."""
        return self.base + path


async def start_site(host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None,
                     state: SiteState | None = None) -> Site:
    """Start the site on `host`, a free port."""
    state = state or SiteState()
    runner, port = await start_app(make_app(state), host, ssl_context=ssl_context)
    scheme = "https" if ssl_context else "http"
    return Site(f"{scheme}://{host}:{port}", state, runner)


class FakeResolver(AbstractResolver):
    """Resolves only the names it is given; everything else fails here, never on the network."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addr = self.names[host]
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        return [{"hostname": host, "host": addr, "port": port, "family": fam, "proto": 0,
                 "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


LOOPBACK = ("127.0.0.0/8",)


def loopback_cfg(**changes: object) -> AuditConfig:
    """A config that may reach loopback (the guard stays on for everything else), fast timeouts."""
    base: dict[str, object] = {
        "allow_private": LOOPBACK, "timeout_s": 2.0, "url_deadline_s": 10.0, "retries": 1,
        "retry_wait_s": 0.01, "cache": False, "store": Path("/nonexistent/linkaudit.db"),
    }
    base.update(changes)
    return AuditConfig.build(**base)


def dump(obj: object) -> str:
    """JSON for assertion messages."""
    return json.dumps(obj, default=str)
