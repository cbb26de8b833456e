"""`--format table`: a rich table per document and a summary panel, for people at a terminal.

Every untrusted string (titles, URLs, messages, paths) goes into a `rich.text.Text` (never parsed
as markup, so `[bold]` prints as written) after `visible()` (so an escape sequence prints as
`\\x1b[31m` instead of colouring the terminal). Long URLs are shortened in the middle.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, assert_never

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from linkaudit.config import AuditConfig
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    AuditResult,
    Document,
    Finding,
    LinkCheck,
    LinkStatus,
    Severity,
    registrable_host,
)
from linkaudit.report._text import (
    SEVERITY_ORDER,
    findings_of,
    plural,
    short_url,
    shorten,
    visible,
)
from linkaudit.report.summary import summarize, summary_line
from linkaudit.urls import redact_url

TABLE_WIDTH = 120
"""Width of the table when rendered to text (not to a terminal)."""
URL_WIDTH = 40
"""Longest URL shown in the table; longer ones are shortened in the middle."""


def status_style(status: LinkStatus) -> str:
    """The colour of a status."""
    match status:
        case LinkStatus.ALIVE:
            return "green"
        case LinkStatus.REDIRECTED | LinkStatus.MOVED_OFFSITE:
            return "yellow"
        case LinkStatus.BLOCKED | LinkStatus.TIMEOUT | LinkStatus.NETWORK_ERROR:
            return "magenta"
        case LinkStatus.SERVER_ERROR | LinkStatus.SOFT_404 | LinkStatus.DEAD | LinkStatus.INVALID:
            return "bold red"
        case LinkStatus.SKIPPED:
            return "dim"
        case _ as unreachable:
            assert_never(unreachable)


def severity_style(severity: Severity) -> str:
    """The colour of a severity."""
    match severity:
        case Severity.ERROR:
            return "bold red"
        case Severity.WARNING:
            return "yellow"
        case Severity.INFO:
            return "cyan"
        case _ as unreachable:
            assert_never(unreachable)


def _status_cell(check: LinkCheck | None) -> Text:
    if check is None:
        return Text("not checked", style="dim")
    label = check.status.value
    if check.http_status is not None:
        label += f" {check.http_status}"
    return Text(label, style=status_style(check.status))


def _published_cell(check: LinkCheck | None) -> Text:
    if check is None or check.published is None:
        return Text("—", style="dim")
    fact = check.published
    prefix = "≤ " if fact.upper_bound else ""
    return Text(f"{prefix}{fact.value.isoformat()}")


def _archive_cell(lookup: ArchiveLookup | None) -> Text:
    if lookup is None:
        return Text("—", style="dim")
    best = lookup.best
    if lookup.state is ArchiveState.ARCHIVED and best is not None:
        return Text(best.timestamp.date().isoformat(), style="green")
    return Text(lookup.state.value, style="dim" if lookup.state is not ArchiveState.NOT_ARCHIVED
                else "yellow")


def _findings_cell(findings: list[Finding]) -> Text:
    """Each rule once, most serious first, with a count when it fired more than once."""
    counts: dict[str, tuple[Severity, int]] = {}
    for f in findings:
        severity, count = counts.get(f.rule, (f.severity, 0))
        counts[f.rule] = (max(severity, f.severity), count + 1)
    text = Text()
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    for i, (rule, (severity, count)) in enumerate(ordered):
        if i:
            text.append("\n")
        text.append(rule, style=severity_style(severity))
        if count > 1:
            text.append(f" ×{count}", style="dim")
    return text


NARROW = 110
"""Below this console width the Findings column is left out (the findings list follows anyway)."""


def document_table(doc: Document, result: AuditResult, width: int = TABLE_WIDTH) -> Table:
    """The table of one document: one row per reference, fitted to a console `width` wide."""
    with_findings = width >= NARROW
    # Room left for the source column once the fixed ones (and their padding) are laid out.
    ref_width = max((len(ref.id) + 2 for ref in doc.references), default=3)
    url_width = max(16, min(URL_WIDTH, width - ref_width - (76 if with_findings else 58)))
    title = Text(visible(doc.origin), style="bold")
    if doc.date is not None:
        title.append(f"  ·  {doc.date.value.isoformat()} ({doc.date.origin.value})", style="dim")
    table = Table(title=title, box=box.SIMPLE_HEAD, expand=False, title_justify="left")
    table.add_column("Ref", justify="right", no_wrap=True, min_width=ref_width)
    table.add_column("Domain / URL", no_wrap=True, overflow="ellipsis", max_width=url_width)
    table.add_column("Status", no_wrap=True)
    table.add_column("Published", no_wrap=True)
    table.add_column("Archive", no_wrap=True)
    if with_findings:
        table.add_column("Findings", no_wrap=True)
    for ref in doc.references:
        check = result.checks.get(ref.url) if ref.url else None
        lookup = result.archives.get(ref.url) if ref.url else None
        where = Text()
        if ref.url:
            where.append(visible(registrable_host(ref.url)) or "?", style="bold")
            where.append("\n" + short_url(ref.url, url_width), style="dim")
            if check is not None and check.title:
                where.append("\n" + shorten(visible(check.title), url_width), style="italic")
        else:
            where.append(shorten(visible(ref.text), url_width) or "(no URL)", style="dim")
        mine = [f for f in findings_of(result, doc.origin) if f.reference == ref.id]
        cells = [
            Text(f"[{visible(ref.id)}]"),
            where,
            _status_cell(check),
            _published_cell(check),
            _archive_cell(lookup),
        ]
        if with_findings:
            cells.append(_findings_cell(mine))
        table.add_row(*cells)
    return table


def findings_list(doc: Document, result: AuditResult) -> Text:
    """One line per finding of `doc`: place, severity, rule, message and the suggested fix."""
    text = Text()
    mine = findings_of(result, doc.origin)
    for f in sorted(mine, key=lambda f: (f.line or 0, f.column or 0, f.rule)):
        place = f"{f.line}:{f.column or 1}" if f.line else "-"
        text.append(f"  {place:>8} ", style="dim")
        text.append(f"{f.severity.label:<7} ", style=severity_style(f.severity))
        text.append(f"{f.rule:<22} ", style="bold")
        # Most messages already open with their reference ("[5] published ..."): say it once.
        if f.reference and not f.message.startswith(f"[{f.reference}]"):
            text.append(f"[{visible(f.reference)}] ")
        text.append(visible(f.message))
        if f.fix:
            text.append("\n           fix: ", style="dim")
            text.append(visible(f.fix), style="green")
        text.append("\n")
    for skip in (s for s in result.skips if s.document == doc.origin):
        ref = f" [{visible(skip.reference)}]" if skip.reference else ""
        reason = shorten(visible(skip.reason), 160)
        text.append(f"  {'-':>8} skipped {skip.rule}{ref}: {reason}\n", style="dim")
    for problem in doc.problems:
        where = f"{problem.line}" if problem.line else "-"
        text.append(f"  {where:>8} note    {visible(problem.message)}\n", style="dim")
    return text


def site_line(site: Mapping[str, Any]) -> Text:
    """The crawl's view of the site, and its worst articles (by failing references)."""
    text = Text(
        f"site     {visible(str(site.get('site', '')))}: {site.get('found', 0)} pages found, "
        f"{site.get('articles', 0)} articles, {site.get('with_references', 0)} with references"
    )
    for worst in list(site.get("worst") or [])[:5]:
        if worst.get("failing"):
            text.append(
                f"\n         worst: {visible(redact_url(str(worst.get('url'))))}"
                f" ({worst['failing']} failing)",
                style="yellow",
            )
    return text


def summary_panel(result: AuditResult, cfg: AuditConfig) -> Panel:
    """Counts per status and per severity, time taken, and run-level problems."""
    s = summarize(result, cfg.fail_on)
    statuses = Text("links    ")
    shown = [(LinkStatus(k), v) for k, v in s.by_status.items() if v]
    for i, (status, count) in enumerate(shown):
        if i:
            statuses.append("  ")
        statuses.append(f"{status.value} {count}", style=status_style(status))
    if not shown:
        statuses.append("none checked", style="dim")
    severities = Text("findings ")
    for i, sev in enumerate(SEVERITY_ORDER):
        if i:
            severities.append("  ")
        severities.append(f"{sev.label} {s.by_severity[sev.label]}", style=severity_style(sev))
    if s.skips:
        severities.append(f"  ({plural(s.skips, 'rule skip')})", style="dim")
    lines: list[Text] = [Text(summary_line(result, cfg.fail_on), style="bold"), statuses,
                         severities]
    if result.site is not None:
        lines.append(site_line(result.site))
    for problem in result.problems:
        # Messages usually name their file or URL already; say it once.
        named = problem.origin and problem.message.startswith(redact_url(problem.origin))
        origin = f"{visible(redact_url(problem.origin))}: " if problem.origin and not named else ""
        lines.append(Text(f"problem  {origin}{visible(problem.message)}", style="yellow"))
    verdict = (
        Text(f"{plural(s.failing, 'finding')} at or above --fail-on {cfg.fail_on.value}",
             style="bold red")
        if s.failing
        else Text(f"nothing at or above --fail-on {cfg.fail_on.value}", style="green")
    )
    lines.append(verdict)
    return Panel(Group(*lines), title="linkaudit", title_align="left", expand=False)


def print_table(result: AuditResult, cfg: AuditConfig, console: Console) -> None:
    """Print every document's table, its findings, then the summary panel."""
    for doc in result.documents:
        listing = findings_list(doc, result)
        if doc.references:
            console.print(document_table(doc, result, console.width))
        elif listing.plain:
            # A page of links (a docs tree): its findings under its name, as a linter lists them.
            console.print(Text(visible(doc.origin), style="bold"))
        elif len(result.documents) == 1:
            console.print(Text(f"{visible(doc.origin)}: no references found", style="dim"))
        else:
            continue  # nothing to say about it among many: the summary counts it
        if listing.plain:
            # soft_wrap: a fix URL stays on one line, so it can be copied from the terminal
            console.print(listing, end="", soft_wrap=True)
        console.print()
    console.print(summary_panel(result, cfg))


class TableFormat:
    """`--format table` rendered to plain text (no colour), as written to a file or a pipe."""

    def render(self, result: AuditResult, cfg: AuditConfig) -> str:
        """The table as text, `TABLE_WIDTH` columns wide."""
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=TABLE_WIDTH,
            color_system=None,
            force_terminal=False,
            no_color=True,
            highlight=False,
            emoji=False,
            legacy_windows=False,
        )
        print_table(result, cfg, console)
        return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))
