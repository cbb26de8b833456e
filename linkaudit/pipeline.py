"""The parts `linkaudit.audit.run_audit` composes, each usable on its own.

- `Progress`: the events a run reports (the CLI draws a bar from them);
- `cited_urls`: the distinct URLs of the documents, references first;
- `fetch_page`: an article page given as a URL input, through the run's network layer;
- `crawl_sources`, `crawled_answers`, `site_view`: a crawl's pages as sources, the answers the
  crawl already got (so a link to a crawled page is not fetched twice), and its site summary;
- `event_loop_factory`: uvloop's loop when installed (the audit and the worker processes).

This module imports no stage at import time, so the stages (`linkaudit.scale`) may use it
without importing `linkaudit.audit` back.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Protocol, assert_never

from linkaudit.config import NetworkConfig
from linkaudit.errors import InputError
from linkaudit.model import (
    AuditResult,
    Document,
    LinkCheck,
    Problem,
    ProblemKind,
    Severity,
    SiteView,
)
from linkaudit.urls import redact_url

if TYPE_CHECKING:
    from linkaudit.check import KnownAnswer
    from linkaudit.check.fetch import Chain, Fetcher
    from linkaudit.crawl import CrawledPage, CrawlOptions, CrawlResult
    from linkaudit.inputs import Source
    from linkaudit.store import Store

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
"""Most bytes read of an article page given as a URL input (a page, not a source, so more than
the checker's cap)."""


class Progress(Protocol):
    """Receives progress events; the CLI draws a bar from them. Every method must be cheap."""

    def stage(self, name: str) -> None:
        """A new stage began (`extract`, `check`, `archive`, `analyse`)."""

    def documents(self, count: int) -> None:
        """`count` documents were read."""

    def urls(self, total: int) -> None:
        """`total` distinct URLs will be checked."""

    def checked(self, check: LinkCheck) -> None:
        """One URL was checked."""

    def archive(self, total: int, rate_per_min: int) -> None:
        """`total` archive lookups begin, paced at `rate_per_min` calls (0: no limit)."""

    def looked_up(self) -> None:
        """One archive lookup finished."""


def cited_urls(documents: Iterable[Document]) -> list[str]:
    """Every distinct URL of the documents (references first, then other links), in order."""
    seen: dict[str, None] = {}
    for doc in documents:
        for ref in doc.references:
            if ref.url:
                seen.setdefault(ref.url, None)
    for doc in documents:
        for link in doc.links:
            seen.setdefault(link.url, None)
    return list(seen)


async def fetch_page(fetcher: Fetcher, url: str, network: NetworkConfig) -> tuple[str, bytes]:
    """GET an article page through the run's network layer; returns (final URL, body).

    Raises `FetchError` (or `InputError` for a status that is not 2xx, or a redirect chain that
    cannot be followed), so the caller can say which URL input failed and go on with the others.
    """
    from linkaudit.check.fetch import Stop

    chain: Chain[None] = await fetcher.follow(url, max_body=MAX_DOCUMENT_BYTES)
    if chain.error is not None:
        raise chain.error
    response = chain.response
    assert response is not None
    match chain.stop:
        case None:
            if not 200 <= response.status < 300:
                raise InputError(f"{redact_url(url)}: HTTP {response.status}")
            return chain.final, response.body
        case Stop.UNPARSABLE | Stop.NOT_HTTP:
            raise InputError(
                f"{redact_url(url)}: redirect to an unparsable location {chain.location[:80]!r}"
            )
        case Stop.LOOP:
            raise InputError(f"{redact_url(url)}: redirect loop at {redact_url(chain.final)}")
        case Stop.TOO_MANY | Stop.VETOED:
            raise InputError(f"{redact_url(url)}: more than {network.max_redirects} redirects")
        case _ as unreachable:
            assert_never(unreachable)


async def crawl_sources(
    fetcher: Fetcher,
    network: NetworkConfig,
    options: CrawlOptions,
    store: Store | None,
    problems: list[Problem],
) -> tuple[list[Source], CrawlResult]:
    """Discover the article pages of a site; return them as sources, with the crawl's counts."""
    from linkaudit.crawl import crawl_site

    result = await crawl_site(fetcher.client, network, options, store=store, fetcher=fetcher)
    problems.extend(result.problems)
    if not any(_reached(page) for page in result.pages):
        # Nothing of the site answered: "no findings" would be a false green (RUN_ERROR).
        failure = next((p.detail for p in result.pages if p.detail), "")
        problems.append(
            Problem(
                ProblemKind.CRAWL_UNREACHED,
                f"{redact_url(result.site)}: no page of the site could be fetched"
                + (f" ({failure})" if failure else ""),
                origin=result.site,
            )
        )
    sources = [page.source for page in result.articles if page.source is not None]
    return sources, result


def _reached(page: CrawledPage) -> bool:
    """The site answered for this page (an article, unchanged, or fetched and then set aside)."""
    from linkaudit.crawl import PageState

    if page.state is PageState.FETCHED:
        return True
    return page.state is PageState.SKIPPED and page.status is not None and page.status < 400


def crawled_answers(
    crawl: CrawlResult | None,
) -> tuple[dict[str, KnownAnswer] | None, Callable[[str], str] | None]:
    """The answers the crawl got for its articles, by the crawl's page identity, and that
    identity: a link to a page the crawl read (`/a?utm_source=x#top` for `/a` too) is judged
    from that answer instead of fetching the page again. Only answers fetched in this run
    count (an unchanged page's kept body has no headers to judge it by)."""
    if crawl is None:
        return None, None
    from linkaudit.check import KnownAnswer
    from linkaudit.crawl.urlkey import crawl_url, page_key
    from linkaudit.http import HttpResponse

    known: dict[str, KnownAnswer] = {}
    for page in crawl.articles:
        if page.body is None or page.fetched_url is None or not page.headers:
            continue
        if page.status is None or not 200 <= page.status < 300:
            continue
        answer = HttpResponse(page.fetched_url, page.status, page.headers, page.body)
        known.setdefault(page_key(page.fetched_url), KnownAnswer(answer))
        if page.requested_url:
            known.setdefault(page_key(page.requested_url), KnownAnswer(answer, page.redirects))

    def key(url: str) -> str:
        return page_key(crawl_url(url) or url)

    return known, key


def site_view(
    crawl: CrawlResult, crawled: Sequence[Document], result: AuditResult
) -> SiteView:
    """The crawl's site summary, with each article's failing references (warning or worse)."""
    from linkaudit.crawl import site_summary

    failing: dict[str, set[str]] = {}
    for finding in result.findings:
        if finding.reference and finding.severity >= Severity.WARNING:
            failing.setdefault(finding.document, set()).add(finding.reference)
    return site_summary(crawl, crawled, {doc: len(refs) for doc, refs in failing.items()})


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when it is installed, else asyncio's own (None).

    A link check is bound by the event loop's CPU per request once the network is fast: on the
    benchmark's simulated web uvloop checks about 1.3 times as many URLs a second (see
    benchmarks/README.md). `LINKAUDIT_LOOP=asyncio` opts out.
    """
    if os.environ.get("LINKAUDIT_LOOP", "").lower() == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop

