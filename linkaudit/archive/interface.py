"""The archive seam: what an archive service answers, and how its answers are cached.

`ArchiveService` is the protocol the audit talks to (`WaybackArchive` is the one implementation;
any Wayback-compatible server, such as a self-hosted pywb, works through `--archive-url`).
`SaveResult` is the outcome of an opt-in Save Page Now request. `lookup_to_dict` and
`lookup_from_dict` turn an `ArchiveLookup` into the JSON object kept in the store and back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from linkaudit.model import ArchiveLookup, ArchiveState, Problem, Snapshot, SnapshotKind


class ArchiveService(Protocol):
    """A source of archived copies of web pages."""

    problems: list[Problem]
    """Run-level problems (an unreachable archive is said once, however many links)."""

    async def lookup(self, url: str, near: dt.date | None) -> ArchiveLookup:
        """Captures of `url`: closest before `near` (else closest after), first and latest."""
        ...

    async def save(self, url: str) -> SaveResult:
        """Ask the archive to capture `url` now (opt-in), and report how it went."""
        ...


class SaveState(StrEnum):
    """How a Save Page Now request ended."""

    SUCCESS = "success"
    """The page was captured; `SaveResult.snapshot_url` is the new capture."""
    PENDING = "pending"
    """The job was accepted but had not finished when polling stopped."""
    ERROR = "error"
    """The archive refused or failed the capture (`status_ext` says why)."""
    SKIPPED = "skipped"
    """Not attempted (no keys in the environment, archive unreachable, rate-limited)."""


@dataclass(frozen=True, slots=True)
class SaveResult:
    """The outcome of one Save Page Now request."""

    url: str
    """The page asked for."""
    state: SaveState
    """How it ended."""
    job_id: str | None = None
    """The archive's job id, when the request was accepted."""
    snapshot_url: str | None = None
    """The playback URL of the new capture (success only)."""
    timestamp: dt.datetime | None = None
    """When the capture was made (success only)."""
    status_ext: str | None = None
    """The archive's machine-readable reason (`error:too-many-daily-captures`, ...)."""
    message: str = ""
    """One line for a person."""


_TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


def clean_text(text: str, limit: int = 200) -> str:
    """Text from an archive answer made safe to show: control and bidi characters become a
    space, whitespace is collapsed, and it is cut at `limit` characters (reports escape markup)."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_timestamp(ts: str) -> dt.datetime | None:
    """A Wayback timestamp (`20240917083015`, possibly shorter) as an aware UTC datetime."""
    ts = ts.strip()
    if not ts.isdigit() or not 4 <= len(ts) <= 14:
        return None
    # NOTE: Wayback pads short timestamps; a 4-digit year means January 1st 00:00.
    padded = ts + "0101000000"[len(ts) - 4 :] if len(ts) < 14 else ts
    try:
        return dt.datetime.strptime(padded, _TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def format_timestamp(value: dt.datetime) -> str:
    """The 14-digit Wayback form of an aware or naive (taken as UTC) datetime."""
    return value.strftime(_TIMESTAMP_FORMAT)


def lookup_to_dict(lookup: ArchiveLookup) -> dict[str, Any]:
    """A JSON-serialisable object for the store (round-trips through `lookup_from_dict`)."""
    return {
        "url": lookup.url,
        "state": lookup.state.value,
        "error": lookup.error,
        "snapshots": [
            {
                "url": s.url,
                "timestamp": format_timestamp(s.timestamp),
                "status": s.status,
                "kind": s.kind.value,
                "original": s.original,
            }
            for s in lookup.snapshots
        ],
    }


def lookup_from_dict(data: dict[str, Any]) -> ArchiveLookup | None:
    """The lookup stored by `lookup_to_dict`, or None when the object is not one."""
    try:
        snapshots = []
        for item in data.get("snapshots") or ():
            stamp = parse_timestamp(str(item["timestamp"]))
            if stamp is None:
                return None
            status = item.get("status")
            snapshots.append(
                Snapshot(
                    url=str(item["url"]),
                    timestamp=stamp,
                    status=int(status) if status is not None else None,
                    kind=SnapshotKind(item["kind"]),
                    original=str(item.get("original") or ""),
                )
            )
        error = data.get("error")
        return ArchiveLookup(
            url=str(data["url"]),
            state=ArchiveState(data["state"]),
            snapshots=tuple(snapshots),
            error=str(error) if error is not None else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
