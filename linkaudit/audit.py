"""The one library call: run the pipeline inputs -> extract -> check -> archive -> rules.

`run_audit` is what the CLI, the GitHub Action, `fix` and the benchmarks call. It returns the
result and writes nothing of its own: no printing (progress goes to an optional `Progress`
sink), and no history (the caller passes a `HistorySink`, as the CLI passes
`linkaudit.health.history.record_run`, or records the result itself). A broken link is data in
the result; only a run that cannot go on at all raises (`linkaudit.errors`). Ctrl-C (or SIGTERM)
cancels the run, and the result is still returned, marked `interrupted`, with what had been
checked. The parts it composes live in `linkaudit.pipeline`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, BinaryIO

from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.errors import InputError, StoreError
from linkaudit.http import FetchError, HttpClient
from linkaudit.model import (
    ArchiveLookup,
    AuditResult,
    DocFormat,
    Document,
    Finding,
    LinkCheck,
    Problem,
    ProblemKind,
    RuleSkip,
)
from linkaudit.pipeline import (
    Progress,
    cited_urls,
    crawl_sources,
    crawled_answers,
    event_loop_factory,
    fetch_page,
    site_view,
)
from linkaudit.store import Store
from linkaudit.urls import normalize_url, redact_url
from linkaudit.workers import CpuPool, worker_count

if TYPE_CHECKING:
    from linkaudit.archive import WaybackArchive
    from linkaudit.check.fetch import Fetcher
    from linkaudit.crawl import CrawlOptions, CrawlResult
    from linkaudit.inputs import Source
    from linkaudit.stages import Stages

__all__ = ["HistorySink", "Progress", "audit", "cited_urls", "event_loop_factory", "finish",
           "run_audit"]

HistorySink = Callable[[Store, AuditResult], object]
"""Records a finished run in the run's open store (`linkaudit.health.history.record_run`).
Called only when the run used the store, was not offline and read documents; a `StoreError`
it raises becomes a `store` problem of the result."""

POOL_FILES = 16
"""From this many inputs on, documents are extracted in worker processes (`linkaudit.workers`)."""
POOL_URLS = 500
"""From this many URLs on, pages are read and documents analysed in worker processes."""
async def run_audit(
    inputs: Sequence[str],
    cfg: AuditConfig,
    *,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
    client: HttpClient | None = None,
    crawl: CrawlOptions | None = None,
    history: HistorySink | None = None,
) -> AuditResult:
    """Audit `inputs` (paths, folders, `-`, http(s) URLs). See the module docstring.

    `client` replaces the HTTP client made from `cfg` (tests inject one); `crawl` is a
    `linkaudit.crawl.CrawlOptions` to discover the documents from a site instead; `history`
    records the result in the run's store (with `cfg.store.history`; nothing is recorded
    without it).
    """
    from linkaudit.extract import extract_document
    from linkaudit.inputs import Source, collect
    from linkaudit.local import Resolver, plan_checks, resolve_links

    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    problems: list[Problem] = []
    collected = collect(inputs, stdin=stdin, exclude=cfg.links.exclude_path)
    problems.extend(collected.problems)
    sources: list[Source] = list(collected.sources)
    if progress:
        progress.stage("extract")

    store = _open_store(cfg, problems)
    own_client = client is None and not cfg.network.offline
    if own_client:
        from linkaudit.check import make_client

        client = make_client(cfg.network)
    fetcher: Fetcher | None = None
    if client is not None:
        from linkaudit.check.fetch import Fetcher

        # One network layer for the whole run: URL inputs, the crawl, the checks and the
        # archive share its host limits, pauses and pacing.
        fetcher = Fetcher(client, cfg.network)
    checks: dict[str, LinkCheck] = {}
    archives: dict[str, ArchiveLookup] = {}
    analysed: dict[int, tuple[list[Finding], list[RuleSkip]]] = {}
    documents: list[Document] = []
    crawled: list[Document] = []
    pool = CpuPool(0)  # CPU work stays in the process unless the run is big (see below)
    crawl_result: CrawlResult | None = None
    interrupted = False
    try:
        url_inputs = list(collected.urls)
        if url_inputs and client is None:
            problems.extend(
                Problem(ProblemKind.OFFLINE, f"{redact_url(u)}: not fetched (offline)", origin=u)
                for u in url_inputs
            )
            url_inputs = []
        if crawl is not None and fetcher is not None:
            found, crawl_result = await crawl_sources(fetcher, cfg.network, crawl, store, problems)
            sources.extend(found)
            url_inputs = []
        for url in url_inputs:
            assert fetcher is not None
            try:
                final, body = await fetch_page(fetcher, url, cfg.network)
            except (FetchError, InputError) as exc:
                message = str(exc) or type(exc).__name__
                if not message.startswith(redact_url(url)):
                    message = f"{redact_url(url)}: {message}"
                problems.append(Problem(ProblemKind.FETCH, message, origin=url))
                continue
            sources.append(Source(origin=url, data=body, format=DocFormat.HTML, url=final))
        if len(sources) >= POOL_FILES:
            pool = CpuPool(worker_count())
            pool.start()  # the workers start while the last inputs are read
        documents = list(await asyncio.gather(
            *(pool.run(extract_document, s, as_of=cfg.rules.as_of) for s in sources)
        ))
        resolver = Resolver.from_config(cfg.links, inputs)
        documents, local_targets = resolve_links(documents, resolver)
        if crawl_result is not None:
            # A crawled page without references is counted in the site view, not reported.
            crawled = documents
            documents = [d for d in crawled if d.references]
        if not documents and not problems and crawl_result is None:
            # (A crawl whose pages carry no references still has its site view to report.)
            raise InputError("no documents to audit")
        if progress:
            progress.documents(len(documents))

        urls = cited_urls(documents)
        plan = plan_checks(urls, documents, local_targets, resolver, cfg.links, cfg.network)
        checks.update(plan.ready)  # local files, mail, other schemes: no network needed
        if not pool.workers and len(plan.web) >= POOL_URLS:
            pool = CpuPool(worker_count())
        if client is not None and fetcher is not None:
            from linkaudit.scale import check_urls
            from linkaudit.stages import Stages

            if progress:
                progress.stage("check")
                progress.urls(len(plan.web))
            archive = _archive(fetcher, cfg, store)
            lookups_shown: list[bool] = []
            stages = Stages(
                documents, archive, archive=cfg.archive, rules=cfg.rules, links=cfg.links,
                offline=cfg.network.offline, pool=pool,
                on_lookup=lambda _: progress.looked_up() if progress and lookups_shown else None,
            )  # fmt: skip
            for ready in plan.ready.values():
                stages.on_check(ready)

            def on_result(check: LinkCheck) -> None:
                for restored in plan.restore(check):
                    stages.on_check(restored)
                if progress:
                    progress.checked(check)

            references = {r.url for d in documents for r in d.references if r.url}
            known, known_key = crawled_answers(crawl_result)
            try:
                # In this process, worker processes or a Dask cluster (`--workers`,
                # `--scheduler`); results go to the stages as they arrive.
                stage = await check_urls(
                    plan.web, cfg.network, cfg.rules, cfg.store, cfg.scale,
                    client=client, store=store, on_result=on_result,
                    anchors_for=plan.anchors_for, fetcher=fetcher, pool=pool,
                    known=known, known_key=known_key, collect=False,
                    sources_for={
                        normalize_url(web) for web in plan.web
                        if any(u in references for u in plan.sources.get(web, [web]))
                    },
                )  # fmt: skip
                problems.extend(stage.problems)
                if stages.looking_up and progress:
                    progress.stage("archive")
                    # A replayed run is not paced (see `WaybackArchive.from_config`).
                    rate = 0 if cfg.network.replay is not None else cfg.archive.rate_per_min
                    progress.archive(stages.lookups_left, rate)
                    lookups_shown.append(True)
                await stages.settled()
                if archive is not None:
                    problems.extend(await _after_lookups(archive, cfg, stages))
            finally:
                stages.cancel()
                checks, archives, analysed = stages.checks, stages.archives, stages.analysed
    except asyncio.CancelledError:
        interrupted = True
    except BaseException:
        if store is not None:
            store.close()  # the run is failing: release the store now (it is not written)
        raise
    finally:
        pool.close()
        if own_client and client is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(client.close())

    if cfg.network.insecure and not cfg.network.offline:
        problems.append(
            Problem(ProblemKind.INSECURE, "--insecure: TLS certificates were not verified")
        )
    result = finish(
        documents,
        checks,
        archives,
        cfg,
        problems=problems,
        started=started,
        elapsed_s=time.monotonic() - t0,
        interrupted=interrupted,
        progress=progress,
        analysed=analysed,
    )
    if crawl_result is not None:
        result = dataclasses.replace(result, site=site_view(crawl_result, crawled, result))
    if store is not None:
        try:
            wanted = cfg.store.history and not cfg.network.offline and result.documents
            if history is not None and wanted:
                history(store, result)
        except StoreError as exc:
            result = dataclasses.replace(
                result, problems=(*result.problems, Problem(ProblemKind.STORE, str(exc)))
            )
        finally:
            store.close()
    return result


def finish(
    documents: Sequence[Document],
    checks: Mapping[str, LinkCheck],
    archives: Mapping[str, ArchiveLookup],
    cfg: AuditConfig,
    *,
    problems: Sequence[Problem] = (),
    started: dt.datetime | None = None,
    elapsed_s: float = 0.0,
    interrupted: bool = False,
    progress: Progress | None = None,
    analysed: Mapping[int, tuple[Sequence[Finding], Sequence[RuleSkip]]] | None = None,
) -> AuditResult:
    """Date the sources, run the rules, drop ignored and baselined findings, build the result.

    `analysed` holds what `rules.analyse` gave for documents (by index) analysed already, as
    their links came in (`linkaudit.stages`); the others are analysed here.
    """
    from linkaudit.ignore import apply_ignores, filter_baseline, load_baseline
    from linkaudit.rules import analyse
    from linkaudit.sourcedates import source_published

    if progress:
        progress.stage("analyse")
    dated: dict[str, LinkCheck] = {}
    for url, check in checks.items():
        published = source_published(url, check, archives.get(url))
        dated[url] = dataclasses.replace(check, published=published)
    found, skips = analyse(
        documents, dated, archives, cfg.rules, cfg.links, offline=cfg.network.offline,
        precomputed=analysed,
    )
    findings, ignored = apply_ignores(found, documents)
    baselined = 0
    if cfg.rules.baseline is not None:
        kept = filter_baseline(findings, load_baseline(cfg.rules.baseline))
        baselined = len(findings) - len(kept)
        findings = kept
    return AuditResult(
        documents=tuple(documents),
        checks=dated,
        archives=dict(archives),
        findings=tuple(findings),
        skips=tuple(skips),
        problems=tuple(problems),
        started=started,
        elapsed_s=elapsed_s,
        interrupted=interrupted,
        offline=cfg.network.offline,
        ignored=ignored,
        baselined=baselined,
    )


def _open_store(cfg: AuditConfig, problems: list[Problem]) -> Store | None:
    """Open the store when the cache or history needs it; a bad store is said, and skipped."""
    if cfg.network.offline:
        # Nothing is checked and no history is recorded: opening the store would only create
        # `.linkaudit/` in the user's working tree (the pre-commit hook runs offline).
        return None
    if not (cfg.store.cache or cfg.store.history) or cfg.network.replay is not None:
        # A replayed run is a demonstration: it must not read a stale cache nor write history.
        return None
    try:
        return Store.open(cfg.store.path)
    except StoreError as exc:
        problems.append(Problem(ProblemKind.STORE, f"{exc} (running without cache and history)"))
        return None


def _archive(fetcher: Fetcher, cfg: AuditConfig, store: Store | None) -> WaybackArchive | None:
    """The run's archive client (None with `--archive none`), sending through the run's layer."""
    if cfg.archive.mode is ArchiveMode.NONE:
        return None
    from linkaudit.archive import WaybackArchive

    return WaybackArchive.from_config(
        fetcher.client, cfg.archive, cfg.network, store if cfg.store.cache else None,
        fetcher=fetcher,
    )


async def _after_lookups(
    archive: WaybackArchive, cfg: AuditConfig, stages: Stages
) -> list[Problem]:
    """The archive's run-level problems, and Save Page Now for the unarchived live sources."""
    from linkaudit.archive import save_unarchived

    problems = list(archive.problems)
    if cfg.archive.save_unarchived:
        for saved in await save_unarchived(archive, stages.archives, stages.checks):
            where = f": {saved.snapshot_url}" if saved.snapshot_url else ""
            problems.append(
                Problem(
                    ProblemKind.SAVE_PAGE_NOW,
                    f"{redact_url(saved.url)}: Save Page Now {saved.state.value}{where}"
                    + (f" ({saved.message})" if saved.message else ""),
                    origin=saved.url,
                )
            )
    return problems


def audit(
    inputs: Sequence[str],
    cfg: AuditConfig,
    *,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
    crawl: CrawlOptions | None = None,
    history: HistorySink | None = None,
) -> AuditResult:
    """Synchronous `run_audit`. SIGINT and SIGTERM stop the run and return the partial result,
    marked `interrupted` with the signal in `stop_signal` (the CLI exits 130 or 143 on it). A
    second signal is not caught: it stops the process at once (Python's default)."""

    done: list[AuditResult] = []

    async def main() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        stopped: list[int] = []
        caught: list[signal.Signals] = []

        def stop(signum: signal.Signals) -> None:
            stopped.append(int(signum))
            for sig in caught:
                loop.remove_signal_handler(sig)  # the next Ctrl-C stops the process at once
            caught.clear()
            if task is not None:
                task.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop, sig)
                caught.append(sig)
        try:
            result = await run_audit(
                inputs, cfg, progress=progress, stdin=stdin, crawl=crawl, history=history
            )
        finally:
            for sig in caught:
                loop.remove_signal_handler(sig)
        if stopped:
            result = dataclasses.replace(result, interrupted=True, stop_signal=stopped[0])
        done.append(result)

    # NOTE: the result is handed over beside the task, not as its result: on leaving, Python
    # 3.11's Runner restores the SIGINT handler and `signal.signal` formats the old handler's
    # repr, which names the main task and so `repr()`s its whole result (half a second for a
    # 10,000-link audit, then thrown away).
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(main())
    return done[0]


