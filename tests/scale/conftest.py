"""A loopback web of several hosts (127.0.0.2, 127.0.0.3, ...) that counts requests in flight per
host, for the scale-out tests: the checker in any home must never exceed the per-host limit."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

PAGE = ("<!doctype html><html><head><title>Story {n}</title>"
        '<meta property="article:published_time" content="2024-09-17T05:33:01Z"></head>'
        "<body><article><p>Story {n} about chips.</p></article></body></html>")


@dataclass
class Web:
    """The hosts' base URLs and what they saw."""

    bases: list[str]
    delay_s: float
    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)

    def urls(self, per_host: int) -> list[str]:
        """Pages of every kind on every host: alive, 404, a permanent redirect, a 500."""
        kinds = ("ok", "ok", "nf", "perm", "ok", "err")
        return [f"{base}/{kinds[i % len(kinds)]}/{i}" for base in self.bases
                for i in range(per_host)]


def _app(web_: Web) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        host = request.host
        web_.requests[f"{host}{request.path_qs}"] += 1
        web_.in_flight[host] += 1
        web_.peak[host] = max(web_.peak[host], web_.in_flight[host])
        try:
            await asyncio.sleep(web_.delay_s)
        finally:
            web_.in_flight[host] -= 1
        kind, _, n = request.path.strip("/").partition("/")
        if kind == "ok":
            return web.Response(text=PAGE.format(n=n), content_type="text/html")
        if kind == "perm":
            raise web.HTTPMovedPermanently(f"/ok/{n}-moved")
        if kind == "away":  # to the last host, as doi.org sends every link to its publisher
            raise web.HTTPMovedPermanently(f"{web_.bases[-1]}/ok/{n}-away")
        if kind == "err":
            raise web.HTTPInternalServerError()
        raise web.HTTPNotFound()

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


@pytest.fixture
def loopback_web(aiohttp_server) -> Callable[..., AsyncIterator[Web]]:  # type: ignore[no-untyped-def]
    async def start(hosts: int = 4, delay_s: float = 0.02) -> Web:
        web_ = Web([], delay_s)
        for n in range(hosts):
            server = await aiohttp_server(_app(web_), host=f"127.0.0.{n + 2}")
            web_.bases.append(str(server.make_url("")).rstrip("/"))
        return web_

    return start  # type: ignore[return-value]
