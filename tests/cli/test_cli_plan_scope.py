"""`audit --plan` sizes the run `audit` would make: the inputs `--exclude-path` (or the config
file's `exclude-path`) skips are not read for the plan either."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from linkaudit.cli import app


def _plan(*args: str) -> dict[str, object]:
    res = CliRunner().invoke(app, ["audit", "docs", "--plan", "-f", "json", *args])
    assert res.exit_code == 0, res.output
    plan: dict[str, object] = json.loads(res.stdout)
    return plan


def test_plan_skips_the_excluded_inputs(tree: Path) -> None:
    assert (_plan()["documents"], _plan()["urls"]) == (2, 2)
    excluded = _plan("--exclude-path", "drafts/")
    assert (excluded["documents"], excluded["urls"]) == (1, 1)


def test_plan_skips_the_inputs_the_config_file_excludes(tree: Path) -> None:
    (tree / "linkaudit.toml").write_text('exclude-path = ["drafts/"]\n')
    assert _plan()["documents"] == 1


def test_plan_leaves_out_the_urls_exclude_skips(tree: Path) -> None:
    """A URL `--exclude` matches is skipped by a run, never requested: the plan counts it apart
    and neither plans a request nor an archive lookup for it."""
    whole = _plan("--archive", "dead")
    assert (whole["urls"], whole["filtered"], whole["hosts"]) == (2, 0, 1)
    plan = _plan("--archive", "dead", "--exclude", "/b$")
    assert (plan["urls"], plan["filtered"], plan["hosts"]) == (2, 1, 1)
    assert plan["busiest_hosts"][0]["urls"] == 1
    assert plan["archive"]["lookups_ceiling"] == 1
    res = CliRunner().invoke(app, ["audit", "docs", "--plan", "--exclude", "example"])
    assert res.exit_code == 0, res.output
    assert "2 distinct URLs; 0 to check on 0 hosts (2 left out by --include/--exclude)" in (
        res.stdout)
    assert "nothing to check: every URL is fresh in the cache or left out" in res.stdout


def test_plan_fails_as_the_audit_would_on_an_input_it_cannot_read(tree: Path) -> None:
    """A plan of the readable inputs, then exit 3: never a green plan of nothing."""
    res = CliRunner().invoke(app, ["audit", "docs", "missing.md", "--plan", "-f", "json"])
    assert res.exit_code == 3, res.output
    assert json.loads(res.stdout)["documents"] == 2
    assert "missing.md: no such file or folder" in res.stderr
    assert "1 input could not be read" in res.stderr
    alone = CliRunner().invoke(app, ["audit", "missing.md", "--plan"])
    assert alone.exit_code == 3
    assert "every URL is fresh in the cache" not in alone.stdout
