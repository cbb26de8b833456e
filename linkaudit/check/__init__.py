"""The link checker: decides, for every cited URL, whether the source is still there.

`Checker` drives the checks; `make_client` picks the transport (live, recording, replay);
`is_transient` is the retry policy; `check_to_dict`/`check_from_dict` round-trip a `LinkCheck`
through JSON. `linkaudit.check.fetch` is the network layer every part of a run sends through.

The names are imported on first use: a worker process that only reads pages
(`linkaudit.check.page`) does not load aiohttp.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkaudit.check.cache import check_from_dict, check_to_dict
    from linkaudit.check.cassette import RecordingClient, ReplayClient
    from linkaudit.check.checker import Checker, KnownAnswer
    from linkaudit.check.retry import is_transient
    from linkaudit.check.transport import AiohttpClient, OfflineError, make_client

_HOMES = {
    "Checker": "linkaudit.check.checker",
    "KnownAnswer": "linkaudit.check.checker",
    "check_from_dict": "linkaudit.check.cache",
    "check_to_dict": "linkaudit.check.cache",
    "is_transient": "linkaudit.check.retry",
    "AiohttpClient": "linkaudit.check.transport",
    "OfflineError": "linkaudit.check.transport",
    "RecordingClient": "linkaudit.check.cassette",
    "ReplayClient": "linkaudit.check.cassette",
    "make_client": "linkaudit.check.transport",
}

__all__ = [
    "AiohttpClient",
    "Checker",
    "KnownAnswer",
    "OfflineError",
    "RecordingClient",
    "ReplayClient",
    "check_from_dict",
    "check_to_dict",
    "is_transient",
    "make_client",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
