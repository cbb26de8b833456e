"""The link checker: decides, for every cited URL, whether the source is still there.

`Checker` drives the checks; `make_client` picks the transport (live, recording, replay);
`is_transient` is the retry policy; `check_to_dict`/`check_from_dict` round-trip a `LinkCheck`
through JSON.
"""

from linkaudit.check.checker import Checker, KnownAnswer, check_from_dict, check_to_dict
from linkaudit.check.retry import is_transient
from linkaudit.check.transport import (
    AiohttpClient,
    OfflineError,
    RecordingClient,
    ReplayClient,
    make_client,
)

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
