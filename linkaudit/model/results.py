"""What the rules and the run give: `Finding`s with their `Severity`, `RuleSkip`s, the crawl's
`SiteView`, and the `AuditResult` that holds one whole run."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from linkaudit.model.archives import ArchiveLookup
from linkaudit.model.checks import LinkCheck
from linkaudit.model.documents import Document
from linkaudit.model.problems import Problem


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
