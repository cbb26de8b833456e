"""The history store under stress: old schemas, foreign files, two writers, a killed run."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from health_support import day, result_of

from linkaudit.config import AuditConfig
from linkaudit.errors import StoreError
from linkaudit.health.history import link_states, list_runs, record_run
from linkaudit.health.policy import HealthState
from linkaudit.model import AuditResult, LinkCheck, LinkStatus
from linkaudit.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Store

URL = "https://example.org/paper"


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_migrates_a_v0_file(tmp_path: Path) -> None:
    path = tmp_path / "v0.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # ours, but no tables yet
    conn.close()
    assert path.stat().st_size > 0
    with Store.open(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        record_run(store, result_of({URL: LinkStatus.DEAD}, day(0)))
        assert len(list_runs(store)) == 1


def test_opens_a_hand_made_v1_file_with_history(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    for n, d in enumerate((0, 2, 4), 1):
        started = day(d).isoformat()
        conn.execute(
            "INSERT INTO runs (id, started, finished, inputs, counts) VALUES (?, ?, ?, ?, ?)",
            (n, started, started, '["docs/a.md"]', '{"dead": 1}'),
        )
        conn.execute(
            "INSERT INTO run_links (run_id, url, status, http_status) VALUES (?, ?, 'dead', 404)",
            (n, URL),
        )
    # A class a later version might add: ignored, not a crash.
    conn.execute("INSERT INTO run_links VALUES (3, 'https://x.example/', 'quantum', NULL, NULL)")
    conn.commit()
    conn.close()
    cfg = AuditConfig.build(store=path)
    with Store.open(path) as store:
        (history,) = link_states(store, cfg.health, now=day(5))
        new_id = record_run(store, result_of({URL: LinkStatus.ALIVE}, day(6)))
        runs = list_runs(store)
    assert history.verdict.state is HealthState.DEAD
    assert history.observations[0].http_status == 404
    assert new_id == 4 and len(runs) == 4


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("foreign", "another program"),
        ("corrupt", "unreadable"),
        ("text", "not an SQLite file"),
        ("newer", "newer than this linkaudit"),
    ],
)
def test_bad_store_is_refused_and_left_alone(tmp_path: Path, setup: str, message: str) -> None:
    path = tmp_path / "bad.db"
    if setup == "text":
        path.write_bytes(b"just some notes\n")
    elif setup == "corrupt":
        path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    else:
        conn = sqlite3.connect(path)
        if setup == "foreign":
            conn.execute("CREATE TABLE mail (id INTEGER)")
        else:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("PRAGMA user_version = 99")
        conn.commit()
        conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=message):
        Store.open(path)
    assert path.read_bytes() == before


def _writer(path: str, tag: str) -> None:
    with Store.open(Path(path)) as store:
        for n in range(20):
            urls = {f"https://{tag}.example/{k}": LinkStatus.ALIVE for k in range(5)}
            record_run(store, result_of(urls, day(n)))


def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    Store.open(path).close()  # created once, so neither writer races on the migration
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), tag)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Store.open(path) as store:
        runs = list_runs(store)
        links = store.connection.execute("SELECT count(*) FROM run_links").fetchone()[0]
    assert len(runs) == 40 and len({r.id for r in runs}) == 40
    assert links == 40 * 5
    assert _integrity(path) == "ok"


class _StallingChecks(Mapping[str, LinkCheck]):
    """Checks whose `items()` stalls half-way (inside record_run's transaction)."""

    def __init__(self, checks: dict[str, LinkCheck], reached: object) -> None:
        self._checks = checks
        self._reached = reached

    def __getitem__(self, key: str) -> LinkCheck:
        return self._checks[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    def items(self):  # type: ignore[no-untyped-def, override]
        for n, pair in enumerate(self._checks.items()):
            if n == 2:
                self._reached.set()  # type: ignore[attr-defined]
                signal.pause()  # wait here to be killed
            yield pair


def _killed_writer(path: str, reached: object) -> None:
    with Store.open(Path(path)) as store:
        record_run(store, result_of({URL: LinkStatus.DEAD}, day(0)))
        record_run(store, result_of({URL: LinkStatus.DEAD}, day(1)))
        base = result_of({f"https://k.example/{n}": LinkStatus.DEAD for n in range(5)}, day(2))
        stalled = AuditResult(
            documents=base.documents,
            checks=_StallingChecks(dict(base.checks), reached),
            started=base.started,
        )
        record_run(store, stalled)


def test_a_run_killed_mid_transaction_leaves_the_earlier_runs(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    ctx = multiprocessing.get_context("fork")
    reached = ctx.Event()
    proc = ctx.Process(target=_killed_writer, args=(str(path), reached))
    proc.start()
    assert reached.wait(30), "the writer never reached the middle of its transaction"
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    with Store.open(path) as store:
        runs = list_runs(store)
        orphans = store.connection.execute(
            "SELECT count(*) FROM run_links WHERE url LIKE 'https://k.example/%'"
        ).fetchone()[0]
        # ... and the store still takes new runs.
        record_run(store, result_of({URL: LinkStatus.ALIVE}, day(3)))
    assert [r.started for r in runs] == [day(0), day(1)]
    assert orphans == 0
    assert _integrity(path) == "ok"
