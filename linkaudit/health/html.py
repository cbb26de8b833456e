"""`linkaudit report --format html`: one self-contained page with inline SVG charts.

No script, no external resource: the page carries a Content-Security-Policy meta that forbids
both (`default-src 'none'`), so it reads the same offline, from a CI artifact or an email. The
charts are plain SVG drawn here: links by class over time (stacked bars per run), rot by domain
(failing share of each source domain) and the age of confirmed dead links. Every piece of text
goes through `linkaudit.textsafe.html_text`, since URLs, document names and errors are untrusted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from linkaudit.health.report import HealthReport, ReportItem
from linkaudit.model import LinkStatus
from linkaudit.report._text import is_web_url
from linkaudit.textsafe import html_text

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CLASS_COLOURS: dict[LinkStatus, str] = {
    LinkStatus.ALIVE: "#2e7d32",
    LinkStatus.REDIRECTED: "#66bb6a",
    LinkStatus.MOVED_OFFSITE: "#9ccc65",
    LinkStatus.SOFT_404: "#ef6c00",
    LinkStatus.DEAD: "#c62828",
    LinkStatus.SERVER_ERROR: "#ad1457",
    LinkStatus.TIMEOUT: "#8e24aa",
    LinkStatus.NETWORK_ERROR: "#6a1b9a",
    LinkStatus.BLOCKED: "#f9a825",
    LinkStatus.INVALID: "#757575",
    LinkStatus.SKIPPED: "#bdbdbd",
}
"""One colour per class; the legend and the bars read it."""

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
td.url{word-break:break-all}.summary{display:flex;gap:1rem;flex-wrap:wrap}
.summary div{background:#f5f5f5;border-radius:6px;padding:.5rem 1rem}
.summary b{display:block;font-size:1.4rem}.legend span{margin-right:1rem;white-space:nowrap}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
svg text{font:12px system-ui,sans-serif;fill:#333}
"""


def _e(text: object) -> str:
    return html_text(text)


def _day(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d")


def chart_classes(report: HealthReport, width: int = 720, height: int = 220) -> str:
    """Stacked bars: links per class in each run."""
    runs = report.runs[-40:]
    if not runs:
        return "<p>No runs recorded.</p>"
    top = max((r.links for r in runs), default=0) or 1
    pad_l, pad_b, pad_t = 40, 24, 10
    plot_h = height - pad_b - pad_t
    bar_w = max(4, (width - pad_l) // max(len(runs), 1) - 4)
    parts = [
        f'<svg role="img" aria-label="Links by class over time" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="{pad_t + 10}">{top}</text>',
        f'<text x="0" y="{height - pad_b}">0</text>',
    ]
    for n, run in enumerate(runs):
        x = pad_l + n * (bar_w + 4)
        y = float(height - pad_b)
        for status in LinkStatus:
            count = run.counts.get(status.value, 0)
            if not count:
                continue
            h = count / top * plot_h
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" '
                f'fill="{CLASS_COLOURS[status]}"><title>run #{run.id} {_day(run.started)}: '
                f"{count} {status.value}</title></rect>"
            )
        if len(runs) <= 12 or n % max(len(runs) // 12, 1) == 0:
            parts.append(f'<text x="{x}" y="{height - 6}">#{run.id}</text>')
    parts.append("</svg>")
    legend = "".join(
        f'<span><i style="background:{CLASS_COLOURS[s]}"></i>{_e(s.value)}</span>'
        for s in LinkStatus
        if any(r.counts.get(s.value) for r in runs)
    )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def _hbars(
    label: str, rows: Sequence[tuple[str, float, str]], width: int = 720, colour: str = "#c62828"
) -> str:
    """Horizontal bars: (name, fraction 0..1, value text) each."""
    if not rows:
        return "<p>Nothing to show.</p>"
    row_h, name_w = 22, 260
    height = row_h * len(rows) + 4
    parts = [
        f'<svg role="img" aria-label="{_e(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for n, (name, frac, value) in enumerate(rows):
        y = n * row_h + 2
        w = max(frac, 0.0) * (width - name_w - 80)
        shown = name if len(name) <= 38 else name[:37] + "\u2026"
        parts.append(f'<text x="0" y="{y + 15}">{_e(shown)}</text>')
        parts.append(
            f'<rect x="{name_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{colour}"><title>{_e(name)}: {_e(value)}</title></rect>'
        )
        parts.append(f'<text x="{name_w + w + 6:.1f}" y="{y + 15}">{_e(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def chart_domains(report: HealthReport) -> str:
    """Horizontal bars: the failing share of each source domain (most rotten first)."""
    rows = [
        (d.domain, d.rate, f"{d.failing}/{d.links} ({d.rate:.0%})")
        for d in report.domains[:15]
    ]
    return _hbars("Rot by domain", rows)


def chart_ages(report: HealthReport) -> str:
    """Bars: confirmed dead links by how long they have been failing."""
    ages = report.dead_ages()
    top = max((n for _, n in ages), default=0) or 1
    return _hbars("Age of dead links", [(k, n / top, str(n)) for k, n in ages], colour="#6d4c41")


def _table(items: Sequence[ReportItem], since_label: str) -> str:
    if not items:
        return "<p>None.</p>"
    rows = []
    for i in items:
        citers = "<br>".join(
            _e(c.document) + (f" [{_e(c.reference)}]" if c.reference else "") for c in i.citers
        )
        status = _e(i.status) + (f" ({i.http_status})" if i.http_status else "")
        error = f"<br><small>{_e(i.error)}</small>" if i.error else ""
        rows.append(
            f'<tr><td class="url"><a href="{_e(_safe_href(i.url))}" rel="noreferrer noopener">'
            f"{_e(i.url)}</a></td><td>{status}{error}</td><td>{_e(i.state.value)}</td>"
            f"<td>{_day(i.since)}</td><td>{citers}</td></tr>"
        )
    return (
        "<table><thead><tr><th>URL</th><th>Status</th><th>Verdict</th>"
        f"<th>{_e(since_label)}</th><th>Cited by</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _safe_href(url: str) -> str:
    """Only http(s) URLs become links; anything else (javascript:...) is neutralised."""
    return url if is_web_url(url) else "#"


def render_html(report: HealthReport) -> str:
    """The report as one self-contained HTML page."""
    latest = report.latest
    summary = [
        ("links", latest.links if latest else 0),
        ("new", len(report.new)),
        ("persisting", len(report.persisting)),
        ("fixed", len(report.fixed)),
        ("flapping", len(report.flapping)),
        ("confirmed dead", len(report.dead)),
    ]
    about = (
        f"Run #{latest.id} on {_day(latest.started)}"
        + (" (interrupted: partial results)" if latest.interrupted else "")
        if latest
        else "No runs recorded yet"
    )
    body = [
        "<h1>Link health</h1>",
        f"<p>{_e(about)}. Generated {_e(_day(report.generated))}; a link is confirmed dead after "
        f"failing in {report.confirm_runs}+ runs over {report.confirm_days}+ days.</p>",
        '<div class="summary">'
        + "".join(f"<div><b>{n}</b>{_e(label)}</div>" for label, n in summary)
        + "</div>",
        "<h2>Links by class over time</h2>",
        chart_classes(report),
        "<h2>Rot by domain</h2>",
        chart_domains(report),
        "<h2>Age of dead links</h2>",
        chart_ages(report),
        f"<h2>New since the last run ({len(report.new)})</h2>",
        _table(report.new, "Failing since"),
        f"<h2>Persisting ({len(report.persisting)})</h2>",
        _table(report.persisting, "Failing since"),
        f"<h2>Fixed ({len(report.fixed)})</h2>",
        _table(report.fixed, "Fixed on"),
        f"<h2>Flapping ({len(report.flapping)})</h2>",
        _table(report.flapping, "Since"),
        f"<h2>Oldest dead links ({len(report.dead)})</h2>",
        _table(report.dead, "Dead since"),
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Link health</title>"
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
