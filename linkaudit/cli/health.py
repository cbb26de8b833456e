"""`linkaudit report` and `linkaudit fix`: link health over time, and the fixes it suggests.

Both build their settings as every command does (`build_settings`: the project's config file,
then the flags), so `[tool.linkaudit]` (hosts, headers, user agent, private addresses, store,
confirm rule) means the same here as for `audit`.

`fix` runs the audit with `archive=dead` and without recording history: the scheduled workflow
runs `audit` (which records) and then `fix`, and one week must count as one run for the confirm
rule (a config that says `archive = "none"` still gets `dead`: finding copies is the job).
`--dry-run` (the default) prints the diff and exits 0; `--check` prints it and exits 1 when
there is anything to fix (for CI); `--write` applies it. An input that cannot be read exits 3
(after fixing the others), as `audit` does; `--offline` (a flag or the config's) is a usage error
(2): nothing is checked offline, so nothing could be found to fix. A corrupt or foreign store is
`RUN_ERROR` (3) for `report`, and the file is never touched.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from linkaudit import flags as F
from linkaudit.cli.common import check_writable, choice, fail, say, write_output
from linkaudit.cli.settings import build_config, build_settings, setting_values
from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.errors import ConfigError, ExitCode, LinkauditError, StoreError
from linkaudit.fix import FixError, FixStyle, plan_fixes, write_fix
from linkaudit.flags import argument, option
from linkaudit.model import LinkStatus
from linkaudit.report._text import plural
from linkaudit.textsafe import visible
from linkaudit.urls import redact_url


def report(
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
    from linkaudit.health.render import ReportFormat
    from linkaudit.health.report import build_report
    from linkaudit.store import Store

    given = setting_values(locals())
    fmt = ReportFormat(choice(F.REPORT_FORMAT, format))
    check_writable(output, F.OUTPUT.name)
    try:
        cfg = build_settings(config, given).config
        if not cfg.store.path.exists():
            raise StoreError(
                f"{cfg.store.path}: no history yet",
                hint="`linkaudit audit` records every run there (unless --offline, --replay or "
                "--no-history); then run `linkaudit report` again",
            )
        with Store.open(cfg.store.path, create=False) as st:
            health = build_report(st, cfg.health)
        if fmt is ReportFormat.TABLE and output is None:
            from rich.console import Console

            from linkaudit.health.table import print_table

            print_table(health, Console(highlight=False))
            return
        what = (f"{len(health.new)} new, {len(health.persisting)} persisting, "
                f"{len(health.dead)} confirmed dead")
        write_output(fmt.renderer()(health), output, what, quiet)
    except LinkauditError as exc:
        raise fail(exc) from None


def fix(
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
    concurrency: Annotated[int | None, option(F.CONCURRENCY)] = None,
    per_host: Annotated[int | None, option(F.PER_HOST)] = None,
    timeout_s: Annotated[float | None, option(F.TIMEOUT)] = None,
    url_deadline_s: Annotated[float | None, option(F.URL_DEADLINE)] = None,
    retries: Annotated[int | None, option(F.RETRIES)] = None,
    max_redirects: Annotated[int | None, option(F.MAX_REDIRECTS)] = None,
    user_agent: Annotated[str | None, option(F.USER_AGENT)] = None,
    headers: Annotated[list[str] | None, option(F.HEADER)] = None,
    accept: Annotated[str | None, option(F.ACCEPT)] = None,
    use_env_proxy: Annotated[bool | None, option(F.USE_ENV_PROXY)] = None,
    github_token: Annotated[str | None, option(F.GITHUB_TOKEN)] = None,
    insecure: Annotated[bool | None, option(F.INSECURE)] = None,
    include: Annotated[list[str] | None, option(F.INCLUDE)] = None,
    exclude: Annotated[list[str] | None, option(F.EXCLUDE)] = None,
    exclude_path: Annotated[list[str] | None, option(F.EXCLUDE_PATH)] = None,
    archive_rate_per_min: Annotated[int | None, option(F.ARCHIVE_RATE)] = None,
) -> None:
    """Rewrite dead links to their archived copies (and redirects to their targets).

    Numbered references and inline links alike. Prints a diff by default; --write changes the
    files; --check exits 1 when there is something to fix.
    """
    given = setting_values(locals())
    fix_style = FixStyle(choice(F.FIX_STYLE, style))
    if check and not dry_run:
        raise typer.BadParameter("cannot be combined with --write", param_hint=F.CHECK.name)
    try:
        cfg = fix_config(config, given)
        if cfg.network.offline and cfg.network.replay is None:
            # Nothing is checked offline, so "nothing to fix" would be a claim about unchecked
            # links.
            raise ConfigError("fix needs the link checks, and --offline checks nothing",
                              hint="run it with the network, or with --replay FILE")
        from linkaudit.audit import audit  # late, so that a test can put a fake in its place
        from linkaudit.report.summary import exit_code, failure_reason

        result = audit([str(p) for p in paths], cfg)
        for problem in result.problems:
            say(visible(f"linkaudit: {problem.message}"))
        if result.interrupted:
            say("linkaudit: interrupted; no file was changed")
            raise typer.Exit(int(exit_code(result, cfg.report.fail_on)))
        reason = failure_reason(result)
        if reason is not None and not result.documents:
            raise LinkauditError(reason)
        plan = plan_fixes(result, style=fix_style, update_redirects=update_redirects)
        for skipped in plan.skips:
            where = f" [{skipped.reference}]" if skipped.reference else ""
            if not skipped.reference and skipped.url:
                where = f" {redact_url(skipped.url)}"  # an inline link: named by its URL
            # File names and reasons are untrusted text: shown escaped, never obeyed.
            say(visible(f"skip: {skipped.document}{where}: {skipped.reason}"))
        if not plan.files:
            checked = sum(1 for c in result.checks.values() if c.status is not LinkStatus.SKIPPED)
            say(f"nothing to fix ({plural(checked, 'link')} checked)")
            if reason is not None:
                raise LinkauditError(reason)
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
                say(visible(f"linkaudit: error: {exc}"))
                continue
            say(visible(f"fixed {file_fix.path} ({plural(len(file_fix.edits), 'edit')})"))
        verb = "would change" if dry_run else "changed"
        done = len(plan.files) - len(failed)
        say(f"{verb} {plural(done, 'file')}, {plural(plan.edit_count, 'edit')} planned")
        if failed:
            raise FixError(f"{plural(len(failed), 'file')} could not be written (above)")
        if reason is not None:
            # The files that could be read were fixed (or diffed); the unread one fails the run.
            raise LinkauditError(reason)
        if check:
            say("hint: run `linkaudit fix --write` with the same paths to apply them")
            raise typer.Exit(int(ExitCode.FINDINGS))
    except LinkauditError as exc:
        raise fail(exc) from None


def fix_config(config: Path | None, given: dict[str, object]) -> AuditConfig:
    """The settings `fix` runs with: the project's config and the flags, looking up dead links
    in the archive (`archive=dead` at least) and recording no history (the scheduled workflow's
    `audit` already recorded this week's run)."""
    cfg = build_config(config, given)
    archive = ArchiveMode.DEAD if cfg.archive.mode is ArchiveMode.NONE else cfg.archive.mode
    return cfg.replace(archive=archive, history=False)
