"""Every rule declares its identity once; findings are JSON-ready and ordered."""

from __future__ import annotations

import json

from ruleskit import EXAMPLE_URLS, alive, archived, example_document, run

from linkaudit.model import LinkCheck, LinkStatus, Severity
from linkaudit.rules import ALL_RULES, Rule, Scope

EXPECTED = {
    "dead", "dead-unarchived", "soft-404", "moved-offsite", "redirected", "unreachable",
    "blocked", "unarchived", "dangling-marker", "uncited-reference", "duplicate-reference",
    "self-citation", "stale-source", "source-after-document", "unsupported-number",
    "weak-support", "copied-citation", "undated-source",
    # Beyond the list: the `invalid` class needs a rule too.
    "invalid-url",
    # Bracketed numbers in a document with no list: one info, never dangling errors.
    "markers-without-list",
    # Links into a file or page whose `#fragment` names no anchor.
    "missing-anchor",
}


def test_all_rules_are_declared_once() -> None:
    idents = [rule.ident for rule in ALL_RULES]
    assert len(idents) == len(set(idents)) and set(idents) == EXPECTED
    for rule in ALL_RULES:
        assert isinstance(rule, Rule) and rule.summary and isinstance(rule.severity, Severity)
        assert isinstance(rule.scope, Scope) and rule.needs
        assert type(rule).help_uri.endswith(f"rules.md#{rule.ident}")


def test_findings_are_json_ready_and_ordered() -> None:
    u = EXAMPLE_URLS
    checks = {url: alive(url, excerpt="Some text, 26% and $53B.") for url in u.values()}
    checks[u["4"]] = LinkCheck(u["4"], LinkStatus.DEAD, http_status=404)
    archives = {url: archived(url) for url in u.values()}
    findings, skips = run(example_document(), checks, archives)
    assert findings
    json.dumps([dict(f.evidence) for f in findings])
    keys = [(f.line or 0, f.rule) for f in findings]
    assert keys == sorted(keys)
    assert all(s.reason for s in skips)
