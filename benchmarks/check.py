"""Benchmark of the link checker against a simulated web, and of lychee on the same corpus.

    python benchmarks/check.py                 # 10,000 URLs over 100 hosts, then lychee
    python benchmarks/check.py --urls 2000 --hosts 20 --no-lychee

It generates a corpus (seeded, so every run checks the same URLs), starts `simweb.py` in its own
process, runs linkaudit's `Checker` in a child process, restarts the simulated web (fresh
429 state) and runs lychee with the same limits, then reports wall time, peak memory (the
child's ru_maxrss from wait4), the lower bound and the ratio, and whether every behaviour got
the class it should.

The lower bound. Let L be the base latency, p the per-host limit, c the global limit, T the
request timeout, w the retry base wait and r the retries. Each URL u costs *service* time s(u)
(time holding a request slot: L per response, plus the extra delay of a slow page, T for a URL
that hangs: one timeout, since a clairvoyant checker would not try it again) and has a *critical
path* t(u) = s(u) + the waits between its attempts (at least
w * 2^(k-1) before retry k; Retry-After for a 429). Per host h, with W_h = sum of s(u) and P_h
the Retry-After pauses of its 429s (the host is asked nothing while paused):

    B_h   = max(W_h / p + P_h, ceil(n_h / p) * L, max_u t(u))
    bound = max(max_h B_h, sum_h W_h / c)

No schedule can beat it: a host serves at most p requests at once and is idle while paused, no
URL finishes before its own critical path, and at most c requests are in flight overall.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (kind, share of the corpus, expected linkaudit class)
MIX: tuple[tuple[str, float, str], ...] = (
    ("ok", 0.772, "alive"),
    ("perm", 0.05, "redirected"),
    ("temp", 0.03, "alive"),
    ("chain", 0.01, "redirected"),
    ("nf", 0.04, "dead"),
    ("gone", 0.01, "dead"),
    ("err", 0.02, "server-error"),
    ("slow", 0.03, "alive"),
    ("hang", 0.002, "timeout"),
    ("rl", 0.01, "alive"),
    ("soft", 0.01, "soft-404"),
    ("wall", 0.016, "blocked"),
)
EXPECTED = {kind: cls for kind, _, cls in MIX}


@dataclass(frozen=True)
class Limits:
    """The limits both checkers run with."""

    concurrency: int
    per_host: int
    timeout_s: float
    retries: int
    retry_wait_s: float
    latency_s: float


@dataclass(frozen=True)
class Entry:
    """One URL of the corpus."""

    url: str
    host: str
    kind: str
    delay_ms: int


def free_port(hosts: int) -> int:
    """A port free on every simulated host address."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.2", 0))
            port = int(probe.getsockname()[1])
        socks = []
        try:
            for n in range(hosts):
                s = socket.socket()
                socks.append(s)
                s.bind((f"127.0.0.{n + 2}", port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise SystemExit("no free port on the loopback addresses")


def make_corpus(n_urls: int, n_hosts: int, port: int, seed: int = 7) -> list[Entry]:
    """`n_urls` URLs spread evenly over `n_hosts` hosts, kinds drawn from `MIX`."""
    rng = random.Random(seed)
    kinds = [k for k, _, _ in MIX]
    weights = [w for _, w, _ in MIX]
    corpus = []
    for i in range(n_urls):
        host = f"127.0.0.{i % n_hosts + 2}"
        kind = rng.choices(kinds, weights)[0]
        delay = rng.randint(300, 1500) if kind == "slow" else 0
        query = f"?d={delay}" if kind == "slow" else ""
        corpus.append(Entry(f"http://{host}:{port}/k/{kind}/{i}{query}", host, kind, delay))
    return corpus


def service_and_path(
    e: Entry, lim: Limits, timeout_attempts: int | None = None
) -> tuple[float, float, float]:
    """(slot time, critical path, host pause) of one URL under `lim`.

    A hanging URL costs `timeout_attempts` timeouts (default: every attempt, `retries + 1`,
    with the backoff between them; 1: a single timeout and no wait)."""
    L = lim.latency_s
    waits = sum(lim.retry_wait_s * 2**k for k in range(lim.retries))
    match e.kind:
        case "perm" | "temp":
            return 2 * L, 2 * L, 0.0
        case "chain":
            return 3 * L, 3 * L, 0.0
        case "slow":
            s = L + e.delay_ms / 1000
            return s, s, 0.0
        case "err":
            s = (lim.retries + 1) * L
            return s, s + waits, 0.0
        case "hang":
            if timeout_attempts is not None:
                s = timeout_attempts * lim.timeout_s
                return s, s + sum(lim.retry_wait_s * 2**k for k in range(timeout_attempts - 1)), 0
            s = (lim.retries + 1) * lim.timeout_s
            return s, s + waits, 0.0
        case "rl":
            return 2 * L, 2 * L + 1.0, 1.0
        case _:
            return L, L, 0.0


def lower_bound(
    corpus: list[Entry], lim: Limits, timeout_attempts: int | None = None
) -> dict[str, float]:
    """The bound of the module docstring, with its parts (`timeout_attempts`: see
    `service_and_path`)."""
    by_host: dict[str, list[Entry]] = {}
    for e in corpus:
        by_host.setdefault(e.host, []).append(e)
    host_bounds = []
    total = 0.0
    for entries in by_host.values():
        parts = [service_and_path(e, lim, timeout_attempts) for e in entries]
        work = sum(p[0] for p in parts)
        total += work
        host_bounds.append(max(work / lim.per_host + sum(p[2] for p in parts),
                               math.ceil(len(entries) / lim.per_host) * lim.latency_s,
                               max(p[1] for p in parts)))
    return {"bound": max(max(host_bounds), total / lim.concurrency),
            "host_bound": max(host_bounds), "global_bound": total / lim.concurrency,
            "total_work": total}


class SimWeb:
    """The simulated web in its own process."""

    def __init__(self, hosts: int, port: int, latency_ms: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "simweb.py"), "--hosts", str(hosts), "--port", str(port),
             "--latency-ms", str(latency_ms)], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("simweb did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_child(argv: list[str]) -> tuple[float, float, int, float]:
    """Run `argv`; return (wall s, peak RSS MiB, exit status, CPU s) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace").strip()
        if err:
            print(err[-2000:], file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


# -- the linkaudit child -------------------------------------------------------------------------


async def _check(urls: list[str], lim: Limits) -> tuple[dict[str, str], float, int]:
    sys.path.insert(0, str(HERE.parent))
    from linkaudit.check import AiohttpClient, Checker
    from linkaudit.config import AuditConfig

    cfg = AuditConfig.build(concurrency=lim.concurrency, per_host=lim.per_host,
                      timeout_s=lim.timeout_s, retries=lim.retries,
                      retry_wait_s=lim.retry_wait_s, allow_private=("127.0.0.0/8",),
                      cache=False, history=False)
    client = AiohttpClient(cfg.network)
    checker = Checker(cfg.network, client)
    start = time.perf_counter()
    try:
        results = await checker.check_all(urls)
    finally:
        await client.close()
    wall = time.perf_counter() - start
    return ({u: c.status.value for u, c in results.items()}, wall,
            max(checker.limits.peak.values()))


def child_main(corpus_file: Path, out_file: Path, lim: Limits, loop: str) -> int:
    """Check every URL of the corpus and write the classes and the wall time."""
    urls = json.loads(corpus_file.read_text())["urls"]
    if loop == "uvloop":
        import uvloop  # an optional event loop; the CLI runs on asyncio's own

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    classes, wall, peak = asyncio.run(_check(urls, lim))
    out_file.write_text(json.dumps({"classes": classes, "wall": wall, "peak_per_host": peak}))
    return 0


# -- lychee --------------------------------------------------------------------------------------


def lychee_argv(corpus_md: Path, out: Path, lim: Limits) -> list[str]:
    """lychee with the same limits (no extra per-host interval: the limits alone decide)."""
    return ["lychee", "--no-progress", "--format", "json", "--output", str(out),
            "--max-concurrency", str(lim.concurrency),
            "--host-concurrency", str(lim.per_host), "--host-request-interval", "0ms",
            "--timeout", str(int(lim.timeout_s)), "--max-retries", str(lim.retries),
            "--retry-wait-time", str(int(lim.retry_wait_s)), "--max-redirects", "10",
            "--user-agent", "linkaudit-bench", str(corpus_md)]


def lychee_counts(out: Path) -> dict[str, int]:
    """The counters of lychee's JSON report."""
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, int)}


# -- report --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown report."""
    ap = argparse.ArgumentParser(description="link-checker benchmark")
    ap.add_argument("--urls", type=int, default=10_000)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--retry-wait", type=float, default=1.0)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--no-lychee", action="store_true")
    ap.add_argument("--loop", choices=("asyncio", "uvloop"), default="uvloop",
                    help="event loop of the linkaudit child; uvloop is what `linkaudit audit` "
                    "uses (a dependency), asyncio what it falls back to")
    ap.add_argument("--child", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    lim = Limits(args.concurrency, args.per_host, args.timeout, args.retries, args.retry_wait,
                 args.latency_ms / 1000)
    if args.child:
        return child_main(Path(args.child[0]), Path(args.child[1]), lim, args.loop)

    port = free_port(args.hosts)
    corpus = make_corpus(args.urls, args.hosts, port)
    bound = lower_bound(corpus, lim, timeout_attempts=1)
    tmp = Path(tempfile.mkdtemp(prefix="linkaudit-bench-"))
    corpus_json, corpus_md = tmp / "corpus.json", tmp / "corpus.md"
    corpus_json.write_text(json.dumps({"urls": [e.url for e in corpus]}))
    corpus_md.write_text("# Corpus\n\n" + "".join(f"[{i + 1}] <{e.url}>\n"
                                                  for i, e in enumerate(corpus)))
    flags = ["--concurrency", str(lim.concurrency), "--per-host", str(lim.per_host),
             "--timeout", str(lim.timeout_s), "--retries", str(lim.retries),
             "--retry-wait", str(lim.retry_wait_s), "--latency-ms", str(args.latency_ms),
             "--loop", args.loop]

    web = SimWeb(args.hosts, port, args.latency_ms)
    try:
        out = tmp / "linkaudit.json"
        wall, rss, code, cpu = run_child([sys.executable, __file__, *flags, "--child",
                                     str(corpus_json), str(out)])
    finally:
        web.stop()
    if code != 0:
        raise SystemExit(f"linkaudit child failed ({code})")
    result = json.loads(out.read_text())
    inner = float(result["wall"])

    wrong = Counter()
    got_by_kind: dict[str, Counter[str]] = {}
    for e in corpus:
        got = result["classes"][e.url]
        got_by_kind.setdefault(e.kind, Counter())[got] += 1
        if got != EXPECTED[e.kind]:
            wrong[e.kind] += 1

    ly: dict[str, object] = {}
    if not args.no_lychee:
        web = SimWeb(args.hosts, port, args.latency_ms)
        try:
            ly_out = tmp / "lychee.json"
            ly_wall, ly_rss, ly_code, ly_cpu = run_child(lychee_argv(corpus_md, ly_out, lim))
        finally:
            web.stop()
        ly = {"wall": ly_wall, "rss": ly_rss, "exit": ly_code, "cpu": ly_cpu,
              "counts": lychee_counts(ly_out)}

    print(f"## Link checker benchmark ({args.urls:,} URLs, {args.hosts} hosts)\n")
    print(f"Limits: concurrency {lim.concurrency}, per host {lim.per_host}, timeout "
          f"{lim.timeout_s:g} s, retries {lim.retries} (base wait {lim.retry_wait_s:g} s), "
          f"latency {args.latency_ms:g} ms; machine: {os.cpu_count()} CPUs.\n")
    print(f"Lower bound: {bound['bound']:.2f} s (busiest host {bound['host_bound']:.2f} s, "
          f"global work / concurrency {bound['global_bound']:.2f} s; total slot time "
          f"{bound['total_work']:.0f} s)\n")
    print("| checker | wall (s) | ratio to bound | peak RSS (MiB) | CPU (s) |")
    print("|---|---|---|---|---|")
    loop_note = "" if args.loop == "asyncio" else f", {args.loop}"
    b = bound["bound"]
    print(f"| linkaudit{loop_note} (checking) | {inner:.2f} | {inner / b:.2f} | {rss:.0f} | |")
    print(f"| linkaudit{loop_note} (process, incl. start-up) | {wall:.2f} | {wall / b:.2f} "
          f"| {rss:.0f} | {cpu:.1f} |")
    if ly:
        lw = float(ly["wall"])  # type: ignore[arg-type]
        print(f"| lychee {_lychee_version()} (process) | {lw:.2f} | {lw / bound['bound']:.2f} "
              f"| {float(ly['rss']):.0f} | {float(ly['cpu']):.1f} |")  # type: ignore[arg-type]
    load = os.getloadavg()
    print(f"\nLoad average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"(other processes share the {os.cpu_count()} CPUs).")
    print(f"\nPeak requests in flight to one host (linkaudit): {result['peak_per_host']} "
          f"(limit {lim.per_host}).\n")
    print("| behaviour | URLs | expected class | linkaudit got |")
    print("|---|---|---|---|")
    for kind, _, cls in MIX:
        got = got_by_kind.get(kind, Counter())
        shown = ", ".join(f"{k} {v}" for k, v in got.most_common())
        print(f"| {kind} | {sum(got.values())} | {cls} | {shown} |")
    print(f"\nWrong classes: {sum(wrong.values())}" + (f" ({dict(wrong)})" if wrong else ""))
    if ly:
        print(f"\nlychee's own counters: {json.dumps(ly['counts'])} (exit {ly['exit']})")
    return 1 if wrong else 0


def _lychee_version() -> str:
    try:
        return subprocess.run(["lychee", "--version"], capture_output=True, text=True,
                              timeout=10).stdout.split()[-1]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
