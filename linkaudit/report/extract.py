"""The output of `linkaudit extract`: the `linkaudit.extract/1` JSON contract and a rich table.

The JSON keys named in the contract are fixed; a few more are added (`column`, `repaired`,
`marker`, `hyperlinks`, and a problem's `origin`), which the contract allows. URLs are shown
through `redact_url`, so a token in a query string never reaches a report. Every piece of
document text shown on a terminal goes through `linkaudit.textsafe.terminal_markup` (control,
bidi characters and escape sequences shown, not obeyed; rich markup escaped): a document cannot
repaint the user's terminal or style the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from linkaudit.model import Document, Problem, ProblemKind
from linkaudit.report._text import plural
from linkaudit.textsafe import terminal_markup
from linkaudit.urls import redact_url, registrable_domain

SCHEMA = "linkaudit.extract/1"
"""The version of the JSON contract."""

_CLAIM_WIDTH = 80


def _problem(problem: Problem, with_origin: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": problem.kind, "message": problem.message, "line": problem.line}
    if with_origin:
        data["origin"] = problem.origin
    return data


def _url(url: str | None) -> str | None:
    return redact_url(url) if url else None


def document_json(document: Document) -> dict[str, Any]:
    """One document in the `linkaudit.extract/1` shape."""
    date = document.date
    return {
        "path": document.origin,
        "format": document.format.value,
        "date": date.value.isoformat() if date else None,
        "date_source": date.origin.value if date else None,
        "duplicated_body": document.duplicated_body,
        "references": [
            {
                "id": ref.id,
                "url": _url(ref.url),
                "url_as_written": _url(ref.url_as_written),
                "line": ref.line,
                "column": ref.column,
                "text": ref.text,
                "repaired": ref.repaired,
                "identifiers": dict(ref.identifiers),
            }
            for ref in document.references
        ],
        "citations": [
            {
                "ids": list(citation.ids),
                "claim": citation.claim,
                "line": citation.line,
                "column": citation.column,
                "marker": citation.marker,
            }
            for citation in document.citations
        ],
        "hyperlinks": [
            {
                "url": _url(link.url),
                "url_as_written": _url(link.url_as_written),
                "line": link.line,
                "column": link.column,
                "text": link.text,
                "kind": link.kind.value,
            }
            for link in document.links
        ],
        "dangling_markers": list(document.dangling_markers),
        "uncited_references": list(document.uncited_references),
        "duplicate_urls": [list(group) for group in document.duplicate_urls],
        "problems": [_problem(p) for p in document.problems],
    }


def extract_json(documents: Sequence[Document], problems: Sequence[Problem]) -> dict[str, Any]:
    """The whole `linkaudit extract --format json` output: documents and run-level problems."""
    return {
        "schema": SCHEMA,
        "documents": [document_json(d) for d in documents],
        "problems": [_problem(p, with_origin=True) for p in problems],
    }


def _shorten(text: str, width: int = _CLAIM_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def render_extract_table(documents: Sequence[Document], console: Console) -> None:
    """Print one table per document: number, URL, domain, times cited, first claim."""
    for document in documents:
        date = document.date
        when = f"dated {date.value.isoformat()} ({date.origin.value})" if date else "no date found"
        title = (
            f"{terminal_markup(document.origin)} \u2014 {document.format.value}, {when}, "
            f"{plural(len(document.references), 'reference')}, "
            f"{plural(len(document.citations), 'citation')}"
        )
        table = Table(title=title, title_justify="left", expand=False)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("URL", overflow="fold")
        table.add_column("Domain", no_wrap=True)
        table.add_column("Cited", justify="right")
        table.add_column("First claim", overflow="fold")
        for ref in document.references:
            cited = document.citations_of(ref.id)
            url = _url(ref.url)
            table.add_row(
                terminal_markup(ref.id),
                (
                    terminal_markup(url)
                    if url
                    else f"[dim]{terminal_markup(_shorten(ref.text, 60))}[/dim]"
                ),
                terminal_markup(registrable_domain(ref.url)) if ref.url else "",
                str(len(cited)) if cited else "[yellow]0[/yellow]",
                terminal_markup(_shorten(cited[0].claim)) if cited else "",
            )
        console.print(table)
        notes: list[str] = []
        if document.duplicated_body:
            notes.append("the body appears more than once; each claim is counted once")
        if document.dangling_markers:
            notes.append("cited but not listed: " + ", ".join(document.dangling_markers))
        if document.uncited_references:
            notes.append("listed but never cited: " + ", ".join(document.uncited_references))
        notes.extend(
            "one URL under several numbers: " + ", ".join(group)
            for group in document.duplicate_urls
        )
        for line in notes:
            console.print(f"  {terminal_markup(line)}")
        for problem in document.problems:
            if problem.kind is not ProblemKind.DUPLICATED_BODY:
                kind, message = terminal_markup(problem.kind), terminal_markup(problem.message)
                console.print(f"  [yellow]{kind}[/yellow]: {message}")
