"""The config file: finding it, reading it, validating every value, and merging it with flags.

`[tool.linkaudit]` in `pyproject.toml` or the top level of a `linkaudit.toml`, found by walking up
from the working directory (a `linkaudit.toml` wins over a `pyproject.toml` in the same directory).
A `linkaudit.toml` holding nothing but a `[tool.linkaudit]` table (copied from a pyproject.toml) is
read as well. Every flag that sets an option is a key of the same name (`timeout = 5`, `per-host`
or `per_host`; `linkaudit.flags`), and every `AuditConfig` field is a key too (`timeout_s`, the
older spelling). `header` takes `"Name: value"` strings like `--header`, `allow-private` takes
`true` (every private address) or a list of CIDR ranges like `--allow-private`. Besides them:

- `hosts`: per-host tables, `[tool.linkaudit.hosts."example.com"]` with `accept = [403]`,
  `per_host = 2` and `headers = {Authorization = "env:MY_TOKEN"}`;
- `rules`: `{"weak-support" = "off", "unarchived" = "warning"}`, i.e. `disable_rules` and
  `severity_overrides` in one table (`"on"` restores a rule's default).

`accept` takes statuses and lychee's ranges (`[403, "200..=299"]` or `"200..=299,403"`); each
`remap` rule and `base_url` are checked as the flags are.

A string value `"env:NAME"` in `headers`, `hosts.*.headers` or `github_token` is read from the
environment variable NAME (so tokens stay out of the file); a missing variable is an error. Paths
(`store`, `record`, `replay`, `baseline`) are relative to the config file's directory. Unknown keys
and bad values raise `ConfigError` with one line naming the key as written and the file (and a
close match for a misspelt key); a bad flag value names the flag (`--timeout: must be positive`).
`resolve` also says where each effective value came from (`linkaudit config`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkaudit.config import AuditConfig
from linkaudit.configvalues import (
    FIELD_TYPES,
    ValueReader,
    allow_private_values,
    did_you_mean,
    field_of,
    header_table,
    known_rule_ids,
)
from linkaudit.errors import ConfigError
from linkaudit.flags import FLAG_FOR_FIELD, KEY_ALIASES

CONFIG_NAMES = ("linkaudit.toml", "pyproject.toml")
"""The files looked for in each directory, in this order."""

_EXTRA_KEYS = ("rules",)



def find_config(start: Path) -> Path | None:
    """The nearest `linkaudit.toml`, or `pyproject.toml` holding `[tool.linkaudit]`, at or above
    `start`; None when there is none. An unreadable pyproject.toml is skipped, not an error."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "linkaudit.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            tool = data.get("tool")
            if isinstance(tool, dict) and "linkaudit" in tool:
                return candidate
    return None


def _table_of(path: Path) -> tuple[Mapping[str, Any], str]:
    """The linkaudit table of `path` and how to name it in messages."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = data.get("tool")
    nested = tool.get("linkaudit") if isinstance(tool, dict) else None
    if path.name == "pyproject.toml":
        table = nested if nested is not None else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.linkaudit] must be a table")
        return table, "[tool.linkaudit]"
    if isinstance(nested, dict) and set(data) == {"tool"} and len(data["tool"]) == 1:
        return nested, "[tool.linkaudit]"  # a pyproject.toml section pasted as it was: fine
    if nested is not None:
        raise ConfigError(
            f"{path}: drop the [tool.linkaudit] header: in linkaudit.toml the keys sit at the "
            "top level (the header belongs in pyproject.toml)"
        )
    return data, "the top level"


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """The validated values of the config file at `path`, keyed by `AuditConfig` field name.

    Only the keys the file sets are present; `environ` (default `os.environ`) resolves `env:`.
    Raises `ConfigError` naming the key and the file for anything unknown or wrong.
    """
    table, where = _table_of(path)
    reader = ValueReader(path, os.environ if environ is None else environ)
    values: dict[str, object] = {}
    written: dict[str, str] = {}
    disabled: frozenset[str] = frozenset()
    overrides: tuple[tuple[str, str], ...] = ()
    for raw, value in table.items():
        key = field_of(raw)
        if key == "rules":
            off, changed = reader.rules(value, known_rule_ids())
            disabled, overrides = disabled | off, (*overrides, *changed)
            continue
        if key not in FIELD_TYPES:
            candidates = [*KEY_ALIASES, *FIELD_TYPES, *_EXTRA_KEYS]
            raise ConfigError(
                f"{path}: unknown key {raw!r} in {where}"
                + did_you_mean(raw.replace("-", "_"), candidates, dashes="-" in raw)
            )
        if key in written:
            raise ConfigError(f"{path}: {raw}: set twice (also as {written[key]!r}); keep one")
        written[key] = raw
        reader.names[key] = raw
        if key == "allow_private":
            values.update(allow_private_values(reader, key, value))
            continue
        if key == "headers":
            value = header_table(reader, key, value)
        converted = reader.value(key, FIELD_TYPES[key], value)
        if key == "disable_rules":
            disabled = disabled | converted
        elif key == "severity_overrides":
            overrides = (*overrides, *converted)
        else:
            values[key] = converted
    if disabled:
        values["disable_rules"] = disabled
    if overrides:
        values["severity_overrides"] = overrides
    return values


def _given(value: object) -> bool:
    """A flag value counts as given unless None or an empty collection (a flag cannot say "empty":
    an unrepeated `--exclude` arrives as `()` and must not wipe the config file's list)."""
    if value is None:
        return False
    return not (isinstance(value, tuple | list | set | frozenset | dict) and not value)


TOKEN_VARIABLE = "LINKAUDIT_GITHUB_TOKEN"
"""The environment variable `github_token` falls back to (the GitHub Action sets it)."""
TOKEN_VARIABLES = (TOKEN_VARIABLE, "GITHUB_TOKEN")
"""Where `github_token` is looked for, in order, when neither a flag nor the file gives it
(`GITHUB_TOKEN` as lychee reads it)."""


DEFAULT_SOURCE = "default"
"""The source of a value nobody set."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The options of a run and where each one came from (`linkaudit config`)."""

    config: AuditConfig
    """The effective options."""
    sources: Mapping[str, str]
    """`AuditConfig` field -> where its value came from: the config file, the flag
    (`--timeout`), the environment variable (`$LINKAUDIT_GITHUB_TOKEN`), or `default`."""
    file: Path | None
    """The config file read, if any."""

    def source(self, field: str) -> str:
        """Where `field`'s value came from."""
        return self.sources.get(field, DEFAULT_SOURCE)


def _merge(
    cfg_values: Mapping[str, object],
    flag_values: Mapping[str, object],
    environ: Mapping[str, str],
    file_label: str,
) -> tuple[AuditConfig, dict[str, str]]:
    names = {field: flag.name for field, flag in FLAG_FOR_FIELD.items()}
    names["allow_private_all"] = "--allow-private"
    reader = ValueReader(None, environ, names)
    merged: dict[str, object] = dict(cfg_values)
    sources = dict.fromkeys(cfg_values, file_label)
    for raw, value in flag_values.items():
        key = field_of(raw)
        if key not in FIELD_TYPES:
            raise ConfigError(f"unknown option {raw!r}" + did_you_mean(key, FIELD_TYPES))
        if _given(value):
            merged[key] = reader.value(key, FIELD_TYPES[key], value)
            sources[key] = names.get(key, "--" + key.replace("_", "-"))
    if merged.get("github_token") is None:
        name = next((name for name in TOKEN_VARIABLES if environ.get(name)), None)
        if name is not None:
            merged["github_token"] = environ[name]
            sources["github_token"] = f"${name}"
    return AuditConfig.build(**merged), sources


def merge(
    cfg_values: Mapping[str, object],
    flag_values: Mapping[str, object],
    environ: Mapping[str, str] | None = None,
) -> AuditConfig:
    """The `AuditConfig` of a run: defaults, then the config file's values, then the flags that
    were given (not None). Flags are validated like config values (a string for an enum is fine)
    and an error names the flag. Flag values are keyed by field or by flag name (`timeout`).
    When neither gives `github_token`, it comes from `$LINKAUDIT_GITHUB_TOKEN`, else
    `$GITHUB_TOKEN`, if set (so a token never has to appear on a command line)."""
    environ = os.environ if environ is None else environ
    return _merge(cfg_values, flag_values, environ, "config file")[0]


def resolve(
    config_path: Path | None,
    flag_values: Mapping[str, object],
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings of a run: `config_path` (or the config file found upwards from `cwd`), then the
    flags; with where each value came from."""
    environ = os.environ if environ is None else environ
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: no such config file")
    path = config_path or find_config(cwd or Path.cwd())
    file_values = load_config(path, environ) if path is not None else {}
    cfg, sources = _merge(file_values, flag_values, environ, str(path))
    return Settings(cfg, sources, path)


__all__ = [
    "CONFIG_NAMES", "FIELD_TYPES", "TOKEN_VARIABLE", "TOKEN_VARIABLES", "Settings", "find_config",
    "load_config", "merge", "resolve",
]
