"""Fixtures of the report tests (the sample itself is in `report_sample.py`)."""

from __future__ import annotations

import pytest
from report_sample import fixed_rule_table, sample_result

from linkaudit.model import AuditResult
from linkaudit.report import rulemeta


@pytest.fixture
def result() -> AuditResult:
    """The realistic audit result."""
    return sample_result()


@pytest.fixture(autouse=True)
def fixed_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed rule catalogue, so golden files do not change when `linkaudit.rules` changes."""
    table = fixed_rule_table()
    monkeypatch.setattr(rulemeta, "known_rules", lambda: dict(table))
