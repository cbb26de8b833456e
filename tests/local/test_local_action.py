"""The GitHub Action on a docs tree: local links and anchors become annotations on their line
and column, and rows of the job summary, like any other finding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from linkaudit.action import run_action

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = ROOT / "tests" / "assets" / "handbook"


def test_action_annotates_missing_files_and_anchors(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "repo"
    shutil.copytree(HANDBOOK, workspace)
    env = {
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "INPUT_PATHS": ".",
        "INPUT_ARGS": "--offline",
        "INPUT_FAIL_ON": "error",
    }
    status = run_action(env, cwd=workspace)
    annotations = capfd.readouterr().out
    assert status == 1
    assert ("::warning file=README.md,line=11,col=3,title=linkaudit missing-anchor::"
            "guide/install.md#instalation: no heading or anchor of that name") in annotations
    assert ("::error file=guide/install.md,line=21,col=1,title=linkaudit dead::"
            "no such file: guide/absent.md") in annotations
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "./README.md:4:55" in summary and "no such file: guide/releases.md" in summary
    assert "missing-anchor" in summary and "No references found" not in summary
    report = json.loads(Path(
        next(line for line in (tmp_path / "output.txt").read_text().split("\n")
             if line.endswith("linkaudit.json"))).read_text())
    assert {f["rule"] for f in report["findings"]} == {"dead", "missing-anchor", "invalid-url"}
