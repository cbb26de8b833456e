"""Helpers of the hardening tests: loopback servers that record what reached them, and configs.

Every server listens on a loopback address (127.0.0.x or ::1) on port 0. `Recorder` keeps each
request's host, path and headers, so a test can assert that a refused address saw *no* request
and that a credential never reached a second host.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from fakes import start_app

from linkaudit.config import ArchiveMode, AuditConfig

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Recorder:
    """What one server saw."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    """(Host header, path with query, request headers) of every request, in order."""

    @property
    def hits(self) -> int:
        """Requests received."""
        return len(self.requests)

    def headers_seen(self) -> list[dict[str, str]]:
        """The headers of every request."""
        return [h for _, _, h in self.requests]


@dataclass
class Server:
    """A running loopback server."""

    runner: web.AppRunner
    host: str
    port: int
    recorder: Recorder

    def url(self, path: str = "/") -> str:
        """An http URL of this server."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    tls: bool = False

    async def close(self) -> None:
        """Stop serving."""
        await self.runner.cleanup()


async def serve(
    handler: Handler | None = None,
    host: str = "127.0.0.1",
    *,
    extra_hosts: tuple[str, ...] = (),
    ssl_context: ssl.SSLContext | None = None,
    port: int = 0,
) -> Server:
    """Serve `handler` (default: a 200 article) on `host` (and `extra_hosts`, same port)."""
    recorder = Recorder()

    async def default(request: web.Request) -> web.StreamResponse:
        return web.Response(text=ARTICLE, content_type="text/html")

    inner = handler or default

    async def record(request: web.Request) -> web.StreamResponse:
        recorder.requests.append((request.host, request.path_qs, dict(request.headers)))
        return await inner(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner, real_port = await start_app(app, host, port=port, ssl_context=ssl_context,
                                        extra_hosts=extra_hosts)
    return Server(runner, host, real_port, recorder, tls=ssl_context is not None)


def redirect_to(location: str, status: int = 302) -> Handler:
    """A handler answering every request with a redirect to `location`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handle


ARTICLE = (
    "<!doctype html><html><head><title>An ordinary page</title>"
    '<meta property="article:published_time" content="2025-08-29T14:41:31Z"></head>'
    "<body><article><h1>An ordinary page</h1><p>Revenue rose 26% in the quarter.</p>"
    "</article></body></html>"
)


def config(tmp: Path, **changes: Any) -> AuditConfig:
    """A fast, quiet config for tests: no cache, no history, no archive, no retries."""
    base = AuditConfig.build(
        cache=False,
        history=False,
        archive=ArchiveMode.NONE,
        retries=0,
        timeout_s=3.0,
        url_deadline_s=6.0,
        store=tmp / "store.db",
        as_of=None,
    )
    return base.replace(**changes)


def markdown_doc(tmp: Path, urls: list[str], name: str = "doc.md", prose: str = "") -> Path:
    """A Markdown document dated 2025-09-01 citing each URL as a numbered reference."""
    lines = ["---", "date: 2025-09-01", "---", "", "# A document", ""]
    body = prose or "Revenue rose 26% in the quarter"
    lines += [f"{body} [{n}]." for n in range(1, len(urls) + 1)]
    lines += ["", "## References", ""]
    lines += [f"{n}. [Source {n}]({u})" for n, u in enumerate(urls, 1)]
    path = tmp / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def raw_server(
    on_connect: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
    host: str = "127.0.0.1",
) -> tuple[asyncio.Server, int]:
    """A raw TCP server (for answers aiohttp.web cannot give: garbage, slow bytes, resets)."""
    server = await asyncio.start_server(on_connect, host, 0)
    port = int(server.sockets[0].getsockname()[1])
    return server, port
