"""The `report` and `fix` commands, registered on the typer app by `linkaudit.cli`.

Both stay thin: they build an `AuditConfig`, call the library (`build_report`, `audit`,
`plan_fixes`, `write_fix`) and print. Errors become one line plus the error's hint on stderr and
an `ExitCode`: a corrupt or foreign store is `RUN_ERROR` (3) and the file is never touched.

`fix` runs the audit with `archive=dead` and without recording history: the scheduled workflow
runs `audit` (which records) and then `fix`, and one week must count as one run for the confirm
rule. `--dry-run` (the default) prints the diff and exits 0; `--write` applies it. An input that
cannot be read exits 3 (after fixing the others), as `audit` does; `--offline` is a usage error
(2): nothing is checked offline, so nothing could be found to fix.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from linkaudit.config import (
    DEFAULT_ARCHIVE_URL,
    DEFAULT_CONFIRM_DAYS,
    DEFAULT_CONFIRM_RUNS,
    DEFAULT_STORE,
    ArchiveMode,
    AuditConfig,
)
from linkaudit.errors import ConfigError, ExitCode, LinkauditError
from linkaudit.health.fix import FixError, FixStyle, plan_fixes, write_fix
from linkaudit.health.report import ReportFormat, build_report
from linkaudit.model import LinkStatus
from linkaudit.report._text import plural, visible
from linkaudit.store import Store


def _fail(exc: LinkauditError) -> typer.Exit:
    """Print `exc` as one line plus its hint and return the matching exit."""
    message = visible(" ".join(str(exc).split()))
    typer.echo(f"linkaudit: error: {message}", err=True)
    if exc.hint:
        typer.echo(f"hint: {exc.hint}", err=True)
    code = ExitCode.USAGE if isinstance(exc, ConfigError) else ExitCode.RUN_ERROR
    return typer.Exit(int(code))


def report_command(
    store: Annotated[Path, typer.Option("--store", help="The history store.")] = DEFAULT_STORE,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.MARKDOWN,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    confirm_runs: Annotated[
        int, typer.Option("--confirm-runs", min=1, help="Failed runs before a link is dead.")
    ] = DEFAULT_CONFIRM_RUNS,
    confirm_days: Annotated[
        int, typer.Option("--confirm-days", min=0, help="Days the failed runs must span.")
    ] = DEFAULT_CONFIRM_DAYS,
) -> None:
    """Link health over time, from the history the audits recorded."""
    cfg = AuditConfig(store=store, confirm_runs=confirm_runs, confirm_days=confirm_days)
    try:
        with Store.open(store, create=False) as st:
            report = build_report(st, cfg)
    except LinkauditError as exc:
        raise _fail(exc) from None
    text = format.renderer()(report)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"linkaudit: error: {output}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(int(ExitCode.RUN_ERROR)) from None


def fix_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to fix.")],
    style: Annotated[
        FixStyle, typer.Option("--style", help="Replace the URL, or append the archived link.")
    ] = FixStyle.APPEND,
    update_redirects: Annotated[
        bool, typer.Option("--update-redirects", help="Point redirects at their target.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--write", help="Show a diff (default), or change the files.")
    ] = True,
    replay: Annotated[
        Path | None, typer.Option("--replay", help="Answer HTTP from this cassette.")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="No network at all.")] = False,
    store: Annotated[Path, typer.Option("--store", help="The store (cache).")] = DEFAULT_STORE,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Document date (YYYY-MM-DD) when it has none.")
    ] = None,
    archive_url: Annotated[
        str, typer.Option("--archive-url", help="A Wayback-compatible server.")
    ] = DEFAULT_ARCHIVE_URL,
    allow_private: Annotated[
        list[str] | None,
        typer.Option("--allow-private", help="Allow this private CIDR (or `all`); repeatable."),
    ] = None,
) -> None:
    """Rewrite dead references to their archived copies (and redirects to their targets)."""
    if offline:
        # Nothing is checked offline, so "nothing to fix" would be a claim about unchecked links.
        typer.echo("linkaudit: error: fix needs the link checks, and --offline checks nothing",
                   err=True)
        typer.echo("hint: run it with the network, or with --replay FILE", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    try:
        cfg = _fix_config(replay, offline, store, as_of, archive_url, allow_private or [])
        from linkaudit.audit import audit  # the lead's pipeline; imported late on purpose
        from linkaudit.report.summary import exit_code, failure_reason

        result = audit([str(p) for p in paths], cfg)
        for problem in result.problems:
            typer.echo(visible(f"linkaudit: {problem.message}"), err=True)
        if result.interrupted:
            typer.echo("linkaudit: interrupted; no file was changed", err=True)
            raise typer.Exit(int(exit_code(result, cfg.fail_on)))
        reason = failure_reason(result)
        if reason is not None and not result.documents:
            typer.echo(f"linkaudit: error: {reason}", err=True)
            raise typer.Exit(int(ExitCode.RUN_ERROR))
        plan = plan_fixes(result, style=style, update_redirects=update_redirects)
        for skipped in plan.skips:
            where = f" [{skipped.reference}]" if skipped.reference else ""
            # File names and reasons are untrusted text: shown escaped, never obeyed.
            line = f"skip: {skipped.document}{where}: {skipped.reason}"
            typer.echo(visible(line), err=True)
        if not plan.files:
            checked = sum(1 for c in result.checks.values() if c.status is not LinkStatus.SKIPPED)
            typer.echo(f"nothing to fix ({plural(checked, 'link')} checked)", err=True)
            if reason is not None:
                typer.echo(f"linkaudit: error: {reason}", err=True)
                raise typer.Exit(int(ExitCode.RUN_ERROR))
            return
        failed: list[FixError] = []
        for file_fix in plan.files:
            if dry_run:
                sys.stdout.write(file_fix.diff())
                continue
            try:
                write_fix(file_fix, paths)
            except FixError as exc:
                # One file that cannot be written must not stop the others.
                failed.append(exc)
                typer.echo(visible(f"linkaudit: error: {exc}"), err=True)
                continue
            typer.echo(
                visible(f"fixed {file_fix.path} ({plural(len(file_fix.edits), 'edit')})"), err=True
            )
        verb = "would change" if dry_run else "changed"
        done = len(plan.files) - len(failed)
        typer.echo(
            f"{verb} {plural(done, 'file')}, {plural(plan.edit_count, 'edit')} planned", err=True
        )
        if failed:
            typer.echo(f"hint: {FixError.hint}", err=True)
            raise typer.Exit(int(ExitCode.RUN_ERROR))
        if reason is not None:
            # The files that could be read were fixed (or diffed); the unread one fails the run.
            typer.echo(f"linkaudit: error: {reason}", err=True)
            raise typer.Exit(int(ExitCode.RUN_ERROR))
    except LinkauditError as exc:
        raise _fail(exc) from None


def _fix_config(
    replay: Path | None,
    offline: bool,
    store: Path,
    as_of: str | None,
    archive_url: str,
    allow_private: list[str],
) -> AuditConfig:
    """The audit config `fix` runs with."""
    date = None
    if as_of:
        try:
            date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ConfigError(f"--as-of {as_of!r}: expected a date YYYY-MM-DD") from None
    allow_all = any(v.strip().lower() in ("all", "*") for v in allow_private)
    return AuditConfig(
        replay=replay,
        offline=offline,
        store=store,
        as_of=date,
        archive_url=archive_url,
        archive=ArchiveMode.DEAD,
        history=False,
        allow_private_all=allow_all,
        allow_private=tuple(v for v in allow_private if v.strip().lower() not in ("all", "*")),
    )


def register(app: typer.Typer) -> None:
    """Add the history commands (`report`, `fix`) to `app`."""
    app.command("report")(report_command)
    app.command("fix")(fix_command)
