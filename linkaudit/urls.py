"""URL helpers shared by every stage: registrable domains and light normalisation.

The registrable domain ("eTLD+1") decides `redirected` versus `moved-offsite` and self-citation.
It comes from the Public Suffix List shipped inside the `publicsuffixlist` package, so it needs no
network (tldextract would fetch the list on first use).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import unquote, urlsplit, urlunsplit

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
    """Lower-case scheme and host, drop the fragment and a default port, resolve `.` and `..`
    path segments; keep the rest of the path and the query.

    This is the key under which a URL is checked once per run, so one target is one URL
    (`/guide/../book/x.html` is `/book/x.html`, as a browser would request it). It is deliberately
    light otherwise: the path and query are kept byte for byte, since servers may treat them
    case-sensitively.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if not netloc and scheme in ("http", "https"):
        return url.strip()  # `http:/x` stays as written, for `invalid-url` to show
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
    if "." in path and netloc:
        path = remove_dot_segments(path)
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: `/a/b/../c/./d` -> `/a/c/d`; `..` never climbs above the root."""
    segments = path.split("/")
    if not any(s in (".", "..") for s in segments):
        return path
    out: list[str] = []
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")  # "/a/b/.." is the folder "/a/"
    return ("/" if path.startswith("/") else "") + "/".join(out)


_NOT_WEB_SCHEMES = frozenset(
    {"mailto", "tel", "sms", "javascript", "data", "about", "blob", "urn", "geo", "magnet", "news",
     "irc", "ircs", "xmpp", "callto", "skype", "facetime", "webcal", "chrome", "edge",
     "view-source"}
)
"""Schemes of links that are not web pages to check and are not mistakes either."""
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,15}):")
_HOST = re.compile(r"(?:[^\s/?#@:\[\]]+|\[[0-9A-Fa-f:.]+(?:%[\w.~-]+)?\])(?::[0-9]*)?")


def _near(word: str, target: str) -> bool:
    """True when `word` is one edit (insert, delete, substitute, swap) away from `target`."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, second = (diffs + [0, 0])[:2]
        return len(diffs) == 2 and second == first + 1 and word[first] == target[second] and (
            word[second] == target[first]
        )
    short, long = (word, target) if len(word) < len(target) else (target, word)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def invalid_url_reason(url: str, *, other_schemes: bool = True) -> str | None:
    """Why `url` as written cannot be a working web link, or None when it can (or is not meant
    to be one: a relative path, `mailto:`, `tel:`, ...).

    A pure function of the text, so the `invalid-url` rule says the same offline as online and
    the checker never sends a request for such a URL: a space in it (`http://exa mple.com/x y`), a
    misspelt scheme (`htp:/x`, `hhttps://x`), `http:` without `//` or without a host, or another
    scheme a web checker cannot follow (`ftp:`, `file:`). With `other_schemes` False the last
    counts as fine: an ordinary `ftp://` link is merely not checked; a cited source must be
    readable.
    """
    written = url.strip()
    match = _SCHEME.match(written)
    if match is None:
        return None  # a relative link: a path, a fragment, a query
    scheme = match.group(1).lower()
    rest = written[match.end() :]
    if scheme in _NOT_WEB_SCHEMES:
        return None
    if scheme not in ("http", "https"):
        if _near(scheme, "http") or _near(scheme, "https"):
            return f"misspelt scheme {match.group(1)!r}: not http or https"
        if not rest.startswith("//") or not other_schemes:
            return None  # `note:`, `see:` and other words before a colon are not URLs
        return f"scheme {match.group(1)!r} is not http or https"
    if any(c.isspace() for c in written):
        return "the URL holds a space: it was cut or broken where it was written"
    if not rest.startswith("//") or rest.startswith("///"):
        return f"malformed: {match.group(1)}: must be followed by // and a host"
    host = rest[2:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    if not host or host.startswith(":"):
        return "no host in URL"
    if "%" in host and not host.startswith("["):
        # A host is percent-decoded before it is looked up (WHATWG URL): `exa%20mple.com`, which
        # `<http://exa mple.com/>` becomes once encoded, is a name with a space in it.
        name, colon, port = host.rpartition(":") if ":" in host else (host, "", "")
        decoded = unquote(name, errors="replace")
        if any(c.isspace() for c in decoded):
            return "the URL holds a space: it was cut or broken where it was written"
        if any(c in "%:\ufffd" or not c.isprintable() for c in decoded):
            return f"malformed host {decoded[:60]!r}"
        host = decoded + colon + port
    if not _HOST.fullmatch(host):
        return f"malformed host {host[:60]!r}"
    return None


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
