"""The Wayback CDX dialects: the queries an archive understands and the answers it gives.

Pure text, no request: `CdxApi` spells the queries of web.archive.org's API (`/cdx/search/cdx`,
`/wayback/available`, `/web/<ts>/<url>` playback) or of a pywb collection's CDXJ API
(`/<coll>/cdx`, NDJSON, `sort=reverse` instead of negative limits, `~status:` filters;
webrecorder/pywb docs/manual/cdxserver_api.rst), and `parse_cdx`, `parse_num_pages` and
`parse_availability` read their answers into `Capture`s, or raise `Excluded` (a robots or site
exclusion notice) or `Failure` (anything unusable). `linkaudit.archive.wayback` is the client
that sends them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlencode, urlsplit

from linkaudit.archive.interface import clean_text, parse_timestamp
from linkaudit.model import Snapshot, SnapshotKind

GOOD_STATUSES = ("200", "203", "206")
"""Capture statuses that show the page itself (InternetArchiveBot's choice)."""
_CDX_FIELDS = "timestamp,original,statuscode"
_PREFIX_FIELDS = "urlkey,timestamp,original,statuscode"
_EXCLUSION_MARKERS = (
    "RobotAccessControlException",
    "AdministrativeAccessControlException",
    "Blocked By Robots",
    "Blocked Site Error",
)


class CdxDialect(Enum):
    """Which Wayback-compatible API an archive speaks."""

    WAYBACK = "wayback"
    """web.archive.org's paths: `/cdx/search/cdx`, `/wayback/available`, `/web/<ts>/<url>`."""
    PYWB = "pywb"
    """A pywb collection (`http://host:8080/<coll>`): `/<coll>/cdx`, `/<coll>/<ts>/<url>`."""


def dialect_of(base_url: str) -> CdxDialect:
    """pywb when the archive URL names a collection (has a path), else web.archive.org's API."""
    try:
        path = urlsplit(base_url).path.strip("/")
    except ValueError:
        return CdxDialect.WAYBACK
    return CdxDialect.PYWB if path else CdxDialect.WAYBACK


class FailKind(Enum):
    """Why an archive API gave no usable answer."""

    UNREACHABLE = "unreachable"
    RATE_LIMITED = "rate-limited"
    GARBAGE = "garbage"


class Failure(Exception):
    """One archive API gave no usable answer."""

    def __init__(self, kind: FailKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class Excluded(Exception):
    """The archive refuses to show the URL (robots, site exclusion)."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One row of a CDX answer."""

    timestamp: str
    original: str
    status: int | None
    urlkey: str = ""


def day_of(ts: str) -> str:
    """The day (`YYYYMMDD`) of a capture's timestamp."""
    return ts[:8]


@dataclass(frozen=True, slots=True)
class CdxApi:
    """The queries of one archive, in its dialect."""

    base_url: str
    """The archive's root, e.g. `https://web.archive.org`, or a pywb collection."""
    dialect: CdxDialect
    """Which API paths and parameters this archive speaks."""

    def snapshot_url(self, timestamp: str, original: str) -> str:
        """The playback URL of a capture, on this archive's host."""
        if self.dialect is CdxDialect.PYWB:
            return f"{self.base_url}/{timestamp}/{original}"
        return f"{self.base_url}/web/{timestamp}/{original}"

    def snapshot(self, capture: Capture, kind: SnapshotKind) -> Snapshot:
        """The `Snapshot` of a capture, with its playback URL."""
        stamp = parse_timestamp(capture.timestamp)
        assert stamp is not None  # checked when parsing the row
        return Snapshot(
            url=self.snapshot_url(capture.timestamp, capture.original),
            timestamp=stamp,
            status=capture.status,
            kind=kind,
            original=capture.original,
        )

    def snapshots(
        self, first: Capture, latest: Capture, near_day: str | None, before: Capture | None
    ) -> tuple[Snapshot, ...]:
        """The snapshots of a lookup: the closest before `near_day` (`YYYYMMDD`; the latest
        when it is on or before, `before` when the day falls between the first and the latest
        capture), else the closest after (the first); then the first and the latest."""
        snaps = [
            self.snapshot(first, SnapshotKind.FIRST),
            self.snapshot(latest, SnapshotKind.LATEST),
        ]
        if near_day is None or day_of(latest.timestamp) <= near_day:
            snaps.insert(0, self.snapshot(latest, SnapshotKind.CLOSEST_BEFORE))
        elif day_of(first.timestamp) > near_day:
            snaps.insert(0, self.snapshot(first, SnapshotKind.CLOSEST_AFTER))
        elif before is not None:
            snaps.insert(0, self.snapshot(before, SnapshotKind.CLOSEST_BEFORE))
        else:  # an inconsistent index (captures moving under us): the first is after
            snaps.insert(0, self.snapshot(first, SnapshotKind.CLOSEST_AFTER))
        return tuple(snaps)

    def cdx_url(self, url: str, *, limit: int, to: str | None = None) -> str:
        """The CDX query for `url`: good captures only, `limit=1` oldest, `limit=-1` newest."""
        if self.dialect is CdxDialect.PYWB:
            # pywb: positive limits only (`sort=reverse` for the newest), its own field names,
            # `~` for a regex filter, and NDJSON output.
            pywb = [
                ("url", url),
                ("output", "json"),
                ("filter", "~status:(" + "|".join(GOOD_STATUSES) + ")"),
            ]
            if to:
                pywb.append(("to", to))
            if limit < 0:
                pywb.append(("sort", "reverse"))
            pywb.append(("limit", str(abs(limit))))
            return f"{self.base_url}/cdx?{urlencode(pywb)}"
        params = [
            ("url", url),
            ("output", "json"),
            ("fl", _CDX_FIELDS),
            ("filter", "statuscode:(" + "|".join(GOOD_STATUSES) + ")"),
        ]
        if to:
            params.append(("to", to))
        params.append(("limit", str(limit)))
        return f"{self.base_url}/cdx/search/cdx?{urlencode(params)}"

    def availability_url(self, url: str, near: dt.date | None) -> str:
        """The availability API query: closest before `near`, or the newest capture."""
        params = [("url", url)]
        if near is not None:
            params += [("timestamp", near.strftime("%Y%m%d")), ("closest", "before")]
        return f"{self.base_url}/wayback/available?{urlencode(params)}"

    def prefix_url(self, prefix: str, *, page: int | None = None) -> str:
        """The CDX query for every good capture under `prefix` (`host/path/`): the fields the
        snapshots need, one page of the paged index (`pageSize=1`: at most one index block,
        about 3,000 captures), or the number of such pages (`page=None`)."""
        params = [
            ("url", prefix),
            ("matchType", "prefix"),
            ("output", "json"),
            ("fl", _PREFIX_FIELDS),
            ("filter", "statuscode:(" + "|".join(GOOD_STATUSES) + ")"),
            ("pageSize", "1"),
        ]
        params.append(("showNumPages", "true") if page is None else ("page", str(page)))
        return f"{self.base_url}/cdx/search/cdx?{urlencode(params)}"


def usable(row: Capture, url: str) -> Capture:
    """The capture as it is shown. The original as the archive spells it
    (`http://www.cnbc.com:80/...`) plays back best; one that is empty or carries spaces or
    control characters is replaced by the URL asked about."""
    if row.original and not any(ord(c) <= 32 or 127 <= ord(c) <= 159 for c in row.original):
        return row
    return Capture(row.timestamp, url, row.status, row.urlkey)



def is_exclusion(body: bytes) -> bool:
    text = body[:4096].decode("utf-8", "replace")
    return any(marker in text for marker in _EXCLUSION_MARKERS)


def _parse_ndjson(text: str) -> list[Capture]:
    captures = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise Failure(FailKind.GARBAGE, f"not NDJSON: {line[:60]!r}") from None
        if not isinstance(row, dict) or parse_timestamp(str(row.get("timestamp", ""))) is None:
            raise Failure(FailKind.GARBAGE, f"malformed CDX line {line[:60]!r}")
        status = str(row.get("status") or row.get("statuscode") or "")
        captures.append(
            Capture(
                timestamp=str(row["timestamp"]),
                original=str(row.get("url") or row.get("original") or ""),
                status=int(status) if status.isdigit() else None,
            )
        )
    return captures


def parse_cdx(status: int, body: bytes, *, ndjson: bool = False) -> list[Capture]:
    """The captures of a CDX JSON answer (`[]` -> none), or of pywb's NDJSON (`ndjson`).

    Raises `Excluded` for a robots or site exclusion, `Failure` for anything unusable.
    """
    text = body.decode("utf-8", "replace").strip()
    if is_exclusion(body):
        line = next((ln for ln in text.splitlines() if "Exception" in ln or "Blocked" in ln), text)
        raise Excluded(clean_text(line))
    if status != 200:
        raise Failure(FailKind.GARBAGE, f"HTTP {status}: {clean_text(text, 80)!r}")
    if not text:
        if ndjson:
            return []  # pywb answers nothing at all for no captures
        raise Failure(FailKind.GARBAGE, "empty answer (not even [])")
    if ndjson:
        return _parse_ndjson(text)
    try:
        data = json.loads(text)
    except ValueError:
        raise Failure(FailKind.GARBAGE, f"not JSON: {text[:60]!r}") from None
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise Failure(FailKind.GARBAGE, "JSON that is not a list of rows")
    if not data:
        return []
    header = [str(cell) for cell in data[0]]
    if "timestamp" in header:
        rows = data[1:]
    else:  # no header row: the fields are in the order asked for
        header, rows = _CDX_FIELDS.split(","), data
    try:
        i_ts, i_orig = header.index("timestamp"), header.index("original")
    except ValueError:
        raise Failure(FailKind.GARBAGE, f"CDX rows without timestamp: {header}") from None
    i_status = header.index("statuscode") if "statuscode" in header else None
    i_key = header.index("urlkey") if "urlkey" in header else None
    captures = []
    for row in rows:
        if len(row) <= max(i_ts, i_orig) or parse_timestamp(str(row[i_ts])) is None:
            raise Failure(FailKind.GARBAGE, f"malformed CDX row {row!r:.80}")
        status_text = str(row[i_status]) if i_status is not None and len(row) > i_status else ""
        captures.append(
            Capture(
                timestamp=str(row[i_ts]),
                original=str(row[i_orig]),
                # isdecimal, not isdigit: "²" is a digit that int() refuses.
                status=int(status_text) if status_text.isdecimal() else None,
                urlkey=str(row[i_key]) if i_key is not None and len(row) > i_key else "",
            )
        )
    return captures


def parse_num_pages(status: int, body: bytes) -> int | None:
    """The page count of a `showNumPages=true` answer (a bare number, or pywb's
    `{"pages": N}`), None when the answer is not one."""
    if status != 200:
        return None
    try:
        data: Any = json.loads(body.decode("utf-8", "replace").strip() or "null")
    except ValueError:
        return None
    if isinstance(data, dict):
        data = data.get("pages", data.get("numPages"))
    if isinstance(data, int) and not isinstance(data, bool) and data >= 0:
        return data
    return None


def parse_availability(status: int, body: bytes) -> Capture | None:
    """The capture of an availability API answer, None for a miss (`{}`). Raises `Failure`."""
    if status != 200:
        raise Failure(FailKind.GARBAGE, f"HTTP {status}")
    try:
        data: Any = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        raise Failure(FailKind.GARBAGE, "availability answer is not JSON") from None
    if not isinstance(data, dict):
        raise Failure(FailKind.GARBAGE, "availability answer is not an object")
    snapshots = data.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or not closest.get("available", True):
        return None
    ts = str(closest.get("timestamp") or "")
    if parse_timestamp(ts) is None:
        raise Failure(FailKind.GARBAGE, f"availability answer with a bad timestamp {ts!r:.30}")
    status_text = str(closest.get("status") or "")
    if status_text and status_text not in GOOD_STATUSES:
        return None  # a redirect or error capture is not the page
    original = str(data.get("url") or "")
    playback = str(closest.get("url") or "")
    # The playback URL is `http://web.archive.org/web/<ts>/<original>`: take the original from it.
    marker = f"/web/{ts}/"
    if marker in playback:
        original = playback.split(marker, 1)[1]
    return Capture(ts, original, int(status_text) if status_text.isdecimal() else None)
