"""The history verdict as a pure function of (time, status) observations."""

from __future__ import annotations

import datetime as dt

import pytest
from health_support import day

from linkaudit.health.policy import (
    HealthPolicy,
    HealthState,
    Outcome,
    count_transitions,
    outcome_of,
    verdict,
)
from linkaudit.model import LinkStatus

A, D, B, T, S5, NE, SK, SOFT = (
    LinkStatus.ALIVE,
    LinkStatus.DEAD,
    LinkStatus.BLOCKED,
    LinkStatus.TIMEOUT,
    LinkStatus.SERVER_ERROR,
    LinkStatus.NETWORK_ERROR,
    LinkStatus.SKIPPED,
    LinkStatus.SOFT_404,
)


def obs(*pairs: tuple[float, LinkStatus]) -> list[tuple[dt.datetime, LinkStatus]]:
    return [(day(d), s) for d, s in pairs]


def test_every_status_has_an_outcome() -> None:
    for status in LinkStatus:
        assert isinstance(outcome_of(status), Outcome)
    assert outcome_of(B) is Outcome.UNSURE and outcome_of(T) is Outcome.UNSURE
    assert outcome_of(S5) is Outcome.FAIL
    assert outcome_of(S5, HealthPolicy(count_unreachable=False)) is Outcome.UNSURE


def test_no_observations_is_unknown() -> None:
    assert verdict([]).state is HealthState.UNKNOWN
    assert verdict(obs((0, SK), (1, SK))).state is HealthState.UNKNOWN


def test_dead_needs_three_runs_over_three_days() -> None:
    v = verdict(obs((0, D), (1, D), (2, D)))
    assert v.state is HealthState.FAILING  # three runs, but only two days apart
    assert v.since == day(0) and v.failures == 3
    v = verdict(obs((0, D), (1, D), (3, D)))
    assert v.state is HealthState.DEAD
    assert v.confirmed_at == day(3) and v.since == day(0)
    # Many runs within one day are not enough either.
    assert verdict(obs(*((i / 10, D) for i in range(10)))).state is HealthState.FAILING
    # Two runs far apart are not enough.
    assert verdict(obs((0, D), (30, D))).state is HealthState.FAILING


def test_confirm_rule_is_configurable() -> None:
    assert verdict(obs((0, D)), HealthPolicy(confirm_runs=1, confirm_days=0)).state is (
        HealthState.DEAD
    )
    pol = HealthPolicy(confirm_runs=5, confirm_days=3)
    assert verdict(obs((0, D), (1, D), (3, D), (4, D)), pol).state is HealthState.FAILING
    assert verdict(obs((0, D), (1, D), (3, D), (4, D), (5, D)), pol).state is HealthState.DEAD


def test_a_success_resets_the_streak() -> None:
    v = verdict(obs((0, D), (1, D), (2, A), (3, D), (4, D)))
    assert v.state is HealthState.FAILING
    assert v.since == day(3) and v.failures == 2


def test_fixed_link_is_ok_since_the_first_success() -> None:
    v = verdict(obs((0, A), (1, D), (2, D), (3, A), (4, A)))
    assert v.state is HealthState.OK
    assert v.since == day(3)


def test_blocked_and_timeout_never_turn_dead_by_themselves() -> None:
    v = verdict(obs(*((i, B) for i in range(10))))
    assert v.state is HealthState.UNVERIFIABLE and v.since == day(0)
    assert verdict(obs(*((i, T) for i in range(10)))).state is HealthState.UNVERIFIABLE
    # ... nor do they reset a streak of real failures, or count towards it.
    v = verdict(obs((0, D), (1, B), (2, T), (3, D)))
    assert v.state is HealthState.FAILING and v.failures == 2 and v.since == day(0)
    assert verdict(obs((0, D), (1, B), (2, D), (3, D))).state is HealthState.DEAD


def test_server_errors_count_unless_disabled() -> None:
    history = obs((0, S5), (2, NE), (4, SOFT))
    assert verdict(history).state is HealthState.DEAD
    assert verdict(history, HealthPolicy(count_unreachable=False)).state is HealthState.FAILING


def test_skipped_runs_are_ignored() -> None:
    v = verdict(obs((0, D), (1, SK), (2, D), (3, SK), (4, D), (5, SK)))
    assert v.state is HealthState.DEAD and v.last_status is SK


def test_flapping() -> None:
    v = verdict(obs((0, A), (1, D), (2, A), (3, D), (4, A)))
    assert v.state is HealthState.FLAPPING and v.transitions == 4
    # One outage, then repaired: fixed, not flapping.
    assert verdict(obs((0, A), (1, D), (2, A))).state is HealthState.OK
    # Old alternation outside the window is forgotten.
    calm = obs((0, A), (1, D), (2, A), (3, D), *((4 + i, A) for i in range(10)))
    assert verdict(calm).state is HealthState.OK
    # A confirmed death wins over old flapping.
    v = verdict(obs((0, A), (1, D), (2, A), (3, D), (5, D), (7, D)))
    assert v.state is HealthState.DEAD


def test_order_of_observations_does_not_matter() -> None:
    history = obs((3, D), (0, A), (1, D), (2, D), (5, D))
    assert verdict(history).state is HealthState.DEAD
    assert verdict(history).since == day(1)


@pytest.mark.parametrize(
    ("outcomes", "n"),
    [
        ([], 0),
        ([Outcome.OK, Outcome.FAIL, Outcome.OK], 2),
        ([Outcome.OK, Outcome.IGNORED, Outcome.OK], 0),
        ([Outcome.FAIL, Outcome.UNSURE, Outcome.OK], 1),
    ],
)
def test_count_transitions(outcomes: list[Outcome], n: int) -> None:
    assert count_transitions(outcomes) == n
