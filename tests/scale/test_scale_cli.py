"""`--plan` sizes a run from the documents and the store, checking nothing; `workers` and
`scheduler` are validated as flags and config keys."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkaudit.cli import app
from linkaudit.config import AuditConfig
from linkaudit.configfile import merge
from linkaudit.errors import ConfigError
from linkaudit.store import Store


def doc(tmp_path: Path) -> Path:
    refs = [f"https://hot.example/{i}" for i in range(40)]
    refs += [f"https://cool{i}.example/a" for i in range(10)]
    body = " ".join(f"Claim {i} [{i + 1}]." for i in range(len(refs)))
    listing = "\n".join(f"[{i + 1}] {u}" for i, u in enumerate(refs))
    path = tmp_path / "a.md"
    path.write_text(f"{body}\n\n## References\n\n{listing}\n", encoding="utf-8")
    return path


def test_plan_counts_urls_hosts_and_predicts_from_measured_latency(tmp_path: Path) -> None:
    store_path = tmp_path / "store.db"
    with Store.open(store_path) as store:  # an earlier run timed hot.example at 2 s a check
        store.put_checks([("https://hot.example/old", {"url": "https://hot.example/old",
                           "status": "alive", "elapsed_ms": 2000}, -1.0)])
    result = CliRunner().invoke(app, [
        "audit", str(doc(tmp_path)), "--plan", "--store", str(store_path), "--per-host", "4",
        "--format", "json",
    ])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["urls"] == 50 and plan["hosts"] == 11
    assert plan["busiest_hosts"][0] == {
        "host": "hot.example", "urls": 40, "per_host": 4, "latency_s": 2.0,
        "latency_measured": True, "floor_s": 20.0,
    }
    assert plan["bound_s"] == pytest.approx(20.0)
    assert plan["measured_hosts"] == 1
    assert plan["archive"]["lookups_ceiling"] == 50
    assert plan["archive"]["calls_ceiling"] < 2 * 50  # hot.example's 40 in one batch


def test_plan_as_text_at_80_columns(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", str(doc(tmp_path)), "--plan", "--no-cache",
                                      "--workers", "2"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "50 distinct URLs; 50 to check on 11 hosts" in result.output
    assert "hot.example: 40 URLs, 4 at a time, 5.0 s" in result.output
    assert "0.5 s a request assumed for 11 hosts" in result.output
    assert "over 2 slots" in result.output


def test_workers_and_scheduler_values() -> None:
    assert merge({}, {"workers": "auto"}).scale.workers == max(1, os.cpu_count() or 1)
    assert merge({}, {"workers": "3"}).scale.workers == 3
    assert merge({}, {"scheduler": "10.0.0.5:8786"}).scale.scheduler == "tcp://10.0.0.5:8786"
    assert AuditConfig().scale.workers == 1 and AuditConfig().scale.scheduler is None
    for bad in ({"workers": "0"}, {"workers": "many"}, {"scheduler": "http://x"}):
        with pytest.raises(ConfigError):
            merge({}, bad)


def test_record_needs_one_process(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", str(doc(tmp_path)), "--workers", "2",
                                      "--record", str(tmp_path / "c.yaml"), "--no-cache"])
    assert result.exit_code == 2
    assert "--record writes one cassette from one process" in result.output


def test_a_missing_dask_names_this_projects_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hint installs this distribution's extra: `linkaudit` on PyPI is another project."""
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["audit", str(doc(tmp_path)), "--scheduler", "local",
                                   "--no-cache", "--no-history", "--archive", "none"])
    assert res.exit_code == 3, res.output
    assert "Dask distributed, which is not installed" in res.stderr
    assert "pip install 'linkaudit-citations[dask]'" in res.stderr
