"""Source dates: the URL path with care, then metadata, page text, and the first capture."""

from __future__ import annotations

import datetime as dt

import pytest
from ruleskit import archived

from linkaudit.model import DatedFact, DateOrigin, LinkCheck, LinkStatus
from linkaudit.sourcedates import date_from_url, latest_possible, source_published


@pytest.mark.parametrize(
    ("url", "expected", "month"),
    [
        ("https://www.cnbc.com/2024/09/17/chinese-companies.html", dt.date(2024, 9, 17), False),
        ("https://x.example/2024/09/slug", dt.date(2024, 9, 1), True),
        ("https://x.example/news/2024-09-17-slug", dt.date(2024, 9, 17), False),
        ("https://x.example/a/20240917/b", dt.date(2024, 9, 17), False),
        ("https://x.example/story_20240917.html", dt.date(2024, 9, 17), False),
    ],
)
def test_dates_in_urls(url: str, expected: dt.date, month: bool) -> None:
    fact = date_from_url(url)
    assert fact is not None and fact.value == expected and fact.origin is DateOrigin.URL_PATH
    assert ("month precision" in fact.detail) is month


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ainvest.com/news/alibaba-ai-chip-strategy-semiconductor-landscape-2508/",
        "https://finance.yahoo.com/news/alibaba-tests-ai-chip-china-144131404.html",
        "https://x.example/2024/",
        "https://x.example/p/120240917",
        "https://x.example/2024/13/45/x",
        "https://x.example/item/20241340",
        "https://x.example/?date=2024/09/17",
    ],
)
def test_numbers_that_are_not_dates(url: str) -> None:
    assert date_from_url(url) is None


def test_month_precision_spans_the_month() -> None:
    fact = date_from_url("https://x.example/2024/02/slug")
    assert fact is not None and latest_possible(fact) == dt.date(2024, 2, 29)


def test_order_url_then_meta_then_text_then_archive() -> None:
    url = "https://x.example/story"
    meta = DatedFact(dt.date(2024, 1, 2), DateOrigin.JSON_LD, "datePublished")
    text = DatedFact(dt.date(2024, 1, 3), DateOrigin.PAGE_TEXT, "dateline")
    lookup = archived(url, first="20240105000000")
    dated_url = "https://x.example/2023/12/31/story"
    assert source_published(dated_url, LinkCheck(dated_url, LinkStatus.ALIVE, published=meta),
                            lookup).value == dt.date(2023, 12, 31)  # type: ignore[union-attr]
    assert source_published(url, LinkCheck(url, LinkStatus.ALIVE, published=meta), lookup) == meta
    assert source_published(url, LinkCheck(url, LinkStatus.ALIVE, published=text), lookup) == text
    capture = source_published(url, LinkCheck(url, LinkStatus.ALIVE), lookup)
    assert capture is not None and capture.origin is DateOrigin.ARCHIVE_FIRST_CAPTURE
    assert capture.upper_bound and capture.value == dt.date(2024, 1, 5)
    assert source_published(url, None, None) is None


def test_modified_date_is_never_the_published_date() -> None:
    url = "https://x.example/story"
    modified = DatedFact(dt.date(2025, 1, 1), DateOrigin.HTML_META, "article:modified_time")
    assert source_published(url, LinkCheck(url, LinkStatus.ALIVE, modified=modified), None) is None


def test_a_month_only_url_date_loses_to_the_page_metadata_and_shows_as_a_month() -> None:
    from linkaudit.report._text import date_label

    url = "https://news.example/2020/12/story.html"
    month = source_published(url, None, None)
    assert month is not None and date_label(month) == "2020-12"
    meta = DatedFact(dt.date(2020, 12, 14), DateOrigin.HTML_META, "article:published_time")
    check = LinkCheck(url, LinkStatus.ALIVE, 200, published=meta)
    assert source_published(url, check, None) == meta
    assert date_label(meta) == "2020-12-14"
    # A page-text guess does not beat the URL's month.
    text = DatedFact(dt.date(2021, 3, 2), DateOrigin.PAGE_TEXT)
    check = LinkCheck(url, LinkStatus.ALIVE, 200, published=text)
    assert source_published(url, check, None) == month
