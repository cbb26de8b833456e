"""Rule metadata (id, summary, default severity, docs link) as every report reads it.

The rules declare their identity once (`linkaudit.rules.ALL_RULES`, zizmor's `audit_meta!`); this
module only reads it. It is imported lazily so that reports still work when the rules package is
missing or broken (a finding whose rule is unknown gets a minimal entry derived from the finding
itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from linkaudit.model import Finding, Severity

DOCS_BASE = "https://github.com/linkaudit/linkaudit/blob/main/docs/rules.md"
"""Where rule documentation lives; each rule has an anchor named after its id."""


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """What a report needs to know about one rule."""

    ident: str
    """The rule id (`stale-source`)."""
    summary: str
    """One line saying what the rule finds."""
    severity: Severity
    """The rule's default severity."""
    help_uri: str
    """A link to the rule's documentation."""


def default_help_uri(ident: str) -> str:
    """The docs anchor of a rule id, used when a rule does not state its own link."""
    return f"{DOCS_BASE}#{ident}"


def known_rules() -> dict[str, RuleMeta]:
    """Every rule of `linkaudit.rules.ALL_RULES`, by id."""
    from linkaudit.rules import ALL_RULES  # late: the rules import the report's text helpers

    return {
        rule.ident: RuleMeta(ident=rule.ident, summary=rule.summary, severity=rule.severity,
                             help_uri=rule.help_uri or default_help_uri(rule.ident))
        for rule in ALL_RULES
    }


def rule_catalogue(findings: Iterable[Finding], *, all_rules: bool = True) -> dict[str, RuleMeta]:
    """The rules a report lists: every known rule (when `all_rules`) plus any rule a finding names
    that is not known (with its summary derived from the finding), sorted by id."""
    known = known_rules()
    table = dict(known) if all_rules else {}
    for finding in findings:
        if finding.rule in table:
            continue
        table[finding.rule] = known.get(finding.rule) or RuleMeta(
            ident=finding.rule,
            summary=finding.rule.replace("-", " "),
            severity=finding.severity,
            help_uri=default_help_uri(finding.rule),
        )
    return dict(sorted(table.items()))
