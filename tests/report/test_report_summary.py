"""Counting, the summary line and the exit code."""

from __future__ import annotations

import dataclasses

import pytest

from linkaudit.config import FailOn
from linkaudit.errors import ExitCode
from linkaudit.model import AuditResult, Finding, Severity
from linkaudit.report.summary import exit_code, summarize, summary_line, threshold


def test_counts_per_status_and_severity(result: AuditResult) -> None:
    s = summarize(result)
    assert s.documents == 1 and s.references == 5 and s.links == 5
    assert s.by_status["alive"] == 2 and s.by_status["dead"] == 1 and s.by_status["timeout"] == 0
    assert s.by_severity == {"error": 2, "warning": 1, "info": 1}
    assert s.by_rule["dead"] == 1 and s.failing == 2 and s.skips == 1
    assert s.problems == 2  # the run's and the document's


def test_summary_line_is_plural_aware(result: AuditResult) -> None:
    line = summary_line(result)
    assert line.startswith("1 document, 5 references, 5 links checked: 2 errors, 1 warning, 1 info")
    assert line.endswith("in 2.3s")
    assert summary_line(AuditResult(documents=())) == (
        "0 documents, 0 references, 0 links checked: no findings in 0.0s"
    )
    assert "interrupted" in summary_line(dataclasses.replace(result, interrupted=True))


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [
        (FailOn.ERROR, ExitCode.FINDINGS),
        (FailOn.WARNING, ExitCode.FINDINGS),
        (FailOn.INFO, ExitCode.FINDINGS),
        (FailOn.NEVER, ExitCode.OK),
    ],
)
def test_exit_code_follows_fail_on(
    result: AuditResult, fail_on: FailOn, expected: ExitCode
) -> None:
    assert exit_code(result, fail_on) is expected


def test_exit_code_below_threshold_is_ok() -> None:
    only_info = AuditResult(documents=(), findings=(Finding("x", Severity.INFO, "a", "m"),))
    assert exit_code(only_info, FailOn.WARNING) is ExitCode.OK
    assert exit_code(only_info, FailOn.INFO) is ExitCode.FINDINGS


def test_threshold_is_exhaustive() -> None:
    assert [threshold(f) for f in FailOn] == [Severity.ERROR, Severity.WARNING, Severity.INFO, None]
