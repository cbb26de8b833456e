"""The JSON output of an audit: the versioned contract `linkaudit.audit/1`.

It extends the extract contract (`linkaudit.extract/1`: `documents` with references, citations,
hyperlinks, ..., each written by `linkaudit.report.extract_v1.document_v1`, the one definition of
a document's shape) with what the network and the rules added: `links` (one per distinct URL),
`findings`, `skips`, `summary` and `problems`. The shape is pinned by TypedDicts here, by
`docs/audit-schema.json` (a JSON Schema the tests validate against) and by a golden file; it is
never a dump of internal types.
Adding a key is compatible; renaming or removing one needs `linkaudit.audit/2`.

`JsonV1Format.write` streams the report: each document, link, finding and skip is scrubbed,
converted and written on its own, so a run's report never exists twice in memory (the whole
value, then its text, then its bytes: 325 MB at the peak for a 10,000-link run, against 150 MB
for the result itself). The bytes are those of `json.dumps(audit_v1(...), indent=2)`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from typing import Any, NotRequired, TextIO, TypedDict

from linkaudit import __version__
from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.ignore import safe_fingerprint
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    AuditResult,
    DatedFact,
    Finding,
    LinkCheck,
    LinkStatus,
    RuleSkip,
    SiteView,
)
from linkaudit.report.extract_v1 import DocumentV1, ProblemV1, document_v1, problem_v1
from linkaudit.report.summary import exit_code, summarize
from linkaudit.urls import redact_url

SCHEMA = "linkaudit.audit/1"
"""The value of the top-level `schema` key."""


class HopV1(TypedDict):
    """One redirect hop."""

    status: int
    location: str


class SnapshotV1(TypedDict):
    """The archived copy a report suggests."""

    url: str
    timestamp: str
    kind: str


class LinkV1(TypedDict):
    """The outcome for one distinct URL."""

    url: str
    status: str
    http_status: int | None
    final_url: str | None
    redirects: list[HopV1]
    title: str | None
    published: str | None
    published_source: str | None
    modified: str | None
    error: str | None
    attempts: int
    elapsed_ms: int
    from_cache: bool
    snapshot: SnapshotV1 | None
    archive: str
    checked_as: NotRequired[str]
    """Only when `--remap` rewrote the URL: what was checked instead."""


class FindingV1(TypedDict):
    """One finding."""

    rule: str
    severity: str
    document: str
    reference: str | None
    url: str | None
    line: int | None
    column: int | None
    message: str
    evidence: dict[str, Any]
    fix: str | None
    fingerprint: str


class SkipV1(TypedDict):
    """One rule that skipped itself."""

    rule: str
    document: str
    reference: str | None
    reason: str


class HiddenV1(TypedDict):
    """Findings not reported because they were accepted."""

    baselined: int
    ignored: int


class SummaryV1(TypedDict):
    """The counts of the run."""

    documents: int
    references: int
    citations: int
    links: int
    status: dict[str, int]
    severity: dict[str, int]
    rules: dict[str, int]
    findings: int
    failing: int
    skips: int
    fail_on: str
    exit_code: int
    elapsed_s: float
    interrupted: bool
    offline: bool
    checked: int
    skipped: int
    skip_reasons: dict[str, int]
    cached: int
    hidden: HiddenV1


class RankedArticleV1(TypedDict):
    """One article of the site's worst."""

    url: str
    origin: str
    references: int
    citations: int
    failing: int
    date: str | None


class SiteV1(TypedDict):
    schema: str
    site: str
    found: int
    fetched: int
    unchanged: int
    skipped: dict[str, int]
    failed: int
    queued_left: int
    articles: int
    audited: int
    with_references: int
    without_references: int
    with_failing_references: int
    worst: list[RankedArticleV1]
    problems: list[str]
"""The site view of a crawl (`SiteView`), under `site`; its own `schema` names its version."""

SITE_SCHEMA = "linkaudit.crawl-summary/1"
"""The value of the site view's `schema` key."""


class AuditV1(TypedDict):
    """The whole document."""

    schema: str
    version: str
    started: str | None
    documents: list[DocumentV1]
    links: list[LinkV1]
    findings: list[FindingV1]
    skips: list[SkipV1]
    summary: SummaryV1
    problems: list[ProblemV1]
    site: NotRequired[SiteV1]
    """Only with `--crawl`: the crawl's `SiteView`."""


def _redacted(url: str | None) -> str | None:
    """URLs are shown through `redact_url` (as the extract contract does): a token in a query
    string never reaches a report."""
    return redact_url(url) if url else None


def _date(fact: DatedFact | None) -> str | None:
    return fact.value.isoformat() if fact else None


def _source(fact: DatedFact | None) -> str | None:
    return fact.origin.value if fact else None


def link_v1(check: LinkCheck, lookup: ArchiveLookup | None) -> LinkV1:
    """One checked URL with its archive answer."""
    best = lookup.best if lookup else None
    out: LinkV1 = {
        "url": redact_url(check.url),
        "status": check.status.value,
        "http_status": check.http_status,
        "final_url": _redacted(check.final_url),
        "redirects": [
            {"status": h.status, "location": redact_url(h.location)} for h in check.redirects
        ],
        "title": check.title,
        "published": _date(check.published),
        "published_source": _source(check.published),
        "modified": _date(check.modified),
        "error": check.error,
        "attempts": check.attempts,
        "elapsed_ms": check.elapsed_ms,
        "from_cache": check.from_cache,
        "snapshot": (
            {"url": best.url, "timestamp": best.timestamp.isoformat(), "kind": best.kind.value}
            if best
            else None
        ),
        "archive": (lookup.state if lookup else ArchiveState.NOT_LOOKED_UP).value,
    }
    if check.checked_as is not None:
        out["checked_as"] = redact_url(check.checked_as)
    return out


def _jsonable(value: Any) -> Any:
    """Evidence is meant to be JSON values already; dates and other objects become strings."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def finding_v1(f: Finding) -> FindingV1:
    """One finding."""
    return {
        "rule": f.rule,
        "severity": f.severity.label,
        "document": f.document,
        "reference": f.reference,
        "url": _redacted(f.url),
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "evidence": _jsonable(f.evidence),
        "fix": f.fix,
        "fingerprint": safe_fingerprint(f),
    }


def skip_v1(s: RuleSkip) -> SkipV1:
    """One rule skip."""
    return {"rule": s.rule, "document": s.document, "reference": s.reference, "reason": s.reason}


def audit_v1(result: AuditResult, report: ReportConfig) -> AuditV1:
    """The whole `linkaudit.audit/1` value of a run."""
    out: AuditV1 = {
        "schema": SCHEMA,
        "version": __version__,
        "started": result.started.isoformat() if result.started else None,
        "documents": [document_v1(d) for d in result.documents],
        "links": [
            link_v1(check, result.archives.get(url))
            for url, check in sorted(result.checks.items())
        ],
        "findings": [finding_v1(f) for f in result.findings],
        "skips": [skip_v1(s) for s in result.skips],
        "summary": summary_v1(result, report),
        "problems": [problem_v1(p) for p in result.problems],
    }
    if result.site is not None:
        out["site"] = site_v1(result.site)
    return out


def site_v1(view: SiteView) -> SiteV1:
    """The `site` part: the crawl's site view, keys in the order the contract has them."""
    return {
        "schema": SITE_SCHEMA,
        "site": view.site,
        "found": view.found,
        "fetched": view.fetched,
        "unchanged": view.unchanged,
        "skipped": dict(view.skipped),
        "failed": view.failed,
        "queued_left": view.queued_left,
        "articles": view.articles,
        "audited": view.audited,
        "with_references": view.with_references,
        "without_references": view.without_references,
        "with_failing_references": view.with_failing_references,
        "worst": [
            {
                "url": r.url,
                "origin": r.origin,
                "references": r.references,
                "citations": r.citations,
                "failing": r.failing,
                "date": r.date.isoformat() if r.date else None,
            }
            for r in view.worst
        ],
        "problems": list(view.problems),
    }


def summary_v1(result: AuditResult, report: ReportConfig) -> SummaryV1:
    """The `summary` part: the counts of the run."""
    s = summarize(result, report.fail_on)
    return {
        "documents": s.documents,
        "references": s.references,
        "citations": s.citations,
        "links": s.links,
        "status": s.by_status,
        "severity": s.by_severity,
        "rules": s.by_rule,
        "findings": s.findings,
        "failing": s.failing,
        "skips": s.skips,
        "fail_on": report.fail_on.value,
        "exit_code": int(exit_code(result, report.fail_on)),
        "elapsed_s": round(result.elapsed_s, 3),
        "interrupted": result.interrupted,
        "offline": result.offline,
        "checked": s.checked,
        "skipped": s.skipped,
        "skip_reasons": s.skip_reasons,
        "cached": s.cached,
        "hidden": {"baselined": s.baselined, "ignored": s.ignored},
    }


_STR = json.encoder.encode_basestring  # ensure_ascii=False; the C version where there is one


def _encode(value: object, indent: str, out: list[str]) -> None:
    """Append `value` as `json.dumps(value, indent=2, ensure_ascii=False)` writes it at
    `indent`: the same text, about three times as fast (the json module's indenting encoder is
    pure Python generators; this writes JSON values only, which is all a report holds)."""
    if isinstance(value, str):
        out.append(_STR(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        sep = "{\n" + inner
        for key, item in value.items():
            out.append(sep + _STR(key if isinstance(key, str) else json.dumps(key).strip('"'))
                       + ": ")
            _encode(item, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        sep = "[\n" + inner
        for item in value:
            out.append(sep)
            _encode(item, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "]")
    else:
        out.append(json.dumps(value))  # raises TypeError as json.dumps would


def _dumps(value: object, level: int) -> str:
    """`value` as `json.dumps(..., indent=2, ensure_ascii=False)` writes it `level` levels
    deep."""
    out: list[str] = []
    _encode(value, "  " * level, out)
    return "".join(out)


def _stream_list(fh: TextIO, items: Iterator[object]) -> None:
    """A list one level deep, item by item, as `json.dumps(..., indent=2)` writes it."""
    first = next(items, _END)
    if first is _END:
        fh.write("[]")
        return
    fh.write("[\n    " + _dumps(first, 2))
    for item in items:
        fh.write(",\n    " + _dumps(item, 2))
    fh.write("\n  ]")


_END = object()


class JsonV1Format:
    """`--format json`: `linkaudit.audit/1`, indented, UTF-8 kept as is (json escapes controls)."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
        """The JSON text, ending in a newline."""
        return json.dumps(audit_v1(result, report), indent=2, ensure_ascii=False) + "\n"

    def write(self, result: AuditResult, report: ReportConfig, fh: TextIO) -> None:
        """Stream the JSON text of `result` (not yet scrubbed of secrets) to `fh`: the bytes of
        `render(scrub_secrets(result))`, without building the report whole (see the module
        docstring)."""
        from linkaudit.report._text import (
            scrub_check,
            scrub_document,
            scrub_finding,
            scrub_problem,
            scrub_skip,
        )

        parts: list[tuple[str, Any]] = [
            ("schema", SCHEMA),
            ("version", __version__),
            ("started", result.started.isoformat() if result.started else None),
            ("documents", (document_v1(scrub_document(doc)) for doc in result.documents)),
            ("links", (link_v1(scrub_check(check), result.archives.get(url))
                       for url, check in sorted(result.checks.items()))),
            ("findings", (finding_v1(scrub_finding(f)) for f in result.findings)),
            ("skips", (skip_v1(scrub_skip(s)) for s in result.skips)),
            # Skip reasons are counted by their (scrubbed) text: scrub those checks alone.
            ("summary", summary_v1(dataclasses.replace(result, checks={
                url: scrub_check(c) if c.status is LinkStatus.SKIPPED else c
                for url, c in result.checks.items()}), report)),
            ("problems", [problem_v1(scrub_problem(p)) for p in result.problems]),
        ]
        if result.site is not None:
            parts.append(("site", site_v1(result.site)))
        fh.write("{")
        for n, (key, value) in enumerate(parts):
            fh.write(("\n  " if n == 0 else ",\n  ") + json.dumps(key) + ": ")
            if isinstance(value, Iterator):
                _stream_list(fh, value)
            else:
                fh.write(_dumps(value, 1))
        fh.write("\n}\n")
