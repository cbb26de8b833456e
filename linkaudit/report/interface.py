"""The seam every output format implements."""

from __future__ import annotations

from typing import Protocol

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import AuditResult


class ReportFormat(Protocol):
    """One output format: turns a whole run into text (pure: no printing, no files)."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
        """The report as text: the report section supplies `fail_on`, the rules section what the
        HTML legend says of staleness (`stale_after_days`)."""
        ...
