"""`report --format table` (the default) and `cache stats`, on a store with recorded runs."""

from __future__ import annotations

import re
from pathlib import Path

from health_support import day, result_of
from typer.testing import CliRunner

from linkaudit.cli import app
from linkaudit.health.history import record_run
from linkaudit.model import LinkStatus
from linkaudit.store import Store

DEAD = "https://dead.example/a-rather-long-path/that-must-fold-at-eighty-columns/article.html"
OK = "https://ok.example/"


def store_with_runs(path: Path) -> None:
    with Store.open(path) as store:
        for n in range(3):
            record_run(store, result_of({DEAD: LinkStatus.DEAD, OK: LinkStatus.ALIVE}, day(2 * n)))
        store.put_checks([(OK, {"status": "alive"}, 3600.0), (DEAD, {"status": "dead"}, 0.0)])


def run(*args: str, columns: int = 80) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})
    return result.exit_code, result.stdout, result.stderr


def test_report_table_is_the_default_and_reads_plainly(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    store_with_runs(store)
    code, out, _err = run("report", "--store", str(store))
    assert code == 0
    assert out.startswith("Link health: run #3 on 2026-01-09, 2 links: 0 new, 1 persisting")
    assert "Persisting: 1" in out and "Oldest dead links: 1" in out
    assert "article.html" in out and "…" not in out  # folded at 80 columns, never cut
    assert DEAD in run("report", "--store", str(store), columns=200)[1]
    assert "\\" not in out and "|" not in out  # no Markdown escapes or pipes
    assert max(len(line) for line in out.splitlines()) <= 80
    markdown = run("report", "--store", str(store), "--format", "markdown")[1]
    assert markdown.startswith("## Link health")


def test_cache_stats_show_path_size_and_ages(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    store_with_runs(store)
    code, out, _err = run("cache", "stats", "--store", str(store))
    assert code == 0
    rows = dict(line.split(":", 1) for line in out.splitlines())
    assert rows["store"].strip().startswith(f"{store} (") and "KiB" in rows["store"]
    assert re.fullmatch(r"\s*1 fresh, 1 expired \(reused for 1 d\)", rows["checks"])
    assert re.fullmatch(r"\s*\d+ s ago", rows["oldest check"])
    assert rows["runs recorded"].strip() == "3"
    assert rows["first run"].strip() == "2026-01-05 06:00"
    assert rows["last run"].strip() == "2026-01-09 06:00"
    code, out, _err = run("cache", "clear", "--store", str(store))
    assert code == 0 and out.startswith("removed 2 cached entries")
