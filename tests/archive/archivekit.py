"""Test kit for the archive tests: a loopback Wayback server (the client and clock are `fakes`').

The server speaks the CDX (`/cdx/search/cdx`), availability (`/wayback/available`) and Save Page
Now (`/save`, `/save/status/<id>`) formats. What it answers for a URL is set per test in
`WaybackScript`; every request is logged so tests can count and inspect them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from fakes import Answer, availability_miss, cdx_answer


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
    status, body, headers = cdx_answer(script.captures, request.query)
    return web.Response(status=status, text=body, headers=headers)


def make_app(script: WaybackScript) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        script.log.append(request)
        if request.path == "/cdx/search/cdx":
            return _cdx_rows(script, request)
        if request.path == "/wayback/available":
            url = request.query["url"]
            status, body, headers = script.available.get(url) or availability_miss(url)
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


