"""The output of `linkaudit extract`: the `linkaudit.extract/1` JSON (`extract_json`, written by
`linkaudit.report.extract_v1`, which the audit's JSON report shares) and a rich table.

URLs are shown through `redact_url`, so a token in a query string never reaches a report. Every
piece of document text shown on a terminal goes through `linkaudit.textsafe.terminal_markup`
(control, bidi characters and escape sequences shown, not obeyed; rich markup escaped): a
document cannot repaint the user's terminal or style the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from linkaudit.model import Document, ProblemKind
from linkaudit.report._text import plural
from linkaudit.report.extract_v1 import SCHEMA as SCHEMA
from linkaudit.report.extract_v1 import extract_json as extract_json
from linkaudit.textsafe import terminal_markup
from linkaudit.urls import redact_url, registrable_domain

_CLAIM_WIDTH = 80


def _url(url: str | None) -> str | None:
    return redact_url(url) if url else None


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
