"""Finding URLs in text and tidying them: trailing punctuation, stray brackets, broken URLs.

A URL ends where whitespace or an angle bracket or quote begins; then trailing characters that are
almost never part of a URL as written in prose (`.,;:!?'"*_` and closing brackets without an
opening partner inside the URL) are trimmed, so `(see https://x.org/a_(b)).` keeps `a_(b)`.

Two kinds of broken URL are found rather than cut short:

- a URL between delimiters that holds a space (`<http://exa mple.com/x y>`, or a Markdown link
  `[x](http://exa mple.com/x y)` that no parser accepted) is kept whole, as written, so that the
  `invalid-url` rule reports it and no request is made for a truncated `http://exa`;
- a misspelt or malformed web scheme (`htp:/x`, `hhttps://x`, `http:/x`) is a URL too, for the
  same rule to report, instead of being dropped.

In a reference entry (`entry_url`), a URL broken by a stray space or a line wrap is joined when the
piece after the break unambiguously continues its path: it has no scheme and no space, and either
carries URL punctuation (`/`, `=`, a leading `-`) or finishes a slug (`nf-wdm-mmm aplockedpages`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from linkaudit.urls import normalize_url

_URL = re.compile(
    r"(?<![A-Za-z])(?:https?|ftp)://[^\s<>\"`\x00-\x1f\u00a0\u2028\u2029]+", re.IGNORECASE
)
_WWW = re.compile(r"(?<![\w./@-])www\.[A-Za-z0-9-]+\.[^\s<>\"`\x00-\x1f]+")
_ODD = re.compile(
    r"(?<![\w.+-])([A-Za-z]{3,7}):(/{1,3})(?=[\w\[%])[^\s<>\"`\x00-\x1f\u00a0\u2028\u2029]+"
)
"""A scheme and at least one slash: the shape of a web URL written wrong (`htp:/x`, `http:/x`)."""
_TRAILING = ".,;:!?'\"*_~\u2019\u201d\u00bb\u2026>"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_SEPARATORS = "/-_.?&=#%+~"
_DELIMITED_MAX = 2048
"""The longest URL looked for between `<` and `>` (or `](` and `)`) on one line."""
_PATH_PIECE = re.compile(r"[A-Za-z0-9._~%!$&'*+,;=:@/?#-]+")
_SLUG_REST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9]{1,5})?")
_HOST_REST = re.compile(r"[A-Za-z0-9-]*\.[A-Za-z]{2,}(?:[/:?#]|\s|$)")


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


def _is_odd_scheme(scheme: str, slashes: str) -> bool:
    """True for `htp:/`, `hhttps://`, `http:/`: a web scheme written wrong (not `ftp:`, `s3:`)."""
    lowered = scheme.lower()
    if lowered in ("http", "https"):
        return len(slashes) != 2
    if lowered == "ftp":
        return False
    return lowered.startswith(("ht", "tt")) or lowered.endswith(("tp", "tps"))


def _delimited(text: str, start: int, end: int) -> int:
    """The end of a URL starting at `start` that runs on, spaces included, to a closing `>` (after
    `<`) or `)` (after `](`) on the same line; `end` when there is no such delimiter."""
    if start >= 1 and text[start - 1] == "<":
        closer = ">"
    elif start >= 2 and text[start - 2 : start] == "](":
        closer = ")"
    else:
        return end
    inside = text.find(closer, start, end)
    if inside >= 0:  # `](https://x.org/a)'s`: the link ends at its own `)`
        return inside
    line_end = text.find("\n", end)
    limit = min(len(text) if line_end < 0 else line_end, start + _DELIMITED_MAX)
    close = text.find(closer, end, limit)
    if close < 0 or "<" in text[end:close] or text[end:close].strip() == "":
        return end
    title = text.rfind(' "', end, close)  # `](url "title")`: the title is not the URL's
    if title >= 0 and text[close - 1] == '"':
        close = title
    return close


def is_template(url: str) -> bool:
    """True for a URL that a site generator fills in (`{{ site.url }}/x`, `{% link a.md %}`): it
    is not a URL until the site is built, so it is neither checked nor judged."""
    return "{{" in url or "{%" in url


def find_urls(text: str) -> list[FoundUrl]:
    """Every URL in `text`, in order, trimmed (scheme URLs, bare `www.` hosts, web URLs with a
    malformed scheme, and delimited URLs broken by a space); templates are skipped."""
    found: list[FoundUrl] = []
    for pattern in (_URL, _WWW, _ODD):
        if pattern is _WWW and "www." not in text:
            continue
        if pattern is _ODD and ":/" not in text:
            continue
        for match in pattern.finditer(text):
            if pattern is _ODD and not _is_odd_scheme(match.group(1), match.group(2)):
                continue
            if is_template(match.group(0)):
                continue  # `https://github.com/{{ repo }}/...` is not yet a URL
            raw = match.group(0)
            if "](" in raw:  # `[https://x.org](https://x.org)` read as text: two URLs, not one
                raw = raw[: raw.index("](")]
            written = trim_url(raw)
            if len(written) <= len("https://") and pattern is not _ODD:
                continue
            if pattern is _WWW and "." not in written[4:]:
                continue
            if pattern is not _URL and any(f.start <= match.start() < f.end for f in found):
                continue
            start = match.start()
            end = _delimited(text, start, start + len(written))
            if end != start + len(written):
                written = text[start:end].strip()
            found.append(FoundUrl(start, start + len(written), written))
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


def continues_path(previous: str, token: str) -> bool:
    """True when `token` is the rest of URL `previous`, cut by a stray space or a line wrap.

    Beyond `is_url_piece` (the break is at URL punctuation), a break inside a slug counts: the
    URL's last path segment is a slug (`nf-wdm-mmm`: a hyphen, an underscore or a digit, no file
    extension, no query) and the token finishes it (`aplockedpages`: lower-case letters, digits,
    `-`, `_`, an optional extension). A capitalised word, a title or `(PDF)` never continues it.
    """
    if is_url_piece(token, previous):
        return True
    if not token or not _PATH_PIECE.fullmatch(token) or not _SLUG_REST.fullmatch(token):
        return False
    try:
        parts = urlsplit(previous)
    except ValueError:
        return False
    last = parts.path.rsplit("/", 1)[-1]
    if parts.query or parts.fragment or not last or "." in last:
        return False
    return any(c in last for c in "-_") or any(c.isdigit() for c in last)


@dataclass(frozen=True, slots=True)
class EntryUrl:
    """The URL of one line of a reference entry."""

    found: FoundUrl
    """Where it stands in the line (its `written` ends where the URL was cut, if it was)."""
    joined: str
    """The URL with the pieces after a stray space joined (equal to `found.written` otherwise)."""
    written: str
    """The URL as written, pieces and spaces included."""
    repaired: bool
    """True when pieces were joined."""
    ends_line: bool
    """True when nothing but the URL's pieces follows it on the line (a wrap may continue it)."""


def entry_url(line: str) -> EntryUrl | None:
    """The first URL of a reference entry's line, joined across a stray space when the piece after
    it continues the path (`continues_path`) and is the last thing on the line."""
    found = find_urls(line)
    if not found:
        return None
    first = found[0]
    rest = line[first.end :].strip()
    if rest and _host_is_cut(first.written, rest):
        # `http://exa mple.com/x y`: the space is inside the host name. Nothing sensible can be
        # joined; the URL is kept whole, as written, for `invalid-url` to report.
        written = line[first.start :].strip()
        return EntryUrl(first, written, written, False, False)
    if rest and " " not in rest and not any(c.isspace() for c in first.written):
        piece = rest.rstrip(".,;")
        if piece and continues_path(first.written, piece):
            written = line[first.start : first.end + line[first.end :].index(piece) + len(piece)]
            return EntryUrl(first, first.written + piece, written, True, True)
    return EntryUrl(first, first.written, first.written, False, not rest)


def _host_is_cut(url: str, rest: str) -> bool:
    """True when `url` stops inside its host (`http://exa`: no dot, no path) and `rest` goes on
    with the rest of a host name (`mple.com/x y`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    if not host or "." in host or host == "localhost" or parts.path not in ("", "/"):
        return False
    return _HOST_REST.match(rest) is not None


def wrapped_rest(url: str, line: str) -> str | None:
    """The start of `line` that finishes `url`, a URL that ended its previous line, if it
    unambiguously does: the whole line when it is one piece that continues the path (and the URL
    looked cut, or the line is indented or starts with `/?&#=`), or only its first word when the
    URL ends in a separator and the rest of the line is separate (`(accessed ...)`).
    """
    token = line.strip()
    if not token:
        return None
    if " " not in token and continues_path(url, token.rstrip(".,;")):
        cut = (
            looks_incomplete(url)
            or line[:1].isspace()
            or token[0] in "/?&#="
            or not is_url_piece(token, url)
        )
        return token.rstrip(".,;") if cut else None
    first = token.split(None, 1)[0]
    if looks_incomplete(url) and is_url_piece(first, url):
        return first
    return None
