"""The seam every output format implements."""

from __future__ import annotations

from typing import Protocol

from linkaudit.config import AuditConfig
from linkaudit.model import AuditResult


class ReportFormat(Protocol):
    """One output format: turns a whole run into text (pure: no printing, no files)."""

    def render(self, result: AuditResult, cfg: AuditConfig) -> str:
        """The report as text; `cfg` supplies `fail_on` and other choices that shape it."""
        ...
