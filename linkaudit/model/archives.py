"""What the archive gives: an `ArchiveLookup` per URL with its `Snapshot`s."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class SnapshotKind(StrEnum):
    """Which capture of a page a `Snapshot` is."""

    CLOSEST_BEFORE = "closest-before"
    CLOSEST_AFTER = "closest-after"
    FIRST = "first"
    LATEST = "latest"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One archived capture of a page."""

    url: str
    """The playback URL of the capture (`https://web.archive.org/web/<ts>/<original>`)."""
    timestamp: dt.datetime
    """When it was captured (UTC)."""
    status: int | None
    """The HTTP status recorded for the capture."""
    kind: SnapshotKind
    """Which capture it is."""
    original: str = ""
    """The original URL as the archive knows it."""


class ArchiveState(StrEnum):
    """What the archive said about a URL."""

    ARCHIVED = "archived"
    NOT_ARCHIVED = "not-archived"
    """Said only when the CDX index answered with no captures."""
    EXCLUDED = "excluded"
    """Robots or a site exclusion: the archive will not show it."""
    UNKNOWN = "unknown"
    """No definite answer (archive unreachable, rate-limited, garbage)."""
    NOT_LOOKED_UP = "not-looked-up"
    """`--archive` did not ask for it."""


@dataclass(frozen=True, slots=True)
class ArchiveLookup:
    """Everything the archive told about one URL."""

    url: str
    """The URL looked up."""
    state: ArchiveState
    """The answer's kind."""
    snapshots: tuple[Snapshot, ...] = ()
    """Captures found: closest-before (or closest-after), first and latest, each at most once."""
    error: str | None = None
    """Why the state is unknown or excluded."""

    def snapshot(self, kind: SnapshotKind) -> Snapshot | None:
        """The capture of the given kind, if found."""
        return next((s for s in self.snapshots if s.kind is kind), None)

    @property
    def best(self) -> Snapshot | None:
        """The capture to suggest: closest before the document's date, else closest after."""
        return self.snapshot(SnapshotKind.CLOSEST_BEFORE) or self.snapshot(
            SnapshotKind.CLOSEST_AFTER
        )
