"""Figures in claims and their usual spellings in source text."""

from __future__ import annotations

import pytest

from linkaudit.rules.numbers import FigureKind, figures_in, missing_figures


def test_figures_of_the_example_claims() -> None:
    text = (
        "China’s $98 billion AI investment in 2025—$56 billion of it government-funded—cuts "
        "costs by 90%; its H20 chip and Qwen 3 model; revenue jumped 26% on September 17."
    )
    assert [f.text for f in figures_in(text)] == ["$98 billion", "$56 billion", "90%", "26%"]


@pytest.mark.parametrize(
    "spelling",
    ["$53B", "53 bn", "$53bn", "53 billion", "53,000,000,000", "US$53 billion", "$53.0 billion",
     "53 billion dollars"],
)
def test_53_billion_spellings(spelling: str) -> None:
    found, missing = missing_figures("a $53 billion investment", f"it will invest {spelling} soon")
    assert [f.text for f in found] == ["$53 billion"] and missing == []


@pytest.mark.parametrize("spelling", ["26 percent", "26 per cent", "26%", "26 pct", "26.0%"])
def test_percent_spellings(spelling: str) -> None:
    assert missing_figures("revenue rose 26%", f"up {spelling}")[1] == []


@pytest.mark.parametrize(
    "source",
    ["$55B", "53 million", "26 billion", "€53 billion", "2.6%", "$5.3 billion", "53% of revenue"],
)
def test_different_figures_do_not_match(source: str) -> None:
    _, missing = missing_figures("a $53 billion investment", source)
    assert [f.text for f in missing] == ["$53 billion"]


def test_claim_precision_allows_a_more_precise_source() -> None:
    assert missing_figures("a $2.7 billion market", "a $2.71 billion market")[1] == []
    assert missing_figures("a $2.71 billion market", "a $2.7 billion market")[1] != []


def test_years_small_counts_and_model_names_are_not_figures() -> None:
    assert figures_in("In 2025, 3 companies used the H100 and 5G in Qwen3 on May 12") == []
    (count,) = figures_in("It hired 1,200 engineers")
    assert count.kind is FigureKind.COUNT and count.value == 1200
