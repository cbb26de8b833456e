"""Fakes shared by the tests: a loopback site, an HTTP client, a clock and a Wayback archive.

- `LoopbackSite` serves fixed `Page`s by path on 127.0.0.1 (`serve`, or the `loopback_site`
  fixture of `tests/conftest.py`) and counts its hits;
- `LoopbackClient` is a `linkaudit.http.HttpClient` over aiohttp for such sites: no redirects
  followed, no address guard (loopback only), the body read up to the cap;
- `FakeClient` is an `HttpClient` that sends nothing: it answers from a table of pages, and
  the archive's URLs from a `FakeArchive`;
- `FakeArchive` answers the Wayback CDX and availability queries from a table of captures
  (`cdx_answer` is the same answer for a loopback Wayback server);
- `FakeClock` is a monotonic clock that only its `sleep` moves.

Every request each of them receives is logged, so a test can count and inspect them.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from aiohttp import web

from linkaudit.http import ConnectError, FetchTimeout, HttpResponse, ResetError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Sent = tuple[str, str, dict[str, str]]
"""(method, URL, request headers) of one request a client sent."""
GOOD_CAPTURES = ("200", "203", "206")


class LoopbackClient:
    """An `HttpClient` over aiohttp for loopback servers: never follows redirects."""

    def __init__(self, user_agent: str = "linkaudit/0.0-test") -> None:
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        self.sent: list[Sent] = []
        """Every request, in order."""
        self.in_flight = 0
        self.max_in_flight = 0
        """The most requests in flight at once."""

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
        self.sent.append((method, url, dict(headers or {})))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            async with self._session.request(
                method,
                url,
                headers=dict(headers or {}),
                data=dict(data) if data else None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=5),
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
            raise FetchTimeout(url) from exc
        except aiohttp.ClientError as exc:
            raise ResetError(str(exc)) from exc
        finally:
            self.in_flight -= 1

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


@dataclass
class Page:
    """A fixed answer of a site: `{base}` in a text body is replaced by the site's base URL."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


class LoopbackSite:
    """A loopback site: fixed pages by path (and path?query), dynamic handlers by path prefix."""

    def __init__(self, pages: Mapping[str, Page | str] | None = None) -> None:
        self.pages: dict[str, Page] = {}
        self.prefixes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.base = ""
        self.on_hit: Callable[[str], None] | None = None
        for path, page in (pages or {}).items():
            self.add(path, page)

    def add(self, path: str, page: Page | str) -> None:
        """Serve `page` at `path`."""
        self.pages[path] = page if isinstance(page, Page) else Page(page)

    def url(self, path: str) -> str:
        """An absolute URL on the site (once served)."""
        return self.base + path

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


StartSite = Callable[..., Awaitable[LoopbackSite]]
"""The `loopback_site` fixture: `await loopback_site(pages)` starts a site."""


async def start_app(
    app: web.Application,
    host: str = "127.0.0.1",
    *,
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
    extra_hosts: tuple[str, ...] = (),
) -> tuple[web.AppRunner, int]:
    """Serve `app` on `host` (a free port unless `port` is given) and on `extra_hosts` at the
    same port: the one way the suites start a loopback server. Returns the runner (clean it
    up) and the port."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, host, port, ssl_context=ssl_context).start()
    real_port = int(runner.addresses[0][1])
    for extra in extra_hosts:
        await web.TCPSite(runner, extra, real_port, ssl_context=ssl_context).start()
    return runner, real_port


@asynccontextmanager
async def serve(site: LoopbackSite) -> AsyncIterator[str]:
    """Serve `site` on 127.0.0.1 (a free port); yields the base URL."""
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", site.handle)
    runner, port = await start_app(app)
    site.base = f"http://127.0.0.1:{port}"
    try:
        yield site.base
    finally:
        await runner.cleanup()


class FakeClock:
    """A monotonic clock that only `sleep` moves; each sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


Answer = tuple[int, str, dict[str, str]]
"""(status, body, headers) of one answer."""


def cdx_answer(
    captures: Mapping[str, list[tuple[str, str]]], query: Mapping[str, str]
) -> Answer:
    """The CDX JSON answer (`/cdx/search/cdx`) for `query` from `captures[url]`, a list of
    (timestamp, capture status) oldest first: good captures only, `to=` and `limit=` obeyed."""
    url = query["url"]
    rows = [(ts, st) for ts, st in captures.get(url, []) if st in GOOD_CAPTURES]
    if "to" in query:
        to = query["to"]
        rows = [r for r in rows if r[0][: len(to)] <= to]
    limit = int(query.get("limit", "0"))
    if limit > 0:
        rows = rows[:limit]
    elif limit < 0:
        rows = rows[limit:]
    if not rows:
        return 200, "[]", {"Content-Type": "application/json"}
    body = [["timestamp", "original", "statuscode"]] + [[ts, url, st] for ts, st in rows]
    return 200, json.dumps(body), {"Content-Type": "application/json"}


def availability_miss(url: str) -> Answer:
    """The availability API's answer for a URL it has no capture of."""
    return 200, json.dumps({"url": url, "archived_snapshots": {}}), {}


@dataclass
class FakeArchive:
    """A Wayback Machine in memory: `captures[url]` = [(timestamp, status)], oldest first."""

    base_url: str = "https://archive.test"
    captures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    """The URL of every lookup request (CDX or availability), in order."""

    def owns(self, url: str) -> bool:
        """True for a URL of this archive."""
        return url.startswith(self.base_url + "/")

    def answer(self, url: str) -> HttpResponse:
        """The archive's answer to a GET of `url`."""
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        if parts.path == "/cdx/search/cdx":
            self.asked.append(query["url"])
            status, body, headers = cdx_answer(self.captures, query)
        elif parts.path == "/wayback/available":
            self.asked.append(query["url"])
            status, body, headers = availability_miss(query["url"])
        else:
            status, body, headers = 404, "not found", {}
        return HttpResponse(url, status, tuple(headers.items()), body.encode())


class FakeClient:
    """An `HttpClient` that sends nothing: `pages[url]` = (status, HTML), 404 for the rest, and
    the archive's URLs answered by `archive`."""

    def __init__(
        self, pages: Mapping[str, tuple[int, str]] | None = None, archive: FakeArchive | None = None
    ) -> None:
        self.pages = dict(pages or {})
        self.archive = archive
        self.sent: list[Sent] = []
        """Every request, in order."""

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        self.sent.append((method, url, dict(headers or {})))
        await asyncio.sleep(0)
        if self.archive is not None and self.archive.owns(url):
            return self.archive.answer(url)
        status, html = self.pages.get(url, (404, "<title>Not found</title>"))
        body = html.encode()
        if method == "HEAD":
            body = b""
        return HttpResponse(url, status, (("Content-Type", "text/html; charset=utf-8"),), body)

    async def close(self) -> None:
        return None

    def urls(self) -> list[str]:
        """The URLs requested, in order."""
        return [url for _, url, _ in self.sent]
