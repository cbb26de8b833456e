"""A simulated web for the link-checker benchmark: one site per loopback address.

Hosts are 127.0.0.2, 127.0.0.3, ... all on the same port, served by one process (run it apart
from the checker so the two do not share a CPU). Every response waits a base latency (50 ms),
and the path says how the page behaves: `/k/<kind>/<id>`, with `?d=<ms>` for slow pages.

Kinds: `ok` (200 article), `perm` (301 to an ok page), `temp` (302 to one), `chain` (302, then
301, then ok), `nf` (404), `gone` (410), `err` (500 always), `slow` (200 after `d` ms more),
`hang` (never answers), `rl` (429 with Retry-After: 1 on the first request, then 200), `soft`
(200 "Page not found"), `wall` (403 with `cf-mitigated: challenge`).

    python benchmarks/simweb.py --hosts 100 --port 8790 [--latency-ms 50]

prints `ready` on stdout once every site listens, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

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


def respond(
    kind: str, ident: str, key: str, rate_limited: set[str]
) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of one behaviour (`key` identifies host+path for `rl`)."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    match kind:
        case "ok" | "slow":
            return 200, html, PAGE.format(id=ident)
        case "perm":
            return 301, {"Location": f"/k/ok/{ident}-moved"}, ""
        case "temp":
            return 302, {"Location": f"/k/ok/{ident}-today"}, ""
        case "chain":
            return 302, {"Location": f"/k/perm/{ident}-b"}, ""
        case "gone":
            return 410, {}, ""
        case "err":
            return 500, {}, ""
        case "rl":
            if key not in rate_limited:
                rate_limited.add(key)
                return 429, {"Retry-After": "1"}, ""
            return 200, html, PAGE.format(id=ident)
        case "soft":
            return 200, html, NOT_FOUND
        case "wall":
            return 403, {**html, "cf-mitigated": "challenge"}, CHALLENGE
        case _:
            return 404, html, "<title>404</title>"


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 403: "Forbidden",
            404: "Not Found", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error"}


class SimProtocol(asyncio.Protocol):
    """A minimal HTTP/1.1 server with keep-alive (no request bodies, no pipelining needed).

    Written on asyncio directly rather than aiohttp.web so that the simulated web costs
    ~10x less CPU per request: the benchmark measures the checker, not the server.
    """

    def __init__(self, latency: float, rate_limited: set[str]) -> None:
        self.latency = latency
        self.rate_limited = rate_limited
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target = lines[0].split(" ")[:2]
            host = next((v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])
                         if k.lower() == "host"), "")
            path, _, query = target.partition("?")
            parts = path.strip("/").split("/")
            kind = parts[1] if len(parts) >= 3 and parts[0] == "k" else "nf"
            ident = parts[2] if len(parts) >= 3 else "0"
            if kind == "hang":
                continue  # never answer; the client gives up
            delay = self.latency
            if kind == "slow":
                delay += int(query.partition("d=")[2] or "1000") / 1000
            answer = respond(kind, ident, host + path, self.rate_limited)
            asyncio.get_running_loop().call_later(delay, self.send, method, answer)

    def send(self, method: str, answer: tuple[int, dict[str, str], str]) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        status, headers, body = answer
        payload = body.encode()
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
                 f"Content-Length: {len(payload)}", "Server: simweb"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.transport.write(data if method == "HEAD" else data + payload)


async def serve(hosts: int, port: int, latency: float) -> None:
    """Listen on 127.0.0.2 .. 127.0.0.(hosts+1), all on `port`, until stopped."""
    loop = asyncio.get_running_loop()
    rate_limited: set[str] = set()
    servers = [
        await loop.create_server(lambda: SimProtocol(latency, rate_limited),
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


def main(argv: list[str] | None = None) -> int:
    """Parse flags and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.hosts, args.port, args.latency_ms / 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
