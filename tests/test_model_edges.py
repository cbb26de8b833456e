"""The typed edges of the core: `ProblemKind`, `LinkStatus.group`, `SiteView`, `FetchError`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linkaudit.http import DnsError, FetchError, FetchTimeout, NotInCassette, RefusedAddress
from linkaudit.model import LinkGroup, LinkStatus, Problem, ProblemKind
from linkaudit.report.html import GROUP_WORDS, legend, status_fill
from linkaudit.report.summary import RUN_FAILURE_KINDS
from linkaudit.report.table import status_style
from linkaudit.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]


def test_problem_kind_values_are_the_json_values() -> None:
    problem = Problem(ProblemKind.REPAIRED_URL, "joined")
    assert problem.kind == "repaired-url" and str(problem.kind) == "repaired-url"
    assert f"{problem.kind}" == "repaired-url"
    assert ProblemKind("archive-unreachable") is ProblemKind.ARCHIVE_UNREACHABLE
    with pytest.raises(ValueError):
        ProblemKind("archive-slow")  # closed: a kind no module makes is not a kind
    assert set(ProblemKind) >= RUN_FAILURE_KINDS


def test_the_documented_schema_lists_every_problem_kind() -> None:
    import json

    schema = json.loads((ROOT / "docs" / "audit-schema.json").read_text(encoding="utf-8"))
    kinds = schema["$defs"]["problem"]["properties"]["kind"]["enum"]
    assert kinds == [k.value for k in ProblemKind]


def test_no_problem_is_made_from_a_bare_string() -> None:
    """Every `Problem(...)` (and the helpers that make one) names a `ProblemKind` member."""
    made = re.compile(r"\b(?:Problem|_problem|\.problem|_give_up)\(\s*\"")
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted((ROOT / "linkaudit").rglob("*.py"))
        for text in [path.read_text(encoding="utf-8")]
        for m in made.finditer(text)
    ]
    assert offenders == []


def test_every_status_has_one_group_and_server_error_is_unverified() -> None:
    groups = {status: status.group for status in LinkStatus}
    assert set(groups.values()) == set(LinkGroup)
    assert groups[LinkStatus.SERVER_ERROR] is LinkGroup.UNVERIFIED
    assert groups[LinkStatus.NETWORK_ERROR] is LinkGroup.UNVERIFIED
    assert groups[LinkStatus.TIMEOUT] is LinkGroup.UNVERIFIED
    assert groups[LinkStatus.DEAD] is LinkGroup.BROKEN
    assert groups[LinkStatus.INVALID] is LinkGroup.BROKEN
    assert {s for s in LinkStatus if s.is_ok} == {
        LinkStatus.ALIVE, LinkStatus.REDIRECTED, LinkStatus.MOVED_OFFSITE
    }


def test_each_link_rule_judges_statuses_of_one_group() -> None:
    """The rules are the finest split of the statuses; none of them straddles two groups (the
    `unreachable` rule's timeout, network error and 5xx are all unverified)."""
    for rule in ALL_RULES:
        statuses = getattr(rule, "statuses", frozenset())
        groups = {s.group for s in statuses}
        if rule.ident == "unarchived":
            assert groups == {LinkGroup.OK, LinkGroup.MOVED}
        else:
            assert len(groups) <= 1, (rule.ident, groups)


def test_reports_colour_a_status_by_its_group() -> None:
    for status in LinkStatus:
        same = [s for s in LinkStatus if s.group is status.group]
        assert {status_style(s) for s in same} == {status_style(status)}
        assert {status_fill(s) for s in same} == {status_fill(status)}
    assert status_style(LinkStatus.SERVER_ERROR) == status_style(LinkStatus.TIMEOUT)
    assert status_fill(LinkStatus.SERVER_ERROR) != status_fill(LinkStatus.DEAD)


def test_the_html_legend_names_every_status_under_its_group() -> None:
    words = {
        LinkStatus.MOVED_OFFSITE: "moved off-site",
        LinkStatus.SOFT_404: "soft-404",
    }
    for status in LinkStatus:
        word = words.get(status, status.value.replace("-", " "))
        assert word in GROUP_WORDS[status.group], status
        others = [g for g in LinkGroup if g is not status.group]
        assert all(word not in GROUP_WORDS[g].split(", ") for g in others), status
    from linkaudit.config import RulesConfig

    assert "network error, server error</span>" in legend(RulesConfig())


def test_fetch_error_kind_is_a_status_and_attempts_a_field() -> None:
    assert FetchError("x").kind is LinkStatus.NETWORK_ERROR and FetchError("x").attempts == 1
    assert DnsError("x").kind is LinkStatus.DEAD
    assert FetchTimeout("x").kind is LinkStatus.TIMEOUT
    assert RefusedAddress("x").kind is NotInCassette("x").kind is LinkStatus.SKIPPED
    err = DnsError("dns: lookup failed", kind=LinkStatus.NETWORK_ERROR, attempts=3)
    assert (err.kind, err.attempts, str(err)) == (LinkStatus.NETWORK_ERROR, 3, "dns: lookup failed")
    assert DnsError("y").kind is LinkStatus.DEAD  # the override is the instance's alone
