"""`WaybackArchive`: the Wayback Machine (or any Wayback-compatible server) as an `ArchiveService`.

What it asks, and why (formats in `shared/reference/archive-apis.md`):

- The CDX index first. It is the only API whose empty answer (`[]`) means "never archived";
  the availability API answers `{}` intermittently for pages that ARE archived (akamhy/waybackpy
  issue 154, internetarchive/wayback issue 296), so its miss is only ever "unknown".
- Only 200/203/206 captures count (`filter=statuscode:(200|203|206)`), as InternetArchiveBot
  picks them (app/src/Core/APII.php): a 3xx capture is a redirect, not the page.
- Few calls per URL: `limit=1` gives the first capture and `limit=-1` the latest. When the
  latest is on or before the document's date it is also the closest before; when the first is
  after the date there is nothing before it and the first is the closest after (IABot's
  fallback). Only when the date falls between them is a third query (`to=<date>&limit=-1`)
  needed. A URL never archived costs one call.
- "Closest before" includes captures made on the document's date itself (a day is the
  precision of a document date).
- CDX errors are plain text: robots and site exclusions (`RobotAccessControlException`,
  `AdministrativeAccessControlException`) become `EXCLUDED`; anything else unparseable, a 5xx
  or an unreachable server sends the question to the availability API
  (`/wayback/available?...&closest=before`) as a second opinion.
- Every request goes through the run's network layer (`linkaudit.check.fetch.Fetcher`): the
  archive's host is paced by one `TokenBucket` (the per-minute budget of every archive call,
  Save Page Now included), and retried by the one retry decision with the archive's own policy
  (a backoff base of 2 s; exclusion notices are never retried, whatever their status).
- 429: the Retry-After (or a backoff) pauses the archive's host for every archive call; after
  `retries` the URL is `UNKNOWN` ("rate-limited"). A Retry-After longer than
  `retry_after_cap_s` stops archive lookups for the rest of the run (said once in `problems`).
- When both APIs are unreachable the archive is marked unreachable: one `Problem` is added to
  `problems` and every later lookup answers `UNKNOWN` at once, without a request, so the audit
  completes.
- Answers are cached in the store: archived and excluded for 7 days, not archived for 1 day
  (it may be captured any time), unknown never. Within a run each (URL, date) is asked once,
  even by concurrent callers.

pywb: an `--archive-url` with a path (`http://localhost:8080/my-coll`) names a pywb collection;
its CDXJ API (`/<coll>/cdx`, NDJSON, `sort=reverse` instead of negative limits, `~status:`
filters; webrecorder/pywb docs/manual/cdxserver_api.rst) is used, with `/<coll>/<ts>/<url>`
playback URLs and no availability API.

Batching (`linkaudit.archive.batch` plans it): where several lookups share a host and path
prefix, `prefix_captures` reads every good capture under the prefix in one paged query, when the
paged index says it is small, and `answer_from_captures` picks the same closest-before, first
and latest captures locally that the per-URL queries would. `collapse=urlkey` is not used: it
keeps only each URL's first capture, and the audit needs three.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlencode, urlsplit

from linkaudit.archive.interface import (
    SaveResult,
    SaveState,
    clean_text,
    lookup_from_dict,
    lookup_to_dict,
    parse_timestamp,
)
from linkaudit.archive.savepagenow import SavePageNow, keys_from_env
from linkaudit.check.fetch import Fetcher
from linkaudit.check.limits import Clock, PacerClosed, Sleep, TokenBucket
from linkaudit.check.retry import RetryPolicy, parse_retry_after
from linkaudit.config import (
    DEFAULT_ARCHIVE_RATE_PER_MIN,
    DEFAULT_ARCHIVE_URL,
    DEFAULT_TIMEOUT_S,
    AuditConfig,
)
from linkaudit.errors import StoreError
from linkaudit.http import FetchError, HttpClient, HttpResponse, NotInCassette
from linkaudit.model import ArchiveLookup, ArchiveState, Problem, Snapshot, SnapshotKind
from linkaudit.store import Store
from linkaudit.urls import host_of

ARCHIVED_TTL_S = 7 * 24 * 3600
"""How long an archived (or excluded) answer is reused."""
NOT_ARCHIVED_TTL_S = 24 * 3600
"""How long a "never archived" answer is reused (the page may be captured any day)."""
GOOD_STATUSES = ("200", "203", "206")
"""Capture statuses that show the page itself (InternetArchiveBot's choice)."""
_CDX_FIELDS = "timestamp,original,statuscode"
_PREFIX_FIELDS = "urlkey,timestamp,original,statuscode"
_MAX_BODY = 256 * 1024
_MAX_PAGE_BODY = 4 * 1024 * 1024  # one index block: about 3,000 rows of the four fields
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


GIVE_UP_AFTER = 5
"""Lookups in a row without an answer after which the archive is not asked again this run."""


class _FailKind(Enum):
    UNREACHABLE = "unreachable"
    RATE_LIMITED = "rate-limited"
    GARBAGE = "garbage"


class _Failure(Exception):
    """One archive API gave no usable answer."""

    def __init__(self, kind: _FailKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class _Excluded(Exception):
    """The archive refuses to show the URL (robots, site exclusion)."""


@dataclass(frozen=True, slots=True)
class _Capture:
    timestamp: str
    original: str
    status: int | None
    urlkey: str = ""


def _day(ts: str) -> str:
    return ts[:8]


class WaybackArchive:
    """Looks URLs up in a Wayback-compatible archive (see the module docstring for the method)."""

    def __init__(
        self,
        client: HttpClient,
        *,
        base_url: str = DEFAULT_ARCHIVE_URL,
        rate_per_min: int = DEFAULT_ARCHIVE_RATE_PER_MIN,
        store: Store | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        retries: int = 2,
        retry_after_cap_s: float = 60.0,
        backoff_s: float = 2.0,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        env: Mapping[str, str] | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.client = client
        """The HTTP seam every archive request goes through (so cassettes cover them)."""
        self.base_url = base_url.rstrip("/")
        """The archive's root, e.g. `https://web.archive.org`, or a pywb collection."""
        self.dialect = dialect_of(self.base_url)
        """Which API paths and parameters this archive speaks."""
        self.store = store
        """The cache, if any."""
        self.fetcher = fetcher or Fetcher(client, AuditConfig(), sleep=sleep, clock=clock)
        """The network layer (the run's own, shared with the checker, when one is given)."""
        self.limiter = TokenBucket(rate_per_min, sleep=sleep, clock=clock)
        """The one rate limit of every archive call of this run (paces the archive's host)."""
        self.fetcher.limits.pace(host_of(self.base_url), self.limiter)
        self.policy = RetryPolicy(
            retries=retries, wait_s=backoff_s, retry_after_cap_s=retry_after_cap_s,
            timeout_retry_s=max(2.0, timeout_s / 4), final_when=_is_exclusion_response,
        )  # fmt: skip
        """How archive requests are retried."""
        self.problems: list[Problem] = []
        """Run-level problems: the archive being unreachable is said once here."""
        self.requests = 0
        """Requests sent (for measurements and tests)."""
        self.retries = retries
        """Retries of a 429, a 5xx or a timeout before giving up on one request."""
        self.retry_after_cap_s = retry_after_cap_s
        """Longest Retry-After waited for; a longer one gives up at once (and pauses the bucket)."""
        self.backoff_s = backoff_s
        """Base of the exponential backoff when no Retry-After is given."""
        self._sleep = sleep
        self._unreachable: str | None = None
        self._failures = 0
        self._inflight: dict[tuple[str, str], asyncio.Future[ArchiveLookup]] = {}
        self._saver = SavePageNow(
            self.fetcher,
            base_url=self.base_url,
            keys=keys_from_env(os.environ if env is None else env),
            sleep=sleep,
        )

    @classmethod
    def from_config(
        cls,
        client: HttpClient,
        cfg: AuditConfig,
        store: Store | None = None,
        *,
        fetcher: Fetcher | None = None,
    ) -> WaybackArchive:
        """The archive as the run's configuration describes it (`--archive-url`, the rate),
        sending through the run's `fetcher` when one is given."""
        return cls(
            client,
            base_url=cfg.archive.url,
            # A replayed run sends nothing to the archive: pacing it would only slow the demo.
            rate_per_min=0 if cfg.network.replay is not None else cfg.archive.rate_per_min,
            store=store if cfg.store.cache else None,
            retries=cfg.network.retries,
            retry_after_cap_s=cfg.network.retry_after_cap_s,
            timeout_s=cfg.network.timeout_s,
            fetcher=fetcher or Fetcher(client, cfg),
        )

    @property
    def unreachable(self) -> bool:
        """True once the archive was found unreachable (or rate-limited for long) in this run."""
        return self._unreachable is not None

    def snapshot_url(self, timestamp: str, original: str) -> str:
        """The playback URL of a capture, on this archive's host."""
        if self.dialect is CdxDialect.PYWB:
            return f"{self.base_url}/{timestamp}/{original}"
        return f"{self.base_url}/web/{timestamp}/{original}"

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

    # -- lookups ---------------------------------------------------------------------------------

    async def lookup(self, url: str, near: dt.date | None) -> ArchiveLookup:
        """Captures of `url`: closest before `near` (else closest after), first and latest.

        Never raises for archive trouble: the answer is then `UNKNOWN` with the reason.
        """
        key = (url, near.isoformat() if near else "")
        if self._unreachable is not None:
            return ArchiveLookup(url, ArchiveState.UNKNOWN, error=self._unreachable)
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        cached = self._cached(key)
        if cached is not None:
            return cached
        future: asyncio.Future[ArchiveLookup] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await self._lookup(url, near)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: the waiters (if any) get it too
            self._inflight.pop(key, None)
            raise
        future.set_result(result)
        self._remember(key, result)
        self._count_failure(result)
        return result

    def _count_failure(self, result: ArchiveLookup) -> None:
        """After `GIVE_UP_AFTER` lookups in a row without an answer (every call rate-limited or
        garbage), stop asking for the rest of the run and say so once: an archive that refuses
        everything would otherwise be asked for every URL and said nowhere."""
        if result.state is not ArchiveState.UNKNOWN:
            self._failures = 0
            return
        self._failures += 1
        if self._failures >= GIVE_UP_AFTER and self._unreachable is None:
            self._give_up(
                "archive-unusable",
                f"unusable: {self._failures} lookups in a row got no answer "
                f"(last: {(result.error or 'unknown')[:120]})",
            )

    def _cached(self, key: tuple[str, str]) -> ArchiveLookup | None:
        if self.store is None:
            return None
        try:
            data = self.store.get_archive(*key)
        except (StoreError, sqlite3.Error, ValueError):
            return None  # the cache is an optimisation: a bad row is a miss
        return lookup_from_dict(data) if isinstance(data, dict) else None

    def _remember(self, key: tuple[str, str], result: ArchiveLookup) -> None:
        if self.store is None:
            return
        ttl: float
        match result.state:
            case ArchiveState.ARCHIVED | ArchiveState.EXCLUDED:
                ttl = ARCHIVED_TTL_S
            case ArchiveState.NOT_ARCHIVED:
                ttl = NOT_ARCHIVED_TTL_S
            case ArchiveState.UNKNOWN | ArchiveState.NOT_LOOKED_UP:
                return
        # A read-only or busy store must not stop the audit; the answer is still used.
        with contextlib.suppress(StoreError, sqlite3.Error):
            self.store.put_archive(key[0], key[1], lookup_to_dict(result), ttl)

    async def _lookup(self, url: str, near: dt.date | None) -> ArchiveLookup:
        try:
            return await self._lookup_cdx(url, near)
        except _Excluded as exc:
            return ArchiveLookup(url, ArchiveState.EXCLUDED, error=str(exc))
        except _Failure as cdx_failure:
            if cdx_failure.kind is _FailKind.RATE_LIMITED:
                # The availability API sits behind the same limit: asking it now only adds 429s.
                return ArchiveLookup(url, ArchiveState.UNKNOWN, error=cdx_failure.reason)
            try:
                return await self._lookup_availability(url, near, cdx_failure.reason)
            except _Failure as second:
                if (
                    cdx_failure.kind is _FailKind.UNREACHABLE
                    and second.kind is _FailKind.UNREACHABLE
                ):
                    self._mark_unreachable(cdx_failure.reason)
                reason = f"CDX: {cdx_failure.reason}; availability API: {second.reason}"
                return ArchiveLookup(url, ArchiveState.UNKNOWN, error=reason)

    def _mark_unreachable(self, reason: str) -> None:
        self._give_up("archive-unreachable", f"unreachable: {reason}")

    def _give_up(self, kind: str, reason: str) -> None:
        """Stop asking the archive for the rest of the run, and say so once in `problems`."""
        if self._unreachable is not None:
            return
        self._unreachable = f"archive {reason}"
        # Lookups queued for a token must not be sent after all: they fail at once.
        self.limiter.close(self._unreachable)
        self.problems.append(
            Problem(
                kind=kind,
                message=f"archive {reason}: {self.base_url}; "
                "archive answers are unknown for the rest of this run",
                origin=self.base_url,
            )
        )

    async def _lookup_cdx(self, url: str, near: dt.date | None) -> ArchiveLookup:
        first = await self._cdx_one(url, limit=1)
        if first is None:
            return ArchiveLookup(url, ArchiveState.NOT_ARCHIVED)
        latest = await self._cdx_one(url, limit=-1) or first
        snaps = [self._snap(first, SnapshotKind.FIRST), self._snap(latest, SnapshotKind.LATEST)]
        near_day = near.strftime("%Y%m%d") if near else None
        if near_day is None or _day(latest.timestamp) <= near_day:
            snaps.insert(0, self._snap(latest, SnapshotKind.CLOSEST_BEFORE))
        elif _day(first.timestamp) > near_day:
            snaps.insert(0, self._snap(first, SnapshotKind.CLOSEST_AFTER))
        else:
            before = await self._cdx_one(url, limit=-1, to=near_day)
            if before is not None:
                snaps.insert(0, self._snap(before, SnapshotKind.CLOSEST_BEFORE))
            else:  # an inconsistent index (captures moving under us): the first is after
                snaps.insert(0, self._snap(first, SnapshotKind.CLOSEST_AFTER))
        return ArchiveLookup(url, ArchiveState.ARCHIVED, snapshots=tuple(snaps))

    def _snap(self, capture: _Capture, kind: SnapshotKind) -> Snapshot:
        stamp = parse_timestamp(capture.timestamp)
        assert stamp is not None  # checked when parsing the row
        return Snapshot(
            url=self.snapshot_url(capture.timestamp, capture.original),
            timestamp=stamp,
            status=capture.status,
            kind=kind,
            original=capture.original,
        )

    async def _cdx_one(self, url: str, *, limit: int, to: str | None = None) -> _Capture | None:
        response = await self._get(self.cdx_url(url, limit=limit, to=to))
        rows = parse_cdx(
            response.status, response.body, ndjson=self.dialect is CdxDialect.PYWB
        )
        if not rows:
            return None
        return _usable(rows[-1] if limit < 0 else rows[0], url)

    async def _lookup_availability(
        self, url: str, near: dt.date | None, cdx_reason: str
    ) -> ArchiveLookup:
        if self.dialect is CdxDialect.PYWB:
            raise _Failure(_FailKind.UNREACHABLE, "pywb has no availability API")
        response = await self._get(self.availability_url(url, near))
        capture = parse_availability(response.status, response.body)
        if capture is None:
            return ArchiveLookup(
                url,
                ArchiveState.UNKNOWN,
                error=f"CDX: {cdx_reason}; the availability API found no capture "
                "(its empty answer is not proof that none exists)",
            )
        original = capture.original or url
        kind = SnapshotKind.CLOSEST_BEFORE
        if near is not None and _day(capture.timestamp) > near.strftime("%Y%m%d"):
            kind = SnapshotKind.CLOSEST_AFTER
        snap = self._snap(_Capture(capture.timestamp, original, capture.status), kind)
        return ArchiveLookup(
            url,
            ArchiveState.ARCHIVED,
            snapshots=(snap,),
            error=f"CDX: {cdx_reason}; answered by the availability API",
        )

    async def _get(self, url: str, max_body: int = _MAX_BODY) -> HttpResponse:
        """One GET through the run's network layer (paced, retried); raises `_Failure`."""
        if self._unreachable is not None:
            raise _Failure(_FailKind.UNREACHABLE, self._unreachable)
        try:
            response, tries = await self.fetcher.request(
                "GET", url, policy=self.policy, max_body=max_body
            )
        except PacerClosed as exc:  # given up while this call queued for a token
            raise _Failure(_FailKind.UNREACHABLE, str(exc)) from exc
        except NotInCassette as exc:
            self.requests += 1
            raise _Failure(_FailKind.GARBAGE, f"not in the cassette ({exc})") from exc
        except FetchError as exc:
            self.requests += int(getattr(exc, "attempts", 1))
            raise _Failure(_FailKind.UNREACHABLE, _describe(exc)) from exc
        self.requests += tries
        if response.status == 429:
            wait = parse_retry_after(response.header("retry-after"))
            if wait is not None and wait > self.retry_after_cap_s:
                # Waiting that long would stall the audit, and asking again before then
                # gets the IP blocked: stop asking for the rest of the run, said once.
                self._give_up(
                    "archive-rate-limited",
                    f"rate-limited: Retry-After {wait:g} s is longer than "
                    f"{self.retry_after_cap_s:g} s",
                )
                raise _Failure(_FailKind.RATE_LIMITED, f"rate-limited (Retry-After {wait:g} s)")
            raise _Failure(_FailKind.RATE_LIMITED, f"rate-limited (HTTP 429) after {tries} tries")
        if response.status >= 500 and not _is_exclusion(response.body):
            raise _Failure(_FailKind.UNREACHABLE, f"HTTP {response.status}")
        return response

    # -- batched lookups (`linkaudit.archive.batch` plans them) ---------------------------------

    def known(self, url: str, near: dt.date | None) -> ArchiveLookup | None:
        """The answer this run already has for (`url`, `near`): given up, asked already, or
        cached; None when only a request can tell."""
        key = (url, near.isoformat() if near else "")
        if self._unreachable is not None:
            return ArchiveLookup(url, ArchiveState.UNKNOWN, error=self._unreachable)
        pending = self._inflight.get(key)
        if pending is not None and pending.done() and pending.exception() is None:
            return pending.result()
        return self._cached(key)

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

    async def prefix_captures(self, prefix: str, max_pages: int) -> list[_Capture] | None:
        """Every good capture under `prefix`, in index order, if the paged index says it fits in
        `max_pages` pages; None when it does not, or on any trouble (the caller then asks URL by
        URL, which says exclusions and failures as a single lookup would). Not for pywb."""
        if self.dialect is CdxDialect.PYWB or self._unreachable is not None:
            return None
        try:
            response = await self._get(self.prefix_url(prefix))
            pages = parse_num_pages(response.status, response.body)
            if pages is None or pages > max_pages:
                return None
            rows: list[_Capture] = []
            for page in range(pages):
                response = await self._get(self.prefix_url(prefix, page=page), _MAX_PAGE_BODY)
                rows.extend(parse_cdx(response.status, response.body))
        except (_Failure, _Excluded):
            return None
        return rows

    def answer_from_captures(
        self, url: str, near: dt.date | None, captures: list[_Capture]
    ) -> ArchiveLookup:
        """The lookup of `url` from all its good captures in index order: the same snapshots
        `_lookup_cdx` picks with its `limit=1`, `limit=-1` and `to=` queries."""
        if not captures:
            return ArchiveLookup(url, ArchiveState.NOT_ARCHIVED)
        first, latest = _usable(captures[0], url), _usable(captures[-1], url)
        snaps = [self._snap(first, SnapshotKind.FIRST), self._snap(latest, SnapshotKind.LATEST)]
        near_day = near.strftime("%Y%m%d") if near else None
        if near_day is None or _day(latest.timestamp) <= near_day:
            snaps.insert(0, self._snap(latest, SnapshotKind.CLOSEST_BEFORE))
        elif _day(first.timestamp) > near_day:
            snaps.insert(0, self._snap(first, SnapshotKind.CLOSEST_AFTER))
        else:
            before = [c for c in captures if _day(c.timestamp) <= near_day][-1]
            snaps.insert(0, self._snap(_usable(before, url), SnapshotKind.CLOSEST_BEFORE))
        return ArchiveLookup(url, ArchiveState.ARCHIVED, snapshots=tuple(snaps))

    def settle(self, url: str, near: dt.date | None, result: ArchiveLookup) -> None:
        """Keep an answer found by a batch as a lookup's own: cached, and answered again from
        memory if the run asks for it."""
        key = (url, near.isoformat() if near else "")
        future: asyncio.Future[ArchiveLookup] = asyncio.get_running_loop().create_future()
        future.set_result(result)
        self._inflight[key] = future
        self._remember(key, result)
        self._count_failure(result)

    async def save(self, url: str) -> SaveResult:
        """Ask Save Page Now to capture `url` (opt-in; keys from the environment).

        Not once the archive was given up for this run (unreachable, or a Retry-After beyond the
        cap): posting to an archive that asked for an hour's pause gets the IP blocked.
        """
        if self._unreachable is not None:
            return SaveResult(url, SaveState.SKIPPED, message=self._unreachable)
        return await self._saver.save(url)


def _usable(row: _Capture, url: str) -> _Capture:
    """The capture as it is shown. The original as the archive spells it
    (`http://www.cnbc.com:80/...`) plays back best; one that is empty or carries spaces or
    control characters is replaced by the URL asked about."""
    if row.original and not any(ord(c) <= 32 or 127 <= ord(c) <= 159 for c in row.original):
        return row
    return _Capture(row.timestamp, url, row.status, row.urlkey)


def _describe(exc: FetchError) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.kind}: {text}" if text else exc.kind


def _is_exclusion_response(response: HttpResponse) -> bool:
    """An exclusion notice is the archive's final word, whatever its status: never retried."""
    return _is_exclusion(response.body)


def _is_exclusion(body: bytes) -> bool:
    text = body[:4096].decode("utf-8", "replace")
    return any(marker in text for marker in _EXCLUSION_MARKERS)


def _parse_ndjson(text: str) -> list[_Capture]:
    captures = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise _Failure(_FailKind.GARBAGE, f"not NDJSON: {line[:60]!r}") from None
        if not isinstance(row, dict) or parse_timestamp(str(row.get("timestamp", ""))) is None:
            raise _Failure(_FailKind.GARBAGE, f"malformed CDX line {line[:60]!r}")
        status = str(row.get("status") or row.get("statuscode") or "")
        captures.append(
            _Capture(
                timestamp=str(row["timestamp"]),
                original=str(row.get("url") or row.get("original") or ""),
                status=int(status) if status.isdigit() else None,
            )
        )
    return captures


def parse_cdx(status: int, body: bytes, *, ndjson: bool = False) -> list[_Capture]:
    """The captures of a CDX JSON answer (`[]` -> none), or of pywb's NDJSON (`ndjson`).

    Raises `_Excluded` for a robots or site exclusion, `_Failure` for anything unusable.
    """
    text = body.decode("utf-8", "replace").strip()
    if _is_exclusion(body):
        line = next((ln for ln in text.splitlines() if "Exception" in ln or "Blocked" in ln), text)
        raise _Excluded(clean_text(line))
    if status != 200:
        raise _Failure(_FailKind.GARBAGE, f"HTTP {status}: {clean_text(text, 80)!r}")
    if not text:
        if ndjson:
            return []  # pywb answers nothing at all for no captures
        raise _Failure(_FailKind.GARBAGE, "empty answer (not even [])")
    if ndjson:
        return _parse_ndjson(text)
    try:
        data = json.loads(text)
    except ValueError:
        raise _Failure(_FailKind.GARBAGE, f"not JSON: {text[:60]!r}") from None
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise _Failure(_FailKind.GARBAGE, "JSON that is not a list of rows")
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
        raise _Failure(_FailKind.GARBAGE, f"CDX rows without timestamp: {header}") from None
    i_status = header.index("statuscode") if "statuscode" in header else None
    i_key = header.index("urlkey") if "urlkey" in header else None
    captures = []
    for row in rows:
        if len(row) <= max(i_ts, i_orig) or parse_timestamp(str(row[i_ts])) is None:
            raise _Failure(_FailKind.GARBAGE, f"malformed CDX row {row!r:.80}")
        status_text = str(row[i_status]) if i_status is not None and len(row) > i_status else ""
        captures.append(
            _Capture(
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


def parse_availability(status: int, body: bytes) -> _Capture | None:
    """The capture of an availability API answer, None for a miss (`{}`). Raises `_Failure`."""
    if status != 200:
        raise _Failure(_FailKind.GARBAGE, f"HTTP {status}")
    try:
        data: Any = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        raise _Failure(_FailKind.GARBAGE, "availability answer is not JSON") from None
    if not isinstance(data, dict):
        raise _Failure(_FailKind.GARBAGE, "availability answer is not an object")
    snapshots = data.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or not closest.get("available", True):
        return None
    ts = str(closest.get("timestamp") or "")
    if parse_timestamp(ts) is None:
        raise _Failure(_FailKind.GARBAGE, f"availability answer with a bad timestamp {ts!r:.30}")
    status_text = str(closest.get("status") or "")
    if status_text and status_text not in GOOD_STATUSES:
        return None  # a redirect or error capture is not the page
    original = str(data.get("url") or "")
    playback = str(closest.get("url") or "")
    # The playback URL is `http://web.archive.org/web/<ts>/<original>`: take the original from it.
    marker = f"/web/{ts}/"
    if marker in playback:
        original = playback.split(marker, 1)[1]
    return _Capture(ts, original, int(status_text) if status_text.isdecimal() else None)
