"""`linkaudit cache`, `linkaudit rules` and `linkaudit config`: what the store holds, the rules
as this project's config sets them, and the settings in force with where each came from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkaudit import flags as F
from linkaudit.cli.common import choice, fail
from linkaudit.cli.settings import build_settings, print_settings
from linkaudit.errors import LinkauditError
from linkaudit.flags import option

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

    action = choice(CACHE_ACTION, action)
    try:
        settings = build_settings(config, {"store": store})
        path = settings.config.store.path
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
        ttl = settings.config.store.cache_ttl_s
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
        raise fail(exc) from None


def rules_command(
    format: Annotated[str, option(F.LIST_FORMAT)] = "table",
    config: Annotated[Path | None, option(F.CONFIG)] = None,
) -> None:
    """List every rule: id, severity (as this project's config sets it) and summary."""
    import json

    from linkaudit.rules import ALL_RULES

    fmt = choice(F.LIST_FORMAT, format)
    try:
        settings = build_settings(config, {})
    except LinkauditError as exc:
        raise fail(exc) from None
    cfg = settings.config
    overrides = dict(cfg.rules.severity_overrides)
    rows = []
    for rule in ALL_RULES:
        default = rule.severity.label
        off = rule.ident in cfg.rules.disable_rules
        effective = "off" if off else overrides.get(rule.ident, default)
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


def config_command(
    config: Annotated[Path | None, option(F.CONFIG)] = None,
    format: Annotated[str, option(F.LIST_FORMAT)] = "table",
) -> None:
    """Print the settings in force and where each came from.

    From the config file, the environment or the default; `linkaudit audit ... --show-config`
    adds the flags of that command.
    """
    fmt = choice(F.LIST_FORMAT, format)
    try:
        settings = build_settings(config, {})
    except LinkauditError as exc:
        raise fail(exc) from None
    print_settings(settings, fmt)
