"""The command line: a thin face over `linkaudit.audit` and the report formats.

Every flag is declared in `linkaudit.flags` (name, value name, help, choices, default, config
key) and turned into a typer option here with `option(...)`. Flags default to None so that the
config file (`[tool.linkaudit]` or `linkaudit.toml`) fills what a flag does not say; flags win.
Every error, a bad flag as much as a bad config value, becomes one line (`linkaudit: error:
--format: 'nope' is not one of table, json, ...`) plus a hint, and an exit code from `ExitCode`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import inspect
import io
import ipaddress
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from linkaudit import __version__
from linkaudit import flags as F
from linkaudit.config import AuditConfig, FailOn
from linkaudit.errors import ConfigError, ExitCode, LinkauditError, OutputError
from linkaudit.flags import argument, option
from linkaudit.model import AuditResult, Problem
from linkaudit.report._text import plural

if TYPE_CHECKING:
    from linkaudit.configfile import Settings
    from linkaudit.crawl import CrawlOptions

DISTRIBUTION = "linkaudit-citations"
"""This project's name on PyPI (`linkaudit` there is another tool with the same command)."""

def _no_type(ctx: Any) -> None:
    return None


class Command(TyperCommand):
    """A command whose help shows value names, never Python types: typer labels a switch
    `<bool>` and an argument `<list[str]>`, and writes a required one as `{PATH}...`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            # Reflow each paragraph of the docstring: typer's rich help keeps its line breaks.
            paragraphs = inspect.cleandoc(self.help).split("\n\n")
            self.help = "\n\n".join(" ".join(p.split()) for p in paragraphs)
        for param in self.params:
            if param.param_type_name == "argument":
                param.display_type_rich = _no_type  # type: ignore[attr-defined]

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """`PATH...` rather than `{PATH...}...`."""
        pieces = super().collect_usage_pieces(ctx)
        return [p.replace("{", "").replace("}", "").replace("......", "...") for p in pieces]

    def get_help_option(self, ctx: Any) -> Any:
        """The help option, with an empty value name."""
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            help_option.metavar = ""
        return help_option


class Group(TyperGroup):
    """The `linkaudit` group, with the same help option as its commands."""

    def get_help_option(self, ctx: Any) -> Any:
        """The help option, with an empty value name."""
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            help_option.metavar = ""
        return help_option


app = typer.Typer(
    name="linkaudit",
    cls=Group,
    help="Audit citations and links: dead sources, archived copies, unsupported claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
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


def _write_output(text: str, output: Path | None, what: str = "", quiet: bool = False) -> None:
    """Write to `output` atomically (a crash leaves the old file), or to stdout.

    A file written is confirmed on stderr (`wrote report.html: 2 errors, 6 warnings, 4 info`),
    unless `quiet`: a command whose stdout is empty should still say where its output went.
    """
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
    if not quiet:
        from linkaudit.report._text import visible

        note = f"wrote {output}" + (f": {what}" if what else "")
        _err_console().print(visible(note), markup=False, highlight=False)


def _findings_phrase(result: AuditResult) -> str:
    """`2 errors, 6 warnings, 4 info` (or `no findings`), for the confirmation of a file."""
    from linkaudit.report.summary import summarize

    counts = summarize(result).by_severity
    if not any(counts.values()):
        return "no findings"
    return ", ".join((plural(counts["error"], "error"), plural(counts["warning"], "warning"),
                      f"{counts['info']} info"))


# -- extract -------------------------------------------------------------------------------


@app.command(cls=Command)
def extract(
    paths: Annotated[list[str], argument("Files, folders, or - for stdin.")],
    format: Annotated[str, option(F.EXTRACT_FORMAT)] = "table",
    output: Annotated[Path | None, option(F.OUTPUT)] = None,
    as_of: Annotated[str | None, option(F.AS_OF)] = None,
    quiet: Annotated[bool, option(F.QUIET)] = False,
) -> None:
    """List every numbered reference, the markers that cite it and their claims. No network."""
    import json

    from linkaudit.extract import extract_document
    from linkaudit.inputs import collect
    from linkaudit.local import Resolver, resolve_links
    from linkaudit.report.extract import extract_json, render_extract_table
    from linkaudit.report.summary import RUN_FAILURE_KINDS

    fmt = _choice(F.EXTRACT_FORMAT, format)
    _check_writable(output, F.OUTPUT.name)
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
    refs = sum(len(d.references) for d in documents)
    what = f"{plural(refs, 'reference')} in {plural(len(documents), 'document')}"
    try:
        if fmt == "json":
            text = json.dumps(extract_json(documents, problems), indent=2)
            _write_output(text, output, what, quiet)
        elif output is not None:
            buffer = io.StringIO()
            render_extract_table(documents, Console(file=buffer, width=160, no_color=True))
            _write_output(buffer.getvalue(), output, what, quiet)
        else:
            render_extract_table(documents, Console(highlight=False))
    except LinkauditError as exc:
        raise _fail(exc) from None
    if not documents or any(p.kind in RUN_FAILURE_KINDS for p in problems):
        # An input named that could not be read is an error, as in `audit` (the rest is listed).
        raise typer.Exit(int(ExitCode.RUN_ERROR))


def _choice(flag: F.Flag, value: str) -> str:
    """`value` checked against `flag`'s choices; a usage error naming the flag otherwise."""
    try:
        return flag.check_choice(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=flag.name) from None


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
    for key in ("include", "exclude", "remap", "exclude_path", "fallback_extensions"):
        if key in values:
            values[key] = tuple(values[key])
    if "allow_private" in values:
        given = tuple(values.pop("allow_private"))
        everything = (ALLOW_ALL, "all")  # `--allow-private all` is the bare flag spelt out
        if any(r.strip().lower() in everything for r in given):
            values["allow_private_all"] = True
        ranges = tuple(r for r in given if r.strip().lower() not in everything)
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


def build_settings(config_path: Path | None, flags: dict[str, Any]) -> Settings:
    """Config file values (found upward from the working directory, or `--config`), then flags,
    with where each came from."""
    from linkaudit.configfile import resolve

    return resolve(config_path, flags)


def build_config(config_path: Path | None, flags: dict[str, Any]) -> AuditConfig:
    """Config file values (found upward from the working directory, or `--config`), then flags."""
    return build_settings(config_path, flags).config


@app.command(cls=Command)
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
    timeout: Annotated[float | None, option(F.TIMEOUT)] = None,
    url_deadline: Annotated[float | None, option(F.URL_DEADLINE)] = None,
    retries: Annotated[int | None, option(F.RETRIES)] = None,
    max_body: Annotated[int | None, option(F.MAX_BODY)] = None,
    max_redirects: Annotated[int | None, option(F.MAX_REDIRECTS)] = None,
    user_agent: Annotated[str | None, option(F.USER_AGENT)] = None,
    allow_private: Annotated[list[str] | None, option(F.ALLOW_PRIVATE)] = None,
    header: Annotated[list[str] | None, option(F.HEADER)] = None,
    include: Annotated[list[str] | None, option(F.INCLUDE)] = None,
    exclude: Annotated[list[str] | None, option(F.EXCLUDE)] = None,
    store: Annotated[Path | None, option(F.STORE)] = None,
    cache: Annotated[bool | None, option(F.CACHE)] = None,
    cache_ttl: Annotated[int | None, option(F.CACHE_TTL)] = None,
    history: Annotated[bool | None, option(F.HISTORY)] = None,
    archive: Annotated[str | None, option(F.ARCHIVE)] = None,
    archive_url: Annotated[str | None, option(F.ARCHIVE_URL)] = None,
    archive_rate: Annotated[int | None, option(F.ARCHIVE_RATE)] = None,
    save_unarchived: Annotated[bool | None, option(F.SAVE_UNARCHIVED)] = None,
    stale_after: Annotated[int | None, option(F.STALE_AFTER)] = None,
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
    from linkaudit.audit import audit as run
    from linkaudit.health.history import record_run
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
            as_of=_parse_date(as_of, F.AS_OF.name),
            fail_on=fail_on,
            baseline=baseline,
            use_env_proxy=use_env_proxy,
            root_dir=root_dir,
            base_url=base_url,
            remap=remap,
            fallback_extensions=fallback_extensions,
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
        settings = build_settings(config, flags)
        if show_config:
            _print_settings(settings, "table")
            raise typer.Exit(int(ExitCode.OK))
        cfg = settings.config
        if write_baseline is not None:
            # Every current finding is accepted, so none may be hidden by an older baseline.
            cfg = dataclasses.replace(cfg, baseline=None)
        fmt = OutputFormat(_choice(F.FORMAT, format)) if format else OutputFormat.TABLE
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
    except LinkauditError as exc:
        raise _fail(exc) from None

    if plan:
        if crawl:
            raise typer.BadParameter(
                "a crawl's links are known only once crawled", param_hint=F.PLAN.name
            )
        _print_plan(paths, cfg, fmt, output, quiet)
        return

    err = _err_console()
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
        raise _fail(exc) from None
    except KeyboardInterrupt:
        # A second Ctrl-C: stop at once (click would turn it into "Aborted!" and exit 1).
        err.print("linkaudit: interrupted", markup=False)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    _say_problems(result.problems, quiet)
    try:
        _emit(result, cfg, fmt, output, extra, verbosity, quiet)
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
        render_table(result, cfg, Console(highlight=False), verbosity=verbosity)
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
    """`report.write` to `output` atomically (a crash leaves the old file), or to stdout (the
    JSON report is streamed: never built whole in memory); a file written is confirmed on
    stderr, as `_write_output` does."""
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
    if not quiet:
        from linkaudit.report._text import visible

        note = f"wrote {output}" + (f": {what}" if what else "")
        _err_console().print(visible(note), markup=False, highlight=False)


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
        values["since"] = _parse_date(since, F.SINCE.name)
    if sitemap:
        values["sitemaps"] = tuple(sitemap)
    if feed:
        values["feeds"] = tuple(feed)
    if include:
        values["include"] = include
    if exclude:
        values["exclude"] = exclude
    return CrawlOptions(**values)


# -- cache, rules, config -----------------------------------------------------------------------


CACHE_ACTION = F.Flag("ACTION", "stats shows what the store holds; clear empties the cache "
                      "(the run history is kept)", choices=("stats", "clear"), default="stats")
"""The `cache` command's argument (not a flag, but shown and checked the same way)."""


def _duration(seconds: float) -> str:
    """`3 h`, `2 d`, `40 s`."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def _age(now: float, then: float | None) -> str:
    """`3 h ago` (or `-` when there is nothing)."""
    return "-" if then is None else _duration(max(0.0, now - then)) + " ago"


def _size(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} bytes"  # pragma: no cover - the loop always returns


@app.command("cache", cls=Command)
def cache_command(
    action: Annotated[
        str,
        typer.Argument(help=CACHE_ACTION.help_text() + " \\[default: stats]",
                       metavar="stats|clear", show_default=False),
    ] = "stats",
    store: Annotated[Path | None, option(F.STORE)] = None,
    config: Annotated[Path | None, option(F.CONFIG)] = None,
) -> None:
    """Show what the store holds (path, size, ages), or clear its cache.

    `clear` removes the cached checks and archive answers; the run history is kept.
    """
    import time

    from linkaudit.store import Store

    action = _choice(CACHE_ACTION, action)
    try:
        settings = build_settings(config, {"store": store})
        path = settings.config.store
        if not path.exists():
            typer.echo(f"{path}: no store yet (an audit that checks links creates it)")
            return
        with Store.open(path, create=False) as db:
            if action == "clear":
                typer.echo(f"removed {db.clear_cache()} cached entries from {path}")
                return
            stats = db.cache_stats()
            ages = db.cache_ages()
            first_run, last_run = db.run_span()
        now = time.time()
        size = sum(f.stat().st_size for f in path.parent.glob(path.name + "*") if f.is_file())
        ttl = settings.config.cache_ttl_s
        rows = [
            ("store", f"{path} ({_size(size)}; from {settings.source('store')})"),
            ("checks", f"{stats['checks']} fresh, {stats['checks_expired']} expired "
                       f"(reused for {_duration(ttl)})"),
            ("oldest check", _age(now, ages["oldest_check"])),
            ("newest check", _age(now, ages["newest_check"])),
            ("archive answers", str(stats["archive"])),
            ("oldest answer", _age(now, ages["oldest_archive"])),
            ("runs recorded", str(stats["runs"])),
            ("first run", (first_run or "-")[:16].replace("T", " ")),
            ("last run", (last_run or "-")[:16].replace("T", " ")),
        ]
        for key, value in rows:
            typer.echo(f"{key + ':':17} {value}")
    except LinkauditError as exc:
        raise _fail(exc) from None


@app.command("rules", cls=Command)
def rules_command(
    format: Annotated[str, option(F.LIST_FORMAT)] = "table",
    config: Annotated[Path | None, option(F.CONFIG)] = None,
) -> None:
    """List every rule: id, severity (as this project's config sets it) and summary."""
    import json

    from linkaudit.rules import ALL_RULES

    fmt = _choice(F.LIST_FORMAT, format)
    try:
        settings = build_settings(config, {})
    except LinkauditError as exc:
        raise _fail(exc) from None
    cfg = settings.config
    overrides = dict(cfg.severity_overrides)
    rows = []
    for rule in ALL_RULES:
        default = rule.severity.label
        effective = "off" if rule.ident in cfg.disable_rules else overrides.get(rule.ident, default)
        rows.append({"id": rule.ident, "severity": effective, "default_severity": default,
                     "summary": rule.summary, "help_uri": getattr(rule, "help_uri", "")})
    if fmt == "json":
        typer.echo(json.dumps({"config_file": str(settings.file) if settings.file else None,
                               "rules": rows}, indent=2))
        return
    import shutil
    import textwrap

    changed = False
    width = max(60, shutil.get_terminal_size().columns - 1)
    for row in rows:
        mark = "*" if row["severity"] != row["default_severity"] else " "
        changed = changed or mark == "*"
        head = f"{row['id']:24} {row['severity'] + mark:9} "
        typer.echo(textwrap.fill(row["summary"], width, initial_indent=head,
                                 subsequent_indent=" " * len(head)))
    if changed:
        typer.echo(f"\n* set by {settings.file} (default shown by --format json)")


@app.command("config", cls=Command)
def config_command(
    config: Annotated[Path | None, option(F.CONFIG)] = None,
    format: Annotated[str, option(F.LIST_FORMAT)] = "table",
) -> None:
    """Print the settings in force and where each came from.

    From the config file, the environment or the default; `linkaudit audit ... --show-config`
    adds the flags of that command.
    """
    fmt = _choice(F.LIST_FORMAT, format)
    try:
        settings = build_settings(config, {})
    except LinkauditError as exc:
        raise _fail(exc) from None
    _print_settings(settings, fmt)


_SECRET_FIELDS = frozenset({"github_token"})


def _shown(field: str, value: Any) -> str:
    """A setting for display: secrets and header values masked."""
    from linkaudit.report._text import visible

    if value is None:
        return "none"
    if field in _SECRET_FIELDS:
        return "(set)"
    if field == "headers":
        return ", ".join(f"{name}: ***" for name, _ in value) or "none"
    if field == "hosts":
        return ", ".join(name for name, _ in value) or "none"
    return visible(F.show_value(value))


def _print_settings(settings: Settings, fmt: str) -> None:
    """Every setting, its value and its source; as aligned text or JSON."""
    import json

    rows = []
    for item in dataclasses.fields(AuditConfig):
        value = getattr(settings.config, item.name)
        rows.append({"key": F.config_key(item.name), "field": item.name,
                     "value": _shown(item.name, value), "source": settings.source(item.name)})
    if fmt == "json":
        typer.echo(json.dumps({"config_file": str(settings.file) if settings.file else None,
                               "settings": rows}, indent=2))
        return
    where = str(settings.file) if settings.file else "none found (defaults only)"
    typer.echo(f"config file: {where}")
    width = max(len(r["key"]) for r in rows)
    values = min(32, max(len(r["value"]) for r in rows))
    for row in rows:
        typer.echo(f"  {row['key']:{width}}  {row['value']:{values}}  ({row['source']})")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkaudit {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, metavar="",
                     help="Show the version and exit."),
    ] = False,
) -> None:
    """linkaudit: a citation and link-rot auditor."""


def _register_plugins() -> None:
    from linkaudit.health.commands import register

    register(app, Command)


_register_plugins()


def _command_names() -> set[str]:
    return {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}


def _usage_error_types() -> tuple[type[Exception], type[Exception]]:
    """typer's usage and base errors (`UsageError`, `ClickException`). typer vendors click in a
    private module since 0.26, so they are found from the public `typer.BadParameter`."""
    mro = typer.BadParameter.__mro__
    usage = next(c for c in mro if c.__name__ == "UsageError")
    base = next(c for c in mro if c.__name__ == "ClickException")
    return usage, base


_TYPE_WORDS = (("integer", "a whole number"), ("number", "a number"), ("float", "a number"),
               ("bool", "true or false"))


def _param_name(param: Any) -> str:
    """How a parameter is named in an error: its long flag, or an argument's value name."""
    if getattr(param, "param_type_name", "") == "argument":
        return str(getattr(param, "metavar", None) or getattr(param, "name", "")).rstrip(".")
    opts = list(getattr(param, "opts", None) or [])
    longs = [o for o in opts if o.startswith("--")]
    return (longs or opts or [str(getattr(param, "name", ""))])[0]


def _close(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def usage_message(exc: Exception) -> str:
    """One line for a usage error, in the style of the config errors: `--flag: what is wrong`."""
    kind = type(exc).__name__
    message = str(getattr(exc, "message", "") or exc).strip().rstrip(".")
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command", None)
    if kind == "NoSuchOption":
        option_name = str(getattr(exc, "option_name", ""))
        params = getattr(command, "params", [])
        known = [o for p in params for o in (*p.opts, *getattr(p, "secondary_opts", []))]
        return f"{option_name}: no such option" + _close(option_name, known)
    if kind == "NoSuchCommand" or message.startswith("No such command"):
        name = message.split("'")[1] if message.count("'") >= 2 else message
        names = list(getattr(command, "commands", {}) or {})
        return f"{name}: no such command" + _close(name, names)
    if kind == "BadOptionUsage":
        option_name = str(getattr(exc, "option_name", ""))
        if "requires an argument" in message:
            return f"{option_name}: needs a value"
        if "does not take a value" in message:
            return f"{option_name}: takes no value"
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    name = hint if isinstance(hint, str) else (_param_name(param) if param is not None else "")
    if kind == "MissingParameter":
        return f"{name}: missing"
    if "Input should be" in message or "is not a valid" in message:
        for word, plain in _TYPE_WORDS:
            if word in message.lower():
                return f"{name}: expected {plain}"
    if name and not message.startswith(name):
        return f"{name}: {message}"
    return message


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every error is one line, `linkaudit: error: ...`, and a hint."""
    from linkaudit.report._text import visible

    args = _fix_allow_private(list(sys.argv[1:] if argv is None else argv))
    usage_error, click_error = _usage_error_types()
    try:
        status = app(args=args, prog_name="linkaudit", standalone_mode=False)
    except usage_error as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help was printed: nothing to add
            raise SystemExit(int(ExitCode.USAGE)) from None
        err = _err_console()
        err.print(f"linkaudit: error: {visible(usage_message(exc))}", markup=False)
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "linkaudit"
        if command == "linkaudit" and args and args[0] in _command_names():
            command = f"linkaudit {args[0]}"  # an option parse error carries no context
        err.print(f"hint: see `{command} --help`", markup=False)
        raise SystemExit(int(ExitCode.USAGE)) from None
    except click_error as exc:
        _err_console().print(f"linkaudit: error: {visible(str(exc))}", markup=False)
        raise SystemExit(int(getattr(exc, "exit_code", 1))) from None
    except typer.Abort:
        _err_console().print("linkaudit: aborted", markup=False)
        raise SystemExit(int(ExitCode.RUN_ERROR)) from None
    except LinkauditError as exc:  # pragma: no cover - commands translate their own
        raise SystemExit(int(_fail(exc).exit_code)) from None
    except KeyboardInterrupt:
        # A second Ctrl-C, or one outside the audit's own handling (reading, rendering).
        _err_console().print("linkaudit: interrupted", markup=False)
        raise SystemExit(int(ExitCode.INTERRUPTED)) from None
    raise SystemExit(status if isinstance(status, int) else 0)
