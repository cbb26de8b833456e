"""Reading one value of the config file or of a flag: its type, its bounds, `env:` secrets.

`ValueReader.value(field, type, value)` turns a TOML or flag value into the `AuditConfig` field's
type (enums, paths, dates, statuses, per-host tables, rule tables) and raises `ConfigError`
naming the key as written (or the flag) and the file. `linkaudit.configfile` finds and reads the
file and merges it with the flags; this module only judges values.
"""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import re
import types
import typing
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from linkaudit.config import HostPolicy, parse_statuses, setting_types
from linkaudit.errors import FLAG_HINT, ConfigError
from linkaudit.flags import KEY_ALIASES
from linkaudit.local.checker import parse_extensions
from linkaudit.local.remap import parse_remap
from linkaudit.model import Severity

FIELD_TYPES: dict[str, Any] = setting_types()
"""Setting name (`linkaudit.config.SETTINGS`) -> resolved type: the keys the config file accepts."""

_POSITIVE = {"concurrency", "per_host", "timeout_s", "url_deadline_s", "max_redirects",
             "max_body_bytes", "archive_rate_per_min", "confirm_runs", "excerpt_chars"}
_HOST_KEYS = ("accept", "per_host", "headers")


class ValueReader:
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
        if self.path is None:  # a flag
            return ConfigError(f"{label}: {message}", hint=FLAG_HINT)
        return ConfigError(f"{self.path}: {label}: {message}")

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
                raise self.fail(f"{key}.{raw}", "unknown key" + did_you_mean(sub, _HOST_KEYS))
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
                raise self.fail(f"rules.{rule}", "unknown rule" + did_you_mean(rule, known))
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
            disabled, overrides = self.rules(value, known_rule_ids())
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
                what = "not a folder" if path.exists() else "no such folder"
                raise self.fail(key, f"{value}: {what}")
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
            if key == "fallback_extensions":
                try:
                    return parse_extensions(items)
                except ValueError as exc:
                    raise self.fail(key, str(exc)) from None
            return frozenset(items) if origin is frozenset else tuple(items)
        raise self.fail(key, f"unsupported type {kind!r}")  # a new AuditConfig field type


def did_you_mean(key: str, choices: typing.Iterable[str], *, dashes: bool = False) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1)
    if not close:
        return ""
    return f" (did you mean {close[0].replace('_', '-') if dashes else close[0]!r}?)"


def known_rule_ids() -> set[str]:
    """Every rule's id, to check a config's rule names against."""
    from linkaudit.rules import RULES_BY_ID  # late: the rules package is heavy, imports config

    return set(RULES_BY_ID)


def header_table(reader: ValueReader, key: str, value: Any) -> Any:
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


def allow_private_values(reader: ValueReader, key: str, value: Any) -> dict[str, object]:
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


def field_of(key: str) -> str:
    """The `AuditConfig` field a key (as written, dashes or underscores) sets."""
    key = key.replace("-", "_")
    return KEY_ALIASES.get(key, key)
