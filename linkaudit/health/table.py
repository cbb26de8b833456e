"""`linkaudit report --format table`: the link-health report for a terminal.

The same content as the Markdown report (`linkaudit.health.markdown`: the counts, the top items of
each list, rot by domain, the last runs) as rich tables that fit the console's width, with no
Markdown escapes. URLs, document names and reasons are untrusted: they are shown through
`visible` (control and bidi characters escaped) and as plain `Text`, never as markup.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from linkaudit.health.markdown import RUNS_SHOWN, TOP
from linkaudit.health.report import HealthReport, ReportItem
from linkaudit.model import LinkStatus
from linkaudit.textsafe import visible


def _day(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d")


def _citers(item: ReportItem, limit: int = 2) -> str:
    parts = [c.document + (f" [{c.reference}]" if c.reference else "") for c in item.citers[:limit]]
    if len(item.citers) > limit:
        parts.append(f"+{len(item.citers) - limit} more")
    return visible(", ".join(parts)) or "-"


def _items(title: str, items: Sequence[ReportItem], since_label: str) -> Table | None:
    if not items:
        return None
    shown = f" (top {TOP})" if len(items) > TOP else ""
    table = Table(title=Text(f"{title}: {len(items)}{shown}", style="bold"), title_justify="left",
                  expand=True, show_edge=False, pad_edge=False)
    table.add_column("URL", ratio=3, overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column(since_label, no_wrap=True)
    table.add_column("Cited by", ratio=2, overflow="fold")
    for item in items[:TOP]:
        status = item.status + (f" {item.http_status}" if item.http_status else "")
        table.add_row(Text(visible(item.url)), Text(status), Text(_day(item.since)),
                      Text(_citers(item)))
    return table


def print_table(report: HealthReport, console: Console) -> None:
    """Print the report to `console` (its width and colours)."""
    latest = report.latest
    if latest is None:
        console.print("Link health: no runs recorded yet (run `linkaudit audit` first).",
                      markup=False)
        return
    console.print(Text(
        f"Link health: run #{latest.id} on {_day(latest.started)}, {latest.links} links: "
        f"{len(report.new)} new, {len(report.persisting)} persisting, {len(report.fixed)} fixed, "
        f"{len(report.flapping)} flapping, {len(report.dead)} confirmed dead (failed in "
        f"{report.confirm_runs}+ runs over {report.confirm_days}+ days)", style="bold"))
    if latest.interrupted:
        console.print("The latest run was interrupted; its results are partial.", markup=False)
    if report.all_clear:
        console.print("All links are healthy.", markup=False)
    for title, items, label in (
        ("New since the last run", report.new, "Failing since"),
        ("Persisting", report.persisting, "Failing since"),
        ("Fixed", report.fixed, "Fixed on"),
        ("Flapping", report.flapping, "Since"),
        ("Oldest dead links", report.dead, "Dead since"),
    ):
        table = _items(title, items, label)
        if table is not None:
            console.print()
            console.print(table)
    rotten = [d for d in report.domains if d.failing]
    if rotten:
        table = Table(title=Text("Rot by domain", style="bold"), title_justify="left",
                      show_edge=False, pad_edge=False)
        table.add_column("Domain", overflow="fold")
        for name in ("Links", "Failing", "Rate"):
            table.add_column(name, justify="right")
        for d in rotten[:TOP]:
            table.add_row(Text(visible(d.domain)), str(d.links), str(d.failing), f"{d.rate:.0%}")
        console.print()
        console.print(table)
    runs = report.runs[-RUNS_SHOWN:]
    classes = [s.value for s in LinkStatus if any(r.counts.get(s.value) for r in runs)]
    table = Table(title=Text("Runs", style="bold"), title_justify="left", show_edge=False,
                  pad_edge=False)
    table.add_column("Run", no_wrap=True)
    table.add_column("Started", no_wrap=True)
    table.add_column("Links", justify="right")
    for name in classes:
        table.add_column(name, justify="right")
    for r in runs:
        mark = " (interrupted)" if r.interrupted else ""
        table.add_row(f"#{r.id}{mark}", _day(r.started), str(r.links),
                      *(str(r.counts.get(c, 0)) for c in classes))
    console.print()
    console.print(table)


def render_table(report: HealthReport, width: int = 120) -> str:
    """The table report as plain text (no colour), for a file or a pipe."""
    buffer = io.StringIO()
    print_table(report, Console(file=buffer, width=width, no_color=True, highlight=False))
    return buffer.getvalue()
