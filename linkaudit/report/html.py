"""`--format html`: one self-contained page to read a run in a browser, with filters and charts.

Everything is inline (CSS, a small script, SVG charts) so the file opens without a network and can
be attached to a CI run. Every untrusted string goes through `linkaudit.textsafe.html_text`, and a
Content-Security-Policy meta tag allows only the page's own style and script, named by their
SHA-256 hashes (hashes rather than a nonce so that the output is reproducible): an injected
`<script>` would not run even if escaping failed. Only http(s) URLs become links. The charts are
SVG drawn with presentation attributes (not `style=`), which the policy allows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import AuditResult, Document, LinkGroup, LinkStatus
from linkaudit.report._text import (
    SEVERITY_ORDER,
    date_label,
    findings_of,
    is_web_url,
    plural,
    short_url,
    shorten,
)
from linkaudit.report.rulemeta import rule_catalogue
from linkaudit.report.summary import published, run_notes, status_label, summarize, summary_line
from linkaudit.textsafe import html_text
from linkaudit.urls import redact_url

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1b1f24}
body{padding:0 1em}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border-bottom:1px solid #d8dee4;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa}.sev{font-weight:600}.sev-error{color:#cf222e}.sev-warning{color:#9a6700}
.sev-info{color:#0969da}.muted{color:#656d76}.charts{display:flex;flex-wrap:wrap;gap:2em}
.filters{margin:.8em 0;display:flex;gap:1em;align-items:center}.hidden{display:none}
code{font-size:.92em}a{color:#0969da}
.legend{display:flex;flex-wrap:wrap;gap:.4em 1.2em;font-size:.9em;margin:.3em 0 1em}
.legend span{display:inline-flex;align-items:center;gap:.35em}
tr.doc-head th{background:#eaeef2;font-weight:600}
"""

SCRIPT = """
(function () {
  var sev = document.getElementById('f-sev');
  var rule = document.getElementById('f-rule');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.finding'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('tbody.doc'));
  var shown = document.getElementById('shown');
  function apply() {
    var n = 0;
    rows.forEach(function (row) {
      var ok = (sev.value === '' || row.getAttribute('data-severity') === sev.value) &&
               (rule.value === '' || row.getAttribute('data-rule') === rule.value);
      row.classList.toggle('hidden', !ok);
      if (ok) { n += 1; }
    });
    groups.forEach(function (group) {
      var visible = group.querySelectorAll('tr.finding:not(.hidden)').length;
      group.classList.toggle('hidden', visible === 0);
    });
    shown.textContent = n + ' of ' + rows.length + ' findings shown';
  }
  sev.addEventListener('change', apply);
  rule.addEventListener('change', apply);
  apply();
  document.body.setAttribute('data-ready', 'yes');
})();
"""

_STATUS_FILL: dict[LinkGroup, str] = {
    LinkGroup.OK: "#2da44e",
    LinkGroup.MOVED: "#bf8700",
    LinkGroup.UNVERIFIED: "#8250df",
    LinkGroup.BROKEN: "#cf222e",
    LinkGroup.SKIPPED: "#8c959f",
}
"""The bar colour of each group of statuses (`LinkStatus.group`)."""

GROUP_WORDS: dict[LinkGroup, str] = {
    LinkGroup.OK: "alive",
    LinkGroup.MOVED: "redirected, moved off-site",
    LinkGroup.UNVERIFIED: "blocked, timeout, network error, server error",
    LinkGroup.BROKEN: "dead, soft-404, invalid",
    LinkGroup.SKIPPED: "skipped, not checked",
}
"""What the legend says each colour stands for: the statuses of the group, in words."""


def status_fill(status: LinkStatus) -> str:
    """The bar colour of a status in the chart: its group's."""
    return _STATUS_FILL[status.group]


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CSP = (
    "default-src 'none'; "
    f"style-src {_csp_hash(CSS)}; "
    f"script-src {_csp_hash(SCRIPT)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
"""The page's Content-Security-Policy: only its own style and script run."""


def esc(text: str | None) -> str:
    """Untrusted text for HTML text or a quoted attribute (`linkaudit.textsafe.html_text`)."""
    return html_text(text or "")


def link(label: str, url: str | None) -> str:
    """An `<a>` for http(s) URLs (no referrer, new tab), the escaped label otherwise."""
    if url and is_web_url(url):
        href = esc(redact_url(url))
        return (f'<a href="{href}" rel="noopener noreferrer nofollow" target="_blank">'
                f"{esc(label)}</a>")
    return esc(label)


def status_chart(result: AuditResult) -> str:
    """A horizontal bar chart of distinct links per status."""
    counts = [(LinkStatus(k), v) for k, v in summarize(result).by_status.items() if v]
    if not counts:
        return '<p class="muted">No links checked.</p>'
    most = max(v for _, v in counts)
    height = 24 * len(counts) + 10
    parts = [f'<svg role="img" aria-label="links per status" width="420" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" id="chart-status">']
    for i, (status, count) in enumerate(counts):
        y = 5 + 24 * i
        width = max(2, round(250 * count / most))
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{status.value}</text>'
                     f'<rect x="110" y="{y}" width="{width}" height="18" '
                     f'fill="{status_fill(status)}"><title>{status.value}: {count}</title></rect>'
                     f'<text x="{116 + width}" y="{y + 14}" font-size="12">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


AGE_BINS: tuple[tuple[str, int, int], ...] = (
    ("after it", -(10**9), -1),
    ("0–30 days", 0, 30),
    ("31–90 days", 31, 90),
    ("91–180 days", 91, 180),
    ("181–365 days", 181, 365),
    ("1–2 years", 366, 730),
    ("2–5 years", 731, 1826),
    ("over 5 years", 1827, 10**9),
)
"""The bins of the source-age histogram: a source's age at its document's date, in days."""

AGE_FILL = {"after": "#cf222e", "fresh": "#2da44e", "stale": "#bf8700"}
"""Bar colours: dated after the document, younger than `stale_after_days`, older."""


def source_ages(result: AuditResult) -> list[int]:
    """Each dated reference's age at its dated document's date, in days (negative: after it)."""
    ages: list[int] = []
    for doc in result.documents:
        if doc.date is None:
            continue
        for ref in doc.references:
            fact = published(ref.url, result)
            if fact is not None:
                ages.append((doc.date.value - fact.value).days)
    return ages


def _age_fill(low: int, high: int, stale_after: int) -> str:
    if high < 0:
        return AGE_FILL["after"]
    return AGE_FILL["stale"] if low > stale_after else AGE_FILL["fresh"]


def age_chart(result: AuditResult, rules: RulesConfig) -> str:
    """A histogram of the sources' ages at their documents' dates: a few bars however many
    references there are (one bar per reference filled the first screen at 200). Bars are red
    for sources dated after their document, amber past `stale_after_days`, else green."""
    ages = source_ages(result)
    if not ages:
        return '<p class="muted">No dated sources in dated documents.</p>'
    counts = [sum(1 for a in ages if low <= a <= high) for _, low, high in AGE_BINS]
    most = max(counts)
    height = 24 * len(AGE_BINS) + 10
    parts = [f'<svg role="img" aria-label="sources by age at the document date" width="420" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg" id="chart-ages">']
    for i, ((label, low, high), count) in enumerate(zip(AGE_BINS, counts, strict=True)):
        y = 5 + 24 * i
        width = round(230 * count / most) if count else 0
        fill = _age_fill(low, high, rules.stale_after_days)
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{label}</text>'
                     f'<rect class="bin" x="110" y="{y}" width="{max(width, 1)}" height="18" '
                     f'fill="{fill}"><title>{label}: {plural(count, "source")}</title></rect>'
                     f'<text x="{116 + width}" y="{y + 14}" font-size="12">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _swatch(fill: str) -> str:
    return (f'<svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
            f'fill="{fill}"/></svg>')


def legend(rules: RulesConfig) -> str:
    """What the colours mean: link statuses, source ages, severities."""
    items = [
        f"<span>{_swatch(_STATUS_FILL[group])}{esc(GROUP_WORDS[group])}</span>"
        for group in LinkGroup
    ]
    items += [
        f"<span>{_swatch(AGE_FILL['fresh'])}source younger than "
        f"{rules.stale_after_days} days</span>",
        f"<span>{_swatch(AGE_FILL['stale'])}older (stale after {rules.stale_after_days} days)"
        "</span>",
        f"<span>{_swatch(AGE_FILL['after'])}dated after its document</span>",
    ]
    items += [
        '<span><b class="sev sev-error">error</b> fails a run by default</span>',
        '<span><b class="sev sev-warning">warning</b> worth a look</span>',
        '<span><b class="sev sev-info">info</b> a note</span>',
    ]
    return f'<div class="legend" id="legend">{"".join(items)}</div>'


def _findings_section(result: AuditResult) -> str:
    rules = rule_catalogue(result.findings, all_rules=False)
    sev_options = "".join(
        f'<option value="{s.label}">{s.label}</option>' for s in SEVERITY_ORDER)
    rule_options = "".join(f'<option value="{esc(r)}">{esc(r)}</option>' for r in rules)
    groups: dict[str, list[str]] = {}
    ordered = sorted(result.findings, key=lambda f: (f.document, -f.severity, f.line or 0, f.rule))
    for f in ordered:
        rows = groups.setdefault(f.document, [])
        meta = rules.get(f.rule)
        where = esc(f.document) + (f":{f.line}" if f.line else "") + (
            f":{f.column}" if f.line and f.column else "")
        ref = link(f"[{f.reference}]", f.url) if f.reference else ""
        fix = link(short_url(f.fix, 50), f.fix) if f.fix else ""
        rows.append(
            f'<tr class="finding" data-severity="{f.severity.label}" data-rule="{esc(f.rule)}">'
            f'<td class="sev sev-{f.severity.label}">{f.severity.label}</td>'
            f'<td>{link(f.rule, meta.help_uri if meta else None)}</td><td><code>{where}</code></td>'
            f"<td>{ref}</td><td>{esc(f.message)}</td><td>{fix}</td></tr>"
        )
    bodies = [
        f'<tbody class="doc"><tr class="doc-head"><th colspan="6">{esc(document)} '
        f'<span class="muted">{plural(len(rows), "finding")}</span></th></tr>'
        + "".join(rows) + "</tbody>"
        for document, rows in groups.items()
    ]
    return (
        '<h2>Findings</h2><div class="filters">'
        '<label>Severity <select id="f-sev"><option value="">all</option>'
        f"{sev_options}</select></label>"
        '<label>Rule <select id="f-rule"><option value="">all</option>'
        f"{rule_options}</select></label>"
        f'<span id="shown" class="muted">{plural(len(result.findings), "finding")}</span></div>'
        "<table><thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Ref</th>"
        "<th>Message</th><th>Fix</th></tr></thead>"
        + "".join(bodies)
        + "</table>"
    )


def _document_section(doc: Document, result: AuditResult) -> str:
    date = (f' <span class="muted">dated {doc.date.value.isoformat()} '
            f"({doc.date.origin.value})</span>" if doc.date else "")
    rows = []
    for ref in doc.references:
        check = result.checks.get(ref.url) if ref.url else None
        lookup = result.archives.get(ref.url) if ref.url else None
        source = link(short_url(ref.url, 70), ref.url) if ref.url else esc(ref.text)
        if check is not None and check.title:
            source += f'<br><span class="muted">{esc(shorten(check.title, 100))}</span>'
        status = status_label(check)
        fact = published(ref.url, result)
        shown = esc(date_label(fact)) if fact is not None else "—"
        archive = "—"
        if lookup is not None:
            best = lookup.best
            archive = (link(best.timestamp.date().isoformat(), best.url) if best
                       else esc(lookup.state.value))
        rules = ", ".join(sorted({esc(f.rule) for f in findings_of(result, doc.origin)
                                  if f.reference == ref.id}))
        rows.append(f"<tr><td>[{esc(ref.id)}]</td><td>{source}</td><td>{esc(status)}</td>"
                    f"<td>{shown}</td><td>{archive}</td><td>{rules or '—'}</td></tr>")
    body = ("<table><thead><tr><th>Ref</th><th>Source</th><th>Status</th><th>Published</th>"
            "<th>Archive</th><th>Findings</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>") if rows else '<p class="muted">No references found.</p>'
    notes = [f"<li>skipped {esc(s.rule)}" + (f" for [{esc(s.reference)}]" if s.reference else "")
             + f": {esc(s.reason)}</li>" for s in result.skips if s.document == doc.origin]
    notes += [f"<li>{esc(p.message)}</li>" for p in doc.problems]
    extra = f'<ul class="muted">{"".join(notes)}</ul>' if notes else ""
    return f"<section><h2>{esc(doc.origin)}{date}</h2>{body}{extra}</section>"


class HtmlFormat:
    """`--format html`."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
        """The page."""
        s = summarize(result, report.fail_on)
        when = result.started.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if (
            result.started) else ""
        counts = " · ".join(
            f'<span class="sev sev-{sev.label}">{s.by_severity[sev.label]} {sev.label}</span>'
            for sev in SEVERITY_ORDER)
        messages = [p.message for p in result.problems] + [n for _kind, n in run_notes(s)]
        problems = "".join(f"<li>{esc(m)}</li>" for m in messages)
        return "\n".join((
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            "<title>linkaudit report</title>",
            f"<style>{CSS}</style></head><body>",
            "<header><h1>linkaudit report</h1>"
            f"<p>{esc(summary_line(result, report.fail_on))}</p>",
            f'<p>{counts} <span class="muted">{esc(when)}</span></p>',
            f'<ul class="muted">{problems}</ul>' if problems else "",
            "</header>",
            '<div class="charts"><figure><figcaption>Links per status</figcaption>'
            f"{status_chart(result)}</figure>",
            "<figure><figcaption>Sources by age at their document's date</figcaption>"
            f"{age_chart(result, rules)}</figure></div>",
            legend(rules),
            _findings_section(result),
            *(_document_section(d, result) for d in result.documents),
            f"<script>{SCRIPT}</script>",
            "</body></html>",
            "",
        ))


__all__ = ["CSP", "HtmlFormat"]
