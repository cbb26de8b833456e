"""The history-mode verdict on one URL: a pure function of its dated check outcomes.

A link is only called `dead` once it has failed in at least `confirm_runs` runs spread over at
least `confirm_days` days, as InternetArchiveBot does before it replaces a link (one bad night is
not link rot). Before that it is "failing since <first failure of the current streak>"; any
success resets the streak.

Which classes count as a failure (`Outcome.FAIL`):
- `dead` and `soft-404` always;
- `server-error` and `network-error` unless `HealthPolicy.count_unreachable` is off (a site that
  answers 5xx for three weeks is gone for a reader, whatever the cause).
`blocked` and `timeout` (and the unreachable classes when not counted) are `Outcome.UNSURE`: they
neither count towards `dead` nor reset a streak, so a bot wall never turns a link dead by itself;
a streak made only of them is `unverifiable`. `skipped` and `invalid` say nothing about the link's
health and are ignored.

Flapping: a link whose last `flap_window` observations switch between ok and failing at least
`flap_transitions` times. The default is 3 switches (ok, fail, ok, fail), not 2: with 2, a single
outage that was then repaired (ok, fail, ok) would be called flapping and the report could never
say "fixed".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from linkaudit.config import DEFAULT_CONFIRM_DAYS, DEFAULT_CONFIRM_RUNS
from linkaudit.model import LinkStatus

DEFAULT_FLAP_WINDOW = 8
DEFAULT_FLAP_TRANSITIONS = 3


class Outcome(StrEnum):
    """What one observation says about a link's health."""

    OK = "ok"
    """The source is there (alive, redirected, moved-offsite)."""
    FAIL = "fail"
    """A failure that counts towards `dead`."""
    UNSURE = "unsure"
    """Not shown to be there, but not evidence of death (blocked, timeout)."""
    IGNORED = "ignored"
    """Says nothing about health (skipped, invalid)."""


class HealthState(StrEnum):
    """The history-mode verdict on a link. The JSON and the reports use the values."""

    OK = "ok"
    """The latest meaningful observation is a success."""
    FAILING = "failing"
    """Failing, but not yet confirmed dead (too few runs or days)."""
    DEAD = "dead"
    """Confirmed: failed in `confirm_runs` runs over `confirm_days` days with no success between."""
    UNVERIFIABLE = "unverifiable"
    """Only blocked/timeout answers since the last success: cannot be judged."""
    FLAPPING = "flapping"
    """Alternates between ok and failing."""
    UNKNOWN = "unknown"
    """No meaningful observation at all (only skipped or invalid)."""


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """The knobs of the verdict; defaults from `linkaudit.config`."""

    confirm_runs: int = DEFAULT_CONFIRM_RUNS
    """Failed runs needed before a link is dead."""
    confirm_days: int = DEFAULT_CONFIRM_DAYS
    """Days between the first and the latest failure of the streak needed before it is dead."""
    count_unreachable: bool = True
    """Count `server-error` and `network-error` as failures (else they are like `timeout`)."""
    flap_window: int = DEFAULT_FLAP_WINDOW
    """How many of the latest observations are looked at for flapping."""
    flap_transitions: int = DEFAULT_FLAP_TRANSITIONS
    """Switches between ok and failing within the window that make a link flapping."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verdict on one link and the facts it rests on."""

    state: HealthState
    """The verdict."""
    since: dt.datetime | None
    """For failing/dead/unverifiable: the first failure of the current streak; for ok: the first
    success after the last failure (or the first observation); None when unknown."""
    failures: int = 0
    """Failed runs in the current streak."""
    span: dt.timedelta = dt.timedelta(0)
    """Time between the first and the latest failure of the current streak."""
    transitions: int = 0
    """Switches between ok and failing within the flap window."""
    last_status: LinkStatus | None = None
    """The latest observed status (of any kind)."""
    confirmed_at: dt.datetime | None = None
    """When the streak first met the confirm rule (the run that made it dead)."""

def outcome_of(status: LinkStatus, policy: HealthPolicy = HealthPolicy()) -> Outcome:
    """Classify one status for the history (see the module docstring)."""
    match status:
        case LinkStatus.ALIVE | LinkStatus.REDIRECTED | LinkStatus.MOVED_OFFSITE:
            return Outcome.OK
        case LinkStatus.DEAD | LinkStatus.SOFT_404:
            return Outcome.FAIL
        case LinkStatus.SERVER_ERROR | LinkStatus.NETWORK_ERROR:
            return Outcome.FAIL if policy.count_unreachable else Outcome.UNSURE
        case LinkStatus.BLOCKED | LinkStatus.TIMEOUT:
            return Outcome.UNSURE
        case LinkStatus.SKIPPED | LinkStatus.INVALID:
            return Outcome.IGNORED
        case _ as unreachable:
            assert_never(unreachable)


def count_transitions(outcomes: Sequence[Outcome]) -> int:
    """Switches between OK and a non-OK (FAIL or UNSURE) outcome, ignored ones skipped."""
    seen = [o is Outcome.OK for o in outcomes if o is not Outcome.IGNORED]
    return sum(1 for a, b in zip(seen, seen[1:], strict=False) if a != b)


def verdict(
    observations: Sequence[tuple[dt.datetime, LinkStatus]],
    policy: HealthPolicy = HealthPolicy(),
) -> Verdict:
    """The verdict on a link from its `(time, status)` observations (any order)."""
    obs = sorted(observations, key=lambda o: o[0])
    if not obs:
        return Verdict(HealthState.UNKNOWN, None)
    last_status = obs[-1][1]
    outcomes = [(t, outcome_of(s, policy)) for t, s in obs]
    meaningful = [(t, o) for t, o in outcomes if o is not Outcome.IGNORED]
    if not meaningful:
        return Verdict(HealthState.UNKNOWN, None, last_status=last_status)

    # The current streak: everything after the last success.
    last_ok = max((i for i, (_, o) in enumerate(meaningful) if o is Outcome.OK), default=-1)
    streak = meaningful[last_ok + 1 :]
    window = [o for _, o in meaningful[-max(policy.flap_window, 1) :]]
    transitions = count_transitions(window)

    if not streak:
        # Healthy now; `since` is the start of the current run of successes.
        first_ok = last_ok
        while first_ok > 0 and meaningful[first_ok - 1][1] is Outcome.OK:
            first_ok -= 1
        state = (
            HealthState.FLAPPING if transitions >= policy.flap_transitions else HealthState.OK
        )
        return Verdict(
            state, meaningful[first_ok][0], transitions=transitions, last_status=last_status
        )

    fails = [t for t, o in streak if o is Outcome.FAIL]
    since = fails[0] if fails else streak[0][0]
    confirmed_at = _confirmed_at(fails, policy)
    span = fails[-1] - fails[0] if fails else dt.timedelta(0)
    if confirmed_at is not None:
        state = HealthState.DEAD
    elif transitions >= policy.flap_transitions:
        state = HealthState.FLAPPING
    elif fails:
        state = HealthState.FAILING
    else:
        state = HealthState.UNVERIFIABLE
    return Verdict(
        state,
        since,
        failures=len(fails),
        span=span,
        transitions=transitions,
        last_status=last_status,
        confirmed_at=confirmed_at,
    )


def _confirmed_at(fails: Sequence[dt.datetime], policy: HealthPolicy) -> dt.datetime | None:
    """The first failure time at which the streak met both confirm rules, if it did."""
    need_runs = max(policy.confirm_runs, 1)
    need_span = dt.timedelta(days=max(policy.confirm_days, 0))
    for i, t in enumerate(fails):
        if i + 1 >= need_runs and t - fails[0] >= need_span:
            return t
    return None
