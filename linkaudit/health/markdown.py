"""`linkaudit report --format markdown`: a short report for an issue body or a job summary.

It leads with one line of counts, then the top items of each list (at most `TOP` each, with
"and N more"), then the counts of the last few runs. Every piece of untrusted text (URLs,
document names, error messages) is escaped so it cannot inject Markdown or HTML into the issue;
URLs are shown as `<...>` autolinks with the characters that would end one percent-encoded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from linkaudit.health.report import HealthReport, ReportItem
from linkaudit.model import LinkStatus
from linkaudit.textsafe import md_text
from linkaudit.textsafe import md_url as safe_url

TOP = 10
"""Most items shown per list."""
RUNS_SHOWN = 6
"""Most runs shown in the counts-over-time table."""

def md_url(url: str) -> str:
    """A URL as a Markdown autolink that cannot break out of its brackets."""
    return f"<{safe_url(url)}>"


def _day(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d")


def _citers(item: ReportItem, limit: int = 3) -> str:
    parts = [
        md_text(c.document) + (f" \\[{md_text(c.reference)}\\]" if c.reference else "")
        for c in item.citers[:limit]
    ]
    if len(item.citers) > limit:
        parts.append(f"+{len(item.citers) - limit} more")
    return ", ".join(parts) or "-"


def _status(item: ReportItem) -> str:
    text = item.status
    if item.http_status:
        text += f" ({item.http_status})"
    return md_text(text)


def _table(title: str, items: Sequence[ReportItem], since_label: str) -> list[str]:
    if not items:
        return []
    lines = [
        f"### {title} ({len(items)})",
        "",
        f"| URL | Status | {since_label} | Cited by |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {md_url(i.url)} | {_status(i)} | {_day(i.since)} | {_citers(i)} |"
        for i in items[:TOP]
    ]
    if len(items) > TOP:
        lines.append(f"\n... and {len(items) - TOP} more.")
    lines.append("")
    return lines


def render_markdown(report: HealthReport) -> str:
    """The report as GitHub-flavoured Markdown."""
    latest = report.latest
    lines = ["## Link health", ""]
    if latest is None:
        return "## Link health\n\nNo runs recorded yet.\n"
    lines.append(
        f"Run #{latest.id} on {_day(latest.started)}: {latest.links} links; "
        f"**{len(report.new)} new**, {len(report.persisting)} persisting, "
        f"{len(report.fixed)} fixed, {len(report.flapping)} flapping, "
        f"{len(report.dead)} confirmed dead "
        f"(failed in {report.confirm_runs}+ runs over {report.confirm_days}+ days)."
    )
    if latest.interrupted:
        lines.append("")
        lines.append("> The latest run was interrupted; its results are partial.")
    if report.all_clear:
        lines += ["", "All links are healthy."]
    lines.append("")
    lines += _table("New since the last run", report.new, "Failing since")
    lines += _table("Persisting", report.persisting, "Failing since")
    lines += _table("Fixed", report.fixed, "Fixed on")
    lines += _table("Flapping", report.flapping, "Since")
    lines += _table("Oldest dead links", report.dead, "Dead since")
    rotten = [d for d in report.domains if d.failing]
    if rotten:
        lines += ["### Rot by domain", "", "| Domain | Links | Failing | Rate |"]
        lines.append("| --- | ---: | ---: | ---: |")
        lines += [
            f"| {md_text(d.domain)} | {d.links} | {d.failing} | {d.rate:.0%} |"
            for d in rotten[:TOP]
        ]
        lines.append("")
    runs = report.runs[-RUNS_SHOWN:]
    classes = [s.value for s in LinkStatus if any(r.counts.get(s.value) for r in runs)]
    lines += [
        "### Runs",
        "",
        "| Run | Started | Links | " + " | ".join(classes) + " |",
        "| --- | --- | ---: | " + " | ".join("---:" for _ in classes) + " |",
    ]
    for r in runs:
        cells = " | ".join(str(r.counts.get(c, 0)) for c in classes)
        mark = " (interrupted)" if r.interrupted else ""
        lines.append(f"| #{r.id}{mark} | {_day(r.started)} | {r.links} | {cells} |")
    return "\n".join(lines).rstrip() + "\n"
