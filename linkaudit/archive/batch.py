"""Archive lookups planned in batches: one CDX prefix query for many dead links of one site.

The Wayback Machine allows a few dozen calls a minute; a URL costs one to three CDX calls, so
250,000 dead links cost days. Where at least `MIN_BATCH` lookups share a host, one query under
their longest common path (`matchType=prefix`, `fl=` the four fields needed, the same
`statuscode` filter as a single lookup) is asked first how many index pages it spans
(`showNumPages`, `pageSize=1`: one block, about 3,000 captures, per page); if that is at most
`MAX_BATCH_PAGES` and fewer calls than the lookups would cost one by one, its pages are read
and every lookup whose captures are among them is answered locally: the closest capture before
the document's date, the first and the latest, exactly as the per-URL queries pick them
(`WaybackArchive.answer_from_captures`). A host too large for one query is tried once more by its
first path segment. Everything else, and every URL a batch did not find, is looked up one by one:
a URL's absence from a prefix's rows is not taken as "never archived", since the index spells
URLs in its own canonical form (SURT) and a miss may be a spelling the batch could not match.

Rows belong to a URL by the index's own key (`urlkey`): a URL takes the rows of the one key
whose captures were made of that URL (scheme, `www.`, default port and host case aside), all of
them, since an exact query returns every row of its key. No key, or two, and the URL is asked
alone. Every call goes through the archive's one rate limit; answers are cached as lookups are.

NOTE: the paged index can lag the live one by days (wayback-cdx-server README, "Pagination
API"), so a capture made this week may be missing from a batch that a single query would show.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from linkaudit.archive.cdx import Capture
from linkaudit.archive.wayback import WaybackArchive
from linkaudit.model import ArchiveLookup

MIN_BATCH = 3
"""Lookups under one prefix worth a batch (a single lookup costs 1 to 3 calls)."""
MAX_BATCH_PAGES = 8
"""Most index pages one batch reads (each about 3,000 captures)."""
CALLS_PER_LOOKUP = 2
"""What a lookup costs alone, as planned: the first and the latest capture (a third call when
the document's date falls between them; one call when never archived)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """Lookups answered by one prefix query, if it is small."""

    prefix: str
    """`host/path/` as the query names it (no scheme)."""
    urls: tuple[str, ...]
    """The URLs under it."""


def page_key(url: str) -> str:
    """`url` as captures of the same page share it: host without `www.` and default port,
    lower-cased; path (at least `/`) and query as they are; no scheme, no fragment."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url
    if host.startswith("www") and "." in host:
        head, _, rest = host.partition(".")
        if head[3:].isdigit() or head == "www":
            host = rest
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path or '/'}{query}"


def _directory(url: str) -> str:
    """The path of `url` up to its last `/`."""
    try:
        path = urlsplit(url).path or "/"
    except ValueError:
        return "/"
    return path[: path.rfind("/") + 1] or "/"


def _common_directory(urls: Sequence[str]) -> str:
    dirs = [_directory(u) for u in urls]
    common = dirs[0]
    for d in dirs[1:]:
        while not d.startswith(common):
            common = common[: common.rstrip("/").rfind("/") + 1] or "/"
    return common


def _host(url: str) -> str:
    return page_key(url).split("/", 1)[0]


def plan_batches(urls: Iterable[str], min_batch: int = MIN_BATCH) -> tuple[list[Batch], list[str]]:
    """Group lookups by host into prefix batches (at least `min_batch` URLs each, under their
    longest common directory); return the batches and the URLs left to look up alone."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(_host(url), []).append(url)
    batches: list[Batch] = []
    singles: list[str] = []
    for host, members in by_host.items():
        if len(members) < min_batch or not host or ":" in host:
            singles.extend(members)  # (a non-default port: the index keys ports its own way)
            continue
        batches.append(Batch(f"{host}{_common_directory(members)}", tuple(members)))
    return batches, singles


def split_batch(batch: Batch, min_batch: int = MIN_BATCH) -> tuple[list[Batch], list[str]]:
    """A batch too large for one query, split by its URLs' next path segment below the prefix."""
    host, _, base = batch.prefix.partition("/")
    groups: dict[str, list[str]] = {}
    for url in batch.urls:
        rest = (_directory(url)[len(base) + 1:] if _directory(url).startswith("/" + base)
                else "")
        groups.setdefault(rest.split("/", 1)[0] if "/" in rest else "", []).append(url)
    parts: list[Batch] = []
    singles: list[str] = []
    for segment, members in groups.items():
        if segment and len(members) >= min_batch and len(groups) > 1:
            parts.append(Batch(f"{host}/{base}{segment}/", tuple(members)))
        else:
            singles.extend(members)
    return parts, singles


def planned_calls(urls: Iterable[str], pages_per_batch: int = 1) -> tuple[int, int]:
    """(batches, calls) the plan expects for these lookups, before any is made: each batch
    `1 + pages_per_batch` calls, each lookup alone `CALLS_PER_LOOKUP`. An estimate: a batch too
    large, or URLs a batch does not find, cost their single lookups on top."""
    batches, singles = plan_batches(urls)
    calls = len(batches) * (1 + pages_per_batch) + len(singles) * CALLS_PER_LOOKUP
    return len(batches), calls


def match_captures(
    urls: Iterable[str], captures: Sequence[Capture]
) -> dict[str, list[Capture]]:
    """URL -> every capture of the one index key whose captures were made of it; URLs with no
    such key, or with two, are left out (they are looked up alone)."""
    by_key: dict[str, list[Capture]] = {}
    page_keys: dict[str, set[str]] = {}
    for capture in captures:
        by_key.setdefault(capture.urlkey, []).append(capture)
        page_keys.setdefault(page_key(capture.original), set()).add(capture.urlkey)
    found: dict[str, list[Capture]] = {}
    for url in urls:
        keys = page_keys.get(page_key(url), set())
        if len(keys) == 1:
            (key,) = keys
            if key:
                found[url] = by_key[key]
    return found


async def lookup_batched(
    archive: WaybackArchive,
    requests: Mapping[str, dt.date | None],
    on_result: Callable[[ArchiveLookup], None] | None = None,
    *,
    max_pages: int = MAX_BATCH_PAGES,
) -> dict[str, ArchiveLookup]:
    """Every lookup of `requests` (URL -> the date to look near), batched where it pays; the
    same answers as `lookup_many` with fewer calls. `on_result` sees each answer."""
    results: dict[str, ArchiveLookup] = {}

    def answer(url: str, lookup: ArchiveLookup) -> None:
        results[url] = lookup
        if on_result is not None:
            on_result(lookup)

    asking: list[str] = []
    for url, near in requests.items():
        known = archive.known(url, near)
        if known is not None:
            answer(url, known)
        else:
            asking.append(url)

    async def alone(url: str) -> None:
        answer(url, await archive.lookup(url, requests[url]))

    async def batch(job: Batch, may_split: bool) -> None:
        limit = min(max_pages, len(job.urls) * CALLS_PER_LOOKUP - 2)
        captures = await archive.prefix_captures(job.prefix, limit) if limit >= 1 else None
        if captures is None:
            parts, rest = split_batch(job) if may_split else ([], list(job.urls))
            await asyncio.gather(*(batch(p, False) for p in parts), *(alone(u) for u in rest))
            return
        found = match_captures(job.urls, captures)
        for url in job.urls:
            if url in found:
                lookup = archive.answer_from_captures(url, requests[url], found[url])
                archive.settle(url, requests[url], lookup)
                answer(url, lookup)
        await asyncio.gather(*(alone(u) for u in job.urls if u not in found))

    batches, singles = plan_batches(asking)
    await asyncio.gather(*(batch(b, True) for b in batches), *(alone(u) for u in singles))
    return {url: results[url] for url in requests}
