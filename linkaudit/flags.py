"""Every command-line flag, stated once: name, value name, help, choices, default and config key.

The CLI declares its options from these (`option(flag)`), `--help` shows each one's default and
choices from here, the config file accepts each flag's name as a key (`timeout = 5` sets
`AuditConfig.timeout_s`, whose old name still works), and an error about a value names the flag
(`--timeout: must be positive`). A flag that sets an `AuditConfig` field shows that field's
default, so the help, the config file and the library cannot disagree; flags that are not
settings (`--format`, `--output`) state their default here.

This module does not import typer at import time: the config loader reads the table too.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from linkaudit.config import ArchiveMode, AuditConfig, FailOn, FragmentMode, setting_value


class Panel(StrEnum):
    """The groups of `--help`."""

    OUTPUT = "Output"
    CONFIG = "Configuration"
    NETWORK = "Network"
    LOCAL = "Local links and anchors"
    SAFETY = "Safety"
    ARCHIVE = "Archive"
    STORE = "Cache and history"
    RULES = "Rules"
    CRAWL = "Crawl (with --crawl)"
    SCALE = "Scale"
    FIX = "Fix"


@dataclass(frozen=True, slots=True)
class Flag:
    """One command-line option."""

    name: str
    """The long name, `--timeout`."""
    help: str
    """What it does, one short sentence (choices and the default are added from the fields)."""
    metavar: str = ""
    """The name of its value in `--help` (`SECONDS`); empty for a switch."""
    field: str = ""
    """The `AuditConfig` field it sets; empty when it is not a setting of the run."""
    short: str = ""
    """A one-letter alias (`-f`)."""
    negative: str = ""
    """The switch that turns it off (`--no-cache`), for an on/off pair."""
    choices: tuple[str, ...] = ()
    """The accepted values, when there is a fixed set."""
    default: str = ""
    """The default as `--help` shows it, when it is not the field's default (`stdout`)."""
    panel: Panel = Panel.OUTPUT
    """Its group in `--help`."""
    repeatable: bool = False
    """Given once per value (`--exclude A --exclude B`)."""

    @property
    def key(self) -> str:
        """Its config file key: the flag's name (`per-host`; `per_host` works too)."""
        return self.name.removeprefix("--")

    def shown_default(self) -> str:
        """The default as `--help` shows it."""
        if self.default:
            return self.default
        if self.field:
            return show_value(setting_value(AuditConfig(), self.field))
        return "off" if not self.metavar else "none"

    def help_text(self) -> str:
        """The full help line: what it does, the choices, repeatable, the default."""
        text = self.help.rstrip(".") + "."
        if self.choices:
            text += f" One of: {', '.join(self.choices)}."
        if self.repeatable:
            text += " Repeatable."
        return text

    def check_choice(self, value: str) -> str:
        """`value` if it is one of the choices; else a `ValueError` that lists them."""
        if value in self.choices:
            return value
        lowered = value.strip().lower()
        if lowered in self.choices:
            return lowered
        raise ValueError(f"{value!r} is not one of {', '.join(self.choices)}")


def show_value(value: Any) -> str:
    """A setting's value as `--help` and `linkaudit config` show it."""
    match value:
        case None:
            return "none"
        case bool():
            return "on" if value else "off"
        case float() if value.is_integer():
            return str(int(value))
        case enum.Enum():
            return str(value.value)
        case Path() | dt.date():
            return str(value)
        case tuple() | frozenset() if not value:
            return "none"
        case tuple() | frozenset() if all(type(v) is int for v in value):
            return _int_runs(sorted(value))
        case tuple() | frozenset():
            items = sorted(value) if isinstance(value, frozenset) else value
            return ", ".join(show_value(v) if not isinstance(v, tuple) else f"{v[0]}={v[1]}"
                             for v in items)
        case _:
            return str(value)


def _int_runs(numbers: list[int]) -> str:
    """`200, 201, ... 299, 403` as `200..=299, 403`: a run of three or more in `--accept`'s
    range syntax, so `linkaudit config` shows a status range as it was written."""
    parts: list[str] = []
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{numbers[i]}..={numbers[j]}")
        else:
            parts.extend(str(n) for n in numbers[i:j + 1])
        i = j + 1
    return ", ".join(parts)


def _values(kind: type[enum.Enum]) -> tuple[str, ...]:
    return tuple(str(m.value) for m in kind)


AUDIT_FORMATS = ("table", "json", "markdown", "sarif", "junit", "github", "html")
"""`audit --format` (the values of `linkaudit.report.OutputFormat`; a test keeps them equal)."""

# -- output --------------------------------------------------------------------------------------

FORMAT = Flag("--format", "Report format", "FORMAT", short="-f", choices=AUDIT_FORMATS,
              default="table")
EXTRACT_FORMAT = Flag("--format", "Output format", "FORMAT", short="-f", choices=("table", "json"),
                      default="table")
REPORT_FORMAT = Flag("--format", "Report format", "FORMAT", short="-f",
                     choices=("table", "markdown", "html", "json"), default="table")
LIST_FORMAT = Flag("--format", "Output format", "FORMAT", short="-f", choices=("table", "json"),
                   default="table")
OUTPUT = Flag("--output", "Write the report to this file (- for stdout)", "FILE", short="-o",
              default="stdout")
REPORT = Flag("--report", "Also write FORMAT to PATH, e.g. sarif:linkaudit.sarif", "FORMAT:PATH",
              repeatable=True)
FAIL_ON = Flag("--fail-on", "Exit 1 when a finding is at or above this severity", "SEVERITY",
               field="fail_on", choices=_values(FailOn), panel=Panel.RULES)
QUIET = Flag("--quiet", "Only the findings and the summary: no progress, no problem lines, no "
             "confirmations of files written", short="-q")
VERBOSE = Flag("--verbose", "Also rule skips and every finding of a group", short="-v")
SHOW_CONFIG = Flag("--show-config", "Print the effective settings and where each came from, "
                   "then exit", panel=Panel.CONFIG)

# -- configuration -------------------------------------------------------------------------------

CONFIG = Flag("--config", "Read settings from this file", "FILE", panel=Panel.CONFIG,
              default="linkaudit.toml or pyproject.toml, found upwards")
STORE = Flag("--store", "The SQLite store of cached checks and run history", "PATH",
             field="store", panel=Panel.STORE)

# -- network -------------------------------------------------------------------------------------

OFFLINE = Flag("--offline", "No network at all; rules that need pages skip themselves",
               field="offline", panel=Panel.NETWORK)
REPLAY = Flag("--replay", "Answer every request from this cassette; no network", "CASSETTE",
              field="replay", panel=Panel.NETWORK)
RECORD = Flag("--record", "Save every HTTP exchange to this cassette (vcrpy format)", "CASSETTE",
              field="record", panel=Panel.NETWORK)
CONCURRENCY = Flag("--concurrency", "Requests in flight over all hosts", "N", field="concurrency",
                   panel=Panel.NETWORK)
PER_HOST = Flag("--per-host", "Requests in flight to one host", "N", field="per_host",
                panel=Panel.NETWORK)
TIMEOUT = Flag("--timeout", "Seconds one request may take", "SECONDS", field="timeout_s",
               panel=Panel.NETWORK)
URL_DEADLINE = Flag("--url-deadline", "Seconds one URL may take, retries and redirects included",
                    "SECONDS", field="url_deadline_s", panel=Panel.NETWORK)
RETRIES = Flag("--retries", "Retries of a transient failure (timeout, 429, 5xx)", "N",
               field="retries", panel=Panel.NETWORK)
MAX_BODY = Flag("--max-body", "Most bytes of a page read for analysis", "BYTES",
                field="max_body_bytes", panel=Panel.NETWORK)
MAX_REDIRECTS = Flag("--max-redirects", "Most redirect hops followed", "N", field="max_redirects",
                     panel=Panel.NETWORK)
USER_AGENT = Flag("--user-agent", "The User-Agent header", "TEXT", field="user_agent",
                  panel=Panel.NETWORK, default="linkaudit/VERSION and the project's URL")
HEADER = Flag("--header", "A header for every host (never sent across hosts)",
              "'NAME: VALUE'", field="headers", short="-H", repeatable=True, panel=Panel.NETWORK)
INCLUDE = Flag("--include", "Check only URLs matching this regular expression (with --crawl: "
               "crawl only such pages)", "REGEX", field="include", repeatable=True,
               panel=Panel.NETWORK)
EXCLUDE = Flag("--exclude", "Skip URLs matching this regular expression (with --crawl: do not "
               "crawl such pages)", "REGEX", field="exclude", repeatable=True, panel=Panel.NETWORK)
USE_ENV_PROXY = Flag("--use-env-proxy", "Send requests through HTTP(S)_PROXY",
                     field="use_env_proxy", panel=Panel.NETWORK)
ALLOW_PRIVATE = Flag("--allow-private", "Allow private, loopback and link-local addresses: alone "
                     "for all, or one CIDR range per flag", "[CIDR]", field="allow_private",
                     repeatable=True, panel=Panel.SAFETY)

ACCEPT = Flag("--accept", "HTTP statuses also counted alive, e.g. 200..=299,403 (2xx always are)",
              "STATUSES", field="accept", panel=Panel.NETWORK)
GITHUB_TOKEN = Flag("--github-token", "A token sent to GitHub's hosts only, over HTTPS", "TOKEN",
                    field="github_token", panel=Panel.NETWORK,
                    default="$LINKAUDIT_GITHUB_TOKEN, else $GITHUB_TOKEN")
INSECURE = Flag("--insecure", "Accept invalid TLS certificates (the report says so)",
                field="insecure", panel=Panel.SAFETY)

# -- local links and anchors ---------------------------------------------------------------------

ROOT_DIR = Flag("--root-dir", "Resolve root-relative links (/docs/x.md) in this folder", "DIR",
                field="root_dir", panel=Panel.LOCAL, default="the inputs' root")
BASE_URL = Flag("--base-url", "Resolve root-relative links against this site URL instead", "URL",
                field="base_url", panel=Panel.LOCAL)
REMAP = Flag("--remap", "Check a URL or path matching the regex FROM as TO ($1 for groups)",
             "'FROM TO'", field="remap", repeatable=True, panel=Panel.LOCAL)
FALLBACK_EXTENSIONS = Flag("--fallback-extensions", "Try these extensions for a local link whose "
                          "file is missing (md,html: page-name links)", "EXT,...",
                          field="fallback_extensions", repeatable=True, panel=Panel.LOCAL)
EXCLUDE_PATH = Flag("--exclude-path", "Skip inputs matching this glob (gitignore style)", "GLOB",
                    field="exclude_path", repeatable=True, panel=Panel.LOCAL)
IMAGES = Flag("--images", "Check images and badges like links", field="images",
              negative="--no-images", panel=Panel.LOCAL)
CHECK_FRAGMENTS = Flag("--check-fragments", "Which #fragments must name an anchor of their "
                       "target (all: remote HTML pages too)", "WHICH",
                       field="check_fragments", choices=_values(FragmentMode), panel=Panel.LOCAL)

# -- archive -------------------------------------------------------------------------------------

ARCHIVE = Flag("--archive", "Which links are looked up in the Wayback Machine", "WHICH",
               field="archive", choices=_values(ArchiveMode), panel=Panel.ARCHIVE)
ARCHIVE_URL = Flag("--archive-url", "A Wayback-compatible server", "URL", field="archive_url",
                   panel=Panel.ARCHIVE)
ARCHIVE_RATE = Flag("--archive-rate", "Archive calls per minute, all shared", "N",
                    field="archive_rate_per_min", panel=Panel.ARCHIVE)
SAVE_UNARCHIVED = Flag("--save-unarchived", "Ask Save Page Now to capture live sources it has "
                       "never archived", field="save_unarchived", panel=Panel.ARCHIVE)

# -- cache and history ---------------------------------------------------------------------------

CACHE = Flag("--cache", "Reuse checks from the store", field="cache", negative="--no-cache",
             panel=Panel.STORE)
CACHE_TTL = Flag("--cache-ttl", "Seconds a successful check is reused", "SECONDS",
                 field="cache_ttl_s", panel=Panel.STORE)
HISTORY = Flag("--history", "Record the run for `linkaudit report`", field="history",
               negative="--no-history", panel=Panel.STORE)
CONFIRM_RUNS = Flag("--confirm-runs", "Failed runs before history calls a link dead", "N",
                    field="confirm_runs")
CONFIRM_DAYS = Flag("--confirm-days", "Days those failed runs must span", "DAYS",
                    field="confirm_days")

# -- rules ---------------------------------------------------------------------------------------

STALE_AFTER = Flag("--stale-after", "Days before a source of a present-tense claim is stale",
                   "DAYS", field="stale_after_days", panel=Panel.RULES)
AS_OF = Flag("--as-of", "The documents' date, for those that state none", "YYYY-MM-DD",
             field="as_of", panel=Panel.RULES, default="the date each document states")
BASELINE = Flag("--baseline", "Do not report the findings accepted in this file", "FILE",
                field="baseline", panel=Panel.RULES)
WRITE_BASELINE = Flag("--write-baseline", "Accept every current finding: write them to this file",
                      "FILE", panel=Panel.RULES)

# -- crawl ---------------------------------------------------------------------------------------

CRAWL = Flag("--crawl", "Crawl the site at the one URL given for its articles", panel=Panel.CRAWL)
# The crawl's defaults are `linkaudit.crawl.interface`'s (not imported: that costs the crawler's
# import to every command; a test keeps them equal).
MAX_PAGES = Flag("--max-pages", "Most pages crawled", "N", panel=Panel.CRAWL, default="1000")
DEPTH = Flag("--depth", "Most links followed from the start page", "N", panel=Panel.CRAWL,
             default="3")
SINCE = Flag("--since", "Only pages modified on or after this date", "YYYY-MM-DD",
             panel=Panel.CRAWL, default="any date")
SITEMAP = Flag("--sitemap", "A sitemap to read besides those robots.txt names", "URL",
               repeatable=True, panel=Panel.CRAWL)
FEED = Flag("--feed", "An RSS or Atom feed to read", "URL", repeatable=True, panel=Panel.CRAWL)
RESUME = Flag("--resume", "Continue the last interrupted crawl of this site", panel=Panel.CRAWL)

# -- scale ---------------------------------------------------------------------------------------

WORKERS = Flag("--workers", "Check in N local worker processes, or auto (one per core)", "N|auto",
               field="workers", panel=Panel.SCALE)
SCHEDULER = Flag("--scheduler", "Check on a Dask cluster: tcp://HOST:8786, or local", "ADDRESS",
                 field="scheduler", panel=Panel.SCALE, default="none (this machine)")
PLAN = Flag("--plan", "Print the run's size and predicted time; check nothing", panel=Panel.SCALE)

# -- fix -----------------------------------------------------------------------------------------

FIX_STYLE = Flag("--style", "append keeps the original link and adds the archived one; replace "
                 "swaps it", "STYLE", choices=("append", "replace"), default="append",
                 panel=Panel.FIX)
UPDATE_REDIRECTS = Flag("--update-redirects", "Also point redirected links at their final URL",
                        panel=Panel.FIX)
DRY_RUN = Flag("--dry-run", "Show the diff (--dry-run) or change the files (--write)",
               negative="--write", panel=Panel.FIX, default="--dry-run")
CHECK = Flag("--check", "Show the diff and exit 1 when there are fixes to make (for CI)",
             panel=Panel.FIX)


ALL_FLAGS: tuple[Flag, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Flag))
"""Every flag of this module."""

SETTING_FLAGS: tuple[Flag, ...] = tuple(f for f in ALL_FLAGS if f.field)
"""The flags that set an `AuditConfig` field: each has a config key of its own name."""

FLAG_FOR_FIELD: dict[str, Flag] = {f.field: f for f in SETTING_FLAGS}
"""`AuditConfig` field -> its flag (`timeout_s` -> `--timeout`)."""

KEY_ALIASES: dict[str, str] = {
    f.key.replace("-", "_"): f.field for f in SETTING_FLAGS if f.key.replace("-", "_") != f.field
}
"""Config keys named after a flag that differ from the field they set (`timeout` -> `timeout_s`)."""


def config_key(field: str) -> str:
    """The key a setting is shown under: its flag's name, else the field's (`retry-wait-s`)."""
    flag = FLAG_FOR_FIELD.get(field)
    return flag.key if flag else field.replace("_", "-")


def option(flag: Flag, *, name: str | None = None) -> Any:
    """The typer option of `flag` (its help with the choices and the default, its panel).

    Defaults live in the config, not in typer: the command's parameter defaults to None (or
    False) so that the config file can fill what a flag does not say; the default shown is the
    one the run uses when neither says anything.
    """
    import typer
    from rich.markup import escape

    decls = [flag.name if not flag.negative else f"{flag.name}/{flag.negative}"]
    if flag.short:
        decls.append(flag.short)
    if name:
        decls.insert(0, name)
    text = escape(flag.help_text()) + f" [dim]{escape(f'[default: {flag.shown_default()}]')}[/dim]"
    return typer.Option(
        *decls,
        help=text,
        metavar=flag.metavar,  # "" for a switch: no value type in the help
        show_default=False,
        rich_help_panel=flag.panel.value,
    )


def argument(help_text: str, metavar: str = "PATH...") -> Any:
    """A typer argument taking one or more values (`PATH...`, no Python type shown)."""
    import typer
    from rich.markup import escape

    return typer.Argument(help=escape(help_text), metavar=metavar, show_default=False)


__all__ = ["ALL_FLAGS", "FLAG_FOR_FIELD", "KEY_ALIASES", "SETTING_FLAGS", "Flag", "Panel",
           "argument", "config_key", "option", "show_value"]
