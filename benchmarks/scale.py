"""Scale-out benchmark: 100,000 URLs over 1,000 loopback hosts, in one process, in two worker
processes and on a Dask cluster of two worker processes.

    python benchmarks/scale.py                          # 5 ms and 50 ms, all three homes
    python benchmarks/scale.py --urls 20000 --latency-ms 50 --homes one,workers

The simulated web is `load.py`'s (simweb's `SimProtocol` on loopback addresses 127.0.1.2 ...,
counting requests in flight per host) in its own process, on uvloop. Each home runs in a child
process that calls `linkaudit.scale.check_urls` (the audit's check stage) with `--concurrency 64
--per-host 4`; reported are the wall time of the check stage, the CPU and the peak RSS of the
main process and of its worker processes (RUSAGE_CHILDREN once they are reaped: summed CPU, the
largest RSS), the peak requests in flight on any one host as the server counted them, and the
politeness bound `max(ceil(n_h / p) * L, N * L / c)`. Every URL's class is checked against its kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from load import Web, free_port, host_addr, raise_fd_limit  # noqa: E402  (benchmarks/load.py)

MIX = (("ok", 0.88, "alive"), ("perm", 0.05, "redirected"), ("nf", 0.05, "dead"),
       ("soft", 0.02, "soft-404"))
CONCURRENCY = 64
PER_HOST = 4


def corpus(n_urls: int, hosts: int, port: int) -> list[tuple[str, str]]:
    """(URL, expected class): `n_urls` spread evenly over `hosts`, kinds by `MIX`."""
    plan: list[tuple[str, str]] = []
    for kind, share, expected in MIX:
        plan += [(kind, expected)] * round(share * 100)
    out = []
    for i in range(n_urls):
        kind, expected = plan[(i * 7) % len(plan)]
        out.append((f"http://{host_addr(i % hosts)}:{port}/k/{kind}/{i}", expected))
    return out


def bound(n_urls: int, hosts: int, latency_s: float) -> float:
    """The politeness bound of the corpus (each redirect costs a second request)."""
    from linkaudit.scale.plan import HostWork, politeness_bound

    per_host = n_urls // hosts
    requests = round(per_host * (1 + 0.05))  # the `perm` share asks twice
    work = [HostWork(host_addr(h), tuple(str(i) for i in range(requests)), PER_HOST, latency_s)
            for h in range(hosts)]
    return politeness_bound(work, CONCURRENCY)


# -- the child: one home ------------------------------------------------------------------------


class ScaleWeb(Web):
    """`load.py`'s simulated web, served on uvloop: at 5 ms the server shares the machine's two
    cores with the checkers, and on asyncio's own loop it takes most of one."""

    def __init__(self, hosts: int, port: int, latency_ms: float) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(hosts), str(port), str(latency_ms)],
            stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("the simulated web did not start")


def serve_on_uvloop(hosts: int, port: int, latency_ms: float) -> int:
    """`load.serve_main` with uvloop's event loop when it is installed."""
    import simweb
    from load import serve_main

    try:
        import uvloop
    except ImportError:
        return serve_main(hosts, port, latency_ms)

    def connection_made(self: simweb.SimProtocol, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's own transport class

    simweb.SimProtocol.connection_made = connection_made  # type: ignore[method-assign]
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return serve_main(hosts, port, latency_ms)


def child_main(home: str, corpus_file: Path, out_file: Path) -> int:
    """Check the corpus in `home` (one, workers, dask); write classes, wall and usage."""
    from linkaudit.audit import event_loop_factory
    from linkaudit.check import make_client
    from linkaudit.config import AuditConfig
    from linkaudit.scale import check_urls

    raise_fd_limit()
    urls = [u for u, _ in json.loads(corpus_file.read_text())]
    cfg = AuditConfig.build(concurrency=CONCURRENCY, per_host=PER_HOST, retries=0, timeout_s=30,
                      allow_private=("127.0.0.0/8",), cache=False, history=False,
                      workers=2 if home != "one" else 1,
                      scheduler="local" if home == "dask" else None)
    done = 0

    def count(_check: Any) -> None:
        nonlocal done
        done += 1

    async def main() -> dict[str, Any]:
        client = make_client(cfg.network)
        start = time.perf_counter()
        try:
            run = await check_urls(urls, cfg.network, cfg.rules, cfg.store, cfg.scale,
                                   client=client, on_result=count)
        finally:
            await client.close()
        wall = time.perf_counter() - start
        return {"wall": wall, "classes": {u: c.status.value for u, c in run.checks.items()},
                "streamed": done, "problems": [p.message for p in run.problems]}

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        result = runner.run(main())
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update(
        main_cpu=me.ru_utime + me.ru_stime, main_rss=me.ru_maxrss / 1024,
        workers_cpu=kids.ru_utime + kids.ru_stime, workers_rss=kids.ru_maxrss / 1024,
    )
    out_file.write_text(json.dumps(result))
    return 0


def run_home(home: str, corpus_file: Path, tmp: Path) -> dict[str, Any]:
    out = tmp / f"{home}.json"
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", home, str(corpus_file), str(out)],
                   check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    result["process_wall"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the homes at each latency and print a Markdown table."""
    ap = argparse.ArgumentParser(description="linkaudit scale-out benchmark")
    ap.add_argument("--urls", type=int, default=100_000)
    ap.add_argument("--hosts", type=int, default=1_000)
    ap.add_argument("--latency-ms", default="5,50")
    ap.add_argument("--homes", default="one,workers,dask")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        return serve_on_uvloop(int(args.serve[0]), int(args.serve[1]), float(args.serve[2]))
    if args.child:
        return child_main(args.child[0], Path(args.child[1]), Path(args.child[2]))

    raise_fd_limit()
    names = {"one": "one process", "workers": "--workers 2",
             "dask": "Dask LocalCluster, 2 worker processes"}
    rows = ["| latency | home | wall (s) | ratio to bound | ratio to one process | "
            "main CPU (s) | workers CPU (s) | main RSS (MiB) | largest worker RSS (MiB) | "
            "peak in flight on a host | classes right |", "|" + "---|" * 11]
    for latency in [float(x) for x in args.latency_ms.split(",")]:
        port = free_port()
        web = ScaleWeb(args.hosts, port, latency)
        try:
            with tempfile.TemporaryDirectory() as tmpdir:
                tmp = Path(tmpdir)
                entries = corpus(args.urls, args.hosts, port)
                corpus_file = tmp / "corpus.json"
                corpus_file.write_text(json.dumps(entries))
                expected = dict(entries)
                the_bound = bound(args.urls, args.hosts, latency / 1000)
                rows.append(f"| {latency:g} ms | politeness bound | {the_bound:.1f} | 1.00 | "
                            "| | | | | | |")
                one_wall = None
                for home in args.homes.split(","):
                    web.stats(reset=True)
                    result = run_home(home, corpus_file, tmp)
                    stats = web.stats(reset=True)
                    wrong = Counter(
                        (expected[u], c) for u, c in result["classes"].items() if expected[u] != c
                    )
                    right = len(result["classes"]) - sum(wrong.values())
                    wall = result["wall"]
                    one_wall = wall if home == "one" else one_wall
                    vs_one = f"{wall / one_wall:.2f}" if one_wall else ""
                    rows.append(
                        f"| {latency:g} ms | {names[home]} | {wall:.1f} | {wall / the_bound:.2f} "
                        f"| {vs_one} | {result['main_cpu']:.1f} | {result['workers_cpu']:.1f} "
                        f"| {result['main_rss']:.0f} | {result['workers_rss']:.0f} "
                        f"| {stats['peak']} | {right:,} of {len(expected):,}"
                        + (f" (wrong: {dict(wrong)})" if wrong else "") + " |"
                    )
                    print(rows[-1], file=sys.stderr, flush=True)
                    if result["problems"] or result["streamed"] != len(expected):
                        print(f"  {home}: streamed {result['streamed']}, problems "
                              f"{result['problems']}", file=sys.stderr)
        finally:
            web.stop()
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
