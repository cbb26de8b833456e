"""`linkaudit audit`: check every cited URL, find archived copies, judge the claims, report.

The command only turns flags into settings (`linkaudit.cli.settings`), calls the library
(`linkaudit.audit.audit`, recording the run with `linkaudit.health.history.record_run`) and writes
the formats (`linkaudit.report`) atomically; `--plan` sizes the run instead.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from linkaudit import flags as F
from linkaudit.cli.common import (
    check_writable,
    choice,
    confirm_written,
    err_console,
    fail,
    is_stdout,
    parse_date,
    say_problems,
    write_atomic,
    write_output,
)
from linkaudit.cli.settings import build_settings, print_settings, setting_values
from linkaudit.config import AuditConfig, FailOn
from linkaudit.cores import usable_cores
from linkaudit.errors import ExitCode, LinkauditError, OutputError
from linkaudit.flags import argument, option
from linkaudit.model import AuditResult
from linkaudit.report._text import plural

if TYPE_CHECKING:
    from linkaudit.crawl import CrawlOptions


def audit(
    paths: Annotated[
        list[str], argument("Files, folders, - for stdin, or http(s) article URLs.", "PATH...")
    ],
    format: Annotated[str | None, option(F.FORMAT)] = None,
    output: Annotated[Path | None, option(F.OUTPUT)] = None,
    report: Annotated[list[str] | None, option(F.REPORT)] = None,
    fail_on: Annotated[str | None, option(F.FAIL_ON)] = None,
    config: Annotated[Path | None, option(F.CONFIG)] = None,
    show_config: Annotated[bool, option(F.SHOW_CONFIG)] = False,
    offline: Annotated[bool | None, option(F.OFFLINE)] = None,
    replay: Annotated[Path | None, option(F.REPLAY)] = None,
    record: Annotated[Path | None, option(F.RECORD)] = None,
    concurrency: Annotated[int | None, option(F.CONCURRENCY)] = None,
    per_host: Annotated[int | None, option(F.PER_HOST)] = None,
    timeout_s: Annotated[float | None, option(F.TIMEOUT)] = None,
    url_deadline_s: Annotated[float | None, option(F.URL_DEADLINE)] = None,
    retries: Annotated[int | None, option(F.RETRIES)] = None,
    max_body_bytes: Annotated[int | None, option(F.MAX_BODY)] = None,
    max_redirects: Annotated[int | None, option(F.MAX_REDIRECTS)] = None,
    user_agent: Annotated[str | None, option(F.USER_AGENT)] = None,
    allow_private: Annotated[list[str] | None, option(F.ALLOW_PRIVATE)] = None,
    headers: Annotated[list[str] | None, option(F.HEADER)] = None,
    include: Annotated[list[str] | None, option(F.INCLUDE)] = None,
    exclude: Annotated[list[str] | None, option(F.EXCLUDE)] = None,
    store: Annotated[Path | None, option(F.STORE)] = None,
    cache: Annotated[bool | None, option(F.CACHE)] = None,
    cache_ttl_s: Annotated[int | None, option(F.CACHE_TTL)] = None,
    history: Annotated[bool | None, option(F.HISTORY)] = None,
    archive: Annotated[str | None, option(F.ARCHIVE)] = None,
    archive_url: Annotated[str | None, option(F.ARCHIVE_URL)] = None,
    archive_rate_per_min: Annotated[int | None, option(F.ARCHIVE_RATE)] = None,
    save_unarchived: Annotated[bool | None, option(F.SAVE_UNARCHIVED)] = None,
    stale_after_days: Annotated[int | None, option(F.STALE_AFTER)] = None,
    as_of: Annotated[str | None, option(F.AS_OF)] = None,
    baseline: Annotated[Path | None, option(F.BASELINE)] = None,
    write_baseline: Annotated[Path | None, option(F.WRITE_BASELINE)] = None,
    use_env_proxy: Annotated[bool | None, option(F.USE_ENV_PROXY)] = None,
    accept: Annotated[str | None, option(F.ACCEPT)] = None,
    github_token: Annotated[str | None, option(F.GITHUB_TOKEN)] = None,
    insecure: Annotated[bool | None, option(F.INSECURE)] = None,
    root_dir: Annotated[Path | None, option(F.ROOT_DIR)] = None,
    base_url: Annotated[str | None, option(F.BASE_URL)] = None,
    remap: Annotated[list[str] | None, option(F.REMAP)] = None,
    fallback_extensions: Annotated[list[str] | None, option(F.FALLBACK_EXTENSIONS)] = None,
    exclude_path: Annotated[list[str] | None, option(F.EXCLUDE_PATH)] = None,
    images: Annotated[bool | None, option(F.IMAGES)] = None,
    check_fragments: Annotated[str | None, option(F.CHECK_FRAGMENTS)] = None,
    crawl: Annotated[bool, option(F.CRAWL)] = False,
    max_pages: Annotated[int | None, option(F.MAX_PAGES)] = None,
    depth: Annotated[int | None, option(F.DEPTH)] = None,
    since: Annotated[str | None, option(F.SINCE)] = None,
    sitemap: Annotated[list[str] | None, option(F.SITEMAP)] = None,
    feed: Annotated[list[str] | None, option(F.FEED)] = None,
    resume: Annotated[bool, option(F.RESUME)] = False,
    workers: Annotated[str | None, option(F.WORKERS)] = None,
    scheduler: Annotated[str | None, option(F.SCHEDULER)] = None,
    plan: Annotated[bool, option(F.PLAN)] = False,
    quiet: Annotated[bool, option(F.QUIET)] = False,
    verbose: Annotated[bool, option(F.VERBOSE)] = False,
) -> None:
    """Check every cited URL, find archived copies, and flag what the sources cannot support."""
    given = dict(locals())  # the parameters, as given: those named after a setting set it
    from linkaudit.audit import audit as run
    from linkaudit.health.history import record_run
    from linkaudit.report import OutputFormat
    from linkaudit.report.summary import exit_code, failure_reason

    try:
        flags = setting_values(given)
        crawl_scope: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        if crawl:
            crawl_scope = (flags.pop("include", ()), flags.pop("exclude", ()))
        settings = build_settings(config, flags)
        if show_config:
            print_settings(settings, "table")
            raise typer.Exit(int(ExitCode.OK))
        cfg = settings.config
        if write_baseline is not None:
            # Every current finding is accepted, so none may be hidden by an older baseline.
            cfg = cfg.replace(baseline=None)
        fmt = OutputFormat(choice(F.FORMAT, format)) if format else OutputFormat.TABLE
        extra = [_parse_report(r) for r in report or []]
        check_writable(output, "--output")
        check_writable(write_baseline, "--write-baseline")
        for _fmt, extra_path in extra:
            check_writable(extra_path, "--report")
        crawl_options = None
        if crawl:
            crawl_options = _crawl_options(
                paths, max_pages, depth, since, sitemap, feed, resume, *crawl_scope
            )
    except LinkauditError as exc:
        raise fail(exc) from None

    if plan:
        if crawl:
            raise typer.BadParameter(
                "a crawl's links are known only once crawled", param_hint=F.PLAN.name
            )
        _print_plan(paths, cfg, fmt, output, quiet)
        return

    err = err_console()
    verbosity = -1 if quiet else (1 if verbose else 0)
    try:
        result = _run_with_progress(
            lambda progress: run(
                paths, cfg, progress=progress, stdin=sys.stdin.buffer, crawl=crawl_options,
                history=record_run,
            ),
            err,
            quiet,
        )
    except LinkauditError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        # A second Ctrl-C: stop at once (click would turn it into "Aborted!" and exit 1).
        err.print("linkaudit: interrupted", markup=False)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    say_problems(result.problems, quiet)
    try:
        _emit(result, cfg, fmt, output, extra, verbosity, quiet)
    except LinkauditError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        err.print("linkaudit: interrupted while writing the report", markup=False)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    if result.interrupted:
        err.print("linkaudit: interrupted; the report shows what was checked", markup=False)
    reason = failure_reason(result)
    if reason is not None and not result.interrupted:
        err.print(f"linkaudit: error: {reason}", markup=False)
    if write_baseline is not None:
        if result.interrupted:
            err.print(f"linkaudit: {write_baseline} not written: the run was interrupted",
                      markup=False)
        else:
            _write_baseline(write_baseline, result, err)
            # Every finding is now accepted: only a failed run still fails.
            code = exit_code(result, FailOn.NEVER)
            raise typer.Exit(int(code))
    raise typer.Exit(int(exit_code(result, cfg.report.fail_on, sarif=fmt is OutputFormat.SARIF)))


def _print_plan(paths: list[str], cfg: AuditConfig, fmt: Any, output: Path | None,
                quiet: bool) -> None:
    """`--plan`: read the documents, size the run and predict its time; check nothing."""
    import json

    from linkaudit.extract import extract_document
    from linkaudit.inputs import collect
    from linkaudit.report import OutputFormat
    from linkaudit.scale.forecast import build_forecast, forecast_json, render_forecast
    from linkaudit.store import Store

    collected = collect(paths, stdin=sys.stdin.buffer, exclude=cfg.links.exclude_path)
    say_problems(list(collected.problems), quiet)
    documents = [extract_document(s, as_of=cfg.rules.as_of) for s in collected.sources]
    store = None
    if cfg.store.cache and cfg.store.path.is_file():
        with contextlib.suppress(LinkauditError):
            store = Store.open(cfg.store.path, create=False)
    if cfg.scale.scheduler:
        slots = cfg.scale.workers if cfg.scale.workers > 1 else usable_cores()
        home = "a local Dask cluster" if cfg.scale.scheduler == "local" else (
            f"the Dask cluster at {cfg.scale.scheduler} (taken as {slots} threads)")
    else:
        slots = cfg.scale.workers
        home = "this process" if slots == 1 else f"{slots} worker processes"
    try:
        forecast = build_forecast(documents, cfg.network, cfg.store, cfg.archive, cfg.rules, store,
                                  slots=slots, home=home, unread_urls=len(collected.urls))
    finally:
        if store is not None:
            store.close()
    if fmt is OutputFormat.JSON:
        text = json.dumps(forecast_json(forecast, cfg.network), indent=2)
    else:
        text = render_forecast(forecast, cfg.network)
    try:
        write_output(text, output)
    except LinkauditError as exc:
        raise fail(exc) from None
    # As the audit would: an input named that could not be read fails the run (exit 3), after
    # the plan of what could be read.
    # (A plan reads no URL input, so URL inputs alone are not "nothing could be read".)
    from linkaudit.report.summary import failure_reason, run_failures

    read = AuditResult(documents=tuple(documents), problems=tuple(collected.problems))
    reason = failure_reason(read)
    if reason is not None and (run_failures(read) or not collected.urls):
        raise fail(LinkauditError(reason))


def _run_with_progress(
    run: Callable[[Any], AuditResult], err: Console, quiet: bool
) -> AuditResult:
    """Call `run(progress)` with a bar on a terminal, a line every few seconds in a log (stderr
    is not a terminal: CI), or nothing with `--quiet`. Progress goes to stderr, so it never
    mixes with a format written to stdout."""
    from linkaudit.progress import LineProgress, RichProgress

    if quiet:
        return run(None)
    if err.is_terminal:
        with RichProgress(err) as bar:
            return run(bar)
    with LineProgress(sys.stderr) as lines:
        return run(lines)


def _write_baseline(path: Path, result: AuditResult, err: Console) -> None:
    """Write the baseline file and confirm it: how many findings, and how to use it."""
    from linkaudit.ignore import write_baseline as write

    try:
        write(path, result.findings)
    except OutputError as exc:
        raise fail(exc) from None
    err.print(
        f"linkaudit: wrote {path}: {plural(len(result.findings), 'finding')} accepted; "
        f"later runs with --baseline {path} report only new ones",
        markup=False,
    )


def _parse_report(spec: str) -> tuple[Any, Path]:
    from linkaudit.report import OutputFormat

    name, sep, path = spec.partition(":")
    if not sep or not path:
        raise typer.BadParameter(
            f"{spec!r}: use FORMAT:PATH, e.g. sarif:linkaudit.sarif", param_hint=F.REPORT.name
        )
    try:
        return OutputFormat(F.FORMAT.check_choice(name)), Path(path)
    except ValueError as exc:
        raise typer.BadParameter(f"{spec!r}: {exc}", param_hint=F.REPORT.name) from None


def _emit(
    result: AuditResult,
    cfg: AuditConfig,
    fmt: Any,
    output: Path | None,
    extra: list[Any],
    verbosity: int = 0,
    quiet: bool = False,
) -> None:
    """Write the main format to stdout (or `--output`) and each `--report` file (each file
    confirmed on stderr with its findings)."""
    from linkaudit.report import OutputFormat, render_table

    what = _findings_phrase(result)
    if fmt is OutputFormat.TABLE and output is None:
        render_table(result, cfg.report, Console(highlight=False), verbosity=verbosity)
    else:
        # Files get every format as plain text (the table without colour), written atomically.
        _write_report(result, fmt, cfg, output, verbosity, what, quiet)
    for extra_fmt, path in extra:
        _write_report(result, extra_fmt, cfg, path, verbosity, what, quiet)


def _write_report(
    result: AuditResult,
    fmt: Any,
    cfg: AuditConfig,
    output: Path | None,
    verbosity: int = 0,
    what: str = "",
    quiet: bool = False,
) -> None:
    """`report.write` to `output` atomically (`write_atomic`), or to stdout (the JSON report is
    streamed: never built whole in memory); a file written is confirmed on stderr."""
    from linkaudit.report import write

    if output is None or is_stdout(output):
        write(result, fmt, cfg.report, cfg.rules, sys.stdout, verbosity=verbosity)
        return
    write_atomic(output, lambda fh: write(result, fmt, cfg.report, cfg.rules, fh,
                                         verbosity=verbosity))
    confirm_written(output, what, quiet)


def _crawl_options(
    paths: list[str],
    max_pages: int | None,
    depth: int | None,
    since: str | None,
    sitemap: list[str] | None,
    feed: list[str] | None,
    resume: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
) -> CrawlOptions:
    """The crawl's scope. With `--crawl`, `--include`/`--exclude` choose the pages crawled;
    every reference found on them is checked."""
    from linkaudit.crawl import CrawlOptions

    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    if len(urls) != 1 or len(paths) != 1:
        raise typer.BadParameter("takes exactly one site URL", param_hint=F.CRAWL.name)
    values: dict[str, Any] = {"start": urls[0], "resume": resume}
    if max_pages is not None:
        values["max_pages"] = max_pages
    if depth is not None:
        values["depth"] = depth
    if since is not None:
        values["since"] = parse_date(since, F.SINCE.name)
    if sitemap:
        values["sitemaps"] = tuple(sitemap)
    if feed:
        values["feeds"] = tuple(feed)
    if include:
        values["include"] = include
    if exclude:
        values["exclude"] = exclude
    return CrawlOptions(**values)


def _findings_phrase(result: AuditResult) -> str:
    """`2 errors, 6 warnings, 4 info` (or `no findings`), for the confirmation of a file."""
    from linkaudit.report.summary import summarize

    counts = summarize(result).by_severity
    if not any(counts.values()):
        return "no findings"
    return ", ".join((plural(counts["error"], "error"), plural(counts["warning"], "warning"),
                      f"{counts['info']} info"))
