"""`linkaudit audit` records its run for `linkaudit report` (the library call records nothing:
the command hands it `record_run`); `--no-history` and `fix` record nothing.

A document whose one link names a missing local file: checked without any network, and still a
run with a link for the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkaudit.cli import app


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("Text [1].\n\n[1]: ./missing.md\n", encoding="utf-8")
    return tmp_path


def _runs(store: str) -> list[dict[str, object]]:
    res = CliRunner().invoke(app, ["report", "--store", store, "--format", "json"])
    assert res.exit_code == 0, res.output
    runs: list[dict[str, object]] = json.loads(res.stdout)["runs"]
    return runs


def test_audit_records_its_run_for_report(project: Path) -> None:
    res = CliRunner().invoke(app, ["audit", "a.md", "--store", "h.db", "--quiet"])
    assert res.exit_code == 1, res.output  # the dead link is an error finding
    runs = _runs("h.db")
    assert [r["counts"] for r in runs] == [{"dead": 1}]


def test_no_history_and_fix_record_nothing(project: Path) -> None:
    CliRunner().invoke(app, ["audit", "a.md", "--store", "h.db", "--quiet", "--no-history"])
    assert (project / "h.db").exists()  # the cache was written: the store was there
    assert _runs("h.db") == []
    fixed = CliRunner().invoke(app, ["fix", "a.md", "--store", "h.db"])
    assert fixed.exit_code == 0 and "1 link checked" in fixed.output, fixed.output
    assert _runs("h.db") == []
