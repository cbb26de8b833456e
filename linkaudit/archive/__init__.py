"""Web archives: the copy of a lost source the author saw, and when a page first existed.

How a run uses it (one `WaybackArchive` per run, so the rate limit and "unreachable" are shared)::

    # the checker's HttpClient; the store only when `cfg.store.cache` is on
    archive = WaybackArchive.from_config(client, cfg.archive, cfg.network, store)
    lookups = await lookup_many(archive, lookup_requests(documents, checks, cfg.archive, cfg.rules))
    saves = await save_unarchived(archive, lookups, checks) if cfg.archive.save_unarchived else []
    problems.extend(archive.problems)                              # "archive unreachable", once
    findings, skips = analyse(documents, checks, lookups, cfg.rules, cfg.links,
                              offline=cfg.network.offline)
"""

from linkaudit.archive.interface import (
    ArchiveService,
    SaveResult,
    SaveState,
    lookup_from_dict,
    lookup_to_dict,
)
from linkaudit.archive.plan import (
    lookup_dates,
    lookup_many,
    lookup_requests,
    save_candidates,
    save_unarchived,
    wants_lookup,
)
from linkaudit.archive.savepagenow import SavePageNow, keys_from_env
from linkaudit.archive.wayback import WaybackArchive

__all__ = [
    "ArchiveService",
    "SavePageNow",
    "SaveResult",
    "SaveState",
    "WaybackArchive",
    "keys_from_env",
    "lookup_from_dict",
    "lookup_dates",
    "lookup_many",
    "lookup_requests",
    "lookup_to_dict",
    "save_candidates",
    "save_unarchived",
    "wants_lookup",
]
