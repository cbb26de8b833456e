"""Test kit for the archive tests: a loopback Wayback server, an aiohttp `HttpClient`, a clock.

The server speaks the CDX (`/cdx/search/cdx`), availability (`/wayback/available`) and Save Page
Now (`/save`, `/save/status/<id>`) formats. What it answers for a URL is set per test in
`WaybackScript`; every request is logged so tests can count and inspect them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from linkaudit.http import ConnectError, FetchTimeout, HttpResponse


class LoopbackClient:
    """`HttpClient` over one aiohttp session; no redirects followed, no guard (loopback only)."""

    def __init__(self) -> None:
        self.session = aiohttp.ClientSession()
        self.sent: list[tuple[str, str, dict[str, str]]] = []

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
        try:
            async with self.session.request(
                method,
                url,
                headers=dict(headers or {}),
                data=dict(data) if data else None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=5),
            ) as resp:
                body = await resp.content.read(max_body or -1)
                return HttpResponse(url, resp.status, tuple(resp.headers.items()), body)
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(str(exc)) from exc
        except TimeoutError as exc:
            raise FetchTimeout(url) from exc

    async def close(self) -> None:
        await self.session.close()


class FakeClock:
    """A monotonic clock that only `sleep` moves."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Answer = tuple[int, str, dict[str, str]]


@dataclass
class WaybackScript:
    """What the test server answers. `captures[url]` = [(timestamp, status)], oldest first."""

    captures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    cdx_override: dict[str, list[Answer]] = field(default_factory=dict)
    """Per URL, answers given (in order, the last repeated) instead of the captures."""
    available: dict[str, Answer] = field(default_factory=dict)
    """Per URL, the availability API answer (default `{}`)."""
    save_statuses: list[dict[str, Any]] = field(default_factory=list)
    """Status answers of a save job, in order (the last repeated)."""
    save_answer: dict[str, Any] = field(
        default_factory=lambda: {"url": "x", "job_id": "ac58789b-f3ca-48d0-9ea6-1d1225e98695"}
    )
    log: list[web.Request] = field(default_factory=list)
    auth_seen: list[str | None] = field(default_factory=list)

    def cdx_requests(self) -> list[web.Request]:
        return [r for r in self.log if r.path == "/cdx/search/cdx"]


def _cdx_rows(script: WaybackScript, request: web.Request) -> web.Response:
    url = request.query["url"]
    over = script.cdx_override.get(url)
    if over:
        index = sum(1 for r in script.log if r.query.get("url") == url and r.path == request.path)
        status, body, headers = over[min(index - 1, len(over) - 1)]
        return web.Response(status=status, text=body, headers=headers)
    rows = [(ts, st) for ts, st in script.captures.get(url, []) if st in ("200", "203", "206")]
    if "to" in request.query:
        to = request.query["to"]
        rows = [r for r in rows if r[0][: len(to)] <= to]
    limit = int(request.query.get("limit", "0"))
    if limit > 0:
        rows = rows[:limit]
    elif limit < 0:
        rows = rows[limit:]
    if not rows:
        return web.Response(text="[]", content_type="application/json")
    body = [["timestamp", "original", "statuscode"]] + [[ts, url, st] for ts, st in rows]
    return web.Response(text=json.dumps(body), content_type="application/json")


def make_app(script: WaybackScript) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        script.log.append(request)
        if request.path == "/cdx/search/cdx":
            return _cdx_rows(script, request)
        if request.path == "/wayback/available":
            status, body, headers = script.available.get(
                request.query["url"], (200, json.dumps({"url": request.query["url"],
                                                        "archived_snapshots": {}}), {})
            )
            return web.Response(status=status, text=body, headers=headers)
        if request.path == "/save" and request.method == "POST":
            script.auth_seen.append(request.headers.get("Authorization"))
            form = await request.post()
            answer = dict(script.save_answer, url=str(form.get("url")))
            return web.json_response(answer)
        if request.path.startswith("/save/status/"):
            script.auth_seen.append(request.headers.get("Authorization"))
            polls = sum(1 for r in script.log if r.path.startswith("/save/status/"))
            return web.json_response(script.save_statuses[min(polls - 1,
                                                             len(script.save_statuses) - 1)])
        return web.Response(status=404, text="not found")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


