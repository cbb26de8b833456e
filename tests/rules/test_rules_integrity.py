"""Citation-integrity rules: dangling markers, uncited and duplicate references, self-citation."""

from __future__ import annotations

import pytest
from ruleskit import cite, doc, of, ref, run

from linkaudit.model import Citation, Severity


def test_dangling_marker_fires_once_at_first_use() -> None:
    d = doc([ref("1", "https://a.example/")],
            [cite("1", "One."), cite(("1", "6"), "Six.", line=8, column=3),
             cite("6", "Again six.", line=9)])
    findings, _ = run(d, offline=True)
    (f,) = of(findings, "dangling-marker")
    assert f.severity is Severity.ERROR and (f.line, f.column, f.reference) == (8, 3, "6")
    assert len(f.evidence["occurrences"]) == 2


def test_no_dangling_when_every_marker_resolves() -> None:
    findings, _ = run(doc([ref("1", "https://a.example/")], [cite("1", "One.")]), offline=True)
    assert not of(findings, "dangling-marker")


def test_markers_without_any_list_are_one_info_never_errors() -> None:
    """Program output, an interval, a README explaining `[5]`: no list, so nothing dangles."""
    d = doc([], [cite(("1", "2", "3"), "Before defining closure:", line=5, column=26),
                 cite("5", "The marker [5] names the fifth reference.", line=58, column=5)])
    findings, _ = run(d, offline=True)
    assert not of(findings, "dangling-marker")
    (f,) = of(findings, "markers-without-list")
    assert f.severity is Severity.INFO and (f.line, f.column) == (5, 26)
    assert [m["line"] for m in f.evidence["markers"]] == [5, 58]


def test_an_undefined_footnote_dangles_even_without_a_list() -> None:
    footnote = Citation(("siphash",), "HashMap uses SipHash.", 7, 3, "[^siphash]")
    findings, _ = run(doc([], [footnote]), offline=True)
    (f,) = of(findings, "dangling-marker")
    assert f.severity is Severity.ERROR and f.reference == "siphash"
    assert not of(findings, "markers-without-list")


def test_uncited_reference() -> None:
    d = doc([ref("1", "https://a.example/", 10), ref("2", "https://b.example/", 11)],
            [cite("1", "One.")])
    findings, _ = run(d, offline=True)
    (f,) = of(findings, "uncited-reference")
    assert (f.reference, f.line) == ("2", 11) and f.severity is Severity.INFO
    findings, _ = run(doc([ref("1", "https://a.example/")], [cite("1", "x")]), offline=True)
    assert not of(findings, "uncited-reference")


def test_duplicate_reference_names_the_first() -> None:
    d = doc([ref("1", "https://a.example/", 10), ref("2", "https://a.example/", 11)],
            [cite(("1", "2"), "Both.")])
    findings, _ = run(d, offline=True)
    (f,) = of(findings, "duplicate-reference")
    assert f.reference == "2" and f.evidence["same_as"] == "1"
    d = doc([ref("1", "https://a.example/"), ref("2", "https://b.example/")],
            [cite(("1", "2"), "x")])
    assert not of(run(d, offline=True)[0], "duplicate-reference")


def test_self_citation_by_site_url() -> None:
    d = doc([ref("1", "https://blog.example.com/old-post"), ref("2", "https://other.org/")],
            [cite(("1", "2"), "x")], site_url="https://www.example.com/new-post")
    findings, _ = run(d, offline=True)
    assert [f.reference for f in of(findings, "self-citation")] == ["1"]


def test_self_citation_by_byline_without_site_url() -> None:
    text = "Title\nByAinvest\nMonday, Sep 1, 2025\nBody [1] [2].\n"
    d = doc([ref("1", "https://www.ainvest.com/news/x-2508/"), ref("2", "https://cnbc.com/a")],
            [cite(("1", "2"), "x")], text=text)
    (f,) = of(run(d, offline=True)[0], "self-citation")
    assert f.reference == "1" and "ByAinvest" in f.evidence["how"]


def test_body_mention_of_a_publisher_is_not_self_citation() -> None:
    text = "Title\nBy Jane Doe\nAccording to Yahoo News, shares rose [1].\n"
    d = doc([ref("1", "https://finance.yahoo.com/news/x.html")], [cite("1", "x")], text=text)
    assert not of(run(d, offline=True)[0], "self-citation")


@pytest.mark.parametrize(
    "line",
    [
        "Copyright 2019 Riverside Gazette. All rights reserved.",
        "© 2019 The Riverside Gazette",
        "Copyright © 2018-2019 Riverside Gazette Media Group. All Rights Reserved.",
    ],
)
def test_self_citation_by_an_ordinary_multi_word_publisher_name(line: str) -> None:
    text = f"Title\nBy Jane Doe\nThe council met [1] [2].\n\n{line}\n"
    d = doc([ref("1", "https://www.riversidegazette.com/2019/05/council.html"),
             ref("2", "https://www.riverside.gov/minutes")],
            [cite(("1", "2"), "x")], text=text)
    (f,) = of(run(d, offline=True)[0], "self-citation")
    assert f.reference == "1" and "riversidegazette" in f.evidence["how"]
