"""Counting, the summary line and the exit code."""

from __future__ import annotations

import dataclasses

import pytest

from linkaudit.config import FailOn
from linkaudit.errors import ExitCode
from linkaudit.model import (
    AuditResult,
    DocFormat,
    Document,
    Finding,
    LinkCheck,
    LinkStatus,
    Problem,
    ProblemKind,
    Severity,
)
from linkaudit.report.summary import (
    exit_code,
    failure_reason,
    hidden_line,
    skip_reason,
    summarize,
    summary_line,
    threshold,
)


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
    doc = Document("a", DocFormat.TEXT, "text")
    only_info = AuditResult(documents=(doc,), findings=(Finding("x", Severity.INFO, "a", "m"),))
    assert exit_code(only_info, FailOn.WARNING) is ExitCode.OK
    assert exit_code(only_info, FailOn.INFO) is ExitCode.FINDINGS


def test_threshold_is_exhaustive() -> None:
    assert [threshold(f) for f in FailOn] == [Severity.ERROR, Severity.WARNING, Severity.INFO, None]


def test_an_interrupted_run_exits_with_its_signal_and_a_failed_input_with_3(
    result: AuditResult,
) -> None:
    stopped = dataclasses.replace(result, interrupted=True, stop_signal=2)
    assert exit_code(stopped, FailOn.NEVER) is ExitCode.INTERRUPTED
    assert exit_code(dataclasses.replace(stopped, stop_signal=15), FailOn.NEVER) is (
        ExitCode.TERMINATED
    )
    missing = Problem(ProblemKind.MISSING, "gone.md: no such file or folder", origin="gone.md")
    failed = dataclasses.replace(result, problems=(missing,))
    assert exit_code(failed, FailOn.NEVER) is ExitCode.RUN_ERROR
    assert exit_code(failed, FailOn.ERROR, sarif=True) is ExitCode.RUN_ERROR
    assert exit_code(result, FailOn.ERROR, sarif=True) is ExitCode.OK
    assert failure_reason(failed) == "1 input could not be read"
    # A note about an empty file found in a folder is not a failure.
    empty = Problem(ProblemKind.EMPTY, "docs/x.md: empty file, skipped", origin="docs/x.md")
    assert exit_code(dataclasses.replace(result, problems=(empty,)), FailOn.NEVER) is ExitCode.OK


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("loopback address 127.0.0.1", "loopback address"),
        ("private address 10.0.0.1", "private address"),
        ("redirect to http://10.1.1.1/x refused: private address 10.1.1.1", "private address"),
        ("excluded by --exclude '^https://intranet'", "excluded by --exclude"),
        ("not in the cassette", "not in the cassette"),
        (None, "skipped"),
    ],
)
def test_skip_reasons_are_counted_without_their_particulars(
    error: str | None, reason: str
) -> None:
    assert skip_reason(error) == reason


def test_skipped_and_cached_links_are_counted_apart(result: AuditResult) -> None:
    checks = dict(result.checks)
    checks["http://127.0.0.1:9/a"] = LinkCheck("http://127.0.0.1:9/a", LinkStatus.SKIPPED,
                                               error="loopback address 127.0.0.1")
    first = next(iter(checks))
    checks[first] = dataclasses.replace(checks[first], from_cache=True)
    s = summarize(dataclasses.replace(result, checks=checks, baselined=3, ignored=1))
    assert (s.links, s.checked, s.skipped, s.cached) == (6, 5, 1, 1)
    assert s.skip_reasons == {"loopback address": 1}
    assert hidden_line(s) == "4 findings hidden: 3 by the baseline, 1 by ignore comments"
    line = summary_line(dataclasses.replace(result, checks=checks))
    assert "5 links checked, 1 skipped:" in line
    one = dataclasses.replace(result, checks={first: checks[first]})
    assert "1 link checked:" in summary_line(one)
