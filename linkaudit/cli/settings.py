"""The one way a command gets its settings: `build_settings(config, given)`.

The config file (`[tool.linkaudit]` or `linkaudit.toml`, found upward from the working directory,
or `--config`), the environment and the defaults, then the flags given, which win. A command's
parameters that set a setting are named after the `AuditConfig` field they set (`timeout_s` for
`--timeout`, declared once in `linkaudit.flags`), so `setting_values(locals())` collects them with
no table of names to keep in step. `linkaudit config` and `audit --show-config` print the result.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from linkaudit import flags as F
from linkaudit.cli.common import parse_date
from linkaudit.config import SETTINGS, SETTINGS_BY_NAME, AuditConfig, setting_value
from linkaudit.textsafe import visible

if TYPE_CHECKING:
    from linkaudit.configfile import Settings

ALLOW_ALL = "*"
"""What a bare `--allow-private` (no range) becomes."""

_FIELDS = frozenset(SETTINGS_BY_NAME)
_TUPLES = ("include", "exclude", "remap", "exclude_path", "fallback_extensions")


def fix_allow_private(argv: list[str]) -> list[str]:
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


def setting_values(params: Mapping[str, Any]) -> dict[str, Any]:
    """The settings among a command's parameters (those named after an `AuditConfig` field)
    that were given, as `AuditConfig` values: lists as tuples, `--as-of` as a date,
    `--allow-private` and `--header` parsed. A bad value is a usage error naming the flag."""
    values = {
        k: v for k, v in params.items()
        if k in _FIELDS and v is not None and v != [] and v != ()
    }  # fmt: skip
    for key in _TUPLES:
        if key in values:
            values[key] = tuple(values[key])
    if "as_of" in values and isinstance(values["as_of"], str):
        values["as_of"] = parse_date(values["as_of"], F.AS_OF.name)
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
                    f"{r!r} is not an address range", param_hint=F.ALLOW_PRIVATE.name
                ) from None
        if ranges:
            values["allow_private"] = ranges
    if "headers" in values:
        pairs = []
        for header in values["headers"]:
            name, sep, value = header.partition(":")
            if not sep or not name.strip():
                raise typer.BadParameter(f"{header!r}: use 'Name: value'",
                                         param_hint=F.HEADER.name)
            pairs.append((name.strip(), value.strip()))
        values["headers"] = tuple(pairs)
    return values


def build_settings(config_path: Path | None, given: Mapping[str, Any]) -> Settings:
    """Config file values (found upward from the working directory, or `--config`), then the
    flags `given` (`AuditConfig` field -> value), with where each came from."""
    from linkaudit.configfile import resolve

    return resolve(config_path, dict(given))


def build_config(config_path: Path | None, given: Mapping[str, Any]) -> AuditConfig:
    """`build_settings(...).config`: the settings every command runs with."""
    return build_settings(config_path, given).config


_SECRET_FIELDS = frozenset({"github_token"})


def _shown(field: str, value: Any) -> str:
    """A setting for display: secrets and header values masked."""
    if value is None:
        return "none"
    if field in _SECRET_FIELDS:
        return "(set)"
    if field == "headers":
        return ", ".join(f"{name}: ***" for name, _ in value) or "none"
    if field == "hosts":
        return ", ".join(name for name, _ in value) or "none"
    return visible(F.show_value(value))


def print_settings(settings: Settings, fmt: str) -> None:
    """Every setting, its value and its source; as aligned text or JSON."""
    import json

    rows = []
    for item in SETTINGS:
        value = setting_value(settings.config, item.name)
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
