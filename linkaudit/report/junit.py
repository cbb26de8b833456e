"""`--format junit`: JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).

One `<testsuite>` per document and one `<testcase>` per reference (named `[id] url`); a finding at
or above `--fail-on` is a `<failure>` of its reference's test case, findings below it are listed in
`<system-out>`. Findings about no reference (a dangling marker) go to a `document` test case. XML
escaping is ElementTree's; characters XML 1.0 cannot hold are shown as `\\xNN` first.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import AuditResult, Document, Finding
from linkaudit.report._text import findings_of
from linkaudit.report.summary import fails
from linkaudit.textsafe import visible
from linkaudit.urls import redact_url


def _describe(f: Finding) -> str:
    where = f"line {f.line}" + (f", column {f.column}" if f.column else "") if f.line else ""
    text = f"{f.severity.label} {f.rule}: {visible(f.message)}"
    if where:
        text += f" ({where})"
    if f.fix:
        text += f"\nfix: {visible(f.fix)}"
    return text


def _case(suite: ET.Element, doc: Document, name: str, findings: list[Finding],
          report: ReportConfig) -> tuple[int, int]:
    case = ET.SubElement(suite, "testcase", name=visible(name), classname=visible(doc.origin))
    failing = [f for f in findings if fails(f, report.fail_on)]
    passing = [f for f in findings if not fails(f, report.fail_on)]
    for f in failing:
        failure = ET.SubElement(case, "failure", message=visible(f.message), type=f.rule)
        failure.text = _describe(f)
    if passing:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_describe(f) for f in passing)
    return 1, 1 if failing else 0


def junit_xml(result: AuditResult, report: ReportConfig) -> ET.Element:
    """The `<testsuites>` element of a run."""
    root = ET.Element("testsuites", name="linkaudit", time=f"{result.elapsed_s:.3f}")
    total_tests = total_failures = 0
    for doc in result.documents:
        suite = ET.SubElement(root, "testsuite", name=visible(doc.origin))
        mine = findings_of(result, doc.origin)
        tests = failures = 0
        ids = {r.id for r in doc.references}
        for ref in doc.references:
            t, n = _case(suite, doc, f"[{ref.id}] {redact_url(ref.url) if ref.url else ref.text}",
                         [f for f in mine if f.reference == ref.id], report)
            tests, failures = tests + t, failures + n
        loose = [f for f in mine if f.reference not in ids]
        if loose or not doc.references:
            t, n = _case(suite, doc, "document", loose, report)
            tests, failures = tests + t, failures + n
        skips = [s for s in result.skips if s.document == doc.origin]
        if skips:
            out = ET.SubElement(suite, "system-out")
            out.text = "\n".join(
                f"skipped {s.rule}" + (f" for [{s.reference}]" if s.reference else "")
                + f": {visible(s.reason)}"
                for s in skips
            )
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests, total_failures = total_tests + tests, total_failures + failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    return root


class JunitFormat:
    """`--format junit`."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
        """The XML text."""
        root = junit_xml(result, report)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
            root, encoding="unicode") + "\n"
