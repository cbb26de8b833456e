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

pywb: an `--archive-url` with a path (`http://localhost:8080/my-coll`) names a pywb collection,
asked in its own dialect and without an availability API. The queries and the parsing of the
answers, in both dialects, are `linkaudit.archive.cdx`'s; this module is the client.

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
import os
import sqlite3
import time
from collections.abc import Mapping

from linkaudit.archive.cdx import (
    GOOD_STATUSES,
    Capture,
    CdxApi,
    CdxDialect,
    Excluded,
    FailKind,
    Failure,
    day_of,
    dialect_of,
    is_exclusion,
    parse_availability,
    parse_cdx,
    parse_num_pages,
    usable,
)
from linkaudit.archive.interface import (
    SaveResult,
    SaveState,
    lookup_from_dict,
    lookup_to_dict,
)
from linkaudit.archive.savepagenow import SavePageNow, keys_from_env
from linkaudit.check.fetch import Fetcher
from linkaudit.check.limits import Clock, PacerClosed, Sleep, TokenBucket
from linkaudit.check.retry import RetryPolicy, parse_retry_after
from linkaudit.config import (
    DEFAULT_ARCHIVE_RATE_PER_MIN,
    DEFAULT_ARCHIVE_URL,
    DEFAULT_TIMEOUT_S,
    ArchiveConfig,
    NetworkConfig,
)
from linkaudit.errors import StoreError
from linkaudit.http import FetchError, HttpClient, HttpResponse, NotInCassette
from linkaudit.model import ArchiveLookup, ArchiveState, Problem, ProblemKind, SnapshotKind
from linkaudit.store import Store
from linkaudit.urls import host_of

__all__ = [
    "ARCHIVED_TTL_S",
    "GIVE_UP_AFTER",
    "GOOD_STATUSES",
    "NOT_ARCHIVED_TTL_S",
    "CdxDialect",
    "WaybackArchive",
    "dialect_of",
    "parse_availability",
    "parse_cdx",
    "parse_num_pages",
]

ARCHIVED_TTL_S = 7 * 24 * 3600
"""How long an archived (or excluded) answer is reused."""
NOT_ARCHIVED_TTL_S = 24 * 3600
"""How long a "never archived" answer is reused (the page may be captured any day)."""
_MAX_BODY = 256 * 1024
_MAX_PAGE_BODY = 4 * 1024 * 1024  # one index block: about 3,000 rows of the four fields

GIVE_UP_AFTER = 5
"""Lookups in a row without an answer after which the archive is not asked again this run."""


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
        self.api = CdxApi(self.base_url, self.dialect)
        """The queries, spelled in that dialect."""
        self.store = store
        """The cache, if any."""
        self.fetcher = fetcher or Fetcher(client, NetworkConfig(), sleep=sleep, clock=clock)
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
        archive: ArchiveConfig,
        network: NetworkConfig,
        store: Store | None = None,
        *,
        fetcher: Fetcher | None = None,
    ) -> WaybackArchive:
        """The archive as the run's archive section (`--archive-url`, the rate) and network
        section (retries, timeout, a replayed run) describe it, sending through the run's
        `fetcher` when one is given. `store` caches the answers: the caller passes it only when
        the store section's cache is on."""
        return cls(
            client,
            base_url=archive.url,
            # A replayed run sends nothing to the archive: pacing it would only slow the demo.
            rate_per_min=0 if network.replay is not None else archive.rate_per_min,
            store=store,
            retries=network.retries,
            retry_after_cap_s=network.retry_after_cap_s,
            timeout_s=network.timeout_s,
            fetcher=fetcher or Fetcher(client, network),
        )

    @property
    def unreachable(self) -> bool:
        """True once the archive was found unreachable (or rate-limited for long) in this run."""
        return self._unreachable is not None

    def snapshot_url(self, timestamp: str, original: str) -> str:
        """The playback URL of a capture, on this archive's host."""
        return self.api.snapshot_url(timestamp, original)

    def cdx_url(self, url: str, *, limit: int, to: str | None = None) -> str:
        """The CDX query for `url`: good captures only, `limit=1` oldest, `limit=-1` newest."""
        return self.api.cdx_url(url, limit=limit, to=to)

    def availability_url(self, url: str, near: dt.date | None) -> str:
        """The availability API query: closest before `near`, or the newest capture."""
        return self.api.availability_url(url, near)

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
                ProblemKind.ARCHIVE_UNUSABLE,
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
        except Excluded as exc:
            return ArchiveLookup(url, ArchiveState.EXCLUDED, error=str(exc))
        except Failure as cdx_failure:
            if cdx_failure.kind is FailKind.RATE_LIMITED:
                # The availability API sits behind the same limit: asking it now only adds 429s.
                return ArchiveLookup(url, ArchiveState.UNKNOWN, error=cdx_failure.reason)
            try:
                return await self._lookup_availability(url, near, cdx_failure.reason)
            except Failure as second:
                if (
                    cdx_failure.kind is FailKind.UNREACHABLE
                    and second.kind is FailKind.UNREACHABLE
                ):
                    self._mark_unreachable(cdx_failure.reason)
                reason = f"CDX: {cdx_failure.reason}; availability API: {second.reason}"
                return ArchiveLookup(url, ArchiveState.UNKNOWN, error=reason)

    def _mark_unreachable(self, reason: str) -> None:
        self._give_up(ProblemKind.ARCHIVE_UNREACHABLE, f"unreachable: {reason}")

    def _give_up(self, kind: ProblemKind, reason: str) -> None:
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
        near_day = near.strftime("%Y%m%d") if near else None
        before = None
        if near_day is not None and day_of(first.timestamp) <= near_day < day_of(latest.timestamp):
            before = await self._cdx_one(url, limit=-1, to=near_day)
        snaps = self.api.snapshots(first, latest, near_day, before)
        return ArchiveLookup(url, ArchiveState.ARCHIVED, snapshots=snaps)

    async def _cdx_one(self, url: str, *, limit: int, to: str | None = None) -> Capture | None:
        response = await self._get(self.cdx_url(url, limit=limit, to=to))
        rows = parse_cdx(
            response.status, response.body, ndjson=self.dialect is CdxDialect.PYWB
        )
        if not rows:
            return None
        return usable(rows[-1] if limit < 0 else rows[0], url)

    async def _lookup_availability(
        self, url: str, near: dt.date | None, cdx_reason: str
    ) -> ArchiveLookup:
        if self.dialect is CdxDialect.PYWB:
            raise Failure(FailKind.UNREACHABLE, "pywb has no availability API")
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
        if near is not None and day_of(capture.timestamp) > near.strftime("%Y%m%d"):
            kind = SnapshotKind.CLOSEST_AFTER
        snap = self.api.snapshot(Capture(capture.timestamp, original, capture.status), kind)
        return ArchiveLookup(
            url,
            ArchiveState.ARCHIVED,
            snapshots=(snap,),
            error=f"CDX: {cdx_reason}; answered by the availability API",
        )

    async def _get(self, url: str, max_body: int = _MAX_BODY) -> HttpResponse:
        """One GET through the run's network layer (paced, retried); raises `Failure`."""
        if self._unreachable is not None:
            raise Failure(FailKind.UNREACHABLE, self._unreachable)
        try:
            response, tries = await self.fetcher.request(
                "GET", url, policy=self.policy, max_body=max_body
            )
        except PacerClosed as exc:  # given up while this call queued for a token
            raise Failure(FailKind.UNREACHABLE, str(exc)) from exc
        except NotInCassette as exc:
            self.requests += 1
            raise Failure(FailKind.GARBAGE, f"not in the cassette ({exc})") from exc
        except FetchError as exc:
            self.requests += exc.attempts
            raise Failure(FailKind.UNREACHABLE, _describe(exc)) from exc
        self.requests += tries
        if response.status == 429:
            wait = parse_retry_after(response.header("retry-after"))
            if wait is not None and wait > self.retry_after_cap_s:
                # Waiting that long would stall the audit, and asking again before then
                # gets the IP blocked: stop asking for the rest of the run, said once.
                self._give_up(
                    ProblemKind.ARCHIVE_RATE_LIMITED,
                    f"rate-limited: Retry-After {wait:g} s is longer than "
                    f"{self.retry_after_cap_s:g} s",
                )
                raise Failure(FailKind.RATE_LIMITED, f"rate-limited (Retry-After {wait:g} s)")
            raise Failure(FailKind.RATE_LIMITED, f"rate-limited (HTTP 429) after {tries} tries")
        if response.status >= 500 and not is_exclusion(response.body):
            raise Failure(FailKind.UNREACHABLE, f"HTTP {response.status}")
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
        """The CDX query for every good capture under `prefix` (`host/path/`); see `CdxApi`."""
        return self.api.prefix_url(prefix, page=page)

    async def prefix_captures(self, prefix: str, max_pages: int) -> list[Capture] | None:
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
            rows: list[Capture] = []
            for page in range(pages):
                response = await self._get(self.prefix_url(prefix, page=page), _MAX_PAGE_BODY)
                rows.extend(parse_cdx(response.status, response.body))
        except (Failure, Excluded):
            return None
        return rows

    def answer_from_captures(
        self, url: str, near: dt.date | None, captures: list[Capture]
    ) -> ArchiveLookup:
        """The lookup of `url` from all its good captures in index order: the same snapshots
        `_lookup_cdx` picks with its `limit=1`, `limit=-1` and `to=` queries."""
        if not captures:
            return ArchiveLookup(url, ArchiveState.NOT_ARCHIVED)
        first, latest = usable(captures[0], url), usable(captures[-1], url)
        near_day = near.strftime("%Y%m%d") if near else None
        before = None
        if near_day is not None and day_of(first.timestamp) <= near_day < day_of(latest.timestamp):
            before = usable([c for c in captures if day_of(c.timestamp) <= near_day][-1], url)
        snaps = self.api.snapshots(first, latest, near_day, before)
        return ArchiveLookup(url, ArchiveState.ARCHIVED, snapshots=snaps)

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


def _describe(exc: FetchError) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.kind}: {text}" if text else exc.kind.value


def _is_exclusion_response(response: HttpResponse) -> bool:
    """An exclusion notice is the archive's final word, whatever its status: never retried."""
    return is_exclusion(response.body)


