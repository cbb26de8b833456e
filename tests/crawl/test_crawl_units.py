"""Pure parts of the crawler: robots rules, URL keys, traps, listings, page scan, summary."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from linkaudit.crawl import (
    CrawledPage,
    CrawlResult,
    PageState,
    crawl_url,
    page_key,
    parse_listing,
    parse_robots,
    site_summary,
)
from linkaudit.crawl.page import scan_html
from linkaudit.crawl.robots import product_token
from linkaudit.crawl.sitemaps import ListingKind, ListingTooLarge, decompress, parse_date
from linkaudit.crawl.traps import TrapGuard, TrapLimits, static_trap
from linkaudit.model import DatedFact, DateOrigin, DocFormat, Document, Reference

UA = "linkaudit/0.1 (+https://github.com/linkaudit/linkaudit)"


def test_robots_longest_match_wins_and_allow_wins_ties() -> None:
    robots = parse_robots(
        "User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /x$\nAllow: /t\nDisallow: /t\n"
        "Disallow: /*.pdf$\nDisallow: /p*/secret\n",
        UA,
    )
    assert not robots.allowed("https://s.org/a/c")
    assert robots.allowed("https://s.org/a/b/c")  # longer Allow beats the earlier Disallow
    assert not robots.allowed("https://s.org/x") and robots.allowed("https://s.org/x/y")
    assert robots.allowed("https://s.org/t")  # same length: Allow wins
    assert not robots.allowed("https://s.org/files/r.pdf")
    assert robots.allowed("https://s.org/files/r.pdf?v=1")
    assert not robots.allowed("https://s.org/pub/secret")
    assert robots.allowed("https://s.org/robots.txt")


def test_robots_group_for_our_agent_else_star() -> None:
    text = (
        "User-agent: *\nDisallow: /\nCrawl-delay: 10\n\n"
        "User-agent: Googlebot\nUser-agent: LinkAudit\nDisallow: /private\nCrawl-delay: 2\n"
        "Sitemap: https://s.org/sm.xml\n"
    )
    ours = parse_robots(text, UA)
    assert ours.allowed("https://s.org/news") and not ours.allowed("https://s.org/private/x")
    assert ours.crawl_delay == 2.0 and ours.sitemaps == ("https://s.org/sm.xml",)
    other = parse_robots(text, "otherbot/1.0")
    assert not other.allowed("https://s.org/news") and other.crawl_delay == 10.0
    assert parse_robots("Disallow: /\n", UA).allowed("https://s.org/")  # no group at all
    assert parse_robots("User-agent: *\nDisallow:\n", UA).allowed("https://s.org/x")
    assert product_token(UA) == "linkaudit"


def test_robots_percent_encoding_is_compared_in_one_spelling() -> None:
    robots = parse_robots("User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /ñ\n", UA)
    assert not robots.allowed("https://s.org/caf%C3%A9/menu")
    assert not robots.allowed("https://s.org/%C3%B1")


@pytest.mark.parametrize(
    ("rule", "url"),
    [
        ("/%7Ejoe/", "https://s.org/~joe/index.html"),  # RFC 9309 2.2.2's own example
        ("/%7ejoe/", "https://s.org/~joe/"),
        ("/~bob/", "https://s.org/%7Ebob/notes"),
        ("/a%2Db", "https://s.org/a-b"),  # an escaped unreserved character is that character
    ],
)
def test_robots_percent_encoded_rules_match_the_plain_path(rule: str, url: str) -> None:
    robots = parse_robots(f"User-agent: *\nDisallow: {rule}\n", UA)
    assert not robots.allowed(url)
    assert robots.allowed("https://s.org/other")


@pytest.mark.parametrize(
    "spelling",
    [
        "https://Example.COM/a",
        "https://example.com:443/a/",
        "https://example.com/./b/../a#section",
        "https://example.com/a?utm_source=x&utm_campaign=y",
        "https://example.com/a?fbclid=1&gclid=2",
        "https://user:pw@example.com/a",
        "https://example.com/%61",
    ],
)
def test_spellings_of_one_page_share_a_key(spelling: str) -> None:
    url = crawl_url(spelling)
    assert url is not None
    assert page_key(url) == "https://example.com/a"


def test_crawl_keys_use_the_host_name_connections_use() -> None:
    # IDNA 2008, as aiohttp (yarl) connects: faß.de is not fass.de, a different site.
    from yarl import URL

    assert crawl_url("https://faß.de/a") == "https://xn--fa-hia.de/a"
    assert crawl_url("https://FAß.DE/a") == crawl_url("https://xn--fa-hia.de/a")
    assert URL("https://faß.de/a").raw_host == "xn--fa-hia.de"
    assert crawl_url("https://例え.テスト/") == "https://xn--r8jz45g.xn--zckzah/"


def test_crawl_url_keeps_what_matters() -> None:
    assert crawl_url("https://e.com/a?b=2&a=1") == "https://e.com/a?a=1&b=2"
    assert crawl_url("https://e.com/A") != crawl_url("https://e.com/a")
    assert crawl_url("https://e.com/a b") == "https://e.com/a%20b"
    assert crawl_url("https://e.com/%7euser") == "https://e.com/~user"
    assert crawl_url("../x", "https://e.com/a/b/c") == "https://e.com/a/x"
    assert crawl_url("/a/../b?x=1#f", "http://e.com:8/p/q") == "http://e.com:8/b?x=1"
    assert crawl_url("//other.org/x", "https://e.com/") == "https://other.org/x"
    assert crawl_url("http://e.com:8080/") == "http://e.com:8080/"
    for bad in ("mailto:x@e.com", "javascript:void(0)", "ftp://e.com/f", "", "http://"):
        assert crawl_url(bad) is None
    assert crawl_url("https://bücher.example/") == "https://xn--bcher-kva.example/"


def test_traps() -> None:
    today = dt.date(2026, 11, 29)
    limits = TrapLimits(max_query_variants=2, max_pattern_urls=3)
    assert static_trap("https://e.com/2024/09/17/story", limits, today) is None
    assert static_trap("https://e.com/p/2500", limits, today) is None
    assert static_trap("https://e.com/cal/2031/05", limits, today)
    assert static_trap("https://e.com/cal?month=1970-01", limits, today)
    assert static_trap("https://e.com/" + "x/" * 13, limits, today)
    guard = TrapGuard(limits, today)
    assert guard.check("https://e.com/s?q=1", listed=False) is None
    assert guard.check("https://e.com/s?q=2", listed=False) is None
    assert guard.check("https://e.com/s?q=1", listed=False) is None  # already counted
    assert "query variants" in (guard.check("https://e.com/s?q=3", listed=False) or "")
    assert guard.check("https://e.com/s?q=4", listed=True) is None  # a sitemap lists it
    for n in range(3):
        assert guard.check(f"https://e.com/item/{n}", listed=False) is None
    assert "shaped" in (guard.check("https://e.com/item/9", listed=False) or "")


def test_listings_of_every_kind() -> None:
    atom = parse_listing(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="self" href="/s"/>'
        b'<link href="https://e.com/1"/><published>2025-01-01</published>'
        b"<updated>2025-02-01T00:00:00Z</updated></entry></feed>",
        max_urls=10,
    )
    assert atom.kind is ListingKind.FEED
    assert [(e.url, e.lastmod) for e in atom.entries] == [("https://e.com/1", dt.date(2025, 2, 1))]
    rdf = parse_listing(
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b"<item><link>https://e.com/2</link><dc:date>2025-03-04</dc:date></item></rdf:RDF>",
        max_urls=10,
    )
    assert [(e.url, e.lastmod) for e in rdf.entries] == [("https://e.com/2", dt.date(2025, 3, 4))]
    guid = parse_listing(
        b"<rss><channel><item><guid>https://e.com/3</guid></item>"
        b'<item><guid isPermaLink="false">tag:1</guid></item></channel></rss>',
        max_urls=10,
    )
    assert [e.url for e in guid.entries] == ["https://e.com/3"]
    html = parse_listing(b"<html><body>not a sitemap</body></html>", max_urls=10)
    assert html.kind is ListingKind.UNKNOWN
    assert parse_listing(b"\xef\xbb\xbfhttps://e.com/x\n", max_urls=5).kind is ListingKind.TEXT


def test_decompress_caps_and_dates() -> None:
    assert decompress(gzip.compress(b"x" * 100), 100) == b"x" * 100
    with pytest.raises(ListingTooLarge):
        decompress(gzip.compress(b"x" * 101), 100)
    with pytest.raises(ListingTooLarge):
        decompress(b"\x1f\x8bnot gzip", 100)
    assert parse_date("2025-09") == dt.date(2025, 9, 1)
    assert parse_date("Mon, 01 Sep 2025 10:46:00 -0400") == dt.date(2025, 9, 1)
    assert parse_date("2025-13-45") is None and parse_date("soon") is None


def test_scan_html_finds_links_canonical_feeds_date_and_nofollow() -> None:
    scan = scan_html(
        '<html><head><base href="https://e.com/news/">'
        '<link rel="canonical" href="/news/a">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        '<meta property="article:published_time" content="2025-09-01T10:00:00Z">'
        '<meta property="article:modified_time" content="2025-09-03">'
        '<script type="application/ld+json">{"dateModified": "2025-09-05"}</script>'
        '</head><body><a href="b?x=1&amp;y=2">b</a><a>no href</a></body></html>',
        "https://e.com/news/a?utm_source=x",
    )
    assert scan.links == ("b?x=1&y=2",) and scan.base == "https://e.com/news/"
    assert scan.canonical == "/news/a" and scan.feeds == ("atom.xml",)
    assert scan.date == dt.date(2025, 9, 5) and not scan.nofollow
    bare = scan_html('<meta name="robots" content="noindex, nofollow">', "https://e.com/2024/1/2/x")
    assert bare.nofollow and bare.date == dt.date(2024, 1, 2)


def test_site_summary_ranks_worst_first_and_counts_pages_without_references() -> None:
    def doc(origin: str, refs: int) -> Document:
        references = tuple(
            Reference(str(i), f"https://s.example/{i}", None, i, 1, "") for i in range(refs)
        )
        date = DatedFact(dt.date(2025, 9, 1), DateOrigin.HTML_META)
        return Document(origin, DocFormat.HTML, "", date=date, references=references)

    pages = tuple(CrawledPage(f"https://e.com/{n}", PageState.FETCHED) for n in "abc")
    result = CrawlResult("https://e.com/", pages, 3, 3, 0, {"robots": 1}, 0, 0, 5, 1)
    docs = [doc("https://e.com/a", 2), doc("https://e.com/b", 5), doc("https://e.com/c", 0)]
    summary = site_summary(result, docs, {"https://e.com/a": 2, "https://e.com/b": 1})
    assert summary.audited == 3 and summary.with_references == 2
    assert summary.without_references == 1 and summary.with_failing_references == 2
    assert [r.origin for r in summary.worst] == ["https://e.com/a", "https://e.com/b"]
    assert summary.worst[0].date == dt.date(2025, 9, 1)
    assert summary.skipped == {"robots": 1}
    # The JSON report writes the view field by field, keys in the contract's order.
    from linkaudit.report.json_v1 import site_v1

    data = site_v1(summary)
    assert list(data) == [
        "schema", "site", "found", "fetched", "unchanged", "skipped", "failed", "queued_left",
        "articles", "audited", "with_references", "without_references",
        "with_failing_references", "worst", "problems",
    ]
    assert data["schema"] == "linkaudit.crawl-summary/1" and data["found"] == 3
    assert data["worst"][0] == {
        "url": "https://e.com/a", "origin": "https://e.com/a", "references": 2, "citations": 0,
        "failing": 2, "date": "2025-09-01",
    }


def test_bad_start_url_or_pattern_is_a_config_error() -> None:
    from fakes import LoopbackClient

    from linkaudit.config import NetworkConfig
    from linkaudit.crawl import Crawler, CrawlOptions
    from linkaudit.errors import ConfigError

    with pytest.raises(ConfigError, match="http"):
        Crawler(LoopbackClient(), NetworkConfig(), CrawlOptions(start="ftp://e.com/"))
    with pytest.raises(ConfigError, match="exclude pattern"):
        options = CrawlOptions(start="https://e.com/", exclude=("(",))
        Crawler(LoopbackClient(), NetworkConfig(), options)
