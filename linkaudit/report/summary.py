"""Counting, the plural-aware summary line and the exit code: the one place a run is summarised.

Every format and the CLI read these, so the table, the JSON, the job summary and the exit code agree
(pip-audit's 650-line CLI that counts things is the example not to follow).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import assert_never

from linkaudit.config import FailOn
from linkaudit.errors import ExitCode
from linkaudit.model import AuditResult, Finding, Severity
from linkaudit.report._text import SEVERITY_ORDER, STATUS_ORDER, plural


def threshold(fail_on: FailOn) -> Severity | None:
    """The lowest severity that fails a run, or None for `never`."""
    match fail_on:
        case FailOn.ERROR:
            return Severity.ERROR
        case FailOn.WARNING:
            return Severity.WARNING
        case FailOn.INFO:
            return Severity.INFO
        case FailOn.NEVER:
            return None
        case _ as unreachable:
            assert_never(unreachable)


def fails(finding: Finding, fail_on: FailOn) -> bool:
    """True when `finding` is at or above `fail_on`."""
    limit = threshold(fail_on)
    return limit is not None and finding.severity >= limit


def exit_code(result: AuditResult, fail_on: FailOn) -> ExitCode:
    """`FINDINGS` when any finding is at or above `fail_on`, else `OK`.

    A run that could not run at all (`RUN_ERROR`) never gets here: the CLI maps that error itself.
    """
    if any(fails(f, fail_on) for f in result.findings):
        return ExitCode.FINDINGS
    return ExitCode.OK


@dataclass(frozen=True, slots=True)
class Summary:
    """The counts of one run."""

    documents: int
    """Documents read."""
    references: int
    """References over all documents."""
    citations: int
    """Citation markers over all documents."""
    links: int
    """Distinct URLs checked."""
    by_status: dict[str, int]
    """Distinct URLs per `LinkStatus` value, every status present (zero included), in order."""
    by_severity: dict[str, int]
    """Findings per severity label, error first, every severity present."""
    by_rule: dict[str, int]
    """Findings per rule id, sorted by id."""
    findings: int
    """All findings."""
    failing: int
    """Findings at or above `fail_on`."""
    skips: int
    """Rule skips."""
    problems: int
    """Run-level and document problems."""
    elapsed_s: float
    """Wall time of the run."""


def summarize(result: AuditResult, fail_on: FailOn = FailOn.ERROR) -> Summary:
    """Count `result`."""
    statuses = Counter(check.status for check in result.checks.values())
    severities = Counter(f.severity for f in result.findings)
    return Summary(
        documents=len(result.documents),
        references=sum(len(d.references) for d in result.documents),
        citations=sum(len(d.citations) for d in result.documents),
        links=len(result.checks),
        by_status={s.value: statuses.get(s, 0) for s in STATUS_ORDER},
        by_severity={s.label: severities.get(s, 0) for s in SEVERITY_ORDER},
        by_rule=dict(sorted(Counter(f.rule for f in result.findings).items())),
        findings=len(result.findings),
        failing=sum(1 for f in result.findings if fails(f, fail_on)),
        skips=len(result.skips),
        problems=len(result.problems) + sum(len(d.problems) for d in result.documents),
        elapsed_s=result.elapsed_s,
    )


def summary_line(result: AuditResult, fail_on: FailOn = FailOn.ERROR) -> str:
    """One line: `2 documents, 10 references, 9 links checked: 3 errors, 1 warning, 0 info in 1.2s`.

    Plural-aware; the severity part reads `no findings` when there are none.
    """
    s = summarize(result, fail_on)
    head = ", ".join(
        (
            plural(s.documents, "document"),
            plural(s.references, "reference"),
            plural(s.links, "link") + " checked",
        )
    )
    if s.findings:
        parts = [
            plural(s.by_severity["error"], "error"),
            plural(s.by_severity["warning"], "warning"),
        ]
        parts.append(f"{s.by_severity['info']} info")
        tail = ", ".join(parts)
    else:
        tail = "no findings"
    line = f"{head}: {tail} in {s.elapsed_s:.1f}s"
    if result.interrupted:
        line += " (interrupted: partial result)"
    if result.offline:
        line += " (offline)"
    return line
