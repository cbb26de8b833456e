"""Test helpers for the crawler: a loopback site that counts hits, a tiny client, a fake clock.

The client is a minimal `linkaudit.http.HttpClient` over aiohttp (no redirects followed, body read
up to the cap), so these tests do not depend on the checker's transport.
"""

from __future__ import annotations

import asyncio
import gzip
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from linkaudit.http import ConnectError, FetchTimeout, HttpResponse, ResetError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LoopbackClient:
    """An `HttpClient` for tests: GET over aiohttp, never following redirects."""

    def __init__(self, user_agent: str = "linkaudit/0.0-test") -> None:
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        self.sent: list[tuple[str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        if self._session is None:
            self._session = aiohttp.ClientSession(headers={"User-Agent": self.user_agent})
        self.sent.append((url, dict(headers or {})))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            async with self._session.request(
                method, url, headers=dict(headers or {}), allow_redirects=False
            ) as resp:
                cap = max_body if max_body is not None else 10 * 1024 * 1024
                body = bytearray()
                truncated = False
                async for chunk in resp.content.iter_chunked(65536):
                    body += chunk
                    if len(body) > cap:
                        truncated = True
                        del body[cap:]
                        break
                return HttpResponse(
                    url=url,
                    status=resp.status,
                    headers=tuple((k, v) for k, v in resp.headers.items()),
                    body=bytes(body),
                    truncated=truncated,
                )
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(str(exc)) from exc
        except TimeoutError as exc:
            raise FetchTimeout(str(exc)) from exc
        except aiohttp.ClientError as exc:
            raise ResetError(str(exc)) from exc
        finally:
            self.in_flight -= 1

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


@dataclass
class Page:
    """A fixed answer of the loopback site."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


class Site:
    """A loopback site: fixed pages by path (and path?query), dynamic handlers by path prefix."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.prefixes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.base = ""
        self.on_hit: Callable[[str], None] | None = None

    def add(self, path: str, page: Page | str) -> None:
        self.pages[path] = page if isinstance(page, Page) else Page(page)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path_qs] += 1
        self.agents.add(request.headers.get("User-Agent", ""))
        if self.on_hit is not None:
            self.on_hit(request.path_qs)
        page = self.pages.get(request.path_qs) or self.pages.get(request.path)
        if page is None:
            for prefix, handler in self.prefixes.items():
                if request.path.startswith(prefix):
                    return await handler(request)
            return web.Response(status=404, text="not found")
        headers = dict(page.headers)
        if page.etag:
            headers["ETag"] = page.etag
            if request.headers.get("If-None-Match") == page.etag:
                return web.Response(status=304, headers=headers)
        body = page.body.replace("{base}", self.base) if isinstance(page.body, str) else page.body
        return web.Response(
            status=page.status,
            body=body.encode() if isinstance(body, str) else body,
            headers={"Content-Type": page.content_type, **headers},
        )

    def count(self, prefix: str) -> int:
        """Hits on paths starting with `prefix`."""
        return sum(n for path, n in self.hits.items() if path.startswith(prefix))


@asynccontextmanager
async def serve(site: Site) -> AsyncIterator[str]:
    """Serve `site` on 127.0.0.1 (a free port); yields the base URL."""
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", site.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    site.base = f"http://127.0.0.1:{port}"
    try:
        yield site.base
    finally:
        await runner.cleanup()


class FakeTime:
    """An injected clock and sleep: sleeping advances the clock at once, and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def article(title: str, refs: int = 2, *, links: tuple[str, ...] = (), head: str = "") -> str:
    """An article with `refs` numbered references and extra links."""
    cites = " ".join(f"Claim {i} is sourced [{i}]." for i in range(1, refs + 1))
    items = "".join(
        f'<li>[{i}] <a href="https://source{i}.example/report-{i}">Report {i}</a></li>'
        for i in range(1, refs + 1)
    )
    anchors = "".join(f'<a href="{href}">link</a> ' for href in links)
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body>"
        f"<h1>{title}</h1><p>{cites}</p><nav>{anchors}</nav>"
        f"<h2>References</h2><ol class=\"references\">{items}</ol></body></html>"
    )


def urlset(*entries: tuple[str, str | None]) -> str:
    """A sitemap `<urlset>` of (loc, lastmod) pairs; `{base}` is replaced when served."""
    rows = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    )


def sitemapindex(*locs: str) -> str:
    """A sitemap index of `locs`."""
    rows = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    )


def gz(text: str) -> bytes:
    """Gzip bytes of `text`."""
    return gzip.compress(text.encode())
