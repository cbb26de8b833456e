"""Bad input never crashes the claim readers (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.rules.numbers import figures_in, missing_figures
from linkaudit.rules.time import claim_time
from linkaudit.sourcedates import date_from_url

PIECES = st.sampled_from(
    ["Q2", "2025", "the June quarter", "last month", "$", "53", "billion", "%", ",", ".", "Sept",
     "31", "has drawn", "while", "[5]", "0000", "H1", "1e9", "¥", "per cent", " ", "\n", "—"]
)
TEXT = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=30).map(" ".join))


@settings(max_examples=80, deadline=None)
@given(TEXT, st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))))
def test_claim_time_never_raises(text: str, date: dt.date | None) -> None:
    claim = claim_time(text, date)
    for ref in claim.named:
        assert ref.start <= ref.end


@settings(max_examples=80, deadline=None)
@given(TEXT, TEXT)
def test_figures_never_raise(claim: str, source: str) -> None:
    found, missing = missing_figures(claim, source)
    assert len(found) + len(missing) == len(figures_in(claim))


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=120))
def test_date_from_url_never_raises(path: str) -> None:
    date_from_url("https://x.example/" + path)
    date_from_url(path)
