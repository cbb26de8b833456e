"""Counting, the plural-aware summary line and the exit code: the one place a run is summarised.

Every format and the CLI read these, so the table, the JSON, the job summary and the exit code agree
(pip-audit's 650-line CLI that counts things is the example not to follow).
"""

from __future__ import annotations

import signal
from collections import Counter
from dataclasses import dataclass
from typing import assert_never

from linkaudit.config import FailOn
from linkaudit.errors import ExitCode
from linkaudit.model import (
    ALLOW_PRIVATE_HINT,
    AuditResult,
    DatedFact,
    Finding,
    LinkCheck,
    LinkStatus,
    Problem,
    ProblemKind,
    Severity,
    is_address_refusal,
    skip_reason,
)
from linkaudit.report._text import SEVERITY_ORDER, STATUS_ORDER, plural
from linkaudit.sourcedates import source_published


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


RUN_FAILURE_KINDS = frozenset(
    {
        ProblemKind.MISSING,  # an input named (or a file of a folder) does not exist
        ProblemKind.BROKEN_SYMLINK,
        ProblemKind.SYMLINK_LOOP,
        ProblemKind.UNREADABLE,  # permission denied, an I/O error
        ProblemKind.NOT_A_FILE,  # a device or socket named as an input
        ProblemKind.FETCH,  # an article URL given as input could not be fetched
        ProblemKind.OFFLINE,  # an article URL given as input, with --offline
        ProblemKind.CRAWL_UNREACHED,  # a crawl where no page of the site answered
        ProblemKind.WORKER_LOST,  # a shard whose workers kept dying: its links were not checked
    }
)
"""`Problem.kind`s that mean part of what was asked was not audited at all. Such a run exits
`RUN_ERROR` (3) after reporting everything that could be read: "no findings" would be a false
green. An empty or binary file found in a folder is only a note."""


def run_failures(result: AuditResult) -> tuple[Problem, ...]:
    """The problems that make the run a failure (see `RUN_FAILURE_KINDS`)."""
    return tuple(p for p in result.problems if p.kind in RUN_FAILURE_KINDS)


def failure_reason(result: AuditResult) -> str | None:
    """Why the run failed (exit 3), in a few words; None when it did not."""
    failures = run_failures(result)
    unreached = [p for p in failures if p.kind is ProblemKind.CRAWL_UNREACHED]
    if unreached:
        return "the crawl reached no page of the site"
    if failures:
        return f"{plural(len(failures), 'input')} could not be read"
    if not result.documents and result.site is None:
        return "nothing could be read"
    return None


def exit_code(result: AuditResult, fail_on: FailOn, *, sarif: bool = False) -> ExitCode:
    """The process status of a run, most serious first.

    `INTERRUPTED` (130) or `TERMINATED` (143) when a signal stopped it; `RUN_ERROR` (3) when part
    of the input could not be read or a crawl reached nothing (`failure_reason`); `FINDINGS` (1)
    when a finding is at or above `fail_on`; else `OK`. With `sarif`, findings exit `OK` so that
    the upload step still runs (as zizmor does). Bad flags (`USAGE`) are the CLI's own.
    """
    if result.interrupted:
        if result.stop_signal == signal.SIGTERM:
            return ExitCode.TERMINATED
        return ExitCode.INTERRUPTED
    if failure_reason(result) is not None:
        return ExitCode.RUN_ERROR
    if not sarif and any(fails(f, fail_on) for f in result.findings):
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
    """Distinct URLs of the run (checked or skipped)."""
    checked: int
    """Distinct URLs checked (from the network or the cache), not skipped."""
    skipped: int
    """Distinct URLs not checked at all (`LinkStatus.SKIPPED`)."""
    skip_reasons: dict[str, int]
    """Skipped URLs per reason (`skip_reason`), most first."""
    cached: int
    """Distinct URLs whose result came from the cache instead of the network."""
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
    ignored: int
    """Findings hidden by `linkaudit-ignore` comments."""
    baselined: int
    """Findings hidden by the baseline file."""
    elapsed_s: float
    """Wall time of the run."""


def summarize(result: AuditResult, fail_on: FailOn = FailOn.ERROR) -> Summary:
    """Count `result`."""
    statuses = Counter(check.status for check in result.checks.values())
    severities = Counter(f.severity for f in result.findings)
    reasons = Counter(
        skip_reason(check.error)
        for check in result.checks.values()
        if check.status is LinkStatus.SKIPPED
    )
    return Summary(
        documents=len(result.documents),
        references=sum(len(d.references) for d in result.documents),
        citations=sum(len(d.citations) for d in result.documents),
        links=len(result.checks),
        checked=len(result.checks) - statuses.get(LinkStatus.SKIPPED, 0),
        skipped=statuses.get(LinkStatus.SKIPPED, 0),
        skip_reasons=dict(reasons.most_common()),
        cached=sum(1 for check in result.checks.values() if check.from_cache),
        by_status={s.value: statuses.get(s, 0) for s in STATUS_ORDER},
        by_severity={s.label: severities.get(s, 0) for s in SEVERITY_ORDER},
        by_rule=dict(sorted(Counter(f.rule for f in result.findings).items())),
        findings=len(result.findings),
        failing=sum(1 for f in result.findings if fails(f, fail_on)),
        skips=len(result.skips),
        problems=len(result.problems) + sum(len(d.problems) for d in result.documents),
        elapsed_s=result.elapsed_s,
        ignored=result.ignored,
        baselined=result.baselined,
    )


def status_label(check: LinkCheck | None) -> str:
    """A reference's status as the reports' tables show it: `alive 200`, `alive 200 (cached)`,
    `skipped: loopback address`, or `not checked`."""
    if check is None:
        return "not checked"
    label = check.status.value + (f" {check.http_status}" if check.http_status else "")
    if check.status is LinkStatus.SKIPPED and check.error:
        label += f": {skip_reason(check.error)}"
    if check.from_cache:
        label += " (cached)"
    return label


def published(url: str | None, result: AuditResult) -> DatedFact | None:
    """A source's published date as the rules read it: the check's (set by the run from the URL,
    the page and the archive), else the URL's own when nothing was fetched (`--offline`)."""
    if not url:
        return None
    check = result.checks.get(url)
    if check is not None and check.published is not None:
        return check.published
    return source_published(url, check, result.archives.get(url))


def run_notes(summary: Summary) -> list[tuple[str, str]]:
    """What a reader must know about what was not checked now, as (kind, plain text) pairs
    that each report labels and escapes its own way: `skipped`, the links skipped and why;
    `hint`, the `--allow-private` hint once; `cache`, the results taken from the cache."""
    notes = []
    if summary.skipped:
        reasons = ", ".join(f"{reason} {n}" for reason, n in summary.skip_reasons.items())
        notes.append(("skipped", f"{plural(summary.skipped, 'link')} not checked: {reasons}"))
        if any(is_address_refusal(reason) for reason in summary.skip_reasons):
            notes.append(("hint", ALLOW_PRIVATE_HINT))
    if summary.cached:
        notes.append(("cache", f"{summary.cached} from cache; --no-cache to recheck"))
    return notes


def hidden_line(summary: Summary) -> str | None:
    """`3 findings hidden: 2 by the baseline, 1 by ignore comments`, or None when none were."""
    parts = []
    if summary.baselined:
        parts.append(f"{summary.baselined} by the baseline")
    if summary.ignored:
        parts.append(f"{summary.ignored} by ignore comments")
    if not parts:
        return None
    total = summary.baselined + summary.ignored
    return f"{plural(total, 'finding')} hidden: {', '.join(parts)}"


def summary_line(result: AuditResult, fail_on: FailOn = FailOn.ERROR) -> str:
    """One line: `2 documents, 10 references, 9 links checked: 3 errors, 1 warning, 0 info in 1.2s`.

    Plural-aware; the severity part reads `no findings` when there are none.
    """
    s = summarize(result, fail_on)
    parts = [
        plural(s.documents, "document"),
        plural(s.references, "reference"),
        plural(s.checked, "link") + " checked",
    ]
    if s.skipped:
        parts.append(f"{s.skipped} skipped")
    head = ", ".join(parts)
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
