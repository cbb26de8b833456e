"""The `report` and `fix` commands through typer, as a user runs them."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import typer
from health_support import archived, day, judged, result_of
from typer.testing import CliRunner

from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.errors import ExitCode
from linkaudit.health.history import record_run
from linkaudit.model import AuditResult, DocFormat, Document, LinkCheck, LinkStatus, Reference
from linkaudit.store import Store

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "workflows" / "link-health.yml"
URL = "https://dead.example/a"


@pytest.fixture
def app() -> typer.Typer:
    from linkaudit.cli import app

    return app


def _store_with_runs(path: Path) -> None:
    with Store.open(path) as store:
        for n in range(3):
            record_run(store, result_of({URL: LinkStatus.DEAD}, day(2 * n)))


def test_report_formats(app: typer.Typer, tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    _store_with_runs(store)
    runner = CliRunner()
    md = runner.invoke(app, ["report", "--store", str(store)])
    assert md.exit_code == 0, md.output
    assert "1 persisting" in md.output and "1 confirmed dead" in md.output
    out = tmp_path / "out" / "report.json"
    res = runner.invoke(
        app, ["report", "--store", str(store), "--format", "json", "--output", str(out)]
    )
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr == f"wrote {out}: 0 new, 1 persisting, 1 confirmed dead\n"
    assert json.loads(out.read_text())["dead"][0]["url"] == URL
    # A stricter confirm rule: not dead yet.
    strict = runner.invoke(
        app, ["report", "--store", str(store), "--format", "json", "--confirm-runs", "4"]
    )
    assert json.loads(strict.output)["dead"] == []
    html = runner.invoke(app, ["report", "--store", str(store), "--format", "html"])
    assert html.output.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("content", [b"not a database at all\n", b""])
def test_report_on_a_bad_or_missing_store(
    app: typer.Typer, tmp_path: Path, content: bytes
) -> None:
    store = tmp_path / "x.db"
    if content:
        store.write_bytes(content)
    res = CliRunner().invoke(app, ["report", "--store", str(store)])
    assert res.exit_code == ExitCode.RUN_ERROR
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("linkaudit: error: ") and str(store) in lines[0]
    assert lines[1].startswith("hint: ")
    if content:
        assert store.read_bytes() == content
    else:
        assert not store.exists()  # a report never creates a store


def test_report_on_a_foreign_sqlite_file(app: typer.Typer, tmp_path: Path) -> None:
    store = tmp_path / "other.db"
    conn = sqlite3.connect(store)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = store.read_bytes()
    res = CliRunner().invoke(app, ["report", "--store", str(store)])
    assert res.exit_code == ExitCode.RUN_ERROR
    assert "another program" in res.output
    assert store.read_bytes() == before


def _fake_audit(calls: list[tuple[list[str], AuditConfig]]):  # type: ignore[no-untyped-def]
    def audit(inputs: list[str], cfg: AuditConfig) -> AuditResult:
        calls.append((list(inputs), cfg))
        path = Path(inputs[0]) / "a.md"
        text = path.read_text(encoding="utf-8")
        ref = Reference("1", URL, URL, 3, 1, "entry")
        doc = Document(str(path), DocFormat.MARKDOWN, text, references=(ref,))
        return judged((doc,), {URL: LinkCheck(URL, LinkStatus.DEAD, 404)}, {URL: archived(URL)})

    return audit


def test_fix_dry_run_then_write(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linkaudit.audit

    calls: list[tuple[list[str], AuditConfig]] = []
    monkeypatch.setattr(linkaudit.audit, "audit", _fake_audit(calls))
    docs = tmp_path / "docs"
    docs.mkdir()
    original = f"Text [1].\r\n\r\n[1]: see {URL}\r\n"
    (docs / "a.md").write_bytes(original.encode())
    runner = CliRunner()
    dry = runner.invoke(
        app,
        ["fix", str(docs), "--as-of", "2025-09-01", "--allow-private", "*"],
    )
    assert dry.exit_code == 0, dry.output
    assert f"+[1]: see {URL} [archived](https://web.archive.org/web/20250815000000/" in dry.output
    assert (docs / "a.md").read_bytes() == original.encode()  # dry run: untouched
    inputs, cfg = calls[0]
    assert inputs == [str(docs)]
    assert cfg.archive.mode is ArchiveMode.DEAD
    assert not cfg.store.history and not cfg.network.offline
    assert cfg.network.allow_private_all and str(cfg.rules.as_of) == "2025-09-01"

    wrote = runner.invoke(app, ["fix", str(docs), "--write"])
    assert wrote.exit_code == 0, wrote.output
    after = (docs / "a.md").read_bytes()
    assert after.startswith(b"Text [1].\r\n\r\n[1]: see ") and after.endswith(b")\r\n")
    again = runner.invoke(app, ["fix", str(docs)])
    assert "nothing to fix" in again.output


def test_fix_bad_date_is_a_usage_error(app: typer.Typer, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["fix", str(tmp_path), "--as-of", "yesterday"])
    assert res.exit_code == ExitCode.USAGE
    assert "--as-of" in res.output


def test_workflow_passes_actionlint() -> None:
    exe = shutil.which("actionlint")
    if exe is None:
        pytest.skip("actionlint not installed")
    proc = subprocess.run(
        [exe, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_keeps_one_issue_and_passes_values_via_env() -> None:
    import yaml

    text = WORKFLOW.read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    triggers = flow[True]  # YAML 1.1 reads the key `on` as True
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    steps = flow["jobs"]["link-health"]["steps"]
    for step in steps:
        assert "${{" not in step.get("run", ""), step.get("name")
    issue = next(s for s in steps if "issue" in s.get("name", "").lower())["run"]
    assert "gh issue list --label" in issue and "gh issue edit" in issue
    assert "gh issue close" in issue and issue.count("gh issue create") == 1
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/cache/restore@") for u in uses)
    assert any(u.startswith("actions/cache/save@") for u in uses)
    assert any(u.startswith("peter-evans/create-pull-request@") for u in uses)


def test_fix_offline_is_a_usage_error_not_nothing_to_fix(
    app: typer.Typer, tmp_path: Path
) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(f"Text [1].\n\n[1]: {URL}\n")
    res = CliRunner().invoke(app, ["fix", str(doc), "--offline"])
    assert res.exit_code == ExitCode.USAGE
    assert "nothing to fix" not in res.output and "--offline checks nothing" in res.output


def test_fix_of_a_missing_file_fails(app: typer.Typer, tmp_path: Path, in_tmp: Path) -> None:
    res = CliRunner().invoke(app, ["fix", str(tmp_path / "missing.md")])
    assert res.exit_code == ExitCode.RUN_ERROR
    assert "missing.md: no such file or folder" in res.output
    assert "nothing to fix" not in res.output
    doc = tmp_path / "a.md"
    doc.write_text("Text [1].\n\n[1]: http://127.0.0.1:9/x\n")
    res = CliRunner().invoke(app, ["fix", str(doc), str(tmp_path / "missing.md"),
                                   "--store", str(tmp_path / "s.db")])
    assert res.exit_code == ExitCode.RUN_ERROR
    assert "1 input could not be read" in res.output
