"""The rule seam: what a rule declares about itself, and what it sees when it runs.

Each rule states its identity once (zizmor's `audit_meta!`): `ident`, `summary`, default
`severity`, `help_uri` and the evidence it `needs`. Every output reads these attributes.
A rule runs at one `Scope` and yields `Finding`s, or `RuleSkip`s when the evidence it needs is
missing (it never guesses). `RuleContext` is the one value a rule reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from linkaudit.config import LinksConfig, RulesConfig
from linkaudit.model import (
    ArchiveLookup,
    Citation,
    DatedFact,
    Document,
    Finding,
    Link,
    LinkCheck,
    Reference,
    RuleSkip,
    Severity,
)

DOCS_BASE = "https://github.com/linkaudit/linkaudit/blob/main/docs/rules.md"
"""Where rule documentation lives; each rule has an anchor named after its id."""


class Evidence(StrEnum):
    """What a rule needs to run."""

    LINK_CHECK = "link-check"
    """The outcome of checking the URL (not available offline)."""
    ARCHIVE = "archive"
    """An archive lookup for the URL."""
    SOURCE_DATE = "source-date"
    """The source's published date."""
    DOCUMENT_DATE = "document-date"
    """The document's own date."""
    PAGE_TEXT = "page-text"
    """The source page's text excerpt."""
    DOCUMENT = "document"
    """Only the document itself."""
    ANCHORS = "anchors"
    """The anchors of a link's target (local files; remote pages with `--check-fragments all`)."""


class Scope(StrEnum):
    """What one run of a rule is about."""

    DOCUMENT = "document"
    """Once per document (`ctx.reference` is None)."""
    LINK = "link"
    """Once per reference with a URL and once per other hyperlink (link health)."""
    CITED_SOURCE = "cited-source"
    """Once per (citation, cited reference with a URL) pair."""
    CITATION = "citation"
    """Once per citation (`ctx.citation`), with all its cited sources in `ctx.sources`."""
    REFERENCE = "reference"
    """Once per reference with a URL."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Everything known about one reference's source."""

    reference: Reference
    """The reference entry."""
    check: LinkCheck | None
    """The check of its URL, None when not checked (offline)."""
    archive: ArchiveLookup | None
    """The archive lookup of its URL, None when not looked up."""
    date: DatedFact | None
    """Its published date, with origin (see `linkaudit.sourcedates`)."""

    @property
    def text(self) -> str | None:
        """The page text excerpt, when one was retrieved from a 2xx answer. A status a host
        policy accepts (`accept = [403]`) makes the link alive, but its page is an error page,
        never evidence for a claim."""
        check = self.check
        if check is None or not check.excerpt or not answered_ok(check):
            return None
        return check.excerpt


def answered_ok(check: LinkCheck) -> bool:
    """The final answer was 2xx (or unknown, as in an old cache row): its page is the source."""
    return check.http_status is None or 200 <= check.http_status < 300


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule sees for one run (see `Scope` for which fields are set)."""

    document: Document
    """The document."""
    rules: RulesConfig
    """The run's rules section: the document date, staleness, page text length."""
    links: LinksConfig
    """The run's links section: which `#fragment`s are judged."""
    offline: bool
    """True when no network was used (no checks, no archive)."""
    document_date: DatedFact | None
    """The document's date (`--as-of` first, else the one extraction found)."""
    sources: Mapping[str, SourceInfo] = field(default_factory=dict)
    """Every reference of the document with a URL, by id."""
    reference: Reference | None = None
    """The reference this run is about (REFERENCE, CITED_SOURCE, LINK for a reference)."""
    link: Link | None = None
    """The hyperlink this run is about (LINK for a non-reference link)."""
    url: str | None = None
    """The URL this run is about."""
    check: LinkCheck | None = None
    """The check of `url`."""
    archive: ArchiveLookup | None = None
    """The archive lookup of `url`."""
    source_date: DatedFact | None = None
    """The published date of `url`'s source."""
    citation: Citation | None = None
    """The citation this run is about (CITATION, CITED_SOURCE)."""
    citations: tuple[Citation, ...] = ()
    """The citations of `reference` (REFERENCE, CITED_SOURCE, LINK)."""

    @property
    def position(self) -> tuple[int | None, int | None]:
        """Line and column to report: the citation's marker, else the reference, else the link."""
        if self.citation is not None:
            return self.citation.line, self.citation.column
        if self.reference is not None:
            return self.reference.line, self.reference.column
        if self.link is not None:
            return self.link.line, self.link.column
        return None, None


class Rule:
    """Base of every rule: identity declared once as class attributes; `run` yields results."""

    ident: ClassVar[str] = ""
    """The rule id (`stale-source`)."""
    summary: ClassVar[str] = ""
    """One line saying what the rule finds."""
    severity: ClassVar[Severity] = Severity.WARNING
    """The default severity."""
    scope: ClassVar[Scope] = Scope.REFERENCE
    """What one run is about."""
    needs: ClassVar[frozenset[Evidence]] = frozenset()
    """The evidence it needs."""

    help_uri: ClassVar[str] = ""
    """The rule's documentation anchor (set from `ident` unless a rule states its own)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.ident and "help_uri" not in cls.__dict__:
            cls.help_uri = f"{DOCS_BASE}#{cls.ident}"

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        """The findings (and skips) of one run."""
        raise NotImplementedError

    def finding(
        self,
        ctx: RuleContext,
        message: str,
        *,
        evidence: Mapping[str, Any] | None = None,
        fix: str | None = None,
        severity: Severity | None = None,
        reference: str | None = None,
        url: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> Finding:
        """A finding of this rule at the context's position (arguments override)."""
        pos_line, pos_column = ctx.position
        return Finding(
            rule=self.ident,
            severity=severity or self.severity,
            document=ctx.document.origin,
            message=message,
            reference=reference
            if reference is not None
            else (ctx.reference.id if ctx.reference else None),
            url=url if url is not None else ctx.url,
            line=line if line is not None else pos_line,
            column=column if column is not None else pos_column,
            evidence=dict(evidence or {}),
            fix=fix,
            claim=ctx.citation.claim if ctx.citation is not None else None,
        )

    def skip(self, ctx: RuleContext, reason: str, *, reference: str | None = None) -> RuleSkip:
        """A skip of this rule for the context's reference, with the reason."""
        ref = reference if reference is not None else (ctx.reference.id if ctx.reference else None)
        return RuleSkip(rule=self.ident, document=ctx.document.origin, reference=ref, reason=reason)


def date_evidence(prefix: str, fact: DatedFact | None) -> dict[str, Any]:
    """`{prefix}_date`, `{prefix}_date_origin` (and detail, upper bound) for a finding."""
    if fact is None:
        return {f"{prefix}_date": None}
    out: dict[str, Any] = {
        f"{prefix}_date": fact.value.isoformat(),
        f"{prefix}_date_origin": fact.origin.value,
    }
    if fact.detail:
        out[f"{prefix}_date_detail"] = fact.detail
    if fact.upper_bound:
        out[f"{prefix}_date_is_upper_bound"] = True
    return out


def short(text: str, limit: int = 240) -> str:
    """`text` with whitespace collapsed, cut at `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


RuleList = Sequence[Rule]
