"""`--format markdown`: for pull-request comments, job summaries and issues (GitHub-flavoured).

A summary line, a table of findings with links (rule docs, the source, the suggested fix), then one
collapsible `<details>` per document with its references (a page with links and no references,
as in a docs tree, has its findings in the table only). Untrusted text goes through
`linkaudit.textsafe` (`md_text`, `md_url`, `html_text` inside `<summary>`: GitHub renders raw
HTML in Markdown), and only http(s) URLs become links (a `javascript:` URL stays text).
"""

from __future__ import annotations

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import AuditResult, Document, Finding, Severity
from linkaudit.report._text import (
    findings_of,
    is_web_url,
    plural,
    short_url,
    shorten,
)
from linkaudit.report.rulemeta import rule_catalogue
from linkaudit.report.summary import (
    published,
    run_notes,
    status_label,
    summarize,
    summary_line,
)
from linkaudit.textsafe import html_text, md_text, md_url
from linkaudit.urls import redact_url

MAX_ROWS = 250
"""Most findings listed in the table: a job summary is limited to 1 MiB and a comment to 65536
characters, so a huge run lists the most serious ones and says how many more there are."""
_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟡", Severity.INFO: "🔵"}


def md_link(label: str, url: str | None) -> str:
    """`[label](url)` for http(s) URLs, the escaped label alone otherwise."""
    if url and is_web_url(url):
        return f"[{md_text(label)}]({md_url(redact_url(url))})"
    return md_text(label)


def _place(f: Finding) -> str:
    if not f.line:
        return md_text(f.document)
    return md_text(f"{f.document}:{f.line}") + (f":{f.column}" if f.column else "")


def findings_table(result: AuditResult) -> list[str]:
    """The findings as a GFM table, most serious first."""
    rules = rule_catalogue(result.findings, all_rules=False)
    lines = [
        "| Severity | Rule | Where | Ref | Message | Fix |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    ordered = sorted(result.findings, key=lambda f: (-f.severity, f.document, f.line or 0, f.rule))
    for f in ordered[:MAX_ROWS]:
        meta = rules.get(f.rule)
        ref = md_link(f"[{f.reference}]", f.url) if f.reference else ""
        fix = md_link(short_url(f.fix, 50), f.fix) if f.fix else ""
        lines.append(
            f"| {_ICON[f.severity]} {f.severity.label} "
            f"| {md_link(f.rule, meta.help_uri if meta else None)} "
            f"| {_place(f)} | {ref} | {md_text(f.message)} | {fix} |"
        )
    if len(ordered) > MAX_ROWS:
        lines += ["", f"… and {len(ordered) - MAX_ROWS} more findings (see the JSON report)."]
    return lines


def document_details(doc: Document, result: AuditResult) -> list[str]:
    """One `<details>` block: the document's references with status, date and archive."""
    mine = findings_of(result, doc.origin)
    date = f", dated {doc.date.value.isoformat()}" if doc.date else ""
    lines = [
        "<details>",
        f"<summary>{html_text(doc.origin)}: "
        f"{plural(len(doc.references), 'reference')}, "
        f"{plural(len(mine), 'finding')}{date}</summary>",
        "",
    ]
    if doc.references:
        lines += ["| Ref | Source | Status | Published | Archive | Findings |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for ref in doc.references:
            check = result.checks.get(ref.url) if ref.url else None
            lookup = result.archives.get(ref.url) if ref.url else None
            source = md_link(short_url(ref.url, 60), ref.url) if ref.url else md_text(
                shorten(ref.text, 60))
            if check is not None and check.title:
                source += f"<br>{md_text(shorten(check.title, 80))}"
            status = md_text(status_label(check))
            fact = published(ref.url, result)
            dated = fact.value.isoformat() if fact is not None else "—"
            archive = "—"
            if lookup is not None:
                best = lookup.best
                archive = (md_link(best.timestamp.date().isoformat(), best.url) if best
                           else lookup.state.value)
            rules = ", ".join(sorted({f.rule for f in mine if f.reference == ref.id})) or "—"
            lines.append(f"| {md_text(ref.id)} | {source} | {status} | {dated} "
                         f"| {archive} | {rules} |")
    else:
        lines.append("No references found.")
    skips = [s for s in result.skips if s.document == doc.origin]
    notes = [f"- skipped `{s.rule}`" + (f" for \\[{md_text(s.reference)}\\]" if s.reference
                                        else "") + f": {md_text(s.reason)}" for s in skips]
    notes += [f"- {md_text(p.message)}" + (f" (line {p.line})" if p.line else "")
              for p in doc.problems]
    if notes:
        lines += ["", *notes]
    lines += ["", "</details>"]
    return lines


class MarkdownFormat:
    """`--format markdown`."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
        """The Markdown text."""
        s = summarize(result, report.fail_on)
        verdict = "❌" if s.failing else "✅"
        lines = ["## linkaudit", "", f"{verdict} {summary_line(result, report.fail_on)}", ""]
        statuses = ", ".join(f"{name} {count}" for name, count in s.by_status.items() if count)
        if statuses:
            lines += [f"Links: {statuses}.", ""]
        notes = run_notes(s)
        if notes:
            lines += [*(f"- {md_text(note)}" for _kind, note in notes), ""]
        if result.findings:
            lines += [*findings_table(result), ""]
        else:
            lines += ["No findings.", ""]
        if result.site is not None:
            site = result.site
            lines.append(
                f"Site {md_text(site.site)}: {site.found} pages found, "
                f"{site.articles} articles, {site.with_references} with references."
            )
            lines.append("")
        for problem in result.problems:
            lines.append(f"> ⚠️ {md_text(problem.message)}")
        if result.problems:
            lines.append("")
        for doc in result.documents:
            if not doc.references and not doc.problems and len(result.documents) > 1:
                continue  # a page of links (docs): its findings are in the table above
            lines += [*document_details(doc, result), ""]
        return "\n".join(lines).rstrip("\n") + "\n"
