"""Benchmark of the site crawler: a 5,000-article loopback site with 50 ms latency.

Each article is about 30 KB of HTML (an 18 KB inline script, prose, 3 references, 20 related
articles, 30 partner links), like a real news page.

The site (served by this same script in a child process, `--serve`, so the server and the
crawler do not share a CPU) has robots.txt, a sitemap index of gzipped and plain sitemaps with
lastmods, an RSS feed, a home page linking to the latest articles, and articles that link to their
neighbours (so most URLs are found several times and must be fetched once). Every response
waits `--latency-ms` first.

The crawl uses the live `AiohttpClient` (with `--allow-private 127.0.0.0/8`) when
`linkaudit.check.transport` exists, and extracts every article with
`linkaudit.extract.extract_document` when that exists. It reports:

- wall time against the lower bound the politeness rules allow. All requests go to one host,
  so with R requests, a per-host limit P, latency L and Crawl-delay D:
      bound = max(ceil(R / P) * L, (R - 1) * D)
  (the per-host limit lets P requests be in flight, each taking L; Crawl-delay spaces the
  starts of consecutive requests by D);
- peak memory (max RSS of this process, and the Python heap peak by tracemalloc with
  `--tracemalloc`, which slows the run);
- that every article was fetched exactly once (the server counts hits);
- with `--baseline`, the same page requests made by bare aiohttp GETs (no crawler), which shows
  what the machine itself allows under its current load.

    python benchmarks/crawl.py [--articles 5000] [--latency-ms 50] [--per-host 4]
                               [--crawl-delay 0] [--no-extract] [--client live|minimal]
                               [--store] [--tracemalloc] [--baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import math
import random
import resource
import socket
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

PER_SITEMAP = 1000
LATEST = 50

ARTICLE = (
    "<!doctype html><html><head><title>Story {n}</title>"
    '<meta property="article:published_time" content="{date}T08:00:00Z">'
    '<link rel="canonical" href="/news/{n}?utm_source=self">'
    "</head><body><nav><a href='/'>Home</a> <a href='/news/{prev}'>Previous</a> "
    "<a href='/news/{next}#top'>Next</a> <a href='/news/{n}/?utm_content=nav'>Permalink</a></nav>"
    "<article><h1>Story {n}</h1>"
    "<p>Chipmakers are developing processors for artificial intelligence, analysts said, and "
    "revenue rose 26% to $53 billion in quarter {n} [1].</p><p>Cloud providers plan to spend "
    "more next year [2].</p><p>Software tools still trail the leader [3].</p>"
    + "<h2>References</h2><ol class='references'>"
    "<li>[1] <a href='https://source-a.example/{n}'>Source A on story {n}</a></li>"
    "<li>[2] <a href='https://source-b.example/2025/09/{n}'>Source B</a></li>"
    "<li>[3] <a href='https://source-c.example/report?id={n}'>Source C report</a></li>"
    "</ol></article></body></html>"
)


SCRIPT = "<script>window.__DATA__ = " + '{"k": "' + "x" * 18000 + '"}' + ";</script>"
FOOTER = "".join(f"<a href='https://partner{i}.example/'>Partner {i}</a> " for i in range(30))
_WORDS = ("markets", "chips", "cloud", "analysts", "revenue", "software", "demand", "supply",
          "export", "rules", "training", "inference", "servers", "memory", "capital", "quarter")
FILLER = "".join(
    "<p>" + " ".join(random.Random(i).choices(_WORDS, k=110)) + ".</p>" for i in range(8)
)


def render(n: int, articles: int) -> str:
    """One article page: about 30 KB, 3 references, 20 related links, 30 external links."""
    related = "".join(
        f"<li><a href='/news/{(n * 7 + k * 131) % articles}'>Related {k}</a></li>"
        for k in range(20)
    )
    page = ARTICLE.format(n=n, date=_date(n), prev=(n - 1) % articles, next=(n + 1) % articles)
    return page.replace(
        "</article>",
        f"{FILLER}</article><aside><ul>{related}</ul></aside><footer>{FOOTER}</footer>"
        f"{SCRIPT}",
    )


def _date(n: int) -> str:
    return f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"


def make_app(articles: int, latency: float, crawl_delay: float) -> web.Application:
    """The simulated news site."""
    hits: Counter[str] = Counter()
    sitemaps = math.ceil(articles / PER_SITEMAP)

    def urlset(base: str, start: int) -> bytes:
        rows = "".join(
            f"<url><loc>{base}/news/{n}</loc><lastmod>{_date(n)}</lastmod></url>"
            for n in range(start, min(start + PER_SITEMAP, articles))
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
        ).encode()

    async def handle(request: web.Request) -> web.StreamResponse:
        hits[request.path] += 1
        await asyncio.sleep(latency)
        base = f"http://{request.host}"
        path = request.path
        if path == "/robots.txt":
            delay = f"Crawl-delay: {crawl_delay}\n" if crawl_delay else ""
            text = f"User-agent: *\nDisallow: /admin/\n{delay}Sitemap: {base}/sitemap_index.xml\n"
            return web.Response(text=text)
        if path == "/sitemap_index.xml":
            rows = "".join(
                f"<sitemap><loc>{base}/sitemaps/{i}.xml{'.gz' if i % 2 else ''}</loc></sitemap>"
                for i in range(sitemaps)
            )
            body = (
                '<?xml version="1.0"?><sitemapindex '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
            )
            return web.Response(text=body, content_type="application/xml")
        if path.startswith("/sitemaps/"):
            index = int(path.split("/")[2].split(".")[0])
            data = urlset(base, index * PER_SITEMAP)
            if path.endswith(".gz"):
                return web.Response(body=gzip.compress(data), content_type="application/x-gzip")
            return web.Response(body=data, content_type="application/xml")
        if path == "/feed.xml":
            items = "".join(
                f"<item><link>{base}/news/{n}?utm_medium=rss</link></item>"
                for n in range(articles - 1, max(-1, articles - 1 - LATEST), -1)
            )
            return web.Response(
                text=f"<rss><channel>{items}</channel></rss>", content_type="application/rss+xml"
            )
        if path == "/":
            links = "".join(
                f"<a href='/news/{n}'>Story {n}</a>"
                for n in range(articles - 1, max(-1, articles - 1 - LATEST), -1)
            )
            return web.Response(
                text="<html><head><link rel='alternate' type='application/rss+xml' "
                f"href='/feed.xml'></head><body>{links}<a href='/admin/'>admin</a></body></html>",
                content_type="text/html",
            )
        if path.startswith("/news/"):
            n = int(path.split("/")[2])
            if 0 <= n < articles:
                return web.Response(text=render(n, articles), content_type="text/html")
        if path == "/_hits":
            return web.json_response(dict(hits))
        return web.Response(status=404, text="not found")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    return app


async def serve(articles: int, latency: float, crawl_delay: float) -> None:
    """Serve the site on a free loopback port; print the port, then serve until killed."""
    runner = web.AppRunner(make_app(articles, latency, crawl_delay), access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock, backlog=1024)
    await site.start()
    print(sock.getsockname()[1], flush=True)
    await asyncio.Event().wait()


async def crawl(args: argparse.Namespace, base: str) -> dict[str, Any]:
    """Crawl the site (and extract), returning the figures."""
    from linkaudit.config import AuditConfig
    from linkaudit.crawl import CrawledPage, CrawlOptions, crawl_site

    cfg = AuditConfig.build(per_host=args.per_host, allow_private=("127.0.0.0/8",))
    client: Any
    try:
        if args.client != "live":
            raise ImportError("asked for the minimal client")
        from linkaudit.check.transport import AiohttpClient

        client = AiohttpClient(cfg.network)
        client_name = "AiohttpClient"
    except ImportError:  # the checker not built (or not wanted): the tests' minimal client
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "crawl"))
        from crawlkit import LoopbackClient

        client = LoopbackClient(cfg.network.user_agent)
        client_name = "LoopbackClient (tests)"
    extract: Any = None
    if not args.no_extract:
        try:
            from linkaudit.extract import extract_document as extract
        except ImportError:
            extract = None
    references = 0
    extracted = 0
    extract_s = 0.0

    def on_page(page: CrawledPage) -> None:
        nonlocal references, extracted, extract_s
        source = page.source
        if extract is None or source is None:
            return
        began = time.process_time()  # CPU time, so that it compares with the crawler's
        document = extract(source)
        extract_s += time.process_time() - began
        extracted += 1
        references += len(document.references)

    options = CrawlOptions(start=f"{base}/", max_pages=args.articles + 100, keep_bodies=False)
    cpu_before = time.process_time()
    store = None
    if args.store:
        import tempfile

        from linkaudit.store import Store

        store = Store.open(Path(tempfile.mkdtemp()) / "crawl.db")
    began = time.perf_counter()
    try:
        result = await crawl_site(client, cfg.network, options, store=store, on_page=on_page)
    finally:
        await client.close()
        if store is not None:
            store.close()
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    bound = max(
        math.ceil(result.requests / args.per_host) * args.latency_ms / 1000,
        (result.requests - 1) * args.crawl_delay,
    )
    return {
        "client": client_name,
        "articles_on_site": args.articles,
        "found": result.found,
        "articles": len(result.articles),
        "fetched": result.fetched,
        "requests": result.requests,
        "sitemaps_read": result.sitemaps_read,
        "skipped": dict(result.skipped),
        "failed": result.failed,
        "problems": [p.message for p in result.problems],
        "extracted": extracted,
        "references": references,
        "extract_cpu_s": round(extract_s, 2),
        "wall_s": round(wall, 2),
        "crawler_cpu_s": round(cpu, 2),
        "crawler_cpu_ms_per_page": round(1000 * (cpu - extract_s) / max(1, result.fetched), 2),
        "bound_s": round(bound, 2),
        "ratio": round(wall / bound, 3) if bound else None,
    }


async def baseline(args: argparse.Namespace, base: str) -> dict[str, Any]:
    """The same page requests with no crawler: `per_host` plain aiohttp GETs in a loop.

    What the machine, the server and aiohttp allow; the crawler's ratio is judged against it."""
    import aiohttp

    urls = [f"{base}/news/{n}" for n in range(args.articles)]
    began = time.perf_counter()
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while urls:
                async with session.get(urls.pop()) as response:
                    await response.read()

        await asyncio.gather(*(worker() for _ in range(args.per_host)))
    wall = time.perf_counter() - began
    bound = math.ceil(args.articles / args.per_host) * args.latency_ms / 1000
    return {"baseline_wall_s": round(wall, 2), "baseline_bound_s": round(bound, 2),
            "baseline_ratio": round(wall / bound, 3)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with `--serve`, be the site)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--crawl-delay", type=float, default=0.0)
    parser.add_argument("--no-extract", action="store_true")
    parser.add_argument(
        "--client", choices=("live", "minimal"), default="live",
        help="live: linkaudit.check's AiohttpClient; minimal: the tests' tiny aiohttp client",
    )  # fmt: skip
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--store", action="store_true", help="keep the frontier in a SQLite store")
    parser.add_argument(
        "--baseline", action="store_true",
        help="also time the same page requests without the crawler (plain aiohttp GETs)",
    )  # fmt: skip
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.articles, args.latency_ms / 1000, args.crawl_delay))
        return 0
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--articles", str(args.articles),
         "--latency-ms", str(args.latency_ms), "--crawl-delay", str(args.crawl_delay)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if args.tracemalloc:
            tracemalloc.start()
        figures = asyncio.run(crawl(args, base))
        if args.tracemalloc:
            figures["heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        figures["rss_before_mb"] = round(rss_before / 1024, 1)
        figures["rss_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        hits = json.loads(_get(f"{base}/_hits"))
        per_path = {path: n for path, n in hits.items() if path.startswith("/news/")}
        figures["article_paths_hit"] = len(per_path)
        figures["article_requests"] = sum(per_path.values())
        figures["each_article_fetched_once"] = len(per_path) == args.articles and all(
            n == 1 for n in per_path.values()
        )
        if args.baseline:  # after the hit count: it requests every article once more
            figures.update(asyncio.run(baseline(args, base)))
        figures["formula"] = "bound = max(ceil(R / per_host) * latency, (R - 1) * crawl_delay)"
        figures["per_host"] = args.per_host
        figures["latency_ms"] = args.latency_ms
        figures["crawl_delay_s"] = args.crawl_delay
        figures["store"] = args.store
        print(json.dumps(figures, indent=2))
    finally:
        server.terminate()
        server.wait(10)
    return 0


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:  # loopback only
        return response.read().decode()


if __name__ == "__main__":
    raise SystemExit(main())
