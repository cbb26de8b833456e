"""Claim rules: stale-source, source-after-document, unsupported-number, weak-support,
copied-citation and undated-source, each firing and staying silent."""

from __future__ import annotations

import datetime as dt

import pytest
from ruleskit import alive, archived, cite, doc, of, ref, run

from linkaudit.config import AuditConfig
from linkaudit.model import DatedFact, DateOrigin, LinkCheck, LinkStatus, Severity

OLD = "https://news.example/2024/09/17/story.html"
MONTH = "https://news.example/2025/06/story.html"
UNDATED = "https://news.example/story-2508/"


def stale(claim: str, url: str = OLD, **kw: object) -> list:  # type: ignore[type-arg]
    d = doc([ref("1", url)], [cite("1", claim)], **kw)  # type: ignore[arg-type]
    return of(run(d, offline=True)[0], "stale-source")


@pytest.mark.parametrize(
    "claim",
    [
        "Revenue rose 12% in 2025.",
        "Revenue rose 12% in Q2 2025.",
        "Revenue rose 12% in the June quarter.",
        "Sales fell in August 2025.",
        "Sales resumed last month.",
        "The company was fined on March 3, 2025.",
        "Profit doubled in the first half of 2025.",
        "Profit doubled this year.",
    ],
)
def test_named_time_after_the_source_is_an_error(claim: str) -> None:
    (f,) = stale(claim)
    assert f.severity is Severity.ERROR
    assert f.evidence["source_date"] == "2024-09-17"
    assert f.evidence["source_date_origin"] == "url-path"
    assert f.evidence["document_date_origin"] == "dateline"
    assert f.evidence["claim_time"]


@pytest.mark.parametrize(
    "claim",
    [
        "Revenue rose 12% in 2024.",  # a 2024 source for a 2024 claim
        "Revenue rose 12% in Q2 2024.",
        "Revenue rose 12% last year.",
        "The chip was announced without fanfare.",  # past, no time: nothing to compare
        "The market will reach $10 billion by 2030.",  # a forecast
    ],
)
def test_times_the_source_can_cover_are_silent(claim: str) -> None:
    assert stale(claim) == []


def test_a_recent_co_cited_source_covers_the_claim() -> None:
    recent = "https://n.example/2025/08/30/x"
    d = doc([ref("1", OLD), ref("2", recent)], [cite(("1", "2"), "Sales fell in 2025.")])
    assert not of(run(d, offline=True)[0], "stale-source")
    d = doc([ref("1", OLD), ref("2", OLD + "?b")], [cite(("1", "2"), "Sales fell in 2025.")])
    assert [f.reference for f in of(run(d, offline=True)[0], "stale-source")] == ["1", "2"]


def test_present_tense_old_source_is_at_most_info() -> None:
    # A present tense alone is no evidence of a later time: a note, never a warning (a file
    # of 200 references got 200 identical warnings).
    (f,) = stale("Nvidia faces vulnerabilities in this evolving landscape.")
    assert f.severity is Severity.INFO
    assert f.evidence["claim_time"] == "2025-09-01"
    assert f.evidence["days_older_than_document"] == 349


def test_since_an_old_year_is_a_present_note() -> None:
    (f,) = stale("Nvidia's share in China has fallen to 50% since 2022.")
    assert f.severity is Severity.INFO


def test_present_tense_recent_source_is_silent() -> None:
    assert stale("Nvidia faces vulnerabilities.", url="https://n.example/2025/08/20/x") == []
    cfg_d = doc([ref("1", OLD)], [cite("1", "Nvidia faces vulnerabilities.")])
    findings, _ = run(cfg_d, cfg=AuditConfig.build(stale_after_days=400), offline=True)
    assert not of(findings, "stale-source")


def test_present_perfect_set_against_a_named_year_is_a_warning() -> None:
    (f,) = stale("Exports have slowed in 2024, while the chip has drawn scrutiny.")
    assert f.severity is Severity.WARNING
    assert "set against" in f.evidence["claim_time_basis"]


def test_a_present_perfect_about_the_dated_event_is_no_error() -> None:
    # The case: the clause may well speak of 2019, which a 2019 source covers.
    found = stale("Smith won the prize in 2019, but he has declined to comment.",
                  url="https://news.example/2019/10/01/prize.html")
    assert all(f.severity is not Severity.ERROR for f in found)


@pytest.mark.parametrize(
    ("claim", "date"),
    [
        ("Analysts expected growth in 2025.", None),
        ("The company plans to open a plant in 2026.", dt.date(2027, 3, 1)),
        ("The plant is set to open in March 2025.", None),
        ("Revenue will reach $5 billion in 2025.", None),
        ("Its guidance for 2025 calls for 10% growth.", None),
    ],
)
def test_a_forecast_or_plan_the_source_could_state_is_no_error(
    claim: str, date: dt.date | None
) -> None:
    kw = {"date": DatedFact(date, DateOrigin.AS_OF)} if date else {}
    assert [f for f in stale(claim, **kw) if f.severity is Severity.ERROR] == []


@pytest.mark.parametrize(
    "claim",
    ["Sales have doubled this year.", "Revenue jumped 20% in 2025, beating expectations.",
     "The plant opened in March 2025."],
)
def test_a_named_later_time_is_still_an_error(claim: str) -> None:
    (f,) = stale(claim)
    assert f.severity is Severity.ERROR


def test_month_precision_source_covers_its_whole_month() -> None:
    assert stale("Sales fell in June 2025.", url=MONTH) == []
    (f,) = stale("Sales fell in July 2025.", url=MONTH)
    assert "month precision" in f.evidence["source_date_detail"]


def test_no_source_date_skips_with_reason() -> None:
    d = doc([ref("1", UNDATED)], [cite("1", "Sales fell in 2025.")])
    findings, skips = run(d, offline=True)
    assert not of(findings, "stale-source")
    (s,) = [s for s in skips if s.rule == "stale-source"]
    assert s.reference == "1" and "offline" in s.reason


def test_page_metadata_dates_an_undated_url() -> None:
    d = doc([ref("1", UNDATED)], [cite("1", "Sales fell in 2025.")])
    published = DatedFact(dt.date(2024, 5, 1), DateOrigin.HTML_META, "article:published_time")
    findings, _ = run(d, {UNDATED: alive(UNDATED, published=published)})
    (f,) = of(findings, "stale-source")
    assert f.evidence["source_date_origin"] == "html-meta"


def test_first_capture_is_an_upper_bound() -> None:
    d = doc([ref("1", UNDATED)], [cite("1", "Sales fell in 2025.")])
    lookup = archived(UNDATED, before="20240301000000", first="20240301000000")
    findings, _ = run(d, {UNDATED: alive(UNDATED)}, {UNDATED: lookup})
    (f,) = of(findings, "stale-source")
    assert f.evidence["source_date_origin"] == "archive-first-capture"
    assert f.evidence["source_date_is_upper_bound"] is True


def test_source_after_document() -> None:
    late = "https://n.example/2025/10/02/x"
    d = doc([ref("1", late)], [cite("1", "x")])
    (f,) = of(run(d, offline=True)[0], "source-after-document")
    assert f.evidence["source_date"] == "2025-10-02" and f.severity is Severity.WARNING
    d = doc([ref("1", "https://n.example/2025/09/x")], [cite("1", "x")])  # same month: maybe not
    assert not of(run(d, offline=True)[0], "source-after-document")


def test_unsupported_number_fires_and_is_silent_for_usual_spellings() -> None:
    url = "https://a.example/x"
    d = doc([ref("1", url)], [cite("1", "Alibaba's $53 billion plan lifted revenue 26%.")])
    page = "Alibaba plans to invest $53B in AI; revenue rose 26 percent."
    assert not of(run(d, {url: alive(url, excerpt=page)})[0], "unsupported-number")
    other = "Alibaba plans to invest $50B in AI; revenue rose 26 percent."
    (f,) = of(run(d, {url: alive(url, excerpt=other)})[0], "unsupported-number")
    assert f.evidence["figures_not_found"] == ["$53 billion"]
    assert f.evidence["figures_found"] == ["26%"]


def test_unsupported_number_skips_without_text() -> None:
    url = "https://a.example/x"
    d = doc([ref("1", url)], [cite("1", "Revenue rose 26%.")])
    findings, skips = run(d, {url: LinkCheck(url, LinkStatus.DEAD, http_status=404)})
    assert not of(findings, "unsupported-number")
    assert any(s.rule == "unsupported-number" and "dead" in s.reason for s in skips)


def test_weak_support() -> None:
    url = "https://a.example/x"
    claim = "Huawei's Ascend service reduces model training times for Chinese developers."
    d = doc([ref("1", url)], [cite("1", claim)])
    off_topic = "Recipes for summer salads with tomatoes, basil and olive oil."
    (f,) = of(run(d, {url: alive(url, excerpt=off_topic)})[0], "weak-support")
    assert f.severity is Severity.INFO and f.evidence["share"] < 0.34
    on_topic = "Huawei said its Ascend service reduces training times for Chinese model developers."
    assert not of(run(d, {url: alive(url, excerpt=on_topic)})[0], "weak-support")


def test_copied_citation_names_the_source_and_its_markers() -> None:
    a, b = "https://a.example/x", "https://pub.example/older-article"
    claim = "Chinese officials reportedly recommend halting its use, creating a vacuum others fill."
    d = doc([ref("1", a), ref("2", b)], [cite("1", claim), cite("2", "Other words entirely.")])
    page_b = f"Intro. {claim[:-1]} [7]. More text."
    findings, _ = run(d, {a: alive(a, excerpt="x"), b: alive(b, excerpt=page_b)})
    (f,) = of(findings, "copied-citation")
    assert f.reference == "2" and f.evidence["source_markers"] == ["[7]"]
    assert f.evidence["cited_as"] == ["1"]
    assert "copied from [2]" in f.message and "reference list" in f.message
    # the same sentence without markers is a quotation, not a copied citation
    findings, _ = run(d, {a: alive(a, excerpt="x"), b: alive(b, excerpt=claim)})
    assert not of(findings, "copied-citation")


def test_undated_source() -> None:
    d = doc([ref("1", UNDATED)], [cite("1", "x")])
    (f,) = of(run(d, {UNDATED: alive(UNDATED)})[0], "undated-source")
    assert f.evidence["tried"]["archive"] == "not looked up"
    assert not of(run(doc([ref("1", OLD)], [cite("1", "x")]), {OLD: alive(OLD)})[0],
                  "undated-source")
    _, skips = run(d, offline=True)
    assert any(s.rule == "undated-source" and "offline" in s.reason for s in skips)


def test_disable_and_severity_override() -> None:
    d = doc([ref("1", OLD)], [cite("1", "Revenue rose in 2025.")])
    cfg = AuditConfig.build(severity_overrides=(("stale-source", "info"),))
    (f,) = of(run(d, cfg=cfg, offline=True)[0], "stale-source")
    assert f.severity is Severity.INFO
    cfg = AuditConfig.build(disable_rules=frozenset({"stale-source"}))
    findings, skips = run(d, cfg=cfg, offline=True)
    assert not of(findings, "stale-source") and not [s for s in skips if s.rule == "stale-source"]


def test_as_of_overrides_the_document_date() -> None:
    d = doc([ref("1", OLD)], [cite("1", "Nvidia faces vulnerabilities.")], date=None)
    assert not of(run(d, offline=True)[0], "stale-source")
    cfg = AuditConfig.build(as_of=dt.date(2026, 1, 1))
    (f,) = of(run(d, cfg=cfg, offline=True)[0], "stale-source")
    assert f.evidence["document_date_origin"] == "as-of"
