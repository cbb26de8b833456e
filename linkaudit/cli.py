"""The command line: a thin face over `linkaudit.audit` and the report formats.

Flags default to None so that the config file (`[tool.linkaudit]` or `linkaudit.toml`) fills
what a flag does not say; flags win. Errors become one line plus a hint, and an exit code from
`ExitCode`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import ipaddress
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from linkaudit import __version__
from linkaudit.config import ArchiveMode, AuditConfig, FailOn
from linkaudit.errors import ConfigError, ExitCode, LinkauditError
from linkaudit.model import AuditResult, LinkCheck, LinkStatus, Problem

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
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    os.replace(tmp, output)


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
    from linkaudit.report.extract import extract_json, render_extract_table

    if format not in ("table", "json"):
        raise typer.BadParameter("choose table or json", param_hint="--format")
    when = _parse_date(as_of, "--as-of")
    collected = collect(paths, stdin=sys.stdin.buffer)
    documents = [extract_document(s, as_of=when) for s in collected.sources]
    problems = list(collected.problems)
    problems += [
        Problem("url-input", f"{u}: URL inputs need the network; use `linkaudit audit`", origin=u)
        for u in collected.urls
    ]
    _say_problems(problems, quiet)
    if format == "json":
        _write_output(json.dumps(extract_json(documents, problems), indent=2), output)
    elif output is not None:
        buffer = io.StringIO()
        render_extract_table(documents, Console(file=buffer, width=160, no_color=True))
        _write_output(buffer.getvalue(), output)
    else:
        render_extract_table(documents, Console(highlight=False))
    if not documents:
        raise typer.Exit(int(ExitCode.RUN_ERROR))


# -- audit -----------------------------------------------------------------------------------


class RichProgress:
    """A progress bar on stderr: documents, URLs done/total, counts per class, rate."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("reading", total=None, counts="", rate="")
        self._counts: dict[LinkStatus, int] = {}
        self._docs = 0
        self._done = 0
        self._t0 = 0.0

    def __enter__(self) -> RichProgress:
        import time

        self._t0 = time.monotonic()
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def stage(self, name: str) -> None:
        """Show the stage."""
        label = {"check": f"{self._docs} docs, checking"}.get(name, name)
        self._progress.update(self._task, description=label)

    def documents(self, count: int) -> None:
        """Remember the document count."""
        self._docs = count

    def urls(self, total: int) -> None:
        """Set the bar's total."""
        self._progress.update(self._task, total=total)

    def checked(self, check: LinkCheck) -> None:
        """Advance the bar."""
        import time

        self._done += 1
        self._counts[check.status] = self._counts.get(check.status, 0) + 1
        counts = " ".join(f"{s.value}:{n}" for s, n in sorted(self._counts.items()))
        rate = self._done / max(time.monotonic() - self._t0, 1e-6)
        self._progress.update(self._task, advance=1, counts=counts, rate=f"{rate:.0f}/s")


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
    for key in ("include", "exclude"):
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
    crawl: Annotated[bool, typer.Option("--crawl", help="Crawl the site for articles.")] = False,
    max_pages: Annotated[int | None, typer.Option(help="Crawl: most pages.")] = None,
    depth: Annotated[int | None, typer.Option(help="Crawl: link depth.")] = None,
    since: Annotated[str | None, typer.Option(help="Crawl: only pages since this date.")] = None,
    sitemap: Annotated[list[str] | None, typer.Option(help="Crawl: a sitemap URL.")] = None,
    feed: Annotated[list[str] | None, typer.Option(help="Crawl: a feed URL.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Crawl: continue the last.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no problems.")] = False,
) -> None:
    """Check every cited URL, find archived copies, and flag what the sources cannot support."""
    from linkaudit.audit import audit as run
    from linkaudit.report import OutputFormat
    from linkaudit.report.summary import exit_code

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
        crawl_options = None
        if crawl:
            crawl_options = _crawl_options(
                paths, max_pages, depth, since, sitemap, feed, resume, *crawl_scope
            )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    except LinkauditError as exc:
        raise _fail(exc) from None

    err = _err_console()
    # The bar is drawn on stderr, so it never mixes with a format written to stdout.
    show_progress = not quiet and err.is_terminal
    try:
        if show_progress:
            with RichProgress(err) as bar:
                result = run(paths, cfg, progress=bar, stdin=sys.stdin.buffer, crawl=crawl_options)
        else:
            result = run(paths, cfg, stdin=sys.stdin.buffer, crawl=crawl_options)
    except LinkauditError as exc:
        raise _fail(exc) from None

    _say_problems(result.problems, quiet)
    if write_baseline is not None:
        from linkaudit.ignore import write_baseline as write

        count = write(write_baseline, result.findings)
        err.print(f"linkaudit: {count} findings accepted in {write_baseline}", markup=False)
    _emit(result, cfg, fmt, output, extra)
    if result.interrupted:
        err.print("linkaudit: interrupted; the report shows what was checked", markup=False)
    if not result.documents and result.site is None:
        # Nothing could be read. A crawl that found no page with references did run: its site
        # view is the report, and the exit code follows the findings (none) as usual.
        raise typer.Exit(int(ExitCode.RUN_ERROR))
    if fmt is OutputFormat.SARIF:
        # Code scanning uploads must still run when there are findings (as zizmor does).
        raise typer.Exit(int(ExitCode.OK))
    raise typer.Exit(int(exit_code(result, cfg.fail_on)))


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
    result: AuditResult, cfg: AuditConfig, fmt: Any, output: Path | None, extra: list[Any]
) -> None:
    """Write the main format to stdout (or `--output`) and each `--report` file."""
    from linkaudit.report import OutputFormat, render_table

    if fmt is OutputFormat.TABLE and output is None:
        render_table(result, cfg, Console(highlight=False))
    else:
        # Files get every format as plain text (the table without colour), written atomically.
        _write_report(result, fmt, cfg, output)
    for extra_fmt, path in extra:
        _write_report(result, extra_fmt, cfg, path)


def _write_report(result: AuditResult, fmt: Any, cfg: AuditConfig, output: Path | None) -> None:
    """`report.write` to `output` atomically (a crash leaves the old file), or to stdout."""
    from linkaudit.report import write

    if output is None or str(output) == "-":
        write(result, fmt, cfg, sys.stdout)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            write(result, fmt, cfg, fh)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, output)


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
