"""The command line: a thin face over `linkaudit.audit` and the report formats.

Flags default to None so that the config file (`[tool.linkaudit]` or `linkaudit.toml`) fills
what a flag does not say; flags win. Errors become one line plus a hint, and an exit code from
`ExitCode`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import ipaddress
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from linkaudit import __version__
from linkaudit.config import ArchiveMode, AuditConfig, FailOn, FragmentMode
from linkaudit.errors import ConfigError, ExitCode, LinkauditError, OutputError
from linkaudit.model import AuditResult, Problem
from linkaudit.report._text import plural

if TYPE_CHECKING:
    from linkaudit.crawl import CrawlOptions

app = typer.Typer(
    name="linkaudit",
    help="Audit citations and links: dead sources, archived copies, unsupported claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ALLOW_ALL = "*"
"""What a bare `--allow-private` (no range) becomes."""


def _err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _say_problems(problems: tuple[Problem, ...] | list[Problem], quiet: bool = False) -> None:
    """One line per problem on stderr; the text is untrusted, so it is printed without markup."""
    if quiet:
        return
    from linkaudit.report._text import visible

    err = _err_console()
    for problem in problems:
        # File names and URLs come from strangers: escape sequences are shown, never obeyed.
        where = f" (line {problem.line})" if problem.line else ""
        err.print(f"linkaudit: {visible(problem.message)}{where}", markup=False, highlight=False)


def _fail(exc: LinkauditError) -> typer.Exit:
    from linkaudit.report._text import visible

    err = _err_console()
    err.print(f"linkaudit: error: {visible(str(exc))}", markup=False)
    if exc.hint:
        err.print(f"hint: {exc.hint}", markup=False)
    code = ExitCode.USAGE if isinstance(exc, ConfigError) else ExitCode.RUN_ERROR
    return typer.Exit(int(code))


def _parse_date(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=flag) from None


def _write_output(text: str, output: Path | None) -> None:
    """Write to `output` atomically (a crash leaves the old file), or to stdout."""
    if output is None or str(output) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        os.replace(tmp, output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()  # never leave the half-written file behind
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None


# -- extract -------------------------------------------------------------------------------


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="table or json.")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date of the documents (YYYY-MM-DD).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No problem lines.")] = False,
) -> None:
    """List every numbered reference, the markers that cite it and their claims. No network."""
    import json

    from linkaudit.extract import extract_document
    from linkaudit.inputs import collect
    from linkaudit.local import Resolver, resolve_links
    from linkaudit.report.extract import extract_json, render_extract_table
    from linkaudit.report.summary import RUN_FAILURE_KINDS

    if format not in ("table", "json"):
        raise typer.BadParameter("choose table or json", param_hint="--format")
    _check_writable(output, "--output")
    when = _parse_date(as_of, "--as-of")
    collected = collect(paths, stdin=sys.stdin.buffer)
    documents = [extract_document(s, as_of=when) for s in collected.sources]
    # Local links as the audit names them: paths relative to the working directory.
    documents, _targets = resolve_links(documents, Resolver.from_config(AuditConfig(), paths))
    problems = list(collected.problems)
    problems += [
        Problem("url-input", f"{u}: URL inputs need the network; use `linkaudit audit`", origin=u)
        for u in collected.urls
    ]
    _say_problems(problems, quiet)
    try:
        if format == "json":
            _write_output(json.dumps(extract_json(documents, problems), indent=2), output)
        elif output is not None:
            buffer = io.StringIO()
            render_extract_table(documents, Console(file=buffer, width=160, no_color=True))
            _write_output(buffer.getvalue(), output)
        else:
            render_extract_table(documents, Console(highlight=False))
    except LinkauditError as exc:
        raise _fail(exc) from None
    if not documents or any(p.kind in RUN_FAILURE_KINDS for p in problems):
        # An input named that could not be read is an error, as in `audit` (the rest is listed).
        raise typer.Exit(int(ExitCode.RUN_ERROR))


# -- audit -----------------------------------------------------------------------------------


def _fix_allow_private(argv: list[str]) -> list[str]:
    """A bare `--allow-private` means every private address.

    The next argument is taken as its range unless it is another option, an existing path or a
    URL; so a mistyped range (`10.0.0.0/33`) is an error, never a silent "allow everything".
    """
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--allow-private":
            nxt = argv[i + 1] if i + 1 < len(argv) else None
            bare = (
                nxt is None
                or nxt.startswith("-")
                or nxt.startswith(("http://", "https://"))
                or Path(nxt).exists()
            )
            if bare:
                out.append(f"--allow-private={ALLOW_ALL}")
                continue
        out.append(arg)
    return out


def _flag_values(**flags: Any) -> dict[str, Any]:
    """Typer values that were given, under `AuditConfig` field names."""
    values = {k: v for k, v in flags.items() if v is not None and v != [] and v != ()}
    for key in ("include", "exclude", "remap", "exclude_path"):
        if key in values:
            values[key] = tuple(values[key])
    if "allow_private" in values:
        ranges = tuple(values.pop("allow_private"))
        if ALLOW_ALL in ranges:
            values["allow_private_all"] = True
        ranges = tuple(r for r in ranges if r != ALLOW_ALL)
        for r in ranges:
            try:
                ipaddress.ip_network(r, strict=False)
            except ValueError:
                raise typer.BadParameter(
                    f"{r!r} is not an address range", param_hint="--allow-private"
                ) from None
        if ranges:
            values["allow_private"] = ranges
    if "headers" in values:
        pairs = []
        for header in values["headers"]:
            name, sep, value = header.partition(":")
            if not sep or not name.strip():
                raise typer.BadParameter(f"{header!r}: use 'Name: value'", param_hint="--header")
            pairs.append((name.strip(), value.strip()))
        values["headers"] = tuple(pairs)
    return values


def build_config(config_path: Path | None, flags: dict[str, Any]) -> AuditConfig:
    """Config file values (found upward from the working directory, or `--config`), then flags."""
    from linkaudit.configfile import find_config, load_config, merge

    path = config_path or find_config(Path.cwd())
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: no such config file")
    file_values = load_config(path) if path is not None else {}
    return merge(file_values, flags)


@app.command()
def audit(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders, - for stdin, or http(s) article URLs.")
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="table, json, markdown, sarif, junit, github or html."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    report: Annotated[
        list[str] | None,
        typer.Option("--report", help="FORMAT:PATH, also write that format (repeatable)."),
    ] = None,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="Exit 1 at or above this severity.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="A linkaudit.toml.")] = None,
    offline: Annotated[
        bool | None, typer.Option("--offline", help="No network at all.")
    ] = None,
    replay: Annotated[
        Path | None, typer.Option("--replay", help="Answer HTTP from this cassette.")
    ] = None,
    record: Annotated[
        Path | None, typer.Option("--record", help="Save every HTTP exchange here.")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="Requests in flight.")] = None,
    per_host: Annotated[int | None, typer.Option(help="Requests in flight per host.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds per request.")] = None,
    url_deadline: Annotated[
        float | None, typer.Option(help="Seconds per URL, retries included.")
    ] = None,
    retries: Annotated[int | None, typer.Option(help="Retries of transient failures.")] = None,
    max_body: Annotated[int | None, typer.Option(help="Most body bytes read.")] = None,
    max_redirects: Annotated[int | None, typer.Option(help="Most redirect hops.")] = None,
    user_agent: Annotated[str | None, typer.Option(help="The User-Agent header.")] = None,
    allow_private: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-private",
            help="Allow private addresses: bare for all, or a CIDR range (repeatable).",
        ),
    ] = None,
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", help="'Name: value' for every host.")
    ] = None,
    include: Annotated[
        list[str] | None, typer.Option(help="Only check URLs matching this regex.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Skip URLs matching this regex.")
    ] = None,
    store: Annotated[Path | None, typer.Option(help="The SQLite store.")] = None,
    cache: Annotated[bool | None, typer.Option("--cache/--no-cache", help="Reuse checks.")] = None,
    cache_ttl: Annotated[int | None, typer.Option(help="Seconds a check is reused.")] = None,
    history: Annotated[
        bool | None, typer.Option("--history/--no-history", help="Record the run.")
    ] = None,
    archive: Annotated[
        ArchiveMode | None, typer.Option(help="Archive lookups: dead, all or none.")
    ] = None,
    archive_url: Annotated[str | None, typer.Option(help="A Wayback-compatible server.")] = None,
    archive_rate: Annotated[int | None, typer.Option(help="Archive calls per minute.")] = None,
    save_unarchived: Annotated[
        bool | None, typer.Option("--save-unarchived", help="Ask Save Page Now for them.")
    ] = None,
    stale_after: Annotated[
        int | None, typer.Option(help="Days before a present-tense source is stale.")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="The documents' date (YYYY-MM-DD).")] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="A file of accepted findings not to report.")
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(help="Accept every current finding: write them to this baseline file."),
    ] = None,
    use_env_proxy: Annotated[
        bool | None, typer.Option("--use-env-proxy", help="Honour HTTP(S)_PROXY.")
    ] = None,
    root_dir: Annotated[
        Path | None, typer.Option(help="Resolve root-relative links (/docs/x.md) here.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Resolve root-relative links against this site URL.")
    ] = None,
    remap: Annotated[
        list[str] | None,
        typer.Option(help="'REGEX REPLACEMENT': check a URL or path as another (repeatable)."),
    ] = None,
    exclude_path: Annotated[
        list[str] | None, typer.Option(help="Skip inputs matching this glob (repeatable).")
    ] = None,
    accept: Annotated[
        str | None, typer.Option(help="Statuses also counted alive: 200..=299,403.")
    ] = None,
    github_token: Annotated[
        str | None,
        typer.Option(help="Token sent to GitHub's hosts only (default: $GITHUB_TOKEN)."),
    ] = None,
    insecure: Annotated[
        bool | None, typer.Option("--insecure", help="Accept invalid TLS certificates.")
    ] = None,
    images: Annotated[
        bool | None, typer.Option("--images/--no-images", help="Check images and badges.")
    ] = None,
    check_fragments: Annotated[
        FragmentMode | None,
        typer.Option(help="Check #fragments of local files, all (remote too) or none."),
    ] = None,
    crawl: Annotated[bool, typer.Option("--crawl", help="Crawl the site for articles.")] = False,
    max_pages: Annotated[int | None, typer.Option(help="Crawl: most pages.")] = None,
    depth: Annotated[int | None, typer.Option(help="Crawl: link depth.")] = None,
    since: Annotated[str | None, typer.Option(help="Crawl: only pages since this date.")] = None,
    sitemap: Annotated[list[str] | None, typer.Option(help="Crawl: a sitemap URL.")] = None,
    feed: Annotated[list[str] | None, typer.Option(help="Crawl: a feed URL.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Crawl: continue the last.")] = False,
    workers: Annotated[
        str | None,
        typer.Option(help="Check in N local worker processes, or auto (one per core)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Check on a Dask cluster: tcp://HOST:8786, or local."),
    ] = None,
    plan: Annotated[
        bool, typer.Option("--plan", help="Print the run's size and predicted time; check nothing.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the findings and the summary.")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Also rule skips and every finding of a group."),
    ] = False,
) -> None:
    """Check every cited URL, find archived copies, and flag what the sources cannot support."""
    from linkaudit.audit import audit as run
    from linkaudit.report import OutputFormat
    from linkaudit.report.summary import exit_code, failure_reason

    try:
        flags = _flag_values(
            offline=offline,
            replay=replay,
            record=record,
            concurrency=concurrency,
            per_host=per_host,
            timeout_s=timeout,
            url_deadline_s=url_deadline,
            retries=retries,
            max_body_bytes=max_body,
            max_redirects=max_redirects,
            user_agent=user_agent,
            allow_private=allow_private,
            headers=header,
            include=include,
            exclude=exclude,
            store=store,
            cache=cache,
            cache_ttl_s=cache_ttl,
            history=history,
            archive=archive,
            archive_url=archive_url,
            archive_rate_per_min=archive_rate,
            save_unarchived=save_unarchived,
            stale_after_days=stale_after,
            as_of=_parse_date(as_of, "--as-of"),
            fail_on=fail_on,
            baseline=baseline,
            use_env_proxy=use_env_proxy,
            root_dir=root_dir,
            base_url=base_url,
            remap=remap,
            exclude_path=exclude_path,
            accept=accept,
            github_token=github_token,
            insecure=insecure,
            images=images,
            check_fragments=check_fragments,
            workers=workers,
            scheduler=scheduler,
        )
        crawl_scope: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        if crawl:
            crawl_scope = (flags.pop("include", ()), flags.pop("exclude", ()))
        cfg = build_config(config, flags)
        if write_baseline is not None:
            # Every current finding is accepted, so none may be hidden by an older baseline.
            cfg = dataclasses.replace(cfg, baseline=None)
        fmt = OutputFormat(format) if format else OutputFormat.TABLE
        extra = [_parse_report(r) for r in report or []]
        _check_writable(output, "--output")
        _check_writable(write_baseline, "--write-baseline")
        for _fmt, extra_path in extra:
            _check_writable(extra_path, "--report")
        crawl_options = None
        if crawl:
            crawl_options = _crawl_options(
                paths, max_pages, depth, since, sitemap, feed, resume, *crawl_scope
            )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    except LinkauditError as exc:
        raise _fail(exc) from None

    if plan:
        if crawl:
            raise typer.BadParameter(
                "a crawl's links are known only once crawled", param_hint="--plan"
            )
        _print_plan(paths, cfg, fmt, output, quiet)
        return

    err = _err_console()
    verbosity = -1 if quiet else (1 if verbose else 0)
    try:
        result = _run_with_progress(
            lambda progress: run(
                paths, cfg, progress=progress, stdin=sys.stdin.buffer, crawl=crawl_options
            ),
            err,
            quiet,
        )
    except LinkauditError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        # A second Ctrl-C: stop at once (click would turn it into "Aborted!" and exit 1).
        err.print("linkaudit: interrupted", markup=False)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    _say_problems(result.problems, quiet)
    try:
        _emit(result, cfg, fmt, output, extra, verbosity)
    except LinkauditError as exc:
        raise _fail(exc) from None
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
    raise typer.Exit(int(exit_code(result, cfg.fail_on, sarif=fmt is OutputFormat.SARIF)))


def _print_plan(paths: list[str], cfg: AuditConfig, fmt: Any, output: Path | None,
                quiet: bool) -> None:
    """`--plan`: read the documents, size the run and predict its time; check nothing."""
    import json

    from linkaudit.extract import extract_document
    from linkaudit.inputs import collect
    from linkaudit.report import OutputFormat
    from linkaudit.scale.forecast import build_forecast, forecast_json, render_forecast
    from linkaudit.store import Store

    collected = collect(paths, stdin=sys.stdin.buffer)
    _say_problems(list(collected.problems), quiet)
    documents = [extract_document(s, as_of=cfg.as_of) for s in collected.sources]
    store = None
    if cfg.cache and cfg.store.is_file():
        with contextlib.suppress(LinkauditError):
            store = Store.open(cfg.store, create=False)
    if cfg.scheduler:
        slots = cfg.workers if cfg.workers > 1 else (os.cpu_count() or 1)
        home = "a local Dask cluster" if cfg.scheduler == "local" else (
            f"the Dask cluster at {cfg.scheduler} (taken as {slots} threads)")
    else:
        slots = cfg.workers
        home = "this process" if slots == 1 else f"{slots} worker processes"
    try:
        forecast = build_forecast(documents, cfg, store, slots=slots, home=home,
                                  unread_urls=len(collected.urls))
    finally:
        if store is not None:
            store.close()
    if fmt is OutputFormat.JSON:
        text = json.dumps(forecast_json(forecast, cfg), indent=2)
    else:
        text = render_forecast(forecast, cfg)
    try:
        _write_output(text, output)
    except LinkauditError as exc:
        raise _fail(exc) from None


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
    except OSError as exc:
        message = f"{path}: cannot write the baseline: {exc.strerror or exc}"
        raise _fail(OutputError(message)) from None
    err.print(
        f"linkaudit: wrote {path}: {plural(len(result.findings), 'finding')} accepted; "
        f"later runs with --baseline {path} report only new ones",
        markup=False,
    )


def _check_writable(path: Path | None, flag: str) -> None:
    """Refuse, before the run, a report path that can never be written (an existing folder)."""
    if path is not None and str(path) != "-" and path.is_dir():
        raise typer.BadParameter(f"{str(path)!r} is a folder; give a file name", param_hint=flag)


def _parse_report(spec: str) -> tuple[Any, Path]:
    from linkaudit.report import OutputFormat

    name, sep, path = spec.partition(":")
    if not sep or not path:
        raise ValueError(f"--report {spec!r}: use FORMAT:PATH, e.g. sarif:linkaudit.sarif")
    try:
        return OutputFormat(name), Path(path)
    except ValueError:
        choices = ", ".join(f.value for f in OutputFormat)
        raise ValueError(f"--report {spec!r}: unknown format {name!r} ({choices})") from None


def _emit(
    result: AuditResult,
    cfg: AuditConfig,
    fmt: Any,
    output: Path | None,
    extra: list[Any],
    verbosity: int = 0,
) -> None:
    """Write the main format to stdout (or `--output`) and each `--report` file."""
    from linkaudit.report import OutputFormat, render_table

    if fmt is OutputFormat.TABLE and output is None:
        render_table(result, cfg, Console(highlight=False), verbosity=verbosity)
    else:
        # Files get every format as plain text (the table without colour), written atomically.
        _write_report(result, fmt, cfg, output, verbosity)
    for extra_fmt, path in extra:
        _write_report(result, extra_fmt, cfg, path, verbosity)


def _write_report(
    result: AuditResult, fmt: Any, cfg: AuditConfig, output: Path | None, verbosity: int = 0
) -> None:
    """`report.write` to `output` atomically (a crash leaves the old file), or to stdout (the
    JSON report is streamed: never built whole in memory)."""
    from linkaudit.report import write

    if output is None or str(output) == "-":
        write(result, fmt, cfg, sys.stdout, verbosity=verbosity)
        return
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8") as fh:
            write(result, fmt, cfg, fh, verbosity=verbosity)
        os.replace(tmp, output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()  # never leave the half-written file behind
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


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
        raise ValueError("--crawl takes exactly one site URL")
    values: dict[str, Any] = {"start": urls[0], "resume": resume}
    if max_pages is not None:
        values["max_pages"] = max_pages
    if depth is not None:
        values["depth"] = depth
    if since is not None:
        values["since"] = _parse_date(since, "--since")
    if sitemap:
        values["sitemaps"] = tuple(sitemap)
    if feed:
        values["feeds"] = tuple(feed)
    if include:
        values["include"] = include
    if exclude:
        values["exclude"] = exclude
    return CrawlOptions(**values)


# -- cache -----------------------------------------------------------------------------------


@app.command("cache")
def cache_command(
    action: Annotated[str, typer.Argument(help="stats or clear.")] = "stats",
    store: Annotated[Path | None, typer.Option(help="The SQLite store.")] = None,
) -> None:
    """Show or clear the cache of checks and archive answers (the run history is kept)."""
    from linkaudit.config import DEFAULT_STORE
    from linkaudit.store import Store

    path = store or DEFAULT_STORE
    if action not in ("stats", "clear"):
        raise typer.BadParameter("choose stats or clear", param_hint="ACTION")
    try:
        if not path.exists():
            typer.echo(f"{path}: no store yet")
            return
        with Store.open(path, create=False) as db:
            if action == "clear":
                typer.echo(f"removed {db.clear_cache()} cached entries from {path}")
            else:
                for key, value in db.cache_stats().items():
                    typer.echo(f"{key}: {value}")
    except LinkauditError as exc:
        raise _fail(exc) from None


@app.command("rules")
def rules_command() -> None:
    """List every rule with its id, default severity and summary."""
    from linkaudit.rules import ALL_RULES

    for rule in ALL_RULES:
        typer.echo(f"{rule.ident:24} {rule.severity.label:8} {rule.summary}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """linkaudit: a citation and link-rot auditor."""


def _register_plugins() -> None:
    from linkaudit.health.commands import register

    register(app)


_register_plugins()


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    args = _fix_allow_private(list(sys.argv[1:] if argv is None else argv))
    try:
        app(args=args, prog_name="linkaudit")
    except LinkauditError as exc:  # pragma: no cover - commands translate their own
        raise SystemExit(int(_fail(exc).exit_code)) from None
    except KeyboardInterrupt:
        # A second Ctrl-C, or one outside the audit's own handling (reading, rendering).
        _err_console().print("linkaudit: interrupted", markup=False)
        raise SystemExit(int(ExitCode.INTERRUPTED)) from None
