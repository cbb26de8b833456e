"""`linkaudit.pagedates`: the one reader of page dates, and its readers agreeing on a page."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from linkaudit.check.page import read_page
from linkaudit.crawl.page import scan_html
from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import DocFormat
from linkaudit.pagedates import json_ld_fact, meta_fact, parse_date

D = dt.date(2024, 9, 17)


@pytest.mark.parametrize("value", [
    "2024-09-17T05:33:01Z", "2024-09-17", "2024/09/17", "2024.9.17", "updated 20240917",
    "Tue, 17 Sep 2024 05:33:01 GMT", "Sep 17, 2024", "September 17th, 2024",
    "17 September 2024", "Published: 17 Sept. 2024 at noon",
])
def test_parse_date_reads_every_usual_spelling(value: str) -> None:
    assert parse_date(value) == D


@pytest.mark.parametrize("value", ["", "soon", "2024-13-45", "id 19851301", "99999999",
                                   "Feb 30, 2024", "x" * 5000])
def test_parse_date_refuses_what_is_no_day(value: str) -> None:
    assert parse_date(value) is None


def test_meta_order_and_nested_json_ld() -> None:
    metas = {"date": "2020-01-01", "article:published_time": "2024-09-17"}
    fact = meta_fact(metas, ("article:published_time", "date"))
    assert fact is not None and fact.value == D and fact.detail == "article:published_time"
    block = json.dumps({"@type": "WebPage", "mainEntity": {"@type": "NewsArticle",
                                                           "datePublished": "2024-09-17"}})
    found = json_ld_fact(["not json", block])
    assert found is not None and found.value == D


@pytest.mark.parametrize("head,body", [
    ('<meta name="date" content="September 17, 2024">', ""),
    ('<script type="application/ld+json">{"@graph": [{"datePublished": "2024-09-17"}]}'
     "</script>", ""),
    ("", '<time datetime="2024-09-17T08:00">Sept 17</time>'),
])
def test_checker_crawler_and_extraction_read_a_page_alike(head: str, body: str) -> None:
    html = (f"<!doctype html><html><head><title>T</title>{head}</head><body><article>"
            f"{body}<p>Text of the story.</p></article></body></html>")
    checked = read_page(html, excerpt_chars=1000).published
    scanned = scan_html(html, "https://news.example/story").date
    document = extract_document(Source("page.html", html.encode(), format=DocFormat.HTML)).date
    assert checked is not None and document is not None
    assert checked.value == scanned == document.value == D
