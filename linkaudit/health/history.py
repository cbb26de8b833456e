"""The run history: record one audit in the store, and read back each URL's verdict over time.

`record_run` writes one run (its times, inputs and counts per class), each URL's outcome, who
cites it and the findings, all in one transaction, so a run killed half-way leaves no trace and
two runs writing at once each land whole (the store's `BEGIN IMMEDIATE` plus its busy timeout
serialises them). `link_states` turns the recorded outcomes into `LinkHistory` values with the
verdict of `linkaudit.health.policy`.

"Current" URLs are those checked in the latest finished run (an interrupted run is partial, so
it only counts when no finished run exists): a link removed from the documents drops out of the
report's "new" and "persisting" lists and shows up as fixed.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from linkaudit.config import HealthConfig
from linkaudit.health.policy import HealthPolicy, Verdict, verdict
from linkaudit.model import AuditResult, LinkStatus
from linkaudit.store import Store


@dataclass(frozen=True, slots=True)
class Citer:
    """A document and reference that cite a URL."""

    document: str
    """The document's origin."""
    reference: str
    """The reference id (`"5"`), or `""` for a hyperlink outside the reference list."""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One recorded run."""

    id: int
    """The run id (increasing)."""
    started: dt.datetime
    """When it began (UTC)."""
    finished: dt.datetime | None
    """When it ended (UTC), if recorded."""
    interrupted: bool
    """True when the run was stopped early and is partial."""
    inputs: tuple[str, ...]
    """The documents it read."""
    counts: dict[str, int]
    """URLs per status class (`LinkStatus` values)."""

    @property
    def links(self) -> int:
        """How many distinct URLs it checked."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Observation:
    """One URL's outcome in one run."""

    run_id: int
    """The run."""
    time: dt.datetime
    """When the run began."""
    status: LinkStatus
    """The class."""
    http_status: int | None = None
    """The final HTTP status, if any."""
    error: str | None = None
    """The one-line reason, if any."""


@dataclass(frozen=True, slots=True)
class LinkHistory:
    """One URL over the recorded runs, with its verdict."""

    url: str
    """The normalised URL."""
    verdict: Verdict
    """The history-mode verdict."""
    observations: tuple[Observation, ...]
    """Every recorded outcome, oldest first."""
    citers: tuple[Citer, ...]
    """Who cites it, as of the latest run that saw it."""
    current: bool
    """True when it is still cited as far as the history knows: the latest run checked it, or
    none of its citing documents was audited in the latest run."""

    @property
    def latest(self) -> Observation:
        """The most recent observation."""
        return self.observations[-1]


def policy_of(health: HealthConfig) -> HealthPolicy:
    """The verdict policy of the config's health section."""
    return HealthPolicy(confirm_runs=health.confirm_runs, confirm_days=health.confirm_days)


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def record_run(store: Store, result: AuditResult, *, now: dt.datetime | None = None) -> int:
    """Record `result` as one run in the history and return the new run id (one transaction).

    `started` is `result.started` (else `now`); `finished` is `started + elapsed_s`. The history
    records the result as it is: no section of the config shapes it (the health section's
    confirm rule is applied when the history is read, `policy_of`).
    """
    started = result.started or now or dt.datetime.now(dt.UTC)
    finished = started + dt.timedelta(seconds=max(result.elapsed_s, 0.0))
    counts = Counter(check.status.value for check in result.checks.values())
    inputs = [doc.origin for doc in result.documents]
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO runs (started, finished, interrupted, inputs, counts) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                _iso(started),
                _iso(finished),
                int(result.interrupted),
                json.dumps(inputs),
                json.dumps(dict(sorted(counts.items()))),
            ),
        )
        run_id = cur.lastrowid
        assert run_id is not None
        conn.executemany(
            "INSERT OR REPLACE INTO run_links (run_id, url, status, http_status, error) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (run_id, url, check.status.value, check.http_status, check.error)
                for url, check in result.checks.items()
            ),
        )
        conn.executemany(
            "INSERT INTO run_citers (run_id, url, document, reference) VALUES (?, ?, ?, ?)",
            ((run_id, url, doc, ref) for url, doc, ref in _citers(result)),
        )
        conn.executemany(
            "INSERT INTO run_findings (run_id, rule, severity, document, reference, url, line, "
            "message, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    run_id,
                    f.rule,
                    f.severity.label,
                    f.document,
                    f.reference,
                    f.url,
                    f.line,
                    f.message,
                    f.fingerprint,
                )
                for f in result.findings
            ),
        )
    return run_id


def _citers(result: AuditResult) -> Iterable[tuple[str, str, str]]:
    """(url, document, reference id) for every reference, then every other hyperlink."""
    seen: set[tuple[str, str, str]] = set()
    for doc in result.documents:
        rows = [(ref.url, doc.origin, ref.id) for ref in doc.references if ref.url]
        rows += [(link.url, doc.origin, "") for link in doc.links]
        for row in rows:
            if row not in seen:
                seen.add(row)
                yield row


def list_runs(store: Store) -> list[RunInfo]:
    """Every recorded run, oldest first."""
    rows = store.connection.execute(
        "SELECT id, started, finished, interrupted, inputs, counts FROM runs ORDER BY id"
    ).fetchall()
    runs = []
    for run_id, started, finished, interrupted, inputs, counts in rows:
        runs.append(
            RunInfo(
                id=run_id,
                started=_parse_time(started),
                finished=_parse_time(finished) if finished else None,
                interrupted=bool(interrupted),
                inputs=tuple(_json_list(inputs)),
                counts=_json_counts(counts),
            )
        )
    return runs


def _json_list(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _json_counts(text: str) -> dict[str, int]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): int(v) for k, v in value.items() if isinstance(v, int)}


def current_run(runs: list[RunInfo]) -> RunInfo | None:
    """The latest finished run, else the latest run (see the module docstring)."""
    finished = [r for r in runs if not r.interrupted]
    pool = finished or runs
    return pool[-1] if pool else None


def link_states(
    store: Store, health: HealthConfig, *, now: dt.datetime | None = None
) -> list[LinkHistory]:
    """Every URL ever recorded with its verdict, sorted by URL.

    `now` (UTC, default the present) bounds the history: runs that started after it are left out,
    so a report can be rebuilt as of an earlier day.
    """
    now = now or dt.datetime.now(dt.UTC)
    runs = [r for r in list_runs(store) if r.started <= now]
    if not runs:
        return []
    times = {r.id: r.started for r in runs}
    latest = current_run(runs)
    policy = policy_of(health)
    by_url: dict[str, list[Observation]] = {}
    try:
        rows = store.connection.execute(
            "SELECT run_id, url, status, http_status, error FROM run_links ORDER BY run_id"
        ).fetchall()
    except sqlite3.DatabaseError:
        rows = []
    for run_id, url, status, http_status, error in rows:
        if run_id not in times:
            continue
        try:
            link_status = LinkStatus(status)
        except ValueError:
            continue  # a class this version does not know: ignore rather than guess
        by_url.setdefault(url, []).append(
            Observation(run_id, times[run_id], link_status, http_status, error)
        )
    citers = _latest_citers(store, set(times))
    # A URL is current when the latest run saw it, or when none of the documents that cited it
    # was audited in the latest run (a resumed crawl, a re-crawl of changed pages only, a run
    # over other folders): nothing says it is gone, so its last state stands. It is "removed"
    # only when a document that cited it was audited again and no longer cites it.
    audited = set(latest.inputs) if latest else set()
    current_urls = {
        url
        for url, obs in by_url.items()
        if latest
        and (
            obs[-1].run_id == latest.id
            or not any(c.document in audited for c in citers.get(url, ()))
        )
    }
    out = []
    for url in sorted(by_url):
        obs = by_url[url]
        out.append(
            LinkHistory(
                url=url,
                verdict=verdict([(o.time, o.status) for o in obs], policy),
                observations=tuple(obs),
                citers=citers.get(url, ()),
                current=url in current_urls,
            )
        )
    return out


def _latest_citers(store: Store, run_ids: set[int]) -> dict[str, tuple[Citer, ...]]:
    """Per URL, the citers recorded by the latest run (within `run_ids`) that recorded any."""
    rows = store.connection.execute(
        "SELECT run_id, url, document, reference FROM run_citers ORDER BY run_id, rowid"
    ).fetchall()
    latest_run: dict[str, int] = {}
    out: dict[str, list[Citer]] = {}
    for run_id, url, document, reference in rows:
        if run_id not in run_ids:
            continue
        if latest_run.get(url) != run_id:
            latest_run[url] = run_id
            out[url] = []
        out[url].append(Citer(document, reference))
    return {url: tuple(items) for url, items in out.items()}
