"""The store: creation, cache TTLs, refusing foreign or corrupt files, migrations, concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from linkaudit.errors import StoreError
from linkaudit.store import APPLICATION_ID, SCHEMA_VERSION, Store


def test_new_store_has_schema_and_id(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "s.db"
    with Store.open(path) as store:
        conn = store.connection
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cache_respects_ttl(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        store.put_checks([("https://a.example/", {"status": "alive"}, 100)])
        assert store.get_check("https://a.example/") == {"status": "alive"}
        import time

        assert store.get_check("https://a.example/", now=time.time() + 101) is None
        store.put_archive("https://a.example/", "2025-01-01", {"state": "archived"}, 10)
        assert store.get_archive("https://a.example/", "2025-01-01") == {"state": "archived"}
        assert store.get_archive("https://a.example/", "") is None
        assert store.cache_stats()["checks"] == 1
        assert store.clear_cache() == 2
        assert store.get_check("https://a.example/") is None


def test_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"my precious notes\n" * 10)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a linkaudit store"):
        Store.open(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        Store.open(path)
    assert path.read_bytes() == before


def test_corrupt_store_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        store.put_checks([("https://a.example/", {"x": 1}, 100)])
    data = bytearray(path.read_bytes())
    # Keep the SQLite header, garble the pages after it.
    data[100:] = b"\xff" * (len(data) - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        Store.open(path)
    assert path.read_bytes() == bytes(data)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory"):
        Store.open(tmp_path)


def test_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        store.put_checks([("https://a.example/", {"x": 1}, 100)])
        with pytest.raises(RuntimeError), store.transaction() as conn:
            conn.execute("DELETE FROM checks")
            raise RuntimeError("killed mid-way")
        assert store.get_check("https://a.example/") == {"x": 1}


def _writer(path: str, prefix: str) -> None:
    with Store.open(Path(path)) as store:
        for i in range(25):
            store.put_checks([(f"https://{prefix}.example/{i}", {"i": i}, 100)])


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.open(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), p)) for p in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Store.open(path) as store:
        assert store.cache_stats()["checks"] == 50
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
