"""Benchmark of the whole `linkaudit audit` process beside lychee and linkinator, in one run.

    python benchmarks/audit.py                         # 200 files, 10,000 links, both settings
    python benchmarks/audit.py --settings 10/128       # lychee's limits only
    python benchmarks/audit.py --files 20 --settings 10/128 --tools linkaudit   # a quick run

The corpus (seeded, the same every run): `--files` Markdown articles (default 200) of 50 links
each (45 numbered references cited by claim sentences, 5 inline links), 10,000 links over
9,500 distinct URLs (500 cited by two articles) on 110 loopback hosts of `simweb.py`, which
answers after 50 ms. The mix of `check.py` (redirects, 404/410, 5xx, slow pages, 429s, soft
404s, bot walls) with 0.5% hanging URLs; article pages state their date in varied ways (meta
tag, JSON-LD, `<time>`, only in the text, not at all; a tenth carry it in the URL path).

Each tool runs as its own process against a freshly started simulated web, at the same limits:
`--settings 10/128` (10 per host, 128 in all: lychee's defaults) and `4/64` (linkaudit's), a
10 s timeout, 2 retries, archive lookups and caches off. linkaudit writes its JSON report;
lychee writes its JSON report; linkinator (npm, `--markdown`, no per-host limit exists) writes
JSON to stdout. Reported per tool: wall time, CPU (user+sys of the process and its children),
peak memory (the process tree's resident set, sampled every 20 ms, and the main process's
`ru_maxrss`), the most requests in flight to one host as the server counted them (a request is
in flight until answered or until its client hangs up), the lower bound and the ratio.

The lower bound is `check.py`'s, with ONE timeout per hanging URL (a clairvoyant checker would
not retry a URL that will never answer): per host, its slot time over the per-host limit plus
its 429 pauses, or its longest URL; globally, all slot time over the global limit.

linkinator is found as `--linkinator PATH`, else `$LINKINATOR`, else `linkinator` on PATH, else
`node_modules/.bin/linkinator` under the working directory or `/work/tools/linkinator`
(`npm install --prefix DIR linkinator`); when none is there the script says so and goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check import MIX, Entry, Limits, free_port, lower_bound  # noqa: E402

HOSTS = 110
LINKS_PER_FILE = 50
INLINE_PER_FILE = 5
REPEATED_SHARE = 0.05  # 500 of 10,000 links cite a URL another article cites too
HANG_SHARE = 0.005
VARIANTS = (("meta", 0.40), ("jsonld", 0.15), ("time", 0.10), ("text", 0.15), ("none", 0.20))
URL_DATED_SHARE = 0.10
TIMEOUT_S = 10.0
RETRIES = 2
CLAIMS = (
    "Chinese chipmakers are developing processors to compete with Nvidia in artificial "
    "intelligence",
    "The company said revenue rose 26% to $53 billion in the quarter",
    "Revenue jumped 41% to $12 billion in 2025, the best year on record",
    "Port authorities reported record container volumes at European harbours last month",
    "Analysts say software tools still trail the market leader",
)
LINKINATOR_DIRS = (Path.cwd() / "node_modules" / ".bin",
                   Path("/work/tools/linkinator/node_modules/.bin"))


@dataclass(frozen=True)
class Page:
    """One distinct URL of the corpus."""

    entry: Entry
    variant: str


# -- the corpus ----------------------------------------------------------------------------------


def make_pages(n_urls: int, port: int, seed: int = 11) -> list[Page]:
    """`n_urls` distinct URLs over `HOSTS` hosts; kinds from `check.MIX` with more hangs."""
    rng = random.Random(seed)
    mix = [(k, HANG_SHARE if k == "hang" else w) for k, w, _ in MIX]
    kinds, weights = [k for k, _ in mix], [w for _, w in mix]
    names, shares = [v for v, _ in VARIANTS], [w for _, w in VARIANTS]
    pages = []
    for i in range(n_urls):
        host = f"127.0.0.{i % HOSTS + 2}"
        kind = rng.choices(kinds, weights)[0]
        variant = rng.choices(names, shares)[0]
        delay = rng.randint(300, 1500) if kind == "slow" else 0
        path = f"/k/{kind}/{i}"
        if rng.random() < URL_DATED_SHARE:
            path += f"/2024/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/story"
            variant = "none"
        query = f"v={variant}" + (f"&d={delay}" if delay else "")
        url = f"http://{host}:{port}{path}?{query}"
        pages.append(Page(Entry(url, host, kind, delay), variant))
    return pages


def make_corpus(folder: Path, files: int, port: int) -> tuple[list[Page], int]:
    """Write `files` Markdown articles into `folder`; return the distinct pages and the links."""
    links = files * LINKS_PER_FILE
    repeated = round(links * REPEATED_SHARE)
    pages = make_pages(links - repeated, port)
    rng = random.Random(5)
    order = list(range(len(pages)))
    rng.shuffle(order)
    slots: list[list[int]] = [order[f * LINKS_PER_FILE:(f + 1) * LINKS_PER_FILE]
                              for f in range(files)]
    # The repeated links fill the last slots of the files, each a URL of another article.
    short = [f for f in range(files) if len(slots[f]) < LINKS_PER_FILE]
    for f in short:
        while len(slots[f]) < LINKS_PER_FILE:
            pick = order[rng.randrange(len(order))]
            if pick not in slots[f]:
                slots[f].append(pick)
    folder.mkdir(parents=True, exist_ok=True)
    for f, urls in enumerate(slots):
        refs = urls[: LINKS_PER_FILE - INLINE_PER_FILE]
        inline = urls[LINKS_PER_FILE - INLINE_PER_FILE:]
        body = ["---", f'title: "Article {f}"', "date: 2025-09-01", "---", "",
                f"# Article {f}: the chip race", ""]
        para: list[str] = []
        for n, _ in enumerate(refs, 1):
            para.append(f"{CLAIMS[(f + n) % len(CLAIMS)]} [{n}].")
            if n % 5 == 0:
                body += [" ".join(para), ""]
                para = []
        if para:
            body += [" ".join(para), ""]
        body += [f"See also [earlier coverage {k}]({pages[u].entry.url})." for k, u in
                 enumerate(inline, 1)]
        body += ["", "## References", ""]
        body += [f"{n}. Story {u}, Example News. <{pages[u].entry.url}>"
                 for n, u in enumerate(refs, 1)]
        (folder / f"article-{f:03d}.md").write_text("\n".join(body) + "\n", encoding="utf-8")
    return pages, links


# -- processes -----------------------------------------------------------------------------------


class SimWeb:
    """`simweb.py` in its own process, counting requests in flight per host."""

    def __init__(self, port: int, stats: Path, latency_ms: float) -> None:
        self.stats_file = stats
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "simweb.py"), "--hosts", str(HOSTS), "--port", str(port),
             "--latency-ms", str(latency_ms), "--stats", str(stats)],
            stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("simweb did not start")

    def stop(self) -> dict[str, Any]:
        """Stop it; return its counts."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:
            return dict(json.loads(self.stats_file.read_text()))
        except (OSError, ValueError):
            return {}


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of `pid` and its descendants (KiB), from /proc."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


@dataclass(frozen=True)
class Run:
    """What one tool's process cost."""

    wall: float
    cpu: float
    tree_peak_mib: float
    maxrss_mib: float
    exit: int
    stderr: str


def run_process(argv: list[str], stdout: Path | None = None, cwd: Path | None = None,
                env: dict[str, str] | None = None) -> Run:
    """Run `argv` to its end, sampling its process tree's memory."""
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, cwd=cwd, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    reader.join()
    if stdout is not None:
        out.close()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, peak / 1024, usage.ru_maxrss / 1024,
               proc.returncode, b"".join(err_chunks).decode(errors="replace"))


# -- the tools -----------------------------------------------------------------------------------


def linkaudit_argv(corpus: Path, out: Path, per_host: int, concurrency: int) -> list[str]:
    """The full audit, JSON report to a file, archive and caches off."""
    return [sys.executable, "-m", "linkaudit", "audit", str(corpus), "--format", "json",
            "--output", str(out), "--per-host", str(per_host), "--concurrency",
            str(concurrency), "--timeout", f"{TIMEOUT_S:g}", "--retries", str(RETRIES),
            "--archive", "none", "--no-cache", "--no-history", "--allow-private",
            "127.0.0.0/8", "--fail-on", "never", "--quiet"]


def lychee_argv(corpus: Path, out: Path, per_host: int, concurrency: int) -> list[str]:
    """lychee with the same limits (no extra per-host interval: the limits alone decide)."""
    return ["lychee", "--no-progress", "--format", "json", "--output", str(out),
            "--max-concurrency", str(concurrency), "--host-concurrency", str(per_host),
            "--host-request-interval", "0ms", "--timeout", f"{TIMEOUT_S:g}",
            "--max-retries", str(RETRIES), "--retry-wait-time", "1", "--max-redirects", "10",
            "--user-agent", "bench", str(corpus)]


def linkinator_argv(exe: str, concurrency: int, retry_errors: bool = False) -> list[str]:
    """linkinator over the Markdown files (it has no per-host limit), JSON on stdout. It is
    run from the corpus's parent folder: it serves the files it reads on a local server, and
    an absolute glob loses its leading slash there. `--retry` honours a 429's Retry-After;
    `--retry-errors` (retry 5xx and failures with a 2, 4, 8 s backoff; off unless asked) is
    left off by default: linkinator tries HEAD then GET on a failure, so one hanging URL
    already costs it two timeouts, and with retries three times that."""
    return [exe, "corpus/*.md", "--markdown", "--concurrency", str(concurrency),
            "--timeout", str(int(TIMEOUT_S * 1000)), "--retry", "--format", "json",
            "--verbosity", "error", *(
                ["--retry-errors", "--retry-errors-count", str(RETRIES)] if retry_errors else [])]


def find_linkinator(given: str | None) -> str | None:
    """The linkinator executable (see the module docstring), or None."""
    for candidate in (given, os.environ.get("LINKINATOR"), shutil.which("linkinator")):
        if candidate and Path(candidate).exists():
            return candidate
    for folder in LINKINATOR_DIRS:
        if (folder / "linkinator").exists():
            return str(folder / "linkinator")
    return None


def _version(argv: list[str]) -> str:
    try:
        text = subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return text.split()[-1] if text.split() else "?"


# -- checks of the outputs -----------------------------------------------------------------------


def linkaudit_verdicts(report: Path, pages: list[Page]) -> dict[str, Any]:
    """Classes right and wrong, findings by rule, and the report's size."""
    data = json.loads(report.read_text(encoding="utf-8"))
    got = {link["url"]: link["status"] for link in data["links"]}
    expected = {kind: cls for kind, _, cls in MIX}
    wrong: Counter[str] = Counter()
    missing = 0
    for page in pages:
        status = got.get(page.entry.url)
        if status is None:
            missing += 1
        elif status != expected[page.entry.kind]:
            wrong[f"{page.entry.kind}->{status}"] += 1
    return {"checked": len(got), "missing": missing, "wrong": dict(wrong),
            "findings": len(data["findings"]), "rules": data["summary"]["rules"],
            "bytes": report.stat().st_size}


def lychee_counts(out: Path) -> str:
    """lychee's own counters."""
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        return "no report"
    keep = ("total", "successful", "errors", "timeouts", "redirects", "excludes")
    return ", ".join(f"{k} {data[k]}" for k in keep if isinstance(data.get(k), int))


def linkinator_counts(out: Path) -> str:
    """linkinator's link states."""
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        return "no report"
    states = Counter(str(link.get("state")) for link in data.get("links", []))
    return ", ".join(f"{k} {v}" for k, v in states.most_common())


# -- the benchmark -------------------------------------------------------------------------------


def memory_slope(args: argparse.Namespace, tmp: Path, port: int,
                 full: dict[str, float]) -> str:
    """Audit a smaller corpus of the same shape; the difference in peak memory over the
    difference in links is what one more link costs (the result's share included)."""
    per_host, concurrency = (int(x) for x in args.settings.split(",")[0].split("/"))
    small = tmp / "small"
    small_corpus = small / "corpus"
    _, links = make_corpus(small_corpus, args.slope_files, port)
    web = SimWeb(port, tmp / "stats-small.json", args.latency_ms)
    try:
        run = run_process(linkaudit_argv(small_corpus, small / "out.json", per_host, concurrency))
    finally:
        web.stop()
    extra = full["links"] - links
    main = (full["main"] - run.maxrss_mib) * 1024 * 1024 / extra
    tree = (full["tree"] - run.tree_peak_mib) * 1024 * 1024 / extra
    return (f"memory per link: {args.slope_files} files ({links:,} links) peak "
            f"{run.tree_peak_mib:.0f} MiB tree, {run.maxrss_mib:.0f} MiB main process; "
            f"{args.files} files: {full['tree']:.0f} / {full['main']:.0f} MiB; so about "
            f"{main / 1024:.1f} KiB per link in the main process ({tree / 1024:.1f} KiB in the "
            f"tree), result included")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen tools at the chosen settings and print a Markdown report."""
    ap = argparse.ArgumentParser(description="linkaudit audit beside lychee and linkinator")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--settings", default="10/128,4/64",
                    help="per-host/global limit pairs, comma-separated")
    ap.add_argument("--tools", default="linkaudit,lychee,linkinator")
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--linkinator", help="the linkinator executable")
    ap.add_argument("--linkinator-retry-errors", action="store_true",
                    help="also retry 5xx and failed requests in linkinator (2 retries)")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and the reports")
    ap.add_argument("--slope-files", type=int, default=40,
                    help="also audit this many files (at the first setting, linkaudit alone) "
                    "to state the memory per link (0: skip)")
    ap.add_argument("--linkaudit-src", metavar="DIR", type=Path,
                    help="also run the linkaudit of this source tree (a checkout of an older "
                    "commit, its dependencies installed), as the row `linkaudit (DIR)`")
    ap.add_argument("--py-spy", metavar="FILE", type=Path,
                    help="record linkaudit's process with py-spy (raw format) into FILE; "
                    "its wall and CPU then include the sampler's cost")
    args = ap.parse_args(argv)
    tools = args.tools.split(",")
    if args.linkaudit_src:
        tools.append("linkaudit-src")
    linkinator = find_linkinator(args.linkinator) if "linkinator" in tools else None
    if "linkinator" in tools and linkinator is None:
        print("linkinator: not found (give --linkinator PATH or set LINKINATOR; install it with "
              "`npm install --prefix DIR linkinator`); its rows are left out.\n", file=sys.stderr)
        tools.remove("linkinator")

    port = free_port(HOSTS)
    tmp = Path(tempfile.mkdtemp(prefix="linkaudit-audit-bench-"))
    corpus = tmp / "corpus"
    pages, links = make_corpus(corpus, args.files, port)
    versions = {"lychee": _version(["lychee", "--version"]),
                "linkinator": _version([linkinator, "--version"]) if linkinator else "-"}
    load_before = os.getloadavg()
    print(f"## linkaudit audit beside lychee and linkinator ({args.files} files, {links:,} "
          f"links, {len(pages):,} distinct URLs, {HOSTS} hosts)\n")
    print(f"Latency {args.latency_ms:g} ms, timeout {TIMEOUT_S:g} s, {RETRIES} retries, "
          f"archive and caches off; {os.cpu_count()} CPUs; load average before "
          f"{load_before[0]:.2f}.\n")
    rows = []
    notes: list[str] = []
    full_peaks: dict[str, float] = {}
    for setting in args.settings.split(","):
        per_host, concurrency = (int(x) for x in setting.split("/"))
        lim = Limits(concurrency, per_host, TIMEOUT_S, RETRIES, 0.5, args.latency_ms / 1000)
        bound = lower_bound([p.entry for p in pages], lim, timeout_attempts=1)["bound"]
        rows.append(f"| bound, {per_host}/{concurrency} | {bound:.1f} s | 1.00 | | | | |")
        for tool in tools:
            web = SimWeb(port, tmp / f"stats-{tool}-{per_host}.json", args.latency_ms)
            out = tmp / f"{tool}-{per_host}.json"
            try:
                if tool == "linkaudit-src":
                    # From the tree itself: `python -m` puts the working folder first on the
                    # path, before PYTHONPATH.
                    src = args.linkaudit_src.resolve()
                    env = {**os.environ, "PYTHONPATH": str(src)}
                    run = run_process(linkaudit_argv(corpus, out, per_host, concurrency),
                                      cwd=src, env=env)
                elif tool == "linkaudit":
                    argv = linkaudit_argv(corpus, out, per_host, concurrency)
                    if args.py_spy:
                        argv = ["py-spy", "record", "--rate", "200", "--format", "raw",
                                "--subprocesses", "--output",
                                f"{args.py_spy}.{per_host}-{concurrency}", "--", *argv]
                    run = run_process(argv)
                elif tool == "lychee":
                    run = run_process(lychee_argv(corpus, out, per_host, concurrency))
                else:
                    assert linkinator is not None
                    run = run_process(linkinator_argv(linkinator, concurrency,
                                                      args.linkinator_retry_errors), stdout=out,
                                      cwd=corpus.parent)
            finally:
                served = web.stop()
            name = (tool if tool == "linkaudit" else f"linkaudit ({args.linkaudit_src})"
                    if tool == "linkaudit-src" else f"{tool} {versions[tool]}")
            rows.append(
                f"| {name}, {per_host}/{concurrency} | {run.wall:.1f} s | "
                f"{run.wall / bound:.2f} | {run.cpu:.1f} s | {run.tree_peak_mib:.0f} MiB "
                f"({run.maxrss_mib:.0f}) | {served.get('peak_per_host', '?')} | "
                f"{served.get('requests', '?'):,} |")
            if tool in ("linkaudit", "linkaudit-src"):
                if tool == "linkaudit-src":
                    verdicts = linkaudit_verdicts(out, pages) if run.exit in (0, 1) else {}
                    notes.append(f"linkaudit ({args.linkaudit_src}) {per_host}/{concurrency}: "
                                 f"exit {run.exit}, wrong classes "
                                 f"{sum(verdicts.get('wrong', {}).values()) if verdicts else '?'},"
                                 f" {run.cpu * 1000 / len(pages):.2f} ms CPU per distinct URL")
                    continue
                full_peaks.setdefault("tree", run.tree_peak_mib)
                full_peaks.setdefault("main", run.maxrss_mib)
                full_peaks.setdefault("links", links)
                if run.exit not in (0, 1):
                    notes.append(f"linkaudit exited {run.exit}: {run.stderr[-800:]}")
                    continue
                v = linkaudit_verdicts(out, pages)
                notes.append(
                    f"linkaudit {per_host}/{concurrency}: {v['checked']:,} URLs in the report, "
                    f"{len(pages) - v['missing']:,}/{len(pages):,} of the corpus, wrong classes: "
                    f"{sum(v['wrong'].values())} {v['wrong'] or ''}; {v['findings']:,} findings "
                    f"{json.dumps(v['rules'])}; report {v['bytes'] / 1e6:.1f} MB; "
                    f"{run.cpu * 1000 / len(pages):.2f} ms CPU per distinct URL")
            elif tool == "lychee":
                notes.append(f"lychee {per_host}/{concurrency} (exit {run.exit}): "
                             f"{lychee_counts(out)}")
            else:
                notes.append(f"linkinator {concurrency} (exit {run.exit}): "
                             f"{linkinator_counts(out)}")
    if args.slope_files and "linkaudit" in tools and args.slope_files < args.files:
        notes.append(memory_slope(args, tmp, port, full_peaks))
    load_after = os.getloadavg()
    print("| run (per host/global) | wall | ratio to bound | CPU (user+sys) | peak memory, "
          "tree (main) | most in flight to one host | requests served |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    for note in notes:
        print(f"- {note}")
    print(f"\nLoad average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}.")
    if args.keep:
        print(f"\nCorpus and reports kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
