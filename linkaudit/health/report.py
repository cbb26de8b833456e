"""The link-health report as data: what changed since the last run, built from the history.

`build_report` reads the store once and returns a `HealthReport`; the table, Markdown, HTML and
JSON renderers (`linkaudit.health.table`, `.markdown`, `.html`, `.json_v1`, chosen by
`linkaudit.health.render.ReportFormat`) only format it, and this module imports none of them.

The lists, each about URLs cited by the latest finished run ("current") unless said otherwise:
- `new`: a problem now (failing, dead, blocked, timeout...) that was not one in the previous run;
- `persisting`: a problem now and in the previous run (`since` = the start of the streak);
- `fixed`: a problem in the previous run that is ok now, or no longer cited (status `removed`);
- `flapping`: alternating between ok and failing (kept out of the three lists above, where it
  would churn every run);
- `dead`: confirmed dead by the history rule, oldest first (the oldest unfixed dead links).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from linkaudit.config import HealthConfig
from linkaudit.health.history import (
    Citer,
    LinkHistory,
    RunInfo,
    current_run,
    link_states,
    list_runs,
    policy_of,
)
from linkaudit.health.policy import HealthState, Outcome, outcome_of
from linkaudit.model import LinkStatus
from linkaudit.store import Store
from linkaudit.urls import redact_text, redact_url, registrable_domain

REMOVED = "removed"
"""The `status` of a fixed item whose URL is no longer cited."""

AGE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("< 1 week", 7),
    ("1-4 weeks", 30),
    ("1-3 months", 91),
    ("3-12 months", 365),
    ("> 1 year", 10**6),
)
"""Buckets of the "age of dead links" chart: (label, upper bound in days, exclusive)."""


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One URL in one of the report's lists."""

    url: str
    """The URL (untrusted: escape before display)."""
    status: str
    """The latest `LinkStatus` value, or `removed`."""
    state: HealthState
    """The history verdict."""
    since: dt.datetime
    """When the current state began (first failure of the streak; for fixed: the run that saw it
    fixed)."""
    citers: tuple[Citer, ...]
    """Documents and references citing it."""
    http_status: int | None = None
    """The latest HTTP status."""
    error: str | None = None
    """The latest one-line reason."""
    failures: int = 0
    """Failed runs in the current streak."""

    @property
    def domain(self) -> str:
        """The registrable domain of the URL."""
        return registrable_domain(self.url) or "?"


@dataclass(frozen=True, slots=True)
class DomainRot:
    """How much of one source domain is rotting, as of the latest run."""

    domain: str
    """The registrable domain."""
    links: int
    """Distinct current URLs on it."""
    failing: int
    """Of those, failing in the latest run (dead, soft-404, unreachable)."""
    dead: int
    """Of those, confirmed dead."""

    @property
    def rate(self) -> float:
        """`failing / links`."""
        return self.failing / self.links if self.links else 0.0


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Everything `linkaudit report` shows."""

    generated: dt.datetime
    """When the report was built (the `now` it used)."""
    runs: tuple[RunInfo, ...]
    """Every run, oldest first (counts over time)."""
    new: tuple[ReportItem, ...]
    """Problems that appeared since the previous run."""
    persisting: tuple[ReportItem, ...]
    """Problems also present in the previous run, oldest first."""
    fixed: tuple[ReportItem, ...]
    """Problems of the previous run that are gone."""
    flapping: tuple[ReportItem, ...]
    """Links alternating between ok and failing."""
    dead: tuple[ReportItem, ...]
    """Confirmed dead links, oldest first."""
    domains: tuple[DomainRot, ...]
    """Source domains, most rotten first."""
    confirm_runs: int
    """The confirm rule used: runs."""
    confirm_days: int
    """The confirm rule used: days."""

    @property
    def latest(self) -> RunInfo | None:
        """The run the report is about."""
        return current_run(list(self.runs))

    @property
    def all_clear(self) -> bool:
        """Nothing is failing, flapping or dead among the current links."""
        return not (self.new or self.persisting or self.flapping or self.dead)

    def dead_ages(self) -> list[tuple[str, int]]:
        """(bucket label, count) of confirmed dead links by days since their first failure."""
        counts = dict.fromkeys((label for label, _ in AGE_BUCKETS), 0)
        for item in self.dead:
            days = (self.generated - item.since).days
            label = next(lbl for lbl, upper in AGE_BUCKETS if days < upper)
            counts[label] += 1
        return list(counts.items())


def _is_problem(status: LinkStatus | None, health: HealthConfig) -> bool:
    if status is None:
        return False
    return outcome_of(status, policy_of(health)) in (Outcome.FAIL, Outcome.UNSURE)


def _is_ok(status: LinkStatus | None) -> bool:
    return status is not None and status.is_ok


def build_report(
    store: Store, health: HealthConfig, *, now: dt.datetime | None = None
) -> HealthReport:
    """Read the history in `store` and build the report as of `now` (default: the present)."""
    now = now or dt.datetime.now(dt.UTC)
    runs = [r for r in list_runs(store) if r.started <= now]
    histories = link_states(store, health, now=now)
    latest = current_run(runs)
    finished = [r for r in runs if not r.interrupted and (latest is None or r.id < latest.id)]
    previous = finished[-1] if finished else None

    new: list[ReportItem] = []
    persisting: list[ReportItem] = []
    fixed: list[ReportItem] = []
    flapping: list[ReportItem] = []
    dead: list[ReportItem] = []
    domains: dict[str, list[int]] = {}
    for h in histories:
        by_run = {o.run_id: o for o in h.observations}
        now_obs = by_run.get(latest.id) if latest else None
        prev_obs = by_run.get(previous.id) if previous else None
        now_status = now_obs.status if now_obs else None
        prev_status = prev_obs.status if prev_obs else None
        if h.current and now_obs is None:
            # Carried forward (its documents were not audited this time): unchanged since its
            # last check, so a failure there persists rather than being new.
            now_status = prev_status = h.latest.status
        if h.current and latest is not None:
            row = domains.setdefault(registrable_domain(h.url) or "?", [0, 0, 0])
            row[0] += 1
            if now_status and outcome_of(now_status, policy_of(health)) is Outcome.FAIL:
                row[1] += 1
            if h.verdict.state is HealthState.DEAD:
                row[2] += 1
        if h.verdict.state is HealthState.FLAPPING:
            if h.current:
                flapping.append(_item(h, h.latest.status.value))
            continue
        if h.current and _is_problem(now_status, health):
            item = _item(h, h.latest.status.value)
            (persisting if _is_problem(prev_status, health) else new).append(item)
            if h.verdict.state is HealthState.DEAD:
                dead.append(item)
        elif _is_problem(prev_status, health) and latest is not None:
            if not h.current:
                fixed.append(_item(h, REMOVED, since=latest.started))
            elif _is_ok(now_status):
                fixed.append(_item(h, h.latest.status.value, since=latest.started))

    def by_age(items: list[ReportItem]) -> tuple[ReportItem, ...]:
        return tuple(sorted(items, key=lambda i: (i.since, i.url)))

    rot = [DomainRot(d, n, f, x) for d, (n, f, x) in domains.items()]
    rot.sort(key=lambda r: (-r.failing, -r.rate, -r.links, r.domain))
    return HealthReport(
        generated=now,
        runs=tuple(runs),
        new=tuple(sorted(new, key=lambda i: i.url)),
        persisting=by_age(persisting),
        fixed=tuple(sorted(fixed, key=lambda i: i.url)),
        flapping=tuple(sorted(flapping, key=lambda i: i.url)),
        dead=by_age(dead),
        domains=tuple(rot),
        confirm_runs=health.confirm_runs,
        confirm_days=health.confirm_days,
    )


def _item(h: LinkHistory, status: str, *, since: dt.datetime | None = None) -> ReportItem:
    # The store keeps URLs as checked (to match them across runs); every report shows them
    # redacted, as the audit's reports do: an issue body must not carry a `?token=`.
    return ReportItem(
        url=redact_url(h.url),
        status=status,
        state=h.verdict.state,
        since=since or h.verdict.since or h.latest.time,
        citers=tuple(dataclasses.replace(c, document=redact_text(c.document)) for c in h.citers),
        http_status=h.latest.http_status,
        error=redact_text(h.latest.error) if h.latest.error else None,
        failures=h.verdict.failures,
    )
