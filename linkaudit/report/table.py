"""`--format table`: what a person reads at a terminal (or in a CI log), fitted to its width.

Per document: a table with one row per reference, `[n]  status  URL`, the URL given the width
and wrapped at its separators rather than cut (a cut URL cannot be opened or searched), the page
title below it and a line of details (published date, archived copy, the rules that fired, why a
link was skipped). Then one line per finding, `path:line:col severity rule message`, which
terminals and editors turn into a link to the place; long lines wrap with a hanging indent.
Many findings of one rule and severity in one document (a present-tense warning on each of 200
references) are shown as one group, `rule ×200`, with every place listed. A summary panel ends.

Verbosity: `-q` (-1) prints only the finding lines and the summary; the default (0) adds the
tables and the notes; `-v` (1) adds every rule skip and lists each finding of a group.

Every untrusted string (titles, URLs, messages, paths) goes into a `rich.text.Text` (never parsed
as markup, so `[bold]` prints as written) after `visible()` (so an escape sequence prints as
`\\x1b[31m` instead of colouring the terminal).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import assert_never

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    AuditResult,
    Document,
    Finding,
    LinkCheck,
    LinkGroup,
    LinkStatus,
    Reference,
    Severity,
    SiteView,
)
from linkaudit.report._text import (
    SEVERITY_ORDER,
    date_label,
    findings_of,
    plural,
    shorten,
    wrap_points,
    wrap_url,
)
from linkaudit.report.summary import (
    failure_reason,
    hidden_line,
    run_notes,
    summarize,
    summary_line,
)
from linkaudit.textsafe import visible
from linkaudit.urls import redact_url

TABLE_WIDTH = 120
"""Width of the table when rendered to text (not to a terminal)."""
LINE_WIDTH = 120
"""Finding lines wrap at the console's width, or at this on a wider one (long lines tire)."""
GROUP_AT = 5
"""This many warnings or infos of one rule and severity in one document are shown as one group.
Errors are never grouped: each names its own missing file or dead URL, as a CI gate must."""
INDENT = 4
"""The hanging indent of a wrapped finding line."""
SHOWN_PLACES = 12
"""Places listed on a group's line before `and N more`."""


_NOTE_LOOK = {"skipped": ("skipped", "yellow"), "hint": ("", "dim"), "cache": ("cache", "dim")}
"""How the summary panel labels and colours each kind of `run_notes` line."""


def status_style(status: LinkStatus) -> str:
    """The colour of a status: its group's (`LinkStatus.group`)."""
    match status.group:
        case LinkGroup.OK:
            return "green"
        case LinkGroup.MOVED:
            return "yellow"
        case LinkGroup.UNVERIFIED:
            return "magenta"
        case LinkGroup.BROKEN:
            return "bold red"
        case LinkGroup.SKIPPED:
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


def status_label(check: LinkCheck | None, offline: bool = False) -> str:
    """`dead 404`, `alive 200`, `skipped`; `not checked` when there is no check."""
    if check is None:
        return "offline" if offline else "not checked"
    label = check.status.value
    if check.http_status is not None:
        label += f" {check.http_status}"
    return label


def _status_cell(check: LinkCheck | None, offline: bool) -> Text:
    text = Text(status_label(check, offline),
                style=status_style(check.status) if check else "dim")
    if check is not None and check.from_cache:
        text.append("\ncached", style="dim")
    return text


def _archive_words(lookup: ArchiveLookup | None) -> str | None:
    if lookup is None:
        return None
    match lookup.state:
        case ArchiveState.ARCHIVED:
            best = lookup.best
            return f"archived {best.timestamp.date().isoformat()}" if best else "archived"
        case ArchiveState.NOT_ARCHIVED:
            return "never archived"
        case ArchiveState.EXCLUDED:
            return "archive excludes it"
        case ArchiveState.UNKNOWN:
            return "archive did not answer"
        case ArchiveState.NOT_LOOKED_UP:
            return None
        case _ as unreachable:
            assert_never(unreachable)


def _rules_of(findings: Sequence[Finding]) -> Text:
    """Each rule once, most serious first, with a count when it fired more than once."""
    counts: dict[str, tuple[Severity, int]] = {}
    for f in findings:
        severity, count = counts.get(f.rule, (f.severity, 0))
        counts[f.rule] = (max(severity, f.severity), count + 1)
    text = Text()
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    for i, (rule, (severity, count)) in enumerate(ordered):
        if i:
            text.append(", ")
        text.append(rule, style=severity_style(severity))
        if count > 1:
            text.append(f" ×{count}", style="dim")
    return text


def _details(check: LinkCheck | None, lookup: ArchiveLookup | None,
             findings: Sequence[Finding]) -> Text:
    """`published 2025-08-29 · archived 2025-08-31 · dead, unarchived`."""
    parts: list[Text] = []
    if check is not None:
        if check.status is LinkStatus.SKIPPED:
            parts.append(Text(f"skipped: {visible(check.error or 'no reason given')}"))
        elif not check.status.is_ok and check.error:
            parts.append(Text(visible(shorten(check.error, 80))))
        if check.published is not None:
            parts.append(Text(f"published {date_label(check.published)}"))
    archived = _archive_words(lookup)
    if archived:
        parts.append(Text(archived))
    if findings:
        parts.append(_rules_of(findings))
    return Text(" · ", style="dim").join(parts)


def _source_cell(ref: Reference, check: LinkCheck | None, lookup: ArchiveLookup | None,
                 findings: Sequence[Finding], width: int) -> Text:
    where = Text()
    if ref.url:
        url = visible(redact_url(ref.url))
        where.append("\n".join(wrap_url(url, width)))
        if check is not None and check.title:
            where.append("\n" + shorten(visible(check.title), width), style="italic")
    else:
        where.append(shorten(visible(ref.text), width) or "(no URL)", style="dim")
    details = _details(check, lookup, findings)
    if details.plain:
        details.stylize("dim")
        where.append("\n")
        where.append_text(_wrapped(details, width, 0))
    return where


def document_table(doc: Document, result: AuditResult, width: int = TABLE_WIDTH) -> Table:
    """The table of one document: one row per reference, `[n]  status  URL`, `width` wide."""
    checks = [result.checks.get(ref.url) if ref.url else None for ref in doc.references]
    ref_width = max((len(visible(ref.id)) + 2 for ref in doc.references), default=3)
    status_width = max(
        (len(status_label(c, result.offline)) for c in checks), default=6
    )
    status_width = max(status_width, len("Status"))
    # Three columns, each padded by one space on both sides.
    source_width = max(20, width - ref_width - status_width - 6)
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, show_edge=False)
    table.add_column("Ref", justify="right", no_wrap=True, min_width=ref_width)
    table.add_column("Status", no_wrap=True, min_width=status_width)
    table.add_column("Source", no_wrap=True, max_width=source_width)
    for ref, check in zip(doc.references, checks, strict=True):
        lookup = result.archives.get(ref.url) if ref.url else None
        mine = [f for f in findings_of(result, doc.origin) if f.reference == ref.id]
        table.add_row(
            Text(f"[{visible(ref.id)}]"),
            _status_cell(check, result.offline),
            _source_cell(ref, check, lookup, mine, source_width),
        )
    return table


def document_title(doc: Document) -> Text:
    """`path  ·  2025-09-01 (dateline)  ·  5 references`."""
    title = Text(visible(doc.origin), style="bold")
    if doc.date is not None:
        title.append(f"  ·  {doc.date.value.isoformat()} ({doc.date.origin.value})", style="dim")
    if doc.references or not doc.links:
        title.append(f"  ·  {plural(len(doc.references), 'reference')}", style="dim")
    else:  # a page of links (a docs tree)
        title.append(f"  ·  {plural(len(doc.links), 'link')}", style="dim")
    return title


def _place(doc: Document, f: Finding) -> str:
    where = visible(doc.origin)
    if f.line:
        where += f":{f.line}:{f.column or 1}"
    return where


def _message(f: Finding) -> str:
    """The message, with its reference said once, and the URL of an inline link named."""
    message = visible(f.message)
    if f.reference and not f.message.startswith(f"[{f.reference}]"):
        message = f"[{visible(f.reference)}] {message}"
    elif not f.reference and f.url and redact_url(f.url) not in f.message:
        message = f"{visible(redact_url(f.url))}: {message}"
    return message


def _wrapped(text: Text, width: int, indent: int = INDENT) -> Text:
    """`text` broken at spaces into lines of at most `width`, continuation lines indented."""
    points = wrap_points(text.plain, width, indent)
    if not points:
        return text
    out = Text()
    start = 0
    for i, point in enumerate([*points, len(text.plain)]):
        if i:
            out.append("\n" + " " * indent)
        out.append_text(text[start:point])
        start = point + 1
    return out


def _finding_line(doc: Document, f: Finding, width: int, count: int = 1) -> Text:
    line = Text()
    line.append(_place(doc, f), style="bold")
    line.append(" ")
    line.append(f.severity.label, style=severity_style(f.severity))
    line.append(" ")
    line.append(f.rule, style="bold")
    if count > 1:
        line.append(f" ×{count}", style="bold")
    line.append(" ")
    line.append(_message(f))
    return _wrapped(line, width)


def _groups(findings: Sequence[Finding], verbosity: int) -> Iterator[list[Finding]]:
    """Findings in place order; a rule with `GROUP_AT` or more warnings or infos of one severity
    comes as one list at its first place (unless `verbosity` > 0). Errors come one by one."""
    ordered = sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.rule))
    by_kind: dict[tuple[str, Severity], list[Finding]] = {}
    for f in ordered:
        by_kind.setdefault((f.rule, f.severity), []).append(f)
    emitted: set[tuple[str, Severity]] = set()
    for f in ordered:
        kind = (f.rule, f.severity)
        members = by_kind[kind]
        if verbosity > 0 or len(members) < GROUP_AT or f.severity is Severity.ERROR:
            yield [f]
        elif kind not in emitted:
            emitted.add(kind)
            yield members


def findings_list(doc: Document, result: AuditResult, width: int = TABLE_WIDTH,
                  verbosity: int = 0) -> Text:
    """The finding lines of `doc` (grouped), then its notes and, with `-v`, its rule skips."""
    text = Text()
    for group in _groups(findings_of(result, doc.origin), verbosity):
        first = group[0]
        text.append_text(_finding_line(doc, first, width, len(group)))
        text.append("\n")
        if len(group) > 1:
            places = [f"{f.line}:{f.column or 1}" if f.line else "-" for f in group[1:]]
            shown = ", ".join(places[:SHOWN_PLACES])
            more = len(places) - SHOWN_PLACES
            tail = f" and {more} more" if more > 0 else ""
            line = Text(f"also at {shown}{tail} (-v shows each)", style="dim")
            text.append(" " * INDENT)
            text.append_text(_wrapped(line, width - INDENT))
            text.append("\n")
        if first.fix:
            # The URL stays whole on its own line, so it can be copied from the terminal.
            text.append(" " * INDENT + "fix: ", style="dim")
            text.append(visible(first.fix), style="green")
            text.append("\n")
    if verbosity >= 0:
        for problem in doc.problems:
            where = f":{problem.line}" if problem.line else ""
            note = Text(f"{visible(doc.origin)}{where} note {visible(problem.message)}",
                        style="dim")
            text.append_text(_wrapped(note, width))
            text.append("\n")
    if verbosity > 0:
        for skip in (s for s in result.skips if s.document == doc.origin):
            ref = f" [{visible(skip.reference)}]" if skip.reference else ""
            line = Text(f"{visible(doc.origin)} skipped {skip.rule}{ref}: {visible(skip.reason)}",
                        style="dim")
            text.append_text(_wrapped(line, width))
            text.append("\n")
    return text


def site_line(site: SiteView) -> Text:
    """The crawl's view of the site, and its worst articles (by failing references)."""
    text = Text(
        f"site     {visible(site.site)}: "
        f"{plural(site.found, 'page')} found, "
        f"{plural(site.articles, 'article')}, "
        f"{site.with_references} with references"
    )
    for worst in site.worst[:5]:
        if worst.failing:
            text.append(
                f"\n         worst: {visible(redact_url(worst.url))}"
                f" ({worst.failing} failing)",
                style="yellow",
            )
    return text


def summary_panel(result: AuditResult, report: ReportConfig, verbosity: int = 0) -> Panel:
    """Counts per status and per severity, what was skipped, cached and hidden, time taken, and
    run-level problems."""
    s = summarize(result, report.fail_on)
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
        listed = "" if verbosity > 0 else ": -v lists them"
        severities.append(f"  ({plural(s.skips, 'rule skip')}{listed})", style="dim")
    lines: list[Text] = [Text(summary_line(result, report.fail_on), style="bold"), statuses,
                         severities]
    for kind, note in run_notes(s):
        label, style = _NOTE_LOOK[kind]
        lines.append(Text(f"{label:<9}{visible(note)}", style=style))
    hidden = hidden_line(s)
    if hidden:
        lines.append(Text(f"hidden   {hidden}", style="dim"))
    if result.site is not None:
        lines.append(site_line(result.site))
    for problem in result.problems:
        # Messages usually name their file or URL already; say it once.
        named = problem.origin and problem.message.startswith(redact_url(problem.origin))
        origin = f"{visible(redact_url(problem.origin))}: " if problem.origin and not named else ""
        lines.append(Text(f"problem  {origin}{visible(problem.message)}", style="yellow"))
    failed = failure_reason(result)
    if result.interrupted:
        verdict = Text("interrupted: the report holds what was checked", style="bold red")
    elif failed is not None:
        verdict = Text(f"the run failed: {failed}", style="bold red")
    elif s.failing:
        verdict = Text(
            f"{plural(s.failing, 'finding')} at or above --fail-on {report.fail_on.value}",
            style="bold red",
        )
    else:
        verdict = Text(f"nothing at or above --fail-on {report.fail_on.value}", style="green")
    lines.append(verdict)
    return Panel(Group(*lines), title="linkaudit", title_align="left", expand=False)


def print_table(
    result: AuditResult, report: ReportConfig, console: Console, verbosity: int = 0
) -> None:
    """Print every document's table and finding lines, then the summary panel."""
    width = console.width
    for doc in result.documents:
        # Finding lines wider than LINE_WIDTH are hard to read; the table takes the full width.
        listing = findings_list(doc, result, min(width, LINE_WIDTH), verbosity)
        if verbosity >= 0:
            if not doc.references and not listing.plain and len(result.documents) > 1:
                continue  # a page with nothing to say among many (a docs tree): summary counts it
            console.print(document_title(doc), soft_wrap=True)
            if doc.references:
                console.print(document_table(doc, result, width))
            elif not doc.links:
                console.print(Text("no references found", style="dim"))
            console.print()
        if listing.plain:
            # soft_wrap: lines are wrapped here already; a long fix URL stays whole.
            console.print(listing, end="", soft_wrap=True)
            console.print()
    console.print(summary_panel(result, report, verbosity))


class TableFormat:
    """`--format table` rendered to plain text (no colour), as written to a file or a pipe."""

    verbosity: int = 0
    """-1 quiet, 0 normal, 1 verbose (see the module docstring)."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
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
        print_table(result, report, console, self.verbosity)
        return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))
