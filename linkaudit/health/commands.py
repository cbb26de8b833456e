"""The `report` and `fix` commands, registered on the typer app by `linkaudit.cli`.

Both stay thin: they build an `AuditConfig` from the project's config file and their flags (the
flags of `linkaudit.flags`, as every command), call the library (`build_report`, `audit`,
`plan_fixes`, `write_fix`) and print. Errors become one line plus the error's hint on stderr and
an `ExitCode`: a corrupt or foreign store is `RUN_ERROR` (3) and the file is never touched.

`fix` runs the audit with `archive=dead` and without recording history: the scheduled workflow
runs `audit` (which records) and then `fix`, and one week must count as one run for the confirm
rule (a config that says `archive = "none"` still gets `dead`: finding copies is the job).
`--dry-run` (the default) prints the diff and exits 0; `--check` prints it and exits 1 when
there is anything to fix (for CI); `--write` applies it. An input that cannot be read exits 3
(after fixing the others), as `audit` does; `--offline` (a flag or the config's) is a usage error
(2): nothing is checked offline, so nothing could be found to fix.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from linkaudit import flags as F
from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.errors import ConfigError, ExitCode, LinkauditError, StoreError
from linkaudit.flags import argument, option
from linkaudit.health.fix import FixError, FixStyle, plan_fixes, write_fix
from linkaudit.health.render import ReportFormat
from linkaudit.health.report import build_report
from linkaudit.model import LinkStatus
from linkaudit.report._text import plural, visible
from linkaudit.store import Store
from linkaudit.urls import redact_url


def _fail(exc: LinkauditError) -> typer.Exit:
    """Print `exc` as one line plus its hint and return the matching exit."""
    message = visible(" ".join(str(exc).split()))
    typer.echo(f"linkaudit: error: {message}", err=True)
    if exc.hint:
        typer.echo(f"hint: {exc.hint}", err=True)
    code = ExitCode.USAGE if isinstance(exc, ConfigError) else ExitCode.RUN_ERROR
    return typer.Exit(int(code))


def report_command(
    store: Annotated[Path | None, option(F.STORE)] = None,
    format: Annotated[str, option(F.REPORT_FORMAT)] = "table",
    output: Annotated[Path | None, option(F.OUTPUT)] = None,
    confirm_runs: Annotated[int | None, option(F.CONFIRM_RUNS)] = None,
    confirm_days: Annotated[int | None, option(F.CONFIRM_DAYS)] = None,
    config: Annotated[Path | None, option(F.CONFIG)] = None,
    quiet: Annotated[bool, option(F.QUIET)] = False,
) -> None:
    """Link health over time, from the history the audits recorded.

    What is new since the last run, what persists and since when, what was fixed, flapping links,
    the oldest dead links and rot by domain.
    """
    from linkaudit.cli import _choice, _write_output, build_settings

    fmt = ReportFormat(_choice(F.REPORT_FORMAT, format))
    try:
        cfg = build_settings(
            config, {"store": store, "confirm_runs": confirm_runs, "confirm_days": confirm_days}
        ).config
        if not cfg.store.exists():
            raise StoreError(
                f"{cfg.store}: no history yet",
                hint="`linkaudit audit` records every run there (unless --offline, --replay or "
                "--no-history); then run `linkaudit report` again",
            )
        with Store.open(cfg.store, create=False) as st:
            report = build_report(st, cfg)
    except LinkauditError as exc:
        raise _fail(exc) from None
    if fmt is ReportFormat.TABLE and output is None:
        from rich.console import Console

        from linkaudit.health.table import print_table

        print_table(report, Console(highlight=False))
        return
    what = (f"{len(report.new)} new, {len(report.persisting)} persisting, "
            f"{len(report.dead)} confirmed dead")
    try:
        _write_output(fmt.renderer()(report), output, what, quiet)
    except OSError as exc:
        typer.echo(f"linkaudit: error: {output}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(int(ExitCode.RUN_ERROR)) from None


def fix_command(
    paths: Annotated[list[Path], argument("Files or folders to fix.")],
    style: Annotated[str, option(F.FIX_STYLE)] = "append",
    update_redirects: Annotated[bool, option(F.UPDATE_REDIRECTS)] = False,
    dry_run: Annotated[bool, option(F.DRY_RUN)] = True,
    check: Annotated[bool, option(F.CHECK)] = False,
    replay: Annotated[Path | None, option(F.REPLAY)] = None,
    offline: Annotated[bool | None, option(F.OFFLINE)] = None,
    store: Annotated[Path | None, option(F.STORE)] = None,
    as_of: Annotated[str | None, option(F.AS_OF)] = None,
    archive_url: Annotated[str | None, option(F.ARCHIVE_URL)] = None,
    allow_private: Annotated[list[str] | None, option(F.ALLOW_PRIVATE)] = None,
    config: Annotated[Path | None, option(F.CONFIG)] = None,
) -> None:
    """Rewrite dead links to their archived copies (and redirects to their targets).

    Numbered references and inline links alike. Prints a diff by default; --write changes the
    files; --check exits 1 when there is something to fix.
    """
    from linkaudit.cli import _choice, _flag_values, _parse_date

    fix_style = FixStyle(_choice(F.FIX_STYLE, style))
    if check and not dry_run:
        raise typer.BadParameter("cannot be combined with --write", param_hint=F.CHECK.name)
    try:
        cfg = _fix_config(config, _flag_values(
            replay=replay, offline=offline, store=store,
            as_of=_parse_date(as_of, F.AS_OF.name), archive_url=archive_url,
            allow_private=allow_private,
        ))
        if cfg.offline and cfg.replay is None:
            # Nothing is checked offline, so "nothing to fix" would be a claim about unchecked
            # links.
            typer.echo("linkaudit: error: fix needs the link checks, and --offline checks "
                       "nothing", err=True)
            typer.echo("hint: run it with the network, or with --replay FILE", err=True)
            raise typer.Exit(int(ExitCode.USAGE))
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
        plan = plan_fixes(result, style=fix_style, update_redirects=update_redirects)
        for skipped in plan.skips:
            where = f" [{skipped.reference}]" if skipped.reference else ""
            if not skipped.reference and skipped.url:
                where = f" {redact_url(skipped.url)}"  # an inline link: named by its URL
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
        if check:
            typer.echo("hint: run `linkaudit fix --write` with the same paths to apply them",
                       err=True)
            raise typer.Exit(int(ExitCode.FINDINGS))
    except LinkauditError as exc:
        raise _fail(exc) from None


def _fix_config(config: Path | None, flags: dict[str, object]) -> AuditConfig:
    """The audit config `fix` runs with: the project's config and the flags, looking up dead links
    in the archive (`archive=dead` at least) and recording no history (the scheduled workflow's
    `audit` already recorded this week's run)."""
    from linkaudit.cli import build_config

    cfg = build_config(config, flags)
    archive = ArchiveMode.DEAD if cfg.archive is ArchiveMode.NONE else cfg.archive
    return dataclasses.replace(cfg, archive=archive, history=False)


def register(app: typer.Typer, command_class: type[TyperCommand] = TyperCommand) -> None:
    """Add the history commands (`report`, `fix`) to `app`, as `command_class` commands."""
    app.command("report", cls=command_class)(report_command)
    app.command("fix", cls=command_class)(fix_command)
