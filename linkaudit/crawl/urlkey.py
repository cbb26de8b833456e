"""Crawl URL normalisation: one spelling per page, so that each article is fetched once.

`linkaudit.urls.normalize_url` is deliberately light (it keys link checks, where a path's case or
a query's order may matter). A crawl needs more: the same article is linked as `/a`, `/a/`,
`/a?utm_source=x`, `/a#comments`, `HTTP://Example.COM:80/./a`. Here `crawl_url` gives the URL to
fetch and `page_key` the identity a page is deduplicated under. Choices, each a trade-off:

- the fragment, `utm_*` and the usual click ids (fbclid, gclid, msclkid, ...) are dropped;
- query parameters are sorted (servers almost never depend on their order);
- percent-escapes are upper-cased and unreserved characters decoded (RFC 3986 6.2.2);
- dot segments are removed, the host is lower-cased (a non-ASCII host in its IDNA 2008 ASCII
  form, as yarl and so aiohttp spell it), a default port dropped, userinfo dropped (credentials
  are never sent by a crawl);
- `page_key` also ignores one trailing slash (`/a/` and `/a` are one page on virtually every
  site, and the one that is not canonical normally redirects to the other). The URL actually
  fetched keeps the first spelling seen, so a site that answers only `/a/` still works.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from yarl import URL

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
    }
)
"""Query parameters that only track a click; dropped (plus every `utm_*`)."""

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def _fix_escapes(text: str, safe: str) -> str:
    def repl(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in _UNRESERVED else f"%{m.group(1).upper()}"

    # quote() escapes what may not stand raw (spaces, non-ASCII) and leaves `%` escapes alone.
    return _ESCAPE.sub(repl, quote(text, safe=safe))


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    segments = path.split("/")
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg in (".", ".."):
            if seg == ".." and len(out) > 1:
                out.pop()
            if i == last:
                out.append("")
            continue
        out.append(seg)
    return "/".join(out) or "/"


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


def crawl_url(url: str, base: str | None = None) -> str | None:
    """`url` (joined to `base`) as an absolute, normalised http(s) URL, or None if it is not one."""
    url = url.strip()
    if not url:
        return None
    if base is not None and not url.startswith(("http://", "https://")):
        if url.startswith("/") and not url.startswith("//") and base.startswith("http"):
            # An absolute-path reference takes only scheme and authority from the base
            # (RFC 3986 5.2.2); this is most links of a site, and urljoin is slow.
            scheme, _, authority = base.split("/", 3)[:3]
            url = f"{scheme}//{authority}{url}"
        else:
            try:
                url = urljoin(base, url)
            except ValueError:
                return None
    return _normalise(url)


@functools.lru_cache(maxsize=16384)
def _normalise(url: str) -> str | None:
    # Cached: a site's pages link to the same URLs over and over (navigation, neighbours).
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            return None
        host = (parts.hostname or "").rstrip(".")
        if not host:
            return None
        port = parts.port
    except ValueError:
        return None
    if host.isascii():
        host = host.lower()
    else:
        # IDNA 2008 via yarl, the form aiohttp connects to (`faß.de` -> `xn--fa-hia.de`);
        # Python's own "idna" codec is IDNA 2003 (`fass.de`, another site).
        try:
            host = URL.build(scheme=scheme, host=host).raw_host or ""
        except (UnicodeError, ValueError):
            return None
        if not host:
            return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{port}"
    path = _remove_dot_segments(_fix_escapes(parts.path or "/", _PATH_SAFE))
    if not path.startswith("/"):
        path = "/" + path
    pieces = [
        _fix_escapes(piece, _QUERY_SAFE)
        for piece in parts.query.split("&")
        if piece and not _is_tracking(piece.partition("=")[0])
    ]
    return urlunsplit((scheme, netloc, path, "&".join(sorted(pieces)), ""))


@functools.lru_cache(maxsize=16384)
def page_key(url: str) -> str:
    """The identity of a page: `crawl_url` output with one trailing slash of the path ignored."""
    parts = urlsplit(url)
    path = parts.path
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a `crawl_url` output: the scope of a robots.txt."""
    scheme, _, netloc = url.split("/", 3)[:3]
    return f"{scheme}//{netloc}"


def netloc_of(url: str) -> str:
    """`host[:port]` of a `crawl_url` output (cheaper than `urlsplit`)."""
    return url.split("/", 3)[2]
