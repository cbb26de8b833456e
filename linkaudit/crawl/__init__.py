"""Crawl a site: find its articles (robots.txt, sitemaps, feeds, links) and hand them over.

`crawl_site(client, network, options)` (`network`: the run's network section) returns a
`CrawlResult`; each `CrawledPage.source` of `result.articles` is a `linkaudit.inputs.Source` ready
for `linkaudit.extract.extract_document`.
"""

from linkaudit.crawl.crawler import Crawler, crawl_site
from linkaudit.crawl.interface import (
    CrawledPage,
    CrawlOptions,
    CrawlResult,
    PageState,
    SkipReason,
)
from linkaudit.crawl.robots import Robots, parse_robots
from linkaudit.crawl.sitemaps import Listing, ListingKind, parse_listing
from linkaudit.crawl.summary import site_summary, worst_first
from linkaudit.crawl.traps import TrapLimits
from linkaudit.crawl.urlkey import crawl_url, page_key

__all__ = [
    "CrawlOptions",
    "CrawlResult",
    "CrawledPage",
    "Crawler",
    "Listing",
    "ListingKind",
    "PageState",
    "Robots",
    "SkipReason",
    "TrapLimits",
    "crawl_site",
    "crawl_url",
    "page_key",
    "parse_listing",
    "parse_robots",
    "site_summary",
    "worst_first",
]
