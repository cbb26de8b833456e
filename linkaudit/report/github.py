"""`--format github`: workflow commands that GitHub Actions shows as annotations on the diff.

One `::error|warning|notice file=...,line=...,col=...,title=...::message` line per finding. Values
are escaped as the runner requires (actions/toolkit `command.ts`): in the message `%`, `\\r` and
`\\n` become `%25`, `%0D` and `%0A`; in properties also `:` and `,` become `%3A` and `%2C`. Without
this a hostile page title could end the annotation and start a workflow command of its own. See:
https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
"""

from __future__ import annotations

from typing import assert_never

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import AuditResult, Finding, Severity
from linkaudit.report._text import display_path
from linkaudit.textsafe import visible, workflow_data, workflow_property


def command_name(severity: Severity) -> str:
    """The workflow command of a severity."""
    match severity:
        case Severity.ERROR:
            return "error"
        case Severity.WARNING:
            return "warning"
        case Severity.INFO:
            return "notice"
        case _ as unreachable:
            assert_never(unreachable)


def annotation(f: Finding) -> str:
    """The workflow command line of one finding."""
    props: list[tuple[str, str]] = []
    if "://" not in f.document and f.document != "-":
        props.append(("file", display_path(f.document)))
        if f.line:
            props.append(("line", str(f.line)))
            if f.column:
                props.append(("col", str(f.column)))
    title = f"linkaudit {f.rule}" + (f" [{f.reference}]" if f.reference else "")
    props.append(("title", title))
    message = visible(f.message, keep_newlines=True)
    if "://" in f.document or f.document == "-":
        message = f"{visible(f.document)}: {message}"
    if f.fix:
        message += f"\nSuggested URL: {visible(f.fix)}"
    rendered = ",".join(f"{k}={workflow_property(v)}" for k, v in props)
    return f"::{command_name(f.severity)} {rendered}::{workflow_data(message)}"


class GithubFormat:
    """`--format github`."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
        """One line per finding (empty when there are none)."""
        return "".join(annotation(f) + "\n" for f in result.findings)
