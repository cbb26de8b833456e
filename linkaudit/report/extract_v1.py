"""The document's JSON shape, written once: the `linkaudit.extract/1` contract.

`linkaudit extract --format json` writes `extract_json(...)`; the audit's JSON report
(`linkaudit.audit/1`, `linkaudit.report.json_v1`) extends this contract and writes each of its
`documents` with the same `document_v1`. The keys named in the contract are fixed; a few more are
added (`column`, `repaired`, `marker`, `hyperlinks`, and a run-level problem's `origin`), which the
contract allows. URLs are shown through `redact_url`, so a token in a query string never reaches
a report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NotRequired, TypedDict

from linkaudit.model import DatedFact, Document, Problem
from linkaudit.urls import redact_url

SCHEMA = "linkaudit.extract/1"
"""The value of the top-level `schema` key of `linkaudit extract --format json`."""


class ReferenceV1(TypedDict):
    """One reference entry."""

    id: str
    url: str | None
    url_as_written: str | None
    line: int
    column: int
    text: str
    repaired: bool
    identifiers: dict[str, str]


class CitationV1(TypedDict):
    """One citation marker."""

    ids: list[str]
    claim: str
    line: int
    column: int
    marker: str


class HyperlinkV1(TypedDict):
    """One other hyperlink of a document (`url` of a local file: its path from the working
    directory, with the fragment)."""

    url: str
    url_as_written: str
    line: int
    column: int
    text: str
    kind: str


class ProblemV1(TypedDict):
    """One problem of an input or the run (`origin` only for run-level problems)."""

    kind: str
    message: str
    line: int | None
    origin: NotRequired[str | None]


class DocumentV1(TypedDict):
    """One document, with what extraction found in it."""

    path: str
    format: str
    date: str | None
    date_source: str | None
    duplicated_body: bool
    references: list[ReferenceV1]
    citations: list[CitationV1]
    hyperlinks: list[HyperlinkV1]
    dangling_markers: list[str]
    uncited_references: list[str]
    duplicate_urls: list[list[str]]
    problems: list[ProblemV1]


class ExtractV1(TypedDict):
    """The whole output of `linkaudit extract --format json`."""

    schema: str
    documents: list[DocumentV1]
    problems: list[ProblemV1]


def _redacted(url: str | None) -> str | None:
    return redact_url(url) if url else None


def _date(fact: DatedFact | None) -> str | None:
    return fact.value.isoformat() if fact else None


def _source(fact: DatedFact | None) -> str | None:
    return fact.origin.value if fact else None


def problem_v1(problem: Problem, with_origin: bool = True) -> ProblemV1:
    """One problem; a document's own problems go without `origin` (it is the document)."""
    data: ProblemV1 = {
        "kind": problem.kind.value,
        "message": problem.message,
        "line": problem.line,
    }
    if with_origin:
        data["origin"] = problem.origin
    return data


def document_v1(doc: Document) -> DocumentV1:
    """One document in the `linkaudit.extract/1` shape (also the audit report's `documents`)."""
    return {
        "path": doc.origin,
        "format": doc.format.value,
        "date": _date(doc.date),
        "date_source": _source(doc.date),
        "duplicated_body": doc.duplicated_body,
        "references": [
            {
                "id": r.id,
                "url": _redacted(r.url),
                "url_as_written": _redacted(r.url_as_written),
                "line": r.line,
                "column": r.column,
                "text": r.text,
                "repaired": r.repaired,
                "identifiers": dict(r.identifiers),
            }
            for r in doc.references
        ],
        "citations": [
            {
                "ids": list(c.ids),
                "claim": c.claim,
                "line": c.line,
                "column": c.column,
                "marker": c.marker,
            }
            for c in doc.citations
        ],
        "hyperlinks": [
            {
                "url": redact_url(k.url),
                "url_as_written": redact_url(k.url_as_written),
                "line": k.line,
                "column": k.column,
                "text": k.text,
                "kind": k.kind.value,
            }
            for k in doc.links
        ],
        "dangling_markers": list(doc.dangling_markers),
        "uncited_references": list(doc.uncited_references),
        "duplicate_urls": [list(group) for group in doc.duplicate_urls],
        "problems": [problem_v1(p, with_origin=False) for p in doc.problems],
    }


def extract_json(documents: Iterable[Document], problems: Iterable[Problem]) -> ExtractV1:
    """The whole `linkaudit extract --format json` value: documents and run-level problems."""
    return {
        "schema": SCHEMA,
        "documents": [document_v1(d) for d in documents],
        "problems": [problem_v1(p) for p in problems],
    }
