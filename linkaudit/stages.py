"""Overlapped stages of an audit: archive lookups and analysis start as the checks arrive.

Run one after another, the stages leave the machine idle: no archive lookup starts before the
last link is checked, and no rule runs before every page is in, so a run ends on its slowest link,
then waits for the archive, then analyses. `Stages` is fed the checker's results one by one:

- a link the archive is asked about (`--archive`: `archive.wants_lookup`) is looked up near the
  earliest date of the documents that cite it (as `archive.lookup_requests` decides) as soon as
  every link of its site is checked, while the other sites are still being checked: the lookups
  of one site go together to `archive.batch.lookup_batched`, which asks one CDX prefix query for
  many dead links of a site where that is cheaper, exactly as it would at the end of the run;
  the archive's own rate limit paces them;
- a document is analysed (every rule: its sources' dates, its links, its claims) once the last
  of its links is checked and looked up: in a worker process when the run has them, else in
  this process when the checks fall quiet (`CpuPool.run_when_quiet`: while pages keep arriving
  the core reads them and sends requests, and the rules run in the tail of slow and hanging
  URLs, where it idles; at most `workers.MAX_DEFERRED` documents wait); its findings wait for
  the end of the run, where `audit.finish` orders them with the rest exactly as one
  `rules.analyse` over all documents;
- a page's text excerpt is dropped once every document citing it is analysed: memory holds
  verdicts, not pages.

The result is the one the stages give one after another: the same checks, the same lookups with
the same dates, and each document analysed on the same inputs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from linkaudit.archive import lookup_dates, wants_lookup
from linkaudit.archive.batch import lookup_batched, page_key
from linkaudit.archive.wayback import WaybackArchive
from linkaudit.config import ArchiveConfig, ArchiveMode, LinksConfig, RulesConfig
from linkaudit.model import ArchiveLookup, Document, Finding, LinkCheck, RuleSkip
from linkaudit.sourcedates import source_published
from linkaudit.workers import CpuPool

Analysed = tuple[list[Finding], list[RuleSkip]]
"""What `rules.analyse` gave for one document alone."""


class Stages:
    """Collects checks, starts lookups and analyses documents as their links come in.

    It takes the sections it reads: `archive` (which links are looked up), `rules` (`--as-of`
    for the lookups' dates; the rules) and `links` (the rules' fragments), and `offline` (the
    network section's: the rules that need the network skip themselves); `wayback` is the run's
    archive client (None: no lookups)."""

    def __init__(
        self,
        documents: Sequence[Document],
        wayback: WaybackArchive | None,
        *,
        archive: ArchiveConfig,
        rules: RulesConfig,
        links: LinksConfig,
        offline: bool,
        pool: CpuPool | None = None,
        on_lookup: Callable[[ArchiveLookup], None] | None = None,
    ) -> None:
        self.checks: dict[str, LinkCheck] = {}
        """Every check so far, by URL (excerpts dropped once no document needs them)."""
        self.archives: dict[str, ArchiveLookup] = {}
        """Every archive answer so far, by URL."""
        self.analysed: dict[int, Analysed] = {}
        """What each document analysed so far gave, by its index."""
        self._documents = documents
        self._mode = archive.mode
        self._rules = rules
        self._links = links
        self._offline = offline
        self._archive = wayback if archive.mode is not ArchiveMode.NONE else None
        self._on_lookup = on_lookup
        self._near = lookup_dates(documents, rules)
        self._urls: list[set[str]] = [
            {r.url for r in doc.references if r.url} | {link.url for link in doc.links}
            for doc in documents
        ]
        self._pending = [set(urls) for urls in self._urls]
        self._cited_by: dict[str, list[int]] = {}
        for index, urls in enumerate(self._urls):
            for url in urls:
                self._cited_by.setdefault(url, []).append(index)
        self._readers = {url: len(docs) for url, docs in self._cited_by.items()}
        self._pool = pool or CpuPool(0)
        self._analyses: set[asyncio.Task[None]] = set()
        self._lookups: set[asyncio.Task[None]] = set()
        self._started: set[int] = set()
        self._arrived: set[str] = set()
        # The web URLs of each site not yet checked, and the lookups waiting for the rest.
        self._site_left: dict[str, int] = {}
        for url in self._near:
            site = _site(url)
            self._site_left[site] = self._site_left.get(site, 0) + 1
        self._waiting: dict[str, dict[str, dt.date | None]] = {}
        self._asking: set[str] = set()

    @property
    def looking_up(self) -> bool:
        """True while archive lookups are waiting or in flight."""
        return bool(self._asking)

    @property
    def lookups_left(self) -> int:
        """Archive lookups not answered yet."""
        return len(self._asking)

    def on_check(self, check: LinkCheck) -> None:
        """Take one check (the checker's `on_result`, once per URL as the documents cite it)."""
        url = check.url
        self.checks[url] = check
        if url in self._arrived:
            return
        self._arrived.add(url)
        if url in self._near:
            site = _site(url)
            if self._archive is not None and wants_lookup(self._mode, check):
                self._waiting.setdefault(site, {})[url] = self._near[url]
                self._asking.add(url)
            self._site_left[site] -= 1
            if self._site_left[site] == 0:
                self._look_up(site)
            if url in self._asking:
                return  # settled when its answer is in
        self._settle(url)

    def _look_up(self, site: str) -> None:
        targets = self._waiting.pop(site, None)
        if targets:
            task = asyncio.create_task(self._lookup_group(targets))
            self._lookups.add(task)
            task.add_done_callback(self._lookups.discard)

    async def _lookup_group(self, targets: dict[str, dt.date | None]) -> None:
        assert self._archive is not None

        def answered(lookup: ArchiveLookup) -> None:
            if lookup.url in targets and lookup.url not in self.archives:
                self._answer(lookup.url, lookup)

        found = await lookup_batched(self._archive, targets, on_result=answered)
        for url, lookup in found.items():
            if url not in self.archives:
                self._answer(url, lookup)

    def _answer(self, url: str, lookup: ArchiveLookup) -> None:
        self.archives[url] = lookup
        self._asking.discard(url)
        if self._on_lookup is not None:
            self._on_lookup(lookup)
        self._settle(url)

    async def settled(self) -> None:
        """Wait for every lookup and every analysis (sites not checked whole are looked up
        now: the run is over for them)."""
        for site in list(self._waiting):
            self._look_up(site)
        while self._lookups or self._analyses:
            await asyncio.gather(*list(self._lookups), *list(self._analyses))

    def cancel(self) -> None:
        """Stop the lookups and analyses in flight (the run was interrupted)."""
        for task in [*self._lookups, *self._analyses]:
            task.cancel()

    def _settle(self, url: str) -> None:
        for index in self._cited_by.get(url, ()):
            pending = self._pending[index]
            pending.discard(url)
            if not pending and index not in self._started:
                self._analyse(index)

    def _analyse(self, index: int) -> None:
        urls = self._urls[index]
        dated = {
            url: dataclasses.replace(
                check, published=source_published(url, check, self.archives.get(url))
            )
            for url in urls
            if (check := self.checks.get(url)) is not None
        }
        archives = {url: self.archives[url] for url in urls if url in self.archives}
        self._started.add(index)
        task = asyncio.create_task(self._analysed(index, dated, archives))
        self._analyses.add(task)
        task.add_done_callback(self._analyses.discard)

    async def _analysed(
        self, index: int, dated: dict[str, LinkCheck], archives: dict[str, ArchiveLookup]
    ) -> None:
        self.analysed[index] = await self._pool.run_when_quiet(
            analyse_document, self._documents[index], dated, archives, self._rules, self._links,
            self._offline,
        )
        for url in self._urls[index]:
            self._readers[url] -= 1
            check = self.checks.get(url)
            if self._readers[url] == 0 and check is not None and check.excerpt is not None:
                self.checks[url] = dataclasses.replace(check, excerpt=None)


def _site(url: str) -> str:
    """The site a lookup is batched with (as `archive.batch` groups them)."""
    return page_key(url).split("/", 1)[0]


def analyse_document(
    document: Document,
    checks: dict[str, LinkCheck],
    archives: dict[str, ArchiveLookup],
    rules: RulesConfig,
    links: LinksConfig,
    offline: bool,
) -> Analysed:
    """`rules.analyse` of one document (a job a worker process can run)."""
    from linkaudit.rules import analyse

    return analyse([document], checks, archives, rules, links, offline=offline, whole_run=False)
