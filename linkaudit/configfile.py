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

import dataclasses
import datetime as dt
import difflib
import ipaddress
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from linkaudit.config import AuditConfig, HostPolicy, parse_statuses
from linkaudit.errors import ConfigError
from linkaudit.flags import FLAG_FOR_FIELD, KEY_ALIASES
from linkaudit.local.remap import parse_remap
from linkaudit.model import Severity

CONFIG_NAMES = ("linkaudit.toml", "pyproject.toml")
"""The files looked for in each directory, in this order."""

FIELD_TYPES: dict[str, Any] = typing.get_type_hints(AuditConfig)
"""`AuditConfig` field name -> resolved type: the keys the config file accepts."""

_POSITIVE = {"concurrency", "per_host", "timeout_s", "url_deadline_s", "max_redirects",
             "max_body_bytes", "archive_rate_per_min", "confirm_runs", "excerpt_chars"}
_EXTRA_KEYS = ("rules",)
_HOST_KEYS = ("accept", "per_host", "headers")


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


class _Reader:
    """Validation of one file's values; every error names the key and the file."""

    def __init__(
        self, path: Path | None, environ: Mapping[str, str], names: Mapping[str, str] | None = None
    ) -> None:
        self.path = path
        """The config file; None for values from the command line."""
        self.environ = environ
        self.names = dict(names or {})
        """How a field is named in messages: the key as written, or the flag."""

    def fail(self, key: str, message: str) -> ConfigError:
        """The error for `key` (raise it): `file: key: message`, or `--flag: message`."""
        head, dot, rest = key.partition(".")
        label = self.names.get(head, head) + dot + rest
        where = f"{self.path}: " if self.path else ""
        return ConfigError(f"{where}{label}: {message}")

    def env(self, key: str, value: str) -> str:
        if not value.startswith("env:"):
            return value
        name = value[4:]
        if name not in self.environ:
            raise self.fail(key, f"environment variable {name} is not set")
        return self.environ[name]

    def headers(self, key: str, value: Any) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table of header names to strings")
        out = []
        for name, text in value.items():
            if not isinstance(text, str) or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
                raise self.fail(f"{key}.{name}", "expected a header name and a string value")
            resolved = self.env(f"{key}.{name}", text)
            if "\n" in resolved or "\r" in resolved:
                raise self.fail(f"{key}.{name}", "a header value cannot hold a line break")
            out.append((name, resolved))
        return tuple(out)

    def host(self, name: str, value: Any) -> HostPolicy:
        key = f"hosts.{name}"
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table (accept, per_host, headers)")
        accept: frozenset[int] = frozenset()
        per_host: int | None = None
        headers: tuple[tuple[str, str], ...] = ()
        for raw, item in value.items():
            sub = raw.replace("-", "_")
            if sub == "accept":
                if not isinstance(item, list) or not all(
                    isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599
                    for s in item
                ):
                    raise self.fail(f"{key}.accept", "expected a list of HTTP statuses (100-599)")
                accept = frozenset(item)
            elif sub == "per_host":
                if not isinstance(item, int) or isinstance(item, bool) or item < 1:
                    raise self.fail(f"{key}.per_host", "expected a positive integer")
                per_host = item
            elif sub == "headers":
                headers = self.headers(f"{key}.headers", item)
            else:
                raise self.fail(f"{key}.{raw}", "unknown key" + _did_you_mean(sub, _HOST_KEYS))
        return HostPolicy(accept=accept, per_host=per_host, headers=headers)

    def statuses(self, key: str, value: Any) -> frozenset[int]:
        """`accept`: a list of statuses (100-599) or ranges, or one string `200..=299,403`."""
        if isinstance(value, frozenset | set):
            value = sorted(value)
        items = value if isinstance(value, list | tuple) else [value]
        found: set[int] = set()
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str):
                raise self.fail(key, f"expected statuses like [403] or '200..=299,403': {item!r}")
            try:
                found |= parse_statuses(item)
            except ValueError as exc:
                raise self.fail(key, str(exc)) from None
        return frozenset(found)

    def rules(
        self, value: Any, known: set[str]
    ) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
        if not isinstance(value, dict):
            raise self.fail("rules", 'expected a table like {"weak-support" = "off"}')
        disabled: set[str] = set()
        overrides: list[tuple[str, str]] = []
        for rule, setting in value.items():
            if known and rule not in known:
                raise self.fail(f"rules.{rule}", "unknown rule" + _did_you_mean(rule, known))
            if not isinstance(setting, str):
                raise self.fail(f"rules.{rule}", "expected off, on, error, warning or info")
            word = setting.strip().lower()
            if word == "off":
                disabled.add(rule)
            elif word == "on":
                continue
            else:
                try:
                    overrides.append((rule, Severity.parse(word).label))
                except ValueError:
                    raise self.fail(
                        f"rules.{rule}", f"{setting!r} is not off, on, error, warning or info"
                    ) from None
        return frozenset(disabled), tuple(overrides)

    def value(self, key: str, kind: Any, value: Any) -> Any:
        """`value` checked (and converted) against the `AuditConfig` field type `kind`."""
        origin = typing.get_origin(kind)
        args = typing.get_args(kind)
        if key == "hosts":
            if not isinstance(value, dict):
                raise self.fail(key, 'expected tables like [tool.linkaudit.hosts."example.com"]')
            return tuple((name, self.host(name, item)) for name, item in value.items())
        if key in ("workers", "scheduler"):
            from linkaudit.scale.run import parse_scheduler, parse_workers

            try:
                return parse_workers(value) if key == "workers" else (
                    None if value is None else parse_scheduler(value)
                )
            except ConfigError as exc:
                raise self.fail(key, str(exc).partition(": ")[2]) from None
        if key == "headers":
            if isinstance(value, tuple):
                return value
            return self.headers(key, value)
        if key == "accept":
            return self.statuses(key, value)
        if key == "base_url" and value is not None:
            if not isinstance(value, str) or not value.lower().startswith(("http://", "https://")):
                raise self.fail(key, f"expected an http(s) URL, got {value!r}")
            return value
        if key == "severity_overrides":
            if isinstance(value, tuple):  # from flags or the library: still checked
                for rule, severity in value:
                    try:
                        Severity.parse(str(severity))
                    except ValueError:
                        raise self.fail(
                            f"{key}.{rule}", f"{severity!r} is not a severity"
                        ) from None
                return value
            disabled, overrides = self.rules(value, _known_rule_ids())
            if disabled:  # never dropped in silence: `off` belongs under `rules`
                raise self.fail(
                    key, f"'off' is not a severity; switch {', '.join(sorted(disabled))} off "
                    "under `rules` instead"
                )
            return overrides
        if origin in (typing.Union, types.UnionType) and type(None) in args:
            if value is None:
                return None
            (inner,) = [a for a in args if a is not type(None)]
            return self.value(key, inner, value)
        if kind is bool:
            if not isinstance(value, bool):
                raise self.fail(key, f"expected true or false, got {value!r}")
            return value
        if kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.fail(key, f"expected an integer, got {value!r}")
            if value < (1 if key in _POSITIVE else 0):
                raise self.fail(key, f"must be {'positive' if key in _POSITIVE else '>= 0'}")
            return value
        if kind is float:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise self.fail(key, f"expected a number, got {value!r}")
            if value < 0 or (key in _POSITIVE and value == 0):
                raise self.fail(key, f"must be {'positive' if key in _POSITIVE else '>= 0'}")
            return float(value)
        if kind is str:
            if not isinstance(value, str):
                raise self.fail(key, f"expected a string, got {value!r}")
            return self.env(key, value) if key == "github_token" else value
        if kind is Path:
            if isinstance(value, Path):
                path = value
            elif not isinstance(value, str) or not value:
                raise self.fail(key, f"expected a path, got {value!r}")
            else:
                path = Path(value).expanduser()
                if not path.is_absolute() and self.path is not None:
                    path = self.path.parent / path  # a flag's path is the working directory's
            if key == "root_dir" and not path.is_dir():
                raise self.fail(key, f"{value}: no such folder")
            return path
        if kind is dt.date:
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            try:
                return dt.date.fromisoformat(str(value))
            except ValueError:
                raise self.fail(key, f"expected a date (YYYY-MM-DD), got {value!r}") from None
        if isinstance(kind, type) and issubclass(kind, Enum):
            if isinstance(value, kind):
                return value
            try:
                return kind(str(value).lower())
            except ValueError:
                choices = ", ".join(m.value for m in kind)
                raise self.fail(key, f"{value!r} is not one of {choices}") from None
        if origin in (tuple, frozenset) and args and args[0] is str:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list | tuple | set | frozenset) or not all(
                isinstance(i, str) for i in items
            ):
                raise self.fail(key, "expected a list of strings")
            if key in ("include", "exclude"):
                for pattern in items:
                    try:
                        re.compile(pattern)
                    except re.error as exc:
                        raise self.fail(key, f"bad regular expression {pattern!r}: {exc}") from None
            if key == "remap":
                for spec in items:
                    try:
                        parse_remap(spec)
                    except ValueError as exc:
                        raise self.fail(key, str(exc)) from None
            return frozenset(items) if origin is frozenset else tuple(items)
        raise self.fail(key, f"unsupported type {kind!r}")  # a new AuditConfig field type


def _did_you_mean(key: str, choices: typing.Iterable[str], *, dashes: bool = False) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1)
    if not close:
        return ""
    return f" (did you mean {close[0].replace('_', '-') if dashes else close[0]!r}?)"


def _known_rule_ids() -> set[str]:
    try:
        from linkaudit.rules import ALL_RULES  # type: ignore[import-untyped,import-not-found,attr-defined,unused-ignore]
    except Exception:  # noqa: BLE001 - without the rules package any id is accepted
        return set()
    return {str(getattr(rule, "ident", "")) for rule in ALL_RULES} - {""}


def _header_table(reader: _Reader, key: str, value: Any) -> Any:
    """`header = ["Name: value", ...]` (the flag's form) as the table `headers` takes."""
    if not isinstance(value, list):
        return value
    table: dict[str, str] = {}
    for item in value:
        name, sep, text = str(item).partition(":") if isinstance(item, str) else ("", "", "")
        if not sep or not name.strip():
            raise reader.fail(key, f"{item!r}: use 'Name: value'")
        table[name.strip()] = text.strip()
    return table


def _allow_private(reader: _Reader, key: str, value: Any) -> dict[str, object]:
    """`allow-private`: true for every private address, or a list of CIDR ranges (`"*"` for all),
    as the flag takes them."""
    if isinstance(value, bool):
        return {"allow_private_all": value}
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise reader.fail(key, "expected true, false or a list of CIDR ranges")
    everything = any(i.strip().lower() in ("*", "all") for i in items)
    ranges = tuple(i for i in items if i.strip().lower() not in ("*", "all"))
    for cidr in ranges:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise reader.fail(key, f"{cidr!r} is not an address range") from None
    out: dict[str, object] = {"allow_private": ranges} if ranges else {}
    if everything:
        out["allow_private_all"] = True
    return out


def _field_of(key: str) -> str:
    """The `AuditConfig` field a key (as written, dashes or underscores) sets."""
    key = key.replace("-", "_")
    return KEY_ALIASES.get(key, key)


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """The validated values of the config file at `path`, keyed by `AuditConfig` field name.

    Only the keys the file sets are present; `environ` (default `os.environ`) resolves `env:`.
    Raises `ConfigError` naming the key and the file for anything unknown or wrong.
    """
    table, where = _table_of(path)
    reader = _Reader(path, os.environ if environ is None else environ)
    values: dict[str, object] = {}
    written: dict[str, str] = {}
    disabled: frozenset[str] = frozenset()
    overrides: tuple[tuple[str, str], ...] = ()
    for raw, value in table.items():
        key = _field_of(raw)
        if key == "rules":
            off, changed = reader.rules(value, _known_rule_ids())
            disabled, overrides = disabled | off, (*overrides, *changed)
            continue
        if key not in FIELD_TYPES:
            candidates = [*KEY_ALIASES, *FIELD_TYPES, *_EXTRA_KEYS]
            raise ConfigError(
                f"{path}: unknown key {raw!r} in {where}"
                + _did_you_mean(raw.replace("-", "_"), candidates, dashes="-" in raw)
            )
        if key in written:
            raise ConfigError(f"{path}: {raw}: set twice (also as {written[key]!r}); keep one")
        written[key] = raw
        reader.names[key] = raw
        if key == "allow_private":
            values.update(_allow_private(reader, key, value))
            continue
        if key == "headers":
            value = _header_table(reader, key, value)
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
    reader = _Reader(None, environ, names)
    merged: dict[str, object] = dict(cfg_values)
    sources = dict.fromkeys(cfg_values, file_label)
    for raw, value in flag_values.items():
        key = _field_of(raw)
        if key not in FIELD_TYPES:
            raise ConfigError(f"unknown option {raw!r}" + _did_you_mean(key, FIELD_TYPES))
        if _given(value):
            merged[key] = reader.value(key, FIELD_TYPES[key], value)
            sources[key] = names.get(key, "--" + key.replace("_", "-"))
    if merged.get("github_token") is None:
        name = next((name for name in TOKEN_VARIABLES if environ.get(name)), None)
        if name is not None:
            merged["github_token"] = environ[name]
            sources["github_token"] = f"${name}"
    return dataclasses.replace(AuditConfig(), **merged), sources  # type: ignore[arg-type]


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
