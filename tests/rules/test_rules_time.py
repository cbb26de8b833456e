"""The time a claim speaks of: each kind of named time, tense, clauses and forecasts."""

from __future__ import annotations

import datetime as dt

import pytest

from linkaudit.rules.time import Tense, TimeKind, claim_time, tense_of, times_in

DOC = dt.date(2025, 9, 1)


@pytest.mark.parametrize(
    ("text", "label", "kind"),
    [
        ("in 2024", "2024", TimeKind.YEAR),
        ("in fiscal 2023", "2023", TimeKind.YEAR),
        ("in Q2 2025", "2025-04-01..2025-06-30", TimeKind.QUARTER),
        ("in 3Q24", "2024-07-01..2024-09-30", TimeKind.QUARTER),
        ("in the second quarter of 2025", "2025-04-01..2025-06-30", TimeKind.QUARTER),
        ("in the June quarter", "2025-04-01..2025-06-30", TimeKind.QUARTER),
        ("in the December quarter", "2024-10-01..2024-12-31", TimeKind.QUARTER),
        ("in H1 2025", "2025-01-01..2025-06-30", TimeKind.HALF),
        ("in August 2025", "2025-08-01..2025-08-31", TimeKind.MONTH),
        ("in August", "2025-08-01..2025-08-31", TimeKind.MONTH),
        ("in October", "2024-10-01..2024-10-31", TimeKind.MONTH),
        ("on Sept. 17, 2024", "2024-09-17", TimeKind.DAY),
        ("last month", "2025-08-01..2025-08-31", TimeKind.RELATIVE),
        ("last year", "2024", TimeKind.RELATIVE),
        ("this year", "2025", TimeKind.RELATIVE),
        ("last quarter", "2025-04-01..2025-06-30", TimeKind.RELATIVE),
    ],
)
def test_each_kind_of_time(text: str, label: str, kind: TimeKind) -> None:
    (ref,) = times_in(f"Sales rose {text}.", DOC)
    assert (ref.label(), ref.kind) == (label, kind)


@pytest.mark.parametrize(
    "text",
    [
        "a $2025 fee", "grew 2024%", "the H20 chip", "this may help", "3,000 staff",
        "page 1999-2000 of 2500",
    ],
)
def test_things_that_are_not_times(text: str) -> None:
    assert [t.text for t in times_in(text, DOC) if t.kind is not TimeKind.YEAR] == []
    assert not [t for t in times_in(text, DOC) if t.text in ("2025", "2024", "May")]


def test_yearless_times_need_the_document_date() -> None:
    assert times_in("sales rose last month in the June quarter", None) == []


@pytest.mark.parametrize(
    ("clause", "tense"),
    [
        ("its H20 chip has drawn scrutiny", Tense.PRESENT_PERFECT),
        ("restrictions have limited its access", Tense.PRESENT_PERFECT),
        ("This move aligns with China's push", Tense.PRESENT),
        ("Nvidia faces vulnerabilities", Tense.PRESENT),
        ("The chip is built by a Chinese manufacturer", Tense.PRESENT),
        ("Alibaba's cloud revenue jumped 26%", Tense.PAST),
        ("The company said it would", Tense.PAST),
        ("The market will grow", Tense.FUTURE),
    ],
)
def test_tense(clause: str, tense: Tense) -> None:
    assert tense_of(clause)[0] is tense


def test_example_claim_is_contrasted() -> None:
    claim = claim_time(
        "U.S. export restrictions have limited its access to China’s $2.7 billion AI cloud market "
        "in 2024, while its H20 chip, the most powerful version permitted for sale, has drawn "
        "scrutiny over security risks.",
        DOC,
    )
    assert [t.label() for t in claim.named] == ["2024"]
    assert claim.present_clause is not None and "has drawn" in claim.present_clause.text
    assert claim.contrasted


def test_forecast_is_kept_apart() -> None:
    claim = claim_time("The market is expected to reach $10 billion by 2030.", DOC)
    assert claim.named == () and [t.label() for t in claim.forecasts] == ["2030"]
    assert claim.present_clause is None


def test_since_keeps_a_present_perfect_clause_in_the_present() -> None:
    claim = claim_time("Nvidia's share in China has fallen from 95% to 50% since 2022.", DOC)
    assert [t.label() for t in claim.named] == ["2022"]
    assert claim.present_clause is not None and not claim.contrasted
