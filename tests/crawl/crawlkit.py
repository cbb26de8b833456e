"""Test helpers for the crawler: articles, sitemaps and feeds to serve.

The loopback site, the client (a minimal `linkaudit.http.HttpClient` over aiohttp, so these tests
do not depend on the checker's transport) and the fake clock are the shared ones of `fakes`.
"""

from __future__ import annotations

import gzip


def article(title: str, refs: int = 2, *, links: tuple[str, ...] = (), head: str = "") -> str:
    """An article with `refs` numbered references and extra links."""
    cites = " ".join(f"Claim {i} is sourced [{i}]." for i in range(1, refs + 1))
    items = "".join(
        f'<li>[{i}] <a href="https://source{i}.example/report-{i}">Report {i}</a></li>'
        for i in range(1, refs + 1)
    )
    anchors = "".join(f'<a href="{href}">link</a> ' for href in links)
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body>"
        f"<h1>{title}</h1><p>{cites}</p><nav>{anchors}</nav>"
        f"<h2>References</h2><ol class=\"references\">{items}</ol></body></html>"
    )


def urlset(*entries: tuple[str, str | None]) -> str:
    """A sitemap `<urlset>` of (loc, lastmod) pairs; `{base}` is replaced when served."""
    rows = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    )


def sitemapindex(*locs: str) -> str:
    """A sitemap index of `locs`."""
    rows = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    )


def gz(text: str) -> bytes:
    """Gzip bytes of `text`."""
    return gzip.compress(text.encode())
