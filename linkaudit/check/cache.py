"""The cache policy for checks: which checks are kept, for how long, and how one is read back.

The checker and the scale-out run (`linkaudit.scale`) both use these, so a check cached by one is
read the same by the other. Keys are `urls.normalize_url` of the URL.
"""

from __future__ import annotations

import dataclasses
import sqlite3

from linkaudit.config import AuditConfig
from linkaudit.model import LinkCheck, LinkStatus, PageRead
from linkaudit.store import Store


def cache_ttl(check: LinkCheck, cfg: AuditConfig) -> float | None:
    """Seconds `check` may be reused, or None when it is not cached at all (a skipped link, or
    one that came from the cache)."""
    if check.status is LinkStatus.SKIPPED or check.from_cache:
        return None
    return float(cfg.cache_ttl_s if check.status.is_ok else cfg.failure_ttl_s)


def cached_check(
    store: Store, key: str, url: str, *, wants_anchors: bool = False, wants_source: bool = False
) -> LinkCheck | None:
    """The unexpired cached check under `key`, spelt as `url` and marked `from_cache`; an
    unreadable row (or cache) is a miss, and so is a check without the page's anchors when
    they are wanted (`--check-fragments`), or a hyperlink's light read (`PageRead.LINK`) when
    the URL is now a cited source (`wants_source`: its text and dates are wanted)."""
    from linkaudit.check.checker import check_from_dict

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
