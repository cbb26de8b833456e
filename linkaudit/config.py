"""Run options and their defaults, stated once, in small frozen sections.

`AuditConfig` composes the sections (`network`, `store`, `archive`, `links`, `rules`, `report`,
`health`, `scale`); each stage takes the sections it needs (`cfg.network` for the crawl and the
checker, `cfg.report` and `cfg.rules` for the outputs, ...; ARCHITECTURE.md lists them), and
the whole config is held only where the stages are wired together (`linkaudit.audit`,
`linkaudit.cli`). A setting also has one flat name, the config file's key and the flag's field
(`timeout_s`, `--timeout`, `timeout = 5`): `SETTINGS` maps each to its section and attribute,
in the order `linkaudit config` and `docs/config.md` list them, and
`AuditConfig.build(**settings)` / `cfg.replace(**settings)` make a config from flat names (the
config file loader and the flags do). The typer options in `linkaudit.cli` and the config file
loader (`linkaudit.configfile`) both use these names and defaults, so the CLI, the config file and
the library always agree (as lychee exports its defaults "so that the CLI can use the same
defaults as the library").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from linkaudit import __version__

DEFAULT_CONCURRENCY = 64
DEFAULT_PER_HOST = 4
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_URL_DEADLINE_S = 60.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_WAIT_S = 0.5
DEFAULT_RETRY_AFTER_CAP_S = 60.0
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_REDIRECTS = 10
DEFAULT_USER_AGENT = f"linkaudit/{__version__} (+https://github.com/linkaudit/linkaudit)"
DEFAULT_STORE = Path(".linkaudit") / "linkaudit.db"
DEFAULT_CACHE_TTL_S = 24 * 3600
DEFAULT_FAILURE_TTL_S = 3600
DEFAULT_ARCHIVE_URL = "https://web.archive.org"
DEFAULT_ARCHIVE_RATE_PER_MIN = 20
DEFAULT_STALE_AFTER_DAYS = 180
DEFAULT_CONFIRM_RUNS = 3
DEFAULT_CONFIRM_DAYS = 3
DEFAULT_EXCERPT_CHARS = 20_000


class ArchiveMode(StrEnum):
    """Which links are looked up in the archive (`--archive`)."""

    DEAD = "dead"
    """Every link that is not alive."""
    ALL = "all"
    """Every link: dates every source and flags unarchived ones."""
    NONE = "none"
    """No archive lookups."""


class FailOn(StrEnum):
    """The lowest severity that makes the exit code 1 (`--fail-on`)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


class FragmentMode(StrEnum):
    """Which `#fragment`s are checked against their target's anchors (`--check-fragments`)."""

    LOCAL = "local"
    """Links to files of the tree (and to the document's own headings); no page is read for it."""
    ALL = "all"
    """Local ones, and links into remote HTML pages (their ids and names), as lychee's
    `--include-fragments`."""
    NONE = "none"
    """No fragment is checked."""


def parse_statuses(text: str) -> frozenset[int]:
    """`200..299,403` as a set of HTTP statuses.

    Ranges are written as lychee writes them: `A..=B` includes B, `A..B` stops before B (Rust's
    ranges), an open end is 100 or 599 (`..=204`, `500..`), and `A-B` includes B. Raises
    `ValueError` naming the bad piece.
    """
    statuses: set[int] = set()
    for piece in text.replace(" ", "").split(","):
        if not piece:
            continue
        low, high = piece, piece
        inclusive = True
        if "..=" in piece:
            low, _, high = piece.partition("..=")
        elif ".." in piece:
            low, _, high = piece.partition("..")
            inclusive = not high  # `500..` runs to the last status
        elif "-" in piece:
            low, _, high = piece.partition("-")
        if ".." in piece:
            low, high = low or "100", high or "599"
        if not (low.isdigit() and high.isdigit()):
            raise ValueError(f"{piece!r} is not a status or a range like 200..=299")
        first, last = int(low), int(high) - (0 if inclusive else 1)
        if not (100 <= first <= 599 and 100 <= last <= 599) or first > last:
            raise ValueError(f"{piece!r} is not within HTTP statuses 100-599")
        statuses.update(range(first, last + 1))
    return frozenset(statuses)


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """Per-host settings from the config file (`[tool.linkaudit.hosts."example.com"]`)."""

    accept: frozenset[int] = frozenset()
    """Extra HTTP statuses counted as alive for this host (e.g. 403 for a site that blocks bots)."""
    per_host: int | None = None
    """A concurrency limit for this host instead of the global `per_host`."""
    headers: tuple[tuple[str, str], ...] = ()
    """Headers sent to this host only (values already resolved from the environment)."""


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """How requests are made: limits, timeouts, retries, identity, safety, what is checked, and
    where the answers come from (the network, a cassette, or nowhere)."""

    concurrency: int = DEFAULT_CONCURRENCY
    """Requests in flight at once over all hosts."""
    per_host: int = DEFAULT_PER_HOST
    """Requests in flight at once to one host."""
    timeout_s: float = DEFAULT_TIMEOUT_S
    """Timeout of one request (connect + headers + body)."""
    url_deadline_s: float = DEFAULT_URL_DEADLINE_S
    """Total time allowed for one URL, retries and redirects included."""
    retries: int = DEFAULT_MAX_RETRIES
    """Retries of transient failures."""
    retry_wait_s: float = DEFAULT_RETRY_WAIT_S
    """Base of the exponential backoff."""
    retry_after_cap_s: float = DEFAULT_RETRY_AFTER_CAP_S
    """Longest Retry-After honoured; longer ones count as blocked."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Most bytes of a (decompressed) body read for analysis."""
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    """Most redirect hops followed."""
    user_agent: str = DEFAULT_USER_AGENT
    """The User-Agent header."""
    allow_private_all: bool = False
    """`--allow-private` with no range: requests to private addresses are allowed."""
    allow_private: tuple[str, ...] = ()
    """CIDR ranges of private addresses that may be reached (`--allow-private CIDR`)."""
    use_env_proxy: bool = False
    """Honour HTTP(S)_PROXY from the environment (off unless asked)."""
    record: Path | None = None
    """Write every HTTP exchange to this cassette."""
    replay: Path | None = None
    """Answer every HTTP request from this cassette; no network."""
    offline: bool = False
    """No network at all: rules that need pages or archives skip themselves."""
    include: tuple[str, ...] = ()
    """Only URLs matching one of these regular expressions are checked."""
    exclude: tuple[str, ...] = ()
    """URLs matching one of these regular expressions are skipped."""
    hosts: tuple[tuple[str, HostPolicy], ...] = ()
    """Per-host policies, keyed by host name (a leading `.` matches subdomains)."""
    headers: tuple[tuple[str, str], ...] = ()
    """Headers sent to every host (never across a redirect to another host)."""
    github_token: str | None = field(default=None, repr=False)
    """A token sent only to GitHub's hosts, over HTTPS (default: `$LINKAUDIT_GITHUB_TOKEN`, else
    `$GITHUB_TOKEN`)."""
    accept: frozenset[int] = frozenset()
    """HTTP statuses that also count as alive, on every host (`200..=299,403`; 2xx always do)."""
    insecure: bool = False
    """Accept invalid TLS certificates (the report says so)."""

    def host_policy(self, host: str) -> HostPolicy | None:
        """The policy for `host` (exact name, or a `.suffix` entry matching it)."""
        host = host.lower()
        for name, policy in self.hosts:
            name = name.lower()
            if host == name or (name.startswith(".") and host.endswith(name)):
                return policy
        return None


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """The SQLite store: the cache of checks and the run history."""

    path: Path = DEFAULT_STORE
    """The SQLite store (cache and history)."""
    cache: bool = True
    """Use the store's cache of checks."""
    cache_ttl_s: int = DEFAULT_CACHE_TTL_S
    """How long a successful check is reused."""
    failure_ttl_s: int = DEFAULT_FAILURE_TTL_S
    """How long a failed check is reused."""
    history: bool = True
    """Record the run in the store's history."""


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    """The web archive: which links are looked up, where, how fast, and Save Page Now."""

    mode: ArchiveMode = ArchiveMode.DEAD
    """Which links are looked up in the archive."""
    url: str = DEFAULT_ARCHIVE_URL
    """A Wayback-compatible server."""
    rate_per_min: int = DEFAULT_ARCHIVE_RATE_PER_MIN
    """Shared rate limit of every archive call."""
    save_unarchived: bool = False
    """Ask Save Page Now to capture live, never-archived sources."""


@dataclass(frozen=True, slots=True)
class LinksConfig:
    """Local links and inputs: where root-relative links resolve, rewrites, skipped inputs,
    page-name extensions, images, and which `#fragment`s are checked."""

    root_dir: Path | None = None
    """The folder root-relative links (`/docs/x.md`) resolve against (default: the inputs' root)."""
    base_url: str | None = None
    """A site URL that root-relative links resolve against instead (HTML exported from a site)."""
    remap: tuple[str, ...] = ()
    """`'REGEX REPLACEMENT'` rewrites: a URL or path matching REGEX is checked as REPLACEMENT
    (`$1` or `\\1` for groups); the first matching one applies."""
    exclude_path: tuple[str, ...] = ()
    """Inputs to skip: gitignore-style globs matched against the paths as reported."""
    fallback_extensions: tuple[str, ...] = ()
    """Extensions tried, in order, for a local link whose file is missing (`md`: a page-name
    link `Board_Representation` is `Board_Representation.md`, as a wiki reads it)."""
    images: bool = True
    """Check images and badges (`![x](y)`, `<img src>`, `<source srcset>`) like links."""
    check_fragments: FragmentMode = FragmentMode.LOCAL
    """Which `#fragment`s must name an anchor of their target: local files, all (remote HTML
    pages too), or none."""


@dataclass(frozen=True, slots=True)
class RulesConfig:
    """What the rules judge against: the document date, staleness, switched-off rules and
    severities, the baseline, and how much page text they read."""

    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
    """A present-tense claim's source older than this (before the document) is stale."""
    as_of: dt.date | None = None
    """The document date to use when a document has none (or to override it)."""
    disable_rules: frozenset[str] = frozenset()
    """Rule ids switched off."""
    severity_overrides: tuple[tuple[str, str], ...] = ()
    """(rule id, severity) pairs that replace a rule's default severity."""
    baseline: Path | None = None
    """A file of accepted findings that are not reported."""
    excerpt_chars: int = DEFAULT_EXCERPT_CHARS
    """Longest page text excerpt kept for the claim rules."""


@dataclass(frozen=True, slots=True)
class ReportConfig:
    """What the outputs need: the severity that fails the run."""

    fail_on: FailOn = FailOn.ERROR
    """The lowest severity that fails the run."""


@dataclass(frozen=True, slots=True)
class HealthConfig:
    """The history's confirm rule: how many failed runs, over how many days, make a link dead."""

    confirm_runs: int = DEFAULT_CONFIRM_RUNS
    """Failed runs needed before history calls a link dead."""
    confirm_days: int = DEFAULT_CONFIRM_DAYS
    """Days the failed runs must span."""


@dataclass(frozen=True, slots=True)
class ScaleConfig:
    """Where the links are checked: in this process, in worker processes, or on a Dask cluster."""

    workers: int = 1
    """Local worker processes that check the links (`auto`: one per core); 1 checks in process."""
    scheduler: str | None = None
    """A Dask scheduler to check the links on (`tcp://host:8786`), or `local` for a LocalCluster."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its flat name (the config key's field, the flag's field) and its place."""

    name: str
    """The flat name (`timeout_s`)."""
    section: str
    """The `AuditConfig` field holding its section (`network`)."""
    attr: str
    """Its attribute in the section (`timeout_s`; `path` for `store`)."""


SETTINGS: tuple[Setting, ...] = (
    Setting("concurrency", "network", "concurrency"),
    Setting("per_host", "network", "per_host"),
    Setting("timeout_s", "network", "timeout_s"),
    Setting("url_deadline_s", "network", "url_deadline_s"),
    Setting("retries", "network", "retries"),
    Setting("retry_wait_s", "network", "retry_wait_s"),
    Setting("retry_after_cap_s", "network", "retry_after_cap_s"),
    Setting("max_body_bytes", "network", "max_body_bytes"),
    Setting("max_redirects", "network", "max_redirects"),
    Setting("user_agent", "network", "user_agent"),
    Setting("allow_private_all", "network", "allow_private_all"),
    Setting("allow_private", "network", "allow_private"),
    Setting("use_env_proxy", "network", "use_env_proxy"),
    Setting("store", "store", "path"),
    Setting("cache", "store", "cache"),
    Setting("cache_ttl_s", "store", "cache_ttl_s"),
    Setting("failure_ttl_s", "store", "failure_ttl_s"),
    Setting("history", "store", "history"),
    Setting("record", "network", "record"),
    Setting("replay", "network", "replay"),
    Setting("offline", "network", "offline"),
    Setting("archive", "archive", "mode"),
    Setting("archive_url", "archive", "url"),
    Setting("archive_rate_per_min", "archive", "rate_per_min"),
    Setting("save_unarchived", "archive", "save_unarchived"),
    Setting("stale_after_days", "rules", "stale_after_days"),
    Setting("as_of", "rules", "as_of"),
    Setting("fail_on", "report", "fail_on"),
    Setting("include", "network", "include"),
    Setting("exclude", "network", "exclude"),
    Setting("hosts", "network", "hosts"),
    Setting("headers", "network", "headers"),
    Setting("github_token", "network", "github_token"),
    Setting("accept", "network", "accept"),
    Setting("insecure", "network", "insecure"),
    Setting("root_dir", "links", "root_dir"),
    Setting("base_url", "links", "base_url"),
    Setting("remap", "links", "remap"),
    Setting("exclude_path", "links", "exclude_path"),
    Setting("fallback_extensions", "links", "fallback_extensions"),
    Setting("images", "links", "images"),
    Setting("check_fragments", "links", "check_fragments"),
    Setting("disable_rules", "rules", "disable_rules"),
    Setting("severity_overrides", "rules", "severity_overrides"),
    Setting("baseline", "rules", "baseline"),
    Setting("confirm_runs", "health", "confirm_runs"),
    Setting("confirm_days", "health", "confirm_days"),
    Setting("excerpt_chars", "rules", "excerpt_chars"),
    Setting("workers", "scale", "workers"),
    Setting("scheduler", "scale", "scheduler"),
)
"""Every setting, in the order `linkaudit config` and `docs/config.md` list them."""

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
"""`SETTINGS` by flat name."""


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Every option of an audit, in sections; each stage takes its own."""

    network: NetworkConfig = field(default_factory=NetworkConfig)
    """How requests are made."""
    store: StoreConfig = field(default_factory=StoreConfig)
    """The cache and the history."""
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    """The web archive."""
    links: LinksConfig = field(default_factory=LinksConfig)
    """Local links and inputs."""
    rules: RulesConfig = field(default_factory=RulesConfig)
    """What the rules judge against."""
    report: ReportConfig = field(default_factory=ReportConfig)
    """What the outputs need."""
    health: HealthConfig = field(default_factory=HealthConfig)
    """The history's confirm rule."""
    scale: ScaleConfig = field(default_factory=ScaleConfig)
    """Where the links are checked."""

    @classmethod
    def build(cls, **settings: Any) -> AuditConfig:
        """A config with the defaults and `settings` (flat names: `timeout_s=5, store=path`)."""
        return cls().replace(**settings)

    def replace(self, **settings: Any) -> AuditConfig:
        """This config with `settings` (flat names) changed; an unknown name is a `TypeError`."""
        changes: dict[str, dict[str, Any]] = {}
        for name, value in settings.items():
            where = SETTINGS_BY_NAME.get(name)
            if where is None:
                raise TypeError(f"unknown setting {name!r}")
            changes.setdefault(where.section, {})[where.attr] = value
        sections = {
            section: dataclasses.replace(getattr(self, section), **values)
            for section, values in changes.items()
        }
        return dataclasses.replace(self, **sections)


def setting_value(cfg: AuditConfig, name: str) -> Any:
    """The value of the setting `name` (a flat name) in `cfg`, for listing the settings."""
    where = SETTINGS_BY_NAME[name]
    return getattr(getattr(cfg, where.section), where.attr)


def setting_types() -> dict[str, Any]:
    """Each setting's resolved type, by flat name (the keys the config file accepts)."""
    hints = {name: typing.get_type_hints(cls) for name, cls in _SECTION_TYPES.items()}
    return {s.name: hints[s.section][s.attr] for s in SETTINGS}


_SECTION_TYPES: dict[str, type] = {
    "network": NetworkConfig,
    "store": StoreConfig,
    "archive": ArchiveConfig,
    "links": LinksConfig,
    "rules": RulesConfig,
    "report": ReportConfig,
    "health": HealthConfig,
    "scale": ScaleConfig,
}
