"""The core values of linkaudit: what every stage takes in and gives out.

All values are frozen dataclasses. A broken link, a missing date or an unreadable file is *data*
(a `LinkCheck` with a status, a `Problem`), never an exception: exceptions are kept for the run
itself failing (see `linkaudit.errors`).

The pipeline is `Document` (extract) -> `LinkCheck` (check) -> `ArchiveLookup` (archive)
-> `Finding` (rules) -> report. `AuditResult` holds one run of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, assert_never
from urllib.parse import urlsplit


class DocFormat(StrEnum):
    """The format a document was read as."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


class DateOrigin(StrEnum):
    """Where a date (of a document or of a source) was found. The JSON uses these values."""

    DATELINE = "dateline"
    """A visible dateline in the text (`Monday, Sep 1, 2025 10:46 am ET`)."""
    FRONT_MATTER = "front-matter"
    """Markdown front matter (`date:`)."""
    HTML_META = "html-meta"
    """An HTML meta tag (`article:published_time`, `og:published_time`, ...)."""
    JSON_LD = "json-ld"
    """JSON-LD `datePublished` / `dateModified`."""
    TIME_TAG = "time-tag"
    """An HTML `<time datetime>` element."""
    URL_PATH = "url-path"
    """A date in the URL path (`/2024/09/17/`)."""
    ARCHIVE_FIRST_CAPTURE = "archive-first-capture"
    """The first Wayback capture: the page existed no later than this ("no later than")."""
    AS_OF = "as-of"
    """Given by the user with `--as-of`."""
    HTTP_HEADER = "http-header"
    """`Last-Modified` (only ever used as a modified date)."""
    PAGE_TEXT = "page-text"
    """Heuristics on the page text (htmldate's extensive search)."""


@dataclass(frozen=True, slots=True)
class DatedFact:
    """A date together with where it came from."""

    value: dt.date
    """The calendar date."""
    origin: DateOrigin
    """Where it was found."""
    detail: str = ""
    """What exactly was read (the meta tag name, the dateline as written, ...)."""
    upper_bound: bool = False
    """True when the date only bounds the truth from above ("published no later than")."""


class ProblemKind(StrEnum):
    """The closed set of kinds of `Problem`. The JSON uses the values."""

    # Inputs (`linkaudit.inputs`, the article URLs of `linkaudit.audit`).
    MISSING = "missing"
    """An input named (or a file of a folder) does not exist."""
    BROKEN_SYMLINK = "broken-symlink"
    """A symbolic link to nothing."""
    SYMLINK_LOOP = "symlink-loop"
    """A link loop, or a folder reached again through a link."""
    UNREADABLE = "unreadable"
    """Permission denied, an I/O error, standard input that could not be read."""
    NOT_A_FILE = "not-a-file"
    """A device or socket named as an input."""
    TOO_LARGE = "too-large"
    """Over the size limit, skipped."""
    EMPTY = "empty"
    """An empty file, skipped."""
    BINARY = "binary"
    """NUL bytes or control characters: not text, skipped."""
    DECODE = "decode"
    """Not text in any known encoding, or invalid bytes replaced."""
    MIXED_ENCODING = "mixed-encoding"
    """Lines in another encoding than the rest, read as cp1252."""
    URL_INPUT = "url-input"
    """A URL given to a command that does not use the network (`extract`)."""
    FETCH = "fetch"
    """An article URL given as input could not be fetched."""
    OFFLINE = "offline"
    """An article URL given as input, with `--offline`."""
    # Extraction (`linkaudit.extract`).
    EXTRACT_ERROR = "extract-error"
    """An extractor failed on the document; nothing (more) was read from it."""
    REPAIRED_URL = "repaired-url"
    """A reference URL broken across a line or a space was joined."""
    MARKDOWN_NESTING = "markdown-nesting"
    """Blocks nested too deep for the parser."""
    DENSE_MARKDOWN = "dense-markdown"
    """A paragraph dense with Markdown punctuation, read as plain text."""
    CONFLICTING_REFERENCE = "conflicting-reference"
    """A reference listed again with a different entry."""
    DUPLICATED_BODY = "duplicated-body"
    """The body and/or the reference list appear more than once."""
    # The run.
    INSECURE = "insecure"
    """`--insecure`: TLS certificates were not verified."""
    STORE = "store"
    """The cache, the history or the crawl frontier could not be read or written."""
    WORKER_LOST = "worker-lost"
    """A shard whose workers kept dying: its links were not checked."""
    # The crawl (`linkaudit.crawl`).
    CRAWL = "crawl"
    """An internal error on one page of the crawl."""
    CRAWL_UNREACHED = "crawl-unreached"
    """No page of the site could be fetched."""
    CRAWL_DELAY = "crawl-delay"
    """A robots.txt `Crawl-delay` that was capped."""
    PAGE = "page"
    """A crawled page read in part."""
    ROBOTS = "robots"
    """A robots.txt that could not be read."""
    SITEMAP = "sitemap"
    """A sitemap or feed that could not be (wholly) read."""
    # The archive (`linkaudit.archive`).
    ARCHIVE_UNREACHABLE = "archive-unreachable"
    """The archive could not be reached; its answers are unknown for the rest of the run."""
    ARCHIVE_UNUSABLE = "archive-unusable"
    """Lookups in a row got no answer; the archive is not asked again in this run."""
    ARCHIVE_RATE_LIMITED = "archive-rate-limited"
    """A `Retry-After` longer than the cap; the archive is not asked again in this run."""
    SAVE_PAGE_NOW = "save-page-now"
    """A Save Page Now request that did not succeed."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an input or a run that is worth telling the user, one line."""

    kind: ProblemKind
    """What kind of problem it is (`binary`, `repaired-url`, `archive-unreachable`, ...)."""
    message: str
    """One line for a person, naming what is wrong."""
    line: int | None = None
    """1-based line in the document, when the problem has one."""
    origin: str | None = None
    """The file or URL the problem is about, when it is not the document that holds it."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One numbered (or labelled) entry of a document's reference list."""

    id: str
    """The reference number or footnote label as a string: `"5"`, `"note"`."""
    url: str | None
    """The normalised URL (trimmed, joined, repaired), or None for a text-only reference."""
    url_as_written: str | None
    """The URL exactly as it stands in the document."""
    line: int
    """1-based line of the entry."""
    column: int
    """1-based column of the entry's start."""
    text: str
    """The entry's label text (author, title, the whole line), whitespace collapsed."""
    repaired: bool = False
    """True when the URL was joined from pieces (wrapped lines, a stray space)."""
    identifiers: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Identifiers of the work the entry names (`isbn`, `doi`, `arxiv`, `pmid`), normalised; they
    identify a source that has no link (a book by ISBN) and travel to the JSON."""


@dataclass(frozen=True, slots=True)
class Citation:
    """One marker occurrence in the body, such as `[1]`, `[1, 3]`, `[2-4]` or `[^note]`."""

    ids: tuple[str, ...]
    """The reference ids the marker names, ranges expanded, in order."""
    claim: str
    """The sentence (or list item, or table cell) that carries the marker, markers removed."""
    line: int
    """1-based line of the marker."""
    column: int
    """1-based column of the marker."""
    marker: str = ""
    """The marker as written."""
    lead: int | None = None
    """How many characters of `claim` stand before the marker (the words it closes, when it
    stands in mid-sentence); None when not known."""


class LinkKind(StrEnum):
    """What a hyperlink is in its document. The JSON uses these values."""

    LINK = "link"
    """A link a reader follows: inline, reference-style, autolink, bare URL, `<a href>`."""
    IMAGE = "image"
    """Something the page embeds: `![x](y)`, `<img src>`, `<source srcset>`, a badge."""


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink of the document that is not a reference entry (inline, autolink, bare, href)."""

    url: str
    """The normalised URL; for a link to a local file, the target as a path relative to the
    working directory with its `#fragment` (see `linkaudit.local`)."""
    url_as_written: str
    """The URL as written."""
    line: int
    """1-based line."""
    column: int
    """1-based column."""
    text: str = ""
    """The link text, if any."""
    kind: LinkKind = LinkKind.LINK
    """A link, or an image the document embeds."""


@dataclass(frozen=True, slots=True)
class Document:
    """One input document with everything extraction found in it."""

    origin: str
    """The path (as given) or URL it was read from; `-` for stdin."""
    format: DocFormat
    """How it was parsed."""
    text: str = field(repr=False)
    """The decoded text."""
    date: DatedFact | None = None
    """The document's own date and where it came from."""
    references: tuple[Reference, ...] = ()
    """The reference list, each id once (a duplicated list is reported once)."""
    citations: tuple[Citation, ...] = ()
    """Every marker in the body (a duplicated body is reported once)."""
    links: tuple[Link, ...] = ()
    """Other hyperlinks of the document."""
    duplicated_body: bool = False
    """True when the body and/or reference list appeared more than once."""
    problems: tuple[Problem, ...] = ()
    """Problems found while reading it (repaired URLs, duplicated body, ...)."""
    site_url: str | None = None
    """The document's own URL when known (HTML canonical, URL input), for self-citation."""
    anchors: frozenset[str] | None = field(default=None, repr=False)
    """The `#fragment`s links into it may name: GitHub heading slugs, ids, `<a name>`s (see
    `linkaudit.local.anchors`); None for plain text."""

    @property
    def reference_ids(self) -> tuple[str, ...]:
        """The ids of the reference list in order."""
        return tuple(r.id for r in self.references)

    @property
    def dangling_markers(self) -> tuple[str, ...]:
        """Ids cited in the body that the reference list does not have, in first-seen order."""
        known = set(self.reference_ids)
        seen: dict[str, None] = {}
        for citation in self.citations:
            for ref_id in citation.ids:
                if ref_id not in known:
                    seen.setdefault(ref_id, None)
        return tuple(seen)

    @property
    def uncited_references(self) -> tuple[str, ...]:
        """Ids of references that no marker cites."""
        cited = {ref_id for c in self.citations for ref_id in c.ids}
        return tuple(r.id for r in self.references if r.id not in cited)

    @property
    def duplicate_urls(self) -> tuple[tuple[str, ...], ...]:
        """Groups of reference ids that point at the same normalised URL. A `#!` fragment (a
        single-page application's route: `/forum/#!topic/x`) names a page of its own here,
        though the check, which never sends a fragment, reads the URL without it."""
        by_url: dict[str, list[str]] = {}
        for ref in self.references:
            if ref.url:
                written = ref.url_as_written or ""
                route = written[written.find("#!") :].split()[0] if "#!" in written else ""
                by_url.setdefault(ref.url + route, []).append(ref.id)
        return tuple(tuple(ids) for ids in by_url.values() if len(ids) > 1)

    def citations_of(self, ref_id: str) -> tuple[Citation, ...]:
        """The citations that name `ref_id`."""
        return tuple(c for c in self.citations if ref_id in c.ids)


class LinkGroup(StrEnum):
    """What a `LinkStatus` means to a reader, in five groups; every report groups by this."""

    OK = "ok"
    """The source is there at the address written."""
    MOVED = "moved"
    """The source is there at another address (a permanent redirect)."""
    UNVERIFIED = "unverified"
    """No verdict: blocked, or no usable answer after retries (timeout, network error, 5xx):
    maybe transient, not shown to be gone."""
    BROKEN = "broken"
    """Shown to be gone or wrong: dead, soft-404, an invalid URL."""
    SKIPPED = "skipped"
    """Not checked (excluded, a refused address, not in the cassette): says nothing."""


class LinkStatus(StrEnum):
    """The closed set of outcomes of checking one URL. The JSON and every report use the values."""

    ALIVE = "alive"
    REDIRECTED = "redirected"
    MOVED_OFFSITE = "moved-offsite"
    SOFT_404 = "soft-404"
    DEAD = "dead"
    SERVER_ERROR = "server-error"
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network-error"
    BLOCKED = "blocked"
    INVALID = "invalid"
    SKIPPED = "skipped"

    @property
    def group(self) -> LinkGroup:
        """The status's group. `server-error` is unverified, beside `timeout` and
        `network-error`: a 5xx after retries is "maybe transient" (the `unreachable` rule, a
        warning), not proven gone; only the history of runs (`linkaudit report`) calls a lasting
        one dead."""
        match self:
            case LinkStatus.ALIVE:
                return LinkGroup.OK
            case LinkStatus.REDIRECTED | LinkStatus.MOVED_OFFSITE:
                return LinkGroup.MOVED
            case (
                LinkStatus.BLOCKED
                | LinkStatus.TIMEOUT
                | LinkStatus.NETWORK_ERROR
                | LinkStatus.SERVER_ERROR
            ):
                return LinkGroup.UNVERIFIED
            case LinkStatus.DEAD | LinkStatus.SOFT_404 | LinkStatus.INVALID:
                return LinkGroup.BROKEN
            case LinkStatus.SKIPPED:
                return LinkGroup.SKIPPED
            case _ as unreachable:
                assert_never(unreachable)

    @property
    def is_ok(self) -> bool:
        """The source is there (possibly at another address)."""
        return self.group in (LinkGroup.OK, LinkGroup.MOVED)


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect hop: the status of the response and where it pointed."""

    status: int
    """HTTP status of the redirecting response (301, 302, 303, 307, 308)."""
    location: str
    """The absolute URL it redirected to."""


class PageRead(StrEnum):
    """How much of a live HTML page the checker read (`LinkCheck.read`)."""

    SOURCE = "source"
    """A cited source: title, dates (htmldate's search too, unless the URL is dated) and the
    text excerpt the claim rules read."""
    LINK = "link"
    """Any other hyperlink: what its verdict needs (title, headings, a short text for the
    soft-404 test) and the dates its markup states; no excerpt is kept."""


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The outcome of checking one URL. A broken link is a value of this type, not an error."""

    url: str
    """The URL that was checked (normalised)."""
    status: LinkStatus
    """The class of the outcome."""
    http_status: int | None = None
    """The final HTTP status, or None when no response arrived."""
    redirects: tuple[Hop, ...] = ()
    """Every redirect hop in order."""
    final_url: str | None = None
    """Where the redirects ended (None when there were none)."""
    content_type: str | None = None
    """The final response's media type, without parameters."""
    title: str | None = None
    """The page title (untrusted text: escape before display)."""
    published: DatedFact | None = None
    """The page's published date found on the page or in its URL, with its origin."""
    modified: DatedFact | None = None
    """The page's modified date, kept apart from the published one."""
    excerpt: str | None = field(default=None, repr=False)
    """A bounded plain-text excerpt of the main content, for the claim rules."""
    error: str | None = None
    """A one-line reason for anything but alive (`dns: name not found`)."""
    attempts: int = 0
    """How many requests were made for the first hop (1 + retries)."""
    elapsed_ms: int = 0
    """Wall time spent on this URL, in milliseconds."""
    checked_at: dt.datetime | None = None
    """When the check ran (UTC); a cached result keeps its original time."""
    from_cache: bool = False
    """True when the result came from the store instead of the network."""
    anchors: frozenset[str] | None = field(default=None, repr=False, compare=False)
    """The target's anchors (heading slugs, ids, names) when they were read for a `#fragment`
    check; None when they were not (no fragment asked, not HTML or Markdown, body cut short)."""
    checked_as: str | None = None
    """What was checked instead of `url` when `--remap` rewrote it, or the file a missing local
    path was found as with `--fallback-extensions` (`docs/guide.md` for `docs/guide`)."""
    with_extension: str | None = None
    """For a missing local file: the file the same path names with a page's extension added
    (`docs/guide` is missing, `docs/guide.md` is there), the target of a page-name link."""
    read: PageRead = PageRead.SOURCE
    """How much of the page was read (a cached `LINK` read does not serve a source)."""


class SnapshotKind(StrEnum):
    """Which capture of a page a `Snapshot` is."""

    CLOSEST_BEFORE = "closest-before"
    CLOSEST_AFTER = "closest-after"
    FIRST = "first"
    LATEST = "latest"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One archived capture of a page."""

    url: str
    """The playback URL of the capture (`https://web.archive.org/web/<ts>/<original>`)."""
    timestamp: dt.datetime
    """When it was captured (UTC)."""
    status: int | None
    """The HTTP status recorded for the capture."""
    kind: SnapshotKind
    """Which capture it is."""
    original: str = ""
    """The original URL as the archive knows it."""


class ArchiveState(StrEnum):
    """What the archive said about a URL."""

    ARCHIVED = "archived"
    NOT_ARCHIVED = "not-archived"
    """Said only when the CDX index answered with no captures."""
    EXCLUDED = "excluded"
    """Robots or a site exclusion: the archive will not show it."""
    UNKNOWN = "unknown"
    """No definite answer (archive unreachable, rate-limited, garbage)."""
    NOT_LOOKED_UP = "not-looked-up"
    """`--archive` did not ask for it."""


@dataclass(frozen=True, slots=True)
class ArchiveLookup:
    """Everything the archive told about one URL."""

    url: str
    """The URL looked up."""
    state: ArchiveState
    """The answer's kind."""
    snapshots: tuple[Snapshot, ...] = ()
    """Captures found: closest-before (or closest-after), first and latest, each at most once."""
    error: str | None = None
    """Why the state is unknown or excluded."""

    def snapshot(self, kind: SnapshotKind) -> Snapshot | None:
        """The capture of the given kind, if found."""
        return next((s for s in self.snapshots if s.kind is kind), None)

    @property
    def best(self) -> Snapshot | None:
        """The capture to suggest: closest before the document's date, else closest after."""
        return self.snapshot(SnapshotKind.CLOSEST_BEFORE) or self.snapshot(
            SnapshotKind.CLOSEST_AFTER
        )


class Severity(IntEnum):
    """How serious a finding is. Ordered, so `--fail-on` is a comparison."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in every output."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """`error`, `warning` or `info`, any case."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning, info)") from None


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a rule found, with the evidence a reader can check."""

    rule: str
    """The rule id (`stale-source`)."""
    severity: Severity
    """Effective severity (after configuration)."""
    document: str
    """The document's origin."""
    message: str
    """One line for a person."""
    reference: str | None = None
    """The reference id it is about, if any."""
    url: str | None = None
    """The URL it is about, if any."""
    line: int | None = None
    """1-based line (of the citation or reference)."""
    column: int | None = None
    """1-based column."""
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    """Dates and their origins, figures, matched sentences: JSON-serialisable values only."""
    fix: str | None = None
    """A suggested replacement URL (archived copy, redirect target), when there is one."""
    claim: str | None = field(default=None, compare=False, repr=False)
    """The claim sentence the finding is about (rules that judge a citation), for its identity."""

    @property
    def fingerprint(self) -> str:
        """A stable identity for baselines and history: rule, document, reference, URL and a
        hash of the claim's words. No line number: an edit above a finding must not make an
        accepted finding new again; the claim's words tell two findings of one source apart."""
        claim = ""
        if self.claim:
            words = " ".join(self.claim.split())
            claim = hashlib.sha256(words.encode("utf-8")).hexdigest()[:16]
        return "|".join((self.rule, self.document, self.reference or "", self.url or "", claim))

    @property
    def legacy_fingerprint(self) -> str:
        """The identity baselines written before held (with the line number); still matched,
        so an older baseline keeps working until the finding moves."""
        parts = (self.rule, self.document, self.reference or "", self.url or "", self.line or 0)
        return "|".join(str(p) for p in parts)


@dataclass(frozen=True, slots=True)
class RuleSkip:
    """A rule that could not run for a reference, and why (it never guesses)."""

    rule: str
    """The rule id."""
    document: str
    """The document's origin."""
    reference: str | None
    """The reference id, if the skip is about one."""
    reason: str
    """Why it skipped (`no date found for the source`)."""


@dataclass(frozen=True, slots=True)
class RankedArticle:
    """One crawled article with references, as `SiteView.worst` ranks it."""

    url: str
    """The article's own URL (its canonical URL when known)."""
    origin: str
    """The document's origin (the URL it was fetched from)."""
    references: int
    """How many references it lists."""
    citations: int
    """How many citation markers its body has."""
    failing: int
    """How many of its references have a finding of warning or worse."""
    date: dt.date | None
    """The article's own date, when found."""


@dataclass(frozen=True, slots=True)
class SiteView:
    """With `--crawl`: what the crawl found and how its articles fared, the worst first
    (`linkaudit.crawl.site_summary` makes it; the JSON report writes it field by field)."""

    site: str
    """The start URL of the crawl."""
    found: int
    """Pages found (listed, linked)."""
    fetched: int
    """Pages fetched."""
    unchanged: int
    """Pages not fetched again because they had not changed since the last crawl."""
    skipped: Mapping[str, int] = field(hash=False)
    """Pages skipped, by reason."""
    failed: int
    """Pages that could not be fetched."""
    queued_left: int
    """Pages still queued when the crawl stopped (a limit, an interruption)."""
    articles: int
    """Pages kept as articles."""
    audited: int
    """Documents audited."""
    with_references: int
    """Audited documents with a reference list."""
    without_references: int
    """Audited documents without one (tag pages, the home page): counted, not ranked."""
    with_failing_references: int
    """Articles with at least one failing reference."""
    worst: tuple[RankedArticle, ...]
    """The worst articles, most failing references first (at most `top` of them)."""
    problems: tuple[str, ...]
    """The crawl's problems, one line each."""


@dataclass(frozen=True, slots=True)
class AuditResult:
    """One whole run: what was read, checked, looked up and found."""

    documents: tuple[Document, ...]
    """Every document read, in input order."""
    checks: Mapping[str, LinkCheck] = field(default_factory=dict, hash=False)
    """Outcome per distinct URL."""
    archives: Mapping[str, ArchiveLookup] = field(default_factory=dict, hash=False)
    """Archive answer per URL (only those looked up)."""
    findings: tuple[Finding, ...] = ()
    """Every finding, ordered by document, line, rule."""
    skips: tuple[RuleSkip, ...] = ()
    """Rules that skipped themselves, with the reason."""
    problems: tuple[Problem, ...] = ()
    """Run-level problems: unreadable inputs, an unreachable archive (said once)."""
    started: dt.datetime | None = None
    """When the run began (UTC)."""
    elapsed_s: float = 0.0
    """Wall time of the run."""
    interrupted: bool = False
    """True when the run was stopped (Ctrl-C) and the result is partial."""
    stop_signal: int | None = None
    """The signal that stopped the run (2 for SIGINT, 15 for SIGTERM), when one did."""
    offline: bool = False
    """True when no network was used."""
    ignored: int = 0
    """Findings hidden by `linkaudit-ignore` comments in the documents."""
    baselined: int = 0
    """Findings hidden because the baseline file accepts them."""
    site: SiteView | None = field(default=None, hash=False, compare=False)
    """With `--crawl`: the site view (articles found, audited, with references, the worst first)."""


def registrable_host(url: str) -> str:
    """The host of `url`, lower-cased, without `www.`; a cheap key for grouping by host."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host
