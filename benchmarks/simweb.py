"""A simulated web for the link-checker benchmarks: one site per loopback address.

Hosts are 127.0.0.2, 127.0.0.3, ... all on the same port, served by one process (run it apart
from the checker so the two do not share a CPU). Every response waits a base latency (50 ms),
and the path says how the page behaves: `/k/<kind>/<id>`, with `?d=<ms>` for slow pages and
`?v=<variant>` for how an article page states its date.

Kinds: `ok` (200 article), `perm` (301 to an ok page), `temp` (302 to one), `chain` (302, then
301, then ok), `nf` (404), `gone` (410), `err` (500 always), `slow` (200 after `d` ms more),
`hang` (never answers), `rl` (429 with Retry-After: 1 on the first request, then 200), `soft`
(200 "Page not found"), `wall` (403 with `cf-mitigated: challenge`).

Variants of an article page (`v`): without one, a small page (1.3 KB) dated by
`article:published_time`; `meta` (the same meta tag), `jsonld`
(JSON-LD `datePublished`), `time` (`<time datetime>`), `text` (a dateline in the text only:
what htmldate's text search finds) and `none` (no date at all: htmldate searches in vain). The
variant pages are article-sized (about 6.5 KB: navigation, a script, sixteen paragraphs of
2,600 characters in all, a footer).

Requests in flight are counted per host at the server: a request is in flight from its parsed
head until its answer is written or its connection ends (a client that gives up on a hanging
page hangs up). With `--stats FILE` the peak per host and the request count are written there
as JSON when the server stops.

    python benchmarks/simweb.py --hosts 100 --port 8790 [--latency-ms 50] [--stats FILE]

prints `ready` on stdout once every site listens, then serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PAGE = (
    "<!doctype html><html><head><title>Story {id}</title>"
    '<meta property="article:published_time" content="2024-09-17T05:33:01Z"></head>'
    "<body><nav>Home | Markets | Tech</nav><article><h1>Story {id}</h1>"
    + "<p>Chinese chipmakers are developing processors to compete in artificial intelligence. "
    "Analysts say software tools still trail, but demand from cloud providers is rising.</p>" * 6
    + "</article><footer>(c) Example</footer></body></html>"
)
NOT_FOUND = ("<html><head><title>Page not found</title></head><body><h1>Sorry, that page "
             "does not exist</h1></body></html>")
CHALLENGE = ("<html><head><title>Just a moment...</title></head><body>"
             "<script src=/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1></script>"
             "</body></html>")

_NAV = "".join(f'<li><a href="/section/{n}">Section {n}</a></li>' for n in range(30))
_SCRIPT = ("<script>window.dataLayer=window.dataLayer||[];"
           + "".join(f"var x{n}={n};" for n in range(120)) + "</script>")
_PARAGRAPHS = (
    "Chinese chipmakers are developing processors to compete with Nvidia in artificial "
    "intelligence, as cloud providers look for alternatives to imported accelerators.",
    "The company said revenue rose 26% to $53 billion in the quarter, helped by demand for "
    "data-centre hardware and a recovery in consumer electronics.",
    "Analysts say software tools still trail the market leader, and that developers are slow "
    "to move their models to a new platform without mature compilers and libraries.",
    "Regulators in Washington have tightened export controls twice in two years, and the "
    "rules now cover the most advanced chips and the machines that make them.",
    "Executives told investors the new processor would enter mass production next year at a "
    "domestic foundry, with first shipments going to the group's own cloud unit.",
    "Shares of the company gained 4% in Hong Kong trading after the announcement, while "
    "rival chip designers fell on worries about pricing pressure.",
    "Industry groups estimate that spending on AI infrastructure in China will exceed 90 "
    "billion yuan this year, much of it on training clusters.",
    "The report did not say how the new chip compares on memory bandwidth, which limits the "
    "speed of large language models more than raw compute does.",
)
_DATE_HEAD = {
    "meta": '<meta property="article:published_time" content="2024-09-17T05:33:01Z">',
    "jsonld": ('<script type="application/ld+json">{{"@context": "https://schema.org", '
               '"@type": "NewsArticle", "headline": "Story {id}", '
               '"datePublished": "2024-03-05T10:00:00Z"}}</script>'),
}
_DATE_BODY = {
    "time": '<p class="byline">By Staff <time datetime="2024-06-11T08:00:00Z">June 11, 2024'
            "</time></p>",
    "text": '<p class="byline">By Staff, published 3 May 2024</p>',
}


def article(ident: str, variant: str) -> str:
    """An article page of about 6 KB whose date is stated the `variant` way."""
    if variant not in ("meta", "jsonld", "time", "text", "none"):
        return PAGE.format(id=ident)  # the small page of the checker benchmark
    head = _DATE_HEAD.get(variant, "").format(id=ident)
    byline = _DATE_BODY.get(variant, '<p class="byline">By Staff</p>')
    paras = "".join(f"<p>{p}</p>" for p in _PARAGRAPHS * 2)
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Story {ident} | "
        f'Example News</title><meta name="viewport" content="width=device-width">'
        f'<meta property="og:title" content="Story {ident}">{head}'
        f'<link rel="stylesheet" href="/static/site.css">{_SCRIPT}</head><body>'
        f'<header><a href="/">Example News</a><ul class="nav">{_NAV}</ul></header>'
        f"<main><article><h1>Story {ident}</h1>{byline}{paras}</article>"
        f'<aside><h2>Most read</h2><ul>{_NAV[:800]}</ul></aside></main>'
        "<footer><p>(c) Example News. All rights reserved.</p>"
        '<a href="/about">About</a> <a href="/privacy">Privacy</a></footer></body></html>'
    )


def respond(
    kind: str, ident: str, key: str, rate_limited: set[str], variant: str = "", query: str = ""
) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of one behaviour (`key` identifies host+path for `rl`; a
    redirect keeps the `query`, so the page it ends on has the same variant)."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    q = f"?{query}" if query else ""
    match kind:
        case "ok" | "slow":
            return 200, html, article(ident, variant)
        case "perm":
            return 301, {"Location": f"/k/ok/{ident}-moved{q}"}, ""
        case "temp":
            return 302, {"Location": f"/k/ok/{ident}-today{q}"}, ""
        case "chain":
            return 302, {"Location": f"/k/perm/{ident}-b{q}"}, ""
        case "gone":
            return 410, {}, ""
        case "err":
            return 500, {}, ""
        case "rl":
            if key not in rate_limited:
                rate_limited.add(key)
                return 429, {"Retry-After": "1"}, ""
            return 200, html, article(ident, variant)
        case "soft":
            return 200, html, NOT_FOUND
        case "wall":
            return 403, {**html, "cf-mitigated": "challenge"}, CHALLENGE
        case _:
            return 404, html, "<title>404</title>"


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 403: "Forbidden",
            404: "Not Found", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error"}


@dataclass
class Stats:
    """Requests counted at the server: in flight now and at most, per host."""

    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    requests: int = 0

    def started(self, host: str, n: int) -> None:
        self.requests += n
        self.in_flight[host] += n
        if self.in_flight[host] > self.peak[host]:
            self.peak[host] = self.in_flight[host]

    def ended(self, host: str, n: int = 1) -> None:
        self.in_flight[host] -= n

    def as_dict(self) -> dict[str, object]:
        return {"peak_per_host": max(self.peak.values(), default=0),
                "hosts": len(self.peak), "requests": self.requests,
                "peaks": dict(self.peak)}


class SimProtocol(asyncio.Protocol):
    """A minimal HTTP/1.1 server with keep-alive (no request bodies, no pipelining needed).

    Written on asyncio directly rather than aiohttp.web so that the simulated web costs
    ~10x less CPU per request: the benchmark measures the checker, not the server.
    """

    def __init__(self, latency: float, rate_limited: set[str], stats: Stats | None = None,
                 host: str = "") -> None:
        self.latency = latency
        self.rate_limited = rate_limited
        self.stats = stats
        self.host = host
        self.outstanding = 0
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.stats is not None and self.outstanding:
            self.stats.ended(self.host, self.outstanding)  # unanswered requests end here
        self.outstanding = 0
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target = lines[0].split(" ")[:2]
            host = next((v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])
                         if k.lower() == "host"), "")
            if self.stats is not None:
                self.outstanding += 1
                self.stats.started(self.host, 1)
            path, _, query = target.partition("?")
            params = dict(p.partition("=")[::2] for p in query.split("&") if p)
            parts = path.strip("/").split("/")
            kind = parts[1] if len(parts) >= 3 and parts[0] == "k" else "nf"
            ident = parts[2] if len(parts) >= 3 else "0"
            if kind == "hang":
                continue  # never answer; the client gives up
            delay = self.latency
            if kind == "slow":
                delay += int(params.get("d") or "1000") / 1000
            answer = respond(kind, ident, host + path, self.rate_limited,
                             params.get("v", ""), query)
            asyncio.get_running_loop().call_later(delay, self.send, method, answer)

    def send(self, method: str, answer: tuple[int, dict[str, str], str]) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        if self.stats is not None and self.outstanding:
            self.outstanding -= 1
            self.stats.ended(self.host)
        status, headers, body = answer
        payload = body.encode()
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
                 f"Content-Length: {len(payload)}", "Server: simweb"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.transport.write(data if method == "HEAD" else data + payload)


async def serve(hosts: int, port: int, latency: float, stats_file: Path | None = None) -> None:
    """Listen on 127.0.0.2 .. 127.0.0.(hosts+1), all on `port`, until stopped."""
    loop = asyncio.get_running_loop()
    rate_limited: set[str] = set()
    stats = Stats()
    servers = [
        await loop.create_server(
            lambda addr=f"127.0.0.{n + 2}": SimProtocol(latency, rate_limited, stats, addr),
            f"127.0.0.{n + 2}", port, backlog=1024)
        for n in range(hosts)
    ]
    print("ready", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for server in servers:
        server.close()
    if stats_file is not None:
        stats_file.write_text(json.dumps(stats.as_dict()))


def main(argv: list[str] | None = None) -> int:
    """Parse flags and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--stats", type=Path, help="write the server's counts here at exit")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.hosts, args.port, args.latency_ms / 1000, args.stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
