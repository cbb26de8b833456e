"""Which URLs the audit looks up in the archive, with which date, and the lookups themselves.

`--archive dead` (the default) asks about every link that is not alive (and not merely
redirected): those are the ones whose archived copy is the fix. `--archive all` asks about every
link, which dates every source by its first capture and finds the unarchived ones. `none` asks
about nothing. A URL cited by several documents is looked up once, near the EARLIEST of their
dates: the copy the first author could have seen. Links the checker skipped (excluded by the
user, private addresses) or found invalid are never sent to the archive.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from linkaudit.archive.interface import ArchiveService, SaveResult
from linkaudit.config import ArchiveConfig, ArchiveMode, RulesConfig
from linkaudit.model import ArchiveLookup, ArchiveState, Document, LinkCheck, LinkStatus


def wants_lookup(mode: ArchiveMode, check: LinkCheck | None) -> bool:
    """True when `--archive mode` asks about a URL with this check (None: not checked)."""
    if check is not None and check.status in (LinkStatus.SKIPPED, LinkStatus.INVALID):
        return False
    match mode:
        case ArchiveMode.NONE:
            return False
        case ArchiveMode.ALL:
            return True
        case ArchiveMode.DEAD:
            return check is None or not check.status.is_ok
        case _ as unreachable:  # pragma: no cover - exhaustive
            raise AssertionError(unreachable)


def lookup_dates(documents: Sequence[Document], rules: RulesConfig) -> dict[str, dt.date | None]:
    """Every web URL of the documents (references, then links, document by document, first seen
    first) -> the date to look near: the earliest date of the documents citing it (`--as-of`
    when given), None when none of them has a date."""
    dates: dict[str, dt.date | None] = {}
    for doc in documents:
        date = rules.as_of or (doc.date.value if doc.date else None)
        urls: Iterable[str] = [r.url for r in doc.references if r.url] + [
            link.url for link in doc.links
        ]
        for url in urls:
            if not url.lower().startswith(("http://", "https://")):
                continue  # local files, mail and other schemes are not archived
            if url in dates:
                known = dates[url]
                if date is not None and (known is None or date < known):
                    dates[url] = date
            else:
                dates[url] = date
    return dates


def lookup_requests(
    documents: Sequence[Document],
    checks: Mapping[str, LinkCheck],
    archive: ArchiveConfig,
    rules: RulesConfig,
) -> dict[str, dt.date | None]:
    """URL -> the date to look near (`lookup_dates`, with the rules section's `--as-of`), for
    every URL `archive.mode` asks about, in first-seen order.

    A URL with no check at all (not checked) is asked about only with `--archive all`.
    """
    return {
        url: date
        for url, date in lookup_dates(documents, rules).items()
        if (url in checks or archive.mode is ArchiveMode.ALL)
        and wants_lookup(archive.mode, checks.get(url))
    }


async def lookup_many(
    service: ArchiveService,
    requests: Mapping[str, dt.date | None],
    on_result: Callable[[ArchiveLookup], None] | None = None,
) -> dict[str, ArchiveLookup]:
    """Look every URL up (concurrently; the service's shared rate limit paces the requests).
    `on_result` sees each answer as it arrives (progress)."""

    async def one(url: str) -> ArchiveLookup:
        lookup = await service.lookup(url, requests[url])
        if on_result is not None:
            on_result(lookup)
        return lookup

    urls = list(requests)
    results = await asyncio.gather(*(one(url) for url in urls))
    return dict(zip(urls, results, strict=True))


def save_candidates(
    lookups: Mapping[str, ArchiveLookup], checks: Mapping[str, LinkCheck]
) -> list[str]:
    """Live sources the archive says it never captured (what `--save-unarchived` asks to save)."""
    return [
        url
        for url, lookup in lookups.items()
        if lookup.state is ArchiveState.NOT_ARCHIVED
        and (check := checks.get(url)) is not None
        and check.status.is_ok
    ]


async def save_unarchived(
    service: ArchiveService, lookups: Mapping[str, ArchiveLookup], checks: Mapping[str, LinkCheck]
) -> list[SaveResult]:
    """Ask Save Page Now for every candidate, one after another (its limit is per minute)."""
    return [await service.save(url) for url in save_candidates(lookups, checks)]
