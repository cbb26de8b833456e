"""Load benchmark (issue 7): 50,000 URLs over 500 loopback hosts, hanging hosts, a 429 archive.

    python benchmarks/load.py                     # all three runs, Markdown figures on stdout
    python benchmarks/load.py --urls 5000 --runs big
    python benchmarks/load.py --append-readme     # also append the figures to benchmarks/README.md

The simulated web is `simweb.SimProtocol` (the same site the checker benchmark uses), served by
a child process on 500 loopback addresses (127.0.1.2 ... 127.0.2.251, one port), subclassed here
only to count requests in flight per host and keep each host's peak; beside it, on 127.0.3.1, a
Wayback stand-in answers 429 (Retry-After: 1) to everything and counts calls.
Each run's checker is a child process too, so its peak RSS (ru_maxrss from wait4) is its own.

Runs:
- `big`: N URLs (default 50,000) over the hosts (a fifth of them on 5 hot hosts, the rest even),
  mostly pages, some redirects, 404s, 500s and soft-404s. Reported: wall time, the lower
  bound of `check.py`, peak RSS, the highest in-flight count any host saw (must not exceed
  `--per-host`), classes as expected.
- `hang`: 30% of the hosts never answer (10 URLs per host, short timeout, no retries). Reported:
  wall time against the bound (busiest host, or all hanging work over the global limit).
- `archive`: an audit (`run_audit`, `--archive dead`) of dead links whose archive answers 429 to
  everything. Reported: wall time, archive calls, and how many times the run says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from check import Entry, Limits, lower_bound, run_child  # noqa: E402  (benchmarks/check.py)

ARCHIVE_HOST = "127.0.3.1"
STATS_PATH = "/__stats"
BIG_MIX = (("ok", 0.85, "alive"), ("perm", 0.05, "redirected"), ("nf", 0.05, "dead"),
           ("err", 0.03, "server-error"), ("soft", 0.02, "soft-404"))


def host_addr(n: int) -> str:
    """The n-th simulated host (0-based): 127.0.1.2 ... 127.0.1.251, 127.0.2.2 ..."""
    return f"127.0.{n // 250 + 1}.{n % 250 + 2}"


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit (thousands of sockets); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# -- the simulated web (child process) -----------------------------------------------------------


def serve_main(hosts: int, port: int, latency_ms: float) -> int:
    """Serve simweb's site on `hosts` addresses plus the 429 archive and the stats; print `ready`.

    The site is `simweb.SimProtocol`, subclassed only to count requests in flight per host: a
    request is in flight from its parsed head to its answer (or to the connection's end, for
    `hang`).
    """
    from aiohttp import web
    from simweb import SimProtocol

    raise_fd_limit()
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    totals = {"requests": 0, "archive": 0}

    class Counting(SimProtocol):
        def __init__(self, latency: float, rate_limited: set[str], host: str) -> None:
            super().__init__(latency, rate_limited)
            self.host = host
            self.outstanding = 0

        def data_received(self, data: bytes) -> None:
            new = (self.buf + data).count(b"\r\n\r\n")
            self.outstanding += new
            totals["requests"] += new
            in_flight[self.host] += new
            peak[self.host] = max(peak[self.host], in_flight[self.host])
            super().data_received(data)

        def send(self, method: str, answer: tuple[int, dict[str, str], str]) -> None:
            if self.outstanding:
                self.outstanding -= 1
                in_flight[self.host] -= 1
            super().send(method, answer)

        def connection_lost(self, exc: Exception | None) -> None:
            in_flight[self.host] -= self.outstanding  # unanswered (hanging) requests end here
            self.outstanding = 0
            super().connection_lost(exc)

    async def stats(request: web.Request) -> web.StreamResponse:
        body = {"peak": max(peak.values(), default=0), "hosts_seen": len(peak), **totals}
        if request.query.get("reset"):
            peak.clear()
            totals.update(requests=0, archive=0)
        return web.json_response(body)

    async def archive(request: web.Request) -> web.StreamResponse:
        totals["archive"] += 1
        return web.Response(status=429, text="Too Many Requests", headers={"Retry-After": "1"})

    side = web.Application()
    side.router.add_get(STATS_PATH, stats)
    side.router.add_route("*", "/{tail:.*}", archive)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        rate_limited: set[str] = set()
        latency = latency_ms / 1000
        servers = []
        for n in range(hosts):
            addr = host_addr(n)
            servers.append(await loop.create_server(
                lambda addr=addr: Counting(latency, rate_limited, addr),  # type: ignore[misc]
                addr, port, backlog=1024))
        runner = web.AppRunner(side, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, ARCHIVE_HOST, port).start()
        print("ready", flush=True)
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        for server in servers:
            server.close()
        await runner.cleanup()

    asyncio.run(run())
    return 0


class Web:
    """The simulated web child process."""

    def __init__(self, hosts: int, port: int, latency_ms: float) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(hosts), str(port), str(latency_ms)],
            stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("the simulated web did not start")

    def stats(self, reset: bool = True) -> dict[str, int]:
        """Peak in-flight of any host, requests served, archive calls (then reset them)."""
        url = f"http://{ARCHIVE_HOST}:{self.port}{STATS_PATH}" + ("?reset=1" if reset else "")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=10) as resp:
            return dict(json.loads(resp.read()))

    def stop(self) -> None:
        """Terminate it."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port() -> int:
    """A port free on the first simulated host (the others are checked by binding)."""
    import socket

    with socket.socket() as probe:
        probe.bind((host_addr(0), 0))
        return int(probe.getsockname()[1])


# -- corpora -------------------------------------------------------------------------------------


def big_corpus(n_urls: int, hosts: int, port: int) -> list[Entry]:
    """`n_urls` URLs over the hosts; kinds by `BIG_MIX`, deterministic.

    A fifth of the URLs sit on 5 "hot" hosts (4% of the corpus each), the rest spread evenly:
    without hot hosts the global window spreads over 500 hosts and no host ever reaches its
    limit, so the limit would go untested.
    """
    corpus = []
    plan: list[str] = []
    for kind, share, _ in BIG_MIX:
        plan += [kind] * round(share * 100)
    for i in range(n_urls):
        host = host_addr((i // 5) % 5) if i % 5 == 0 else host_addr(i % hosts)
        kind = plan[(i * 7) % len(plan)]
        corpus.append(Entry(f"http://{host}:{port}/k/{kind}/{i}", host, kind, 0))
    return corpus


def hang_corpus(per_host: int, hosts: int, port: int, share: float) -> list[Entry]:
    """`per_host` URLs on every host; the first `share` of the hosts hang on every URL."""
    hanging = round(hosts * share)
    corpus = []
    for h in range(hosts):
        host = host_addr(h)
        kind = "hang" if h < hanging else "ok"
        corpus += [Entry(f"http://{host}:{port}/k/{kind}/{h}-{i}", host, kind, 0)
                   for i in range(per_host)]
    return corpus


# -- the checker (child process) -----------------------------------------------------------------


async def _run_checker(urls: list[str], lim: Limits) -> dict[str, Any]:
    from linkaudit.check import AiohttpClient, Checker
    from linkaudit.config import AuditConfig

    cfg = AuditConfig.build(concurrency=lim.concurrency, per_host=lim.per_host,
                      timeout_s=lim.timeout_s, url_deadline_s=max(60.0, 4 * lim.timeout_s),
                      retries=lim.retries, retry_wait_s=lim.retry_wait_s,
                      allow_private=("127.0.0.0/8",), cache=False, history=False)
    client = AiohttpClient(cfg.network)
    checker = Checker(cfg.network, client)
    start = time.perf_counter()
    try:
        results = await checker.check_all(urls)
    finally:
        await client.close()
    return {"wall": time.perf_counter() - start,
            "classes": {u: c.status.value for u, c in results.items()},
            "client_peak": max(checker.limits.peak.values(), default=0)}


async def _run_archive(doc: Path, port: int, rate: int) -> dict[str, Any]:
    from linkaudit.audit import run_audit
    from linkaudit.config import ArchiveMode, AuditConfig

    cfg = AuditConfig.build(allow_private=("127.0.0.0/8",), cache=False, history=False, retries=0,
                      archive=ArchiveMode.DEAD, archive_url=f"http://{ARCHIVE_HOST}:{port}",
                      archive_rate_per_min=rate)
    start = time.perf_counter()
    result = await run_audit([str(doc)], cfg)
    archive_lines = [p.message for p in result.problems if "archive" in p.message.lower()]
    return {"wall": time.perf_counter() - start,
            "classes": {u: c.status.value for u, c in result.checks.items()},
            "archive_states": dict(Counter(a.state.value for a in result.archives.values())),
            "archive_problems": archive_lines}


def child_main(kind: str, corpus_file: Path, out_file: Path, lim: Limits, port: int,
               rate: int) -> int:
    """Run one scenario and write its figures (ru_maxrss is read by the parent)."""
    raise_fd_limit()
    if kind == "archive":
        out = asyncio.run(_run_archive(corpus_file, port, rate))
    else:
        urls = json.loads(corpus_file.read_text())["urls"]
        out = asyncio.run(_run_checker(urls, lim))
    out_file.write_text(json.dumps(out))
    return 0


# -- the runs ------------------------------------------------------------------------------------


def _child(kind: str, corpus: Path, lim: Limits, port: int, tmp: Path,
           rate: int = 0) -> tuple[dict[str, Any], float, float]:
    out = tmp / f"{kind}.out.json"
    flags = ["--concurrency", str(lim.concurrency), "--per-host", str(lim.per_host),
             "--timeout", str(lim.timeout_s), "--retries", str(lim.retries),
             "--archive-rate", str(rate), "--port", str(port)]
    wall, rss, code, _cpu = run_child([sys.executable, __file__, *flags, "--child", kind,
                                       str(corpus), str(out)])
    if code != 0:
        raise SystemExit(f"{kind} child failed ({code})")
    return json.loads(out.read_text()), wall, rss


def run_big(web: Web, args: argparse.Namespace, tmp: Path) -> list[str]:
    """50,000 URLs over 500 hosts."""
    lim = Limits(args.concurrency, args.per_host, args.timeout, 1, 0.5, args.latency_ms / 1000)
    corpus = big_corpus(args.urls, args.hosts, web.port)
    path = tmp / "big.json"
    path.write_text(json.dumps({"urls": [e.url for e in corpus]}))
    web.stats()
    out, wall, rss = _child("big", path, lim, web.port, tmp)
    stats = web.stats()
    expected = {kind: cls for kind, _, cls in BIG_MIX}
    wrong = sum(1 for e in corpus if out["classes"][e.url] != expected[e.kind])
    bound = lower_bound(corpus, lim)["bound"]
    ok = "yes" if stats["peak"] <= args.per_host else "NO"
    return [
        f"| {args.urls:,} URLs over {args.hosts} hosts | {out['wall']:.1f} s "
        f"(bound {bound:.1f} s; process {wall:.1f} s) | {rss:.0f} MiB | "
        f"{stats['peak']} (limit {args.per_host}; within: {ok}) | "
        f"{len(corpus) - wrong:,}/{len(corpus):,} classified as expected; "
        f"{stats['requests']:,} requests |",
    ]


def run_hang(web: Web, args: argparse.Namespace, tmp: Path) -> list[str]:
    """30% of the hosts hang."""
    lim = Limits(args.concurrency, args.per_host, args.hang_timeout, 0, 0.5,
                 args.latency_ms / 1000)
    corpus = hang_corpus(10, args.hosts, web.port, 0.3)
    path = tmp / "hang.json"
    path.write_text(json.dumps({"urls": [e.url for e in corpus]}))
    web.stats()
    out, wall, rss = _child("hang", path, lim, web.port, tmp)
    stats = web.stats()
    got = Counter(out["classes"][e.url] for e in corpus if e.kind == "hang")
    fine = Counter(out["classes"][e.url] for e in corpus if e.kind == "ok")
    bound = lower_bound(corpus, lim)
    ok = "yes" if stats["peak"] <= args.per_host else "NO"
    return [
        f"| {len(corpus):,} URLs, 30% of {args.hosts} hosts hang (timeout "
        f"{lim.timeout_s:g} s, no retries) | {out['wall']:.1f} s (bound {bound['bound']:.1f} s "
        f"= {'global' if bound['global_bound'] >= bound['host_bound'] else 'busiest host'}; "
        f"ratio {out['wall'] / bound['bound']:.2f}) | {rss:.0f} MiB | {stats['peak']} "
        f"(within: {ok}) | hanging: {dict(got)}; others: {dict(fine)} |",
    ]


def run_archive(web: Web, args: argparse.Namespace, tmp: Path) -> list[str]:
    """Dead links whose archive answers 429 to everything."""
    n = args.archive_urls
    doc = tmp / "dead.md"
    lines = ["---", "date: 2025-09-01", "---", "", "# Dead links", ""]
    lines += [f"Claim {i} [{i}]." for i in range(1, n + 1)] + ["", "## References", ""]
    lines += [f"{i}. <http://{host_addr(i % 20)}:{web.port}/k/nf/{i}>" for i in range(1, n + 1)]
    doc.write_text("\n".join(lines) + "\n")
    lim = Limits(args.concurrency, args.per_host, args.timeout, 0, 0.5, args.latency_ms / 1000)
    web.stats()
    out, wall, rss = _child("archive", doc, lim, web.port, tmp, rate=args.archive_rate)
    stats = web.stats()
    said = len(out["archive_problems"])
    return [
        f"| {n} dead links, archive answers 429 to all (rate {args.archive_rate}/min) | "
        f"{out['wall']:.1f} s (process {wall:.1f} s) | {rss:.0f} MiB | - | "
        f"{stats['archive']} archive calls; archive states {out['archive_states']}; the run "
        f"says it {said} time(s){': ' + out['archive_problems'][0][:120] if said else ''} |",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios and print (and optionally append) the figures."""
    ap = argparse.ArgumentParser(description="linkaudit load benchmark (issue 7)")
    ap.add_argument("--urls", type=int, default=50_000)
    ap.add_argument("--hosts", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=256)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--hang-timeout", type=float, default=2.0)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--archive-urls", type=int, default=60)
    ap.add_argument("--archive-rate", type=int, default=20)
    ap.add_argument("--retries", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--runs", default="big,hang,archive")
    ap.add_argument("--append-readme", action="store_true")
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--child", nargs=3, metavar=("KIND", "IN", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        return serve_main(int(args.serve[0]), int(args.serve[1]), float(args.serve[2]))
    if args.child:
        lim = Limits(args.concurrency, args.per_host, args.timeout, args.retries, 0.5, 0.05)
        return child_main(args.child[0], Path(args.child[1]), Path(args.child[2]), lim,
                          args.port, args.archive_rate)

    nofile = raise_fd_limit()
    tmp = Path(tempfile.mkdtemp(prefix="linkaudit-load-"))
    web = Web(args.hosts, free_port(), args.latency_ms)
    rows: list[str] = []
    runs = {"big": run_big, "hang": run_hang, "archive": run_archive}
    try:
        for name in args.runs.split(","):
            t0 = time.perf_counter()
            rows += runs[name](web, args, tmp)
            print(f"{name}: done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    finally:
        web.stop()
    text = "\n".join([
        f"Command: `python benchmarks/load.py --runs {args.runs}` (concurrency "
        f"{args.concurrency}, per host {args.per_host}, simulated latency {args.latency_ms:g} ms; "
        f"{os.cpu_count()} CPUs; RLIMIT_NOFILE {nofile}).",
        "",
        "| run | wall | peak RSS (checker process) | peak in flight on one host | outcome |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ])
    print(text)
    if args.append_readme:
        readme = HERE / "README.md"
        with readme.open("a", encoding="utf-8") as fh:
            fh.write("\n## Load (issue 7)\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
