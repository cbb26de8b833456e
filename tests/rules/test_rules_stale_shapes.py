"""`stale-source` on the shapes of real documents that are no later time: each test audits a
small document of that shape (offline: the sources are dated by their URLs) and checks that the
shape raises no error while a true stale claim in the same document still does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from linkaudit.audit import audit
from linkaudit.config import AuditConfig
from linkaudit.model import Finding, Severity
from linkaudit.rules.time import claim_time, supported_part


def _stale(tmp_path: Path, text: str, name: str = "page.md") -> list[Finding]:
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    result = audit([str(page)], AuditConfig.build(offline=True, history=False, cache=False))
    return [f for f in result.findings if f.rule == "stale-source"]


def _errors(found: list[Finding]) -> list[tuple[str | None, int | None]]:
    return [(f.reference, f.line) for f in found if f.severity is Severity.ERROR]


# A wiki page's "Forum Posts": each item cites a post by title, author, forum and date; the date
# is the post's own, and the footnote after it is an older page the post discusses.
FORUM_POSTS = """---
title: Hash Tables
---
# Hash Tables

The engine won the 2017 world championship with a shared table [3].

## Forum Posts

- [Re: Hash tables in 2016](https://forum.example.org/t=59530) by [Jane Roe](Jane_Roe "Jane
  Roe"), [CCC](CCC "CCC"), March 16, 2016 [1]
- [Lockless hashing](https://forum.example.org/t=61200) by Max Doe, CCC, October 03, 2016 [2]
- Magnus and the Turkey Grinder by Ken Regan, Gödel's Lost Letter, December 08, 2016 » Stats [3]

## References

1. [Moore's law, revisited](https://blog.example.com/2016/03/12/moores-law.html)
2. [Behind the scenes](https://blog.example.com/2008/06/09/behind-the-scenes.html)
3. [Turkey grinder](https://news.example.com/2016/11/30/turkey-grinder.html)
"""


def test_the_date_of_a_cited_post_is_no_later_time(tmp_path: Path) -> None:
    found = _stale(tmp_path, FORUM_POSTS)
    assert _errors(found) == [("3", 6)]  # "won the 2017 championship", a 2016 source
    bylines = [f for f in found if f.line != 6]
    assert all(f.severity < Severity.ERROR for f in bylines)


# A hardware page with no date of its own: a plan the source announced, and a game named 2048.
PLANS_AND_NAMES = """# SSE5

The sets are stated for introduction in the new Bulldozer core, due for release in late 2011
on a 32nm process [1]. The team studied the single-player puzzle game 2048 [2], and the
predecessor chip shipped in 2010 [1]. Keys are 2048 bits long and blocks 2048 bytes [2].

## References

1. [SSE5 announced](https://news.example.com/2008/11/sse5.html)
2. [Puzzle research](https://lab.example.edu/2014/03/puzzles.html)
"""


def test_a_plan_and_a_number_that_is_no_year_raise_no_error(tmp_path: Path) -> None:
    found = _stale(tmp_path, PLANS_AND_NAMES)
    assert _errors(found) == [("1", 5)]  # "shipped in 2010", a source of 2008-11: still an error
    (error,) = [f for f in found if f.severity is Severity.ERROR]
    assert error.evidence["claim_time"] == "2010"


def test_a_forecast_with_no_document_date_is_judged_against_today() -> None:
    today = dt.date(2026, 6, 1)
    claim = claim_time("The team studied the puzzle game 2048.", None, today=today)
    assert claim.named == () and [t.text for t in claim.forecasts] == ["2048"]
    # the same words with a document date far ahead: a year like any other
    assert [t.text for t in claim_time("Sales fell in 2048.", dt.date(2049, 1, 1)).named] == [
        "2048"
    ]


# An analyst note that quotes the title of the report it cites, a title that names a year.
QUOTED_TITLE = """# Chips outlook

Published: March 2, 2026

The "State of Inference Chips 2026" [1] sees demand for inference chips doubling.
The report's authors wrote "Sales of inference chips will double in 2026" [2].
Revenue doubled in 2026, the company said [3].

## References

1. Gartner. "State of Inference Chips 2026". https://research.example.com/2025/11/20/outlook.html
2. https://research.example.com/2025/11/21/authors.html
3. https://research.example.com/2025/11/22/revenue.html
"""


def test_a_year_in_the_quoted_title_of_the_source_is_no_later_time(tmp_path: Path) -> None:
    found = _stale(tmp_path, QUOTED_TITLE)
    assert _errors(found) == [("3", 7)]  # [2] quotes a forecast; [3] reports 2026 from 2025
    claim = claim_time(
        'The "State of Inference Chips 2026" sees demand doubling.', dt.date(2026, 3, 2),
        titles=['Gartner. "State of Inference Chips 2026".'],
    )
    assert claim.named == () and claim.set_aside[0].time.text == "2026"


# A biography whose marker closes the first clause: the later years are not what it supports.
MID_SENTENCE = """# Gary Roe

He graduated in 2005 from Queen's University [1], Kingston, and was a Microsoft employee, where
he worked on the designer from 2005 until 2011. According to the alumni magazine [2], he
returned in 2012 to teach.

## References

1. https://alumni.example.edu/2005/05/24/class-of-2005.html
2. https://alumni.example.edu/2006/01/10/magazine.html
"""


def test_a_marker_in_mid_sentence_supports_the_clause_it_closes(tmp_path: Path) -> None:
    found = _stale(tmp_path, MID_SENTENCE)
    assert _errors(found) == [("2", 4)]  # the magazine is what says "returned in 2012"
    (error,) = [f for f in found if f.severity is Severity.ERROR]
    assert error.evidence["claim_time"] == "2012"


@pytest.mark.parametrize(
    ("claim", "marker_after", "part"),
    [
        ("He graduated in 2005 from X, and worked there until 2011.", "X",
         "He graduated in 2005 from X"),
        ("According to the report, sales fell in 2025.", "report", None),
        ("Smith said, in a long interview, that sales fell.", "said", None),
        ("Sales rose to a record in 2025.", "rose", None),  # mid-clause: the whole claim
        ("Sales rose in 2025.", ".", None),
    ],
)
def test_supported_part(claim: str, marker_after: str, part: str | None) -> None:
    lead = claim.index(marker_after) + len(marker_after)
    assert supported_part(claim, lead) == (part or claim)


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ('The "State of AI in 2025" report found gains.', "quoted title"),
        ("Re: Hashing by Jane Roe, CCC, March 16, 2016", "cited work"),
        ("Hashing by Jane Roe (2016)", "cited work"),
    ],
)
def test_dates_set_aside(claim: str, reason: str) -> None:
    found = claim_time(claim, dt.date(2026, 1, 1))
    assert found.named == () and reason in found.set_aside[0].reason


@pytest.mark.parametrize(
    "claim",
    [
        'He said "sales rose in 2025" at the meeting.',  # a quotation of speech is a claim
        "The merger was approved by regulators in March 2025.",  # prose, not a byline
        "The law was signed by the president on March 3, 2025, after a long debate.",
    ],
)
def test_dates_still_spoken_of(claim: str) -> None:
    found = claim_time(claim, dt.date(2026, 1, 1))
    assert found.named and not found.set_aside
