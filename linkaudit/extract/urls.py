"""Finding URLs in text and tidying them: trailing punctuation, stray brackets, wrapped lines.

A URL ends where whitespace or an angle bracket or quote begins; then trailing characters that are
almost never part of a URL as written in prose (`.,;:!?'"*_` and closing brackets without an
opening partner inside the URL) are trimmed, so `(see https://x.org/a_(b)).` keeps `a_(b)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkaudit.urls import normalize_url

_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"`\x00-\x1f\u00a0\u2028\u2029]+", re.IGNORECASE)
_WWW = re.compile(r"(?<![\w./@-])www\.[A-Za-z0-9-]+\.[^\s<>\"`\x00-\x1f]+")
_TRAILING = ".,;:!?'\"*_~\u2019\u201d\u00bb\u2026>"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_SEPARATORS = "/-_.?&=#%+~"


@dataclass(frozen=True, slots=True)
class FoundUrl:
    """One URL found in a piece of text."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset just past the last kept character."""
    written: str
    """The URL as written (after trimming what is not part of it)."""

    @property
    def url(self) -> str:
        """The normalised URL."""
        return clean_url(self.written)


def trim_url(candidate: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets from a URL found in prose."""
    url = candidate
    while url:
        last = url[-1]
        if last in _TRAILING or last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            url = url[:-1]
        else:
            break
    return url


def clean_url(written: str) -> str:
    """The normalised form of a URL as written (`www.` gets `https://`)."""
    url = written.strip()
    if url.lower().startswith("www."):
        url = "https://" + url
    return normalize_url(url)


def find_urls(text: str) -> list[FoundUrl]:
    """Every URL in `text`, in order, trimmed (scheme URLs and bare `www.` hosts)."""
    found: list[FoundUrl] = []
    for pattern in (_URL, _WWW):
        if pattern is _WWW and "www." not in text:
            continue
        for match in pattern.finditer(text):
            written = trim_url(match.group(0))
            if len(written) <= len("https://") or (pattern is _WWW and "." not in written[4:]):
                continue
            if pattern is _WWW and any(f.start <= match.start() < f.end for f in found):
                continue
            found.append(FoundUrl(match.start(), match.start() + len(written), written))
    found.sort(key=lambda f: f.start)
    return found


def looks_incomplete(url: str) -> bool:
    """True when a URL seems cut short (it ends in a separator, or in `://`)."""
    return url.endswith(tuple(_SEPARATORS)) or url.endswith("://")


def is_url_piece(token: str, previous: str) -> bool:
    """True when `token` is unambiguously the rest of `previous`, a URL broken by a space or line.

    Unambiguous means: `token` holds no space, is not itself a URL, is not a marker or a
    parenthesised note, and either `previous` ends with a separator (`/`, `-`, `=`, ...) or
    `token` starts with one or carries a path (`/`) or a query (`=`).
    """
    if not token or any(c.isspace() for c in token) or "://" in token:
        return False
    if not any(c.isalnum() for c in token):
        return False
    if token[0] in "([{<" or token[-1] == ":":
        return False
    if looks_incomplete(previous):
        return True
    return token[0] in _SEPARATORS or "/" in token or "=" in token
