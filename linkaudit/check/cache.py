"""The cache policy for checks: which checks are kept, for how long, and how one is read back.

The checker and the scale-out run (`linkaudit.scale`) both use these, so a check cached by one is
read the same by the other. Keys are `urls.normalize_url` of the URL. A check is stored as
`check_to_dict` writes it and read back with `check_from_dict`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Mapping
from typing import Any

from linkaudit.config import StoreConfig
from linkaudit.model import DatedFact, DateOrigin, Hop, LinkCheck, LinkStatus, PageRead
from linkaudit.store import Store


def cache_ttl(check: LinkCheck, store: StoreConfig) -> float | None:
    """Seconds `check` may be reused, or None when it is not cached at all (a skipped link, or
    one that came from the cache)."""
    if check.status is LinkStatus.SKIPPED or check.from_cache:
        return None
    return float(store.cache_ttl_s if check.status.is_ok else store.failure_ttl_s)


def cached_check(
    store: Store, key: str, url: str, *, wants_anchors: bool = False, wants_source: bool = False
) -> LinkCheck | None:
    """The unexpired cached check under `key`, spelt as `url` and marked `from_cache`; an
    unreadable row (or cache) is a miss, and so is a check without the page's anchors when
    they are wanted (`--check-fragments`), or a hyperlink's light read (`PageRead.LINK`) when
    the URL is now a cited source (`wants_source`: its text and dates are wanted)."""
    try:
        data = store.get_check(key)
        hit = check_from_dict(data) if data is not None else None
    except (KeyError, ValueError, TypeError, AttributeError, sqlite3.Error):
        return None
    if hit is None or (wants_anchors and hit.anchors is None):
        return None
    if wants_source and hit.read is not PageRead.SOURCE:
        return None
    return dataclasses.replace(hit, url=url, from_cache=True)


def _fact_to_dict(fact: DatedFact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    return {"value": fact.value.isoformat(), "origin": fact.origin.value, "detail": fact.detail,
            "upper_bound": fact.upper_bound}


def _fact_from_dict(d: Mapping[str, Any] | None) -> DatedFact | None:
    if not d:
        return None
    return DatedFact(dt.date.fromisoformat(d["value"]), DateOrigin(d["origin"]),
                     str(d.get("detail", "")), bool(d.get("upper_bound", False)))


def check_to_dict(c: LinkCheck) -> dict[str, Any]:
    """A JSON-serialisable object holding every field of `c`."""
    return {
        "url": c.url,
        "status": c.status.value,
        "http_status": c.http_status,
        "redirects": [{"status": h.status, "location": h.location} for h in c.redirects],
        "final_url": c.final_url,
        "content_type": c.content_type,
        "title": c.title,
        "published": _fact_to_dict(c.published),
        "modified": _fact_to_dict(c.modified),
        "excerpt": c.excerpt,
        "error": c.error,
        "attempts": c.attempts,
        "elapsed_ms": c.elapsed_ms,
        "checked_at": c.checked_at.isoformat() if c.checked_at else None,
        "from_cache": c.from_cache,
        "anchors": sorted(c.anchors) if c.anchors is not None else None,
        "read": c.read.value,
    }


def check_from_dict(d: Mapping[str, Any]) -> LinkCheck:
    """The inverse of `check_to_dict`; raises KeyError/ValueError/TypeError on a bad object."""
    checked_at = d.get("checked_at")
    return LinkCheck(
        url=str(d["url"]),
        status=LinkStatus(d["status"]),
        http_status=d.get("http_status"),
        redirects=tuple(Hop(int(h["status"]), str(h["location"])) for h in d.get("redirects", ())),
        final_url=d.get("final_url"),
        content_type=d.get("content_type"),
        title=d.get("title"),
        published=_fact_from_dict(d.get("published")),
        modified=_fact_from_dict(d.get("modified")),
        excerpt=d.get("excerpt"),
        error=d.get("error"),
        attempts=int(d.get("attempts", 0)),
        elapsed_ms=int(d.get("elapsed_ms", 0)),
        checked_at=dt.datetime.fromisoformat(checked_at) if checked_at else None,
        from_cache=bool(d.get("from_cache", False)),
        anchors=frozenset(map(str, d["anchors"])) if d.get("anchors") is not None else None,
        read=PageRead(d.get("read", PageRead.SOURCE.value)),
    )
