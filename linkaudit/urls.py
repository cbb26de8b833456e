"""URL helpers shared by every stage: registrable domains and light normalisation.

The registrable domain ("eTLD+1") decides `redirected` versus `moved-offsite` and self-citation.
It comes from the Public Suffix List shipped inside the `publicsuffixlist` package, so it needs no
network (tldextract would fetch the list on first use).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from publicsuffixlist import PublicSuffixList


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


@functools.lru_cache(maxsize=8192)  # asked several times per URL by every stage
def host_of(url: str) -> str:
    """The lower-cased host name of `url` (no port, no brackets), or `""`."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def registrable_domain(url_or_host: str) -> str:
    """`https://www.cnbc.com/x` -> `cnbc.com`; an IP address or a bare name is returned as is."""
    host = host_of(url_or_host) if "/" in url_or_host else url_or_host.lower().rstrip(".")
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _psl().privatesuffix(host) or host


def same_site(a: str, b: str) -> bool:
    """True when both URLs (or hosts) share a registrable domain."""
    da, db = registrable_domain(a), registrable_domain(b)
    return bool(da) and da == db


@functools.lru_cache(maxsize=8192)  # the key of every lookup of a check, many per URL
def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment and a default port; keep path and query.

    This is the key under which a URL is checked once per run. It is deliberately light: the
    path and query are kept byte for byte, since servers may treat them case-sensitively.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname:
        host = parts.hostname.lower()
        if ":" in host:
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:
            port = None
        default = {"http": 80, "https": 443}.get(scheme)
        userinfo = netloc.rpartition("@")[0]
        netloc = (f"{userinfo}@" if userinfo else "") + host
        if port is not None and port != default:
            netloc += f":{port}"
    path = parts.path or ("/" if scheme in ("http", "https") else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def redact_url(url: str) -> str:
    """Hide user:password and secret-looking query values, for every output and log."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pieces = []
        for piece in query.split("&"):
            key, sep, _value = piece.partition("=")
            secret = key.lower() in _SECRET_KEYS or any(s in key.lower() for s in _SECRET_PARTS)
            pieces.append(f"{key}{sep}***" if sep and secret else piece)
        query = "&".join(pieces)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


_SECRET_KEYS = frozenset({"key", "sig", "signature", "auth", "code", "password", "pass", "pwd"})
_SECRET_PARTS = ("token", "secret", "apikey", "api_key", "access_key", "credential", "session")


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def _redact_match(match: re.Match[str]) -> str:
    url = match.group(0)
    stripped = url.rstrip(_TRAILING)
    return redact_url(stripped) + url[len(stripped) :]


def redact_text(text: str) -> str:
    """Every http(s) URL inside free text (a message, an error, a fix) through `redact_url`."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(_redact_match, text)
