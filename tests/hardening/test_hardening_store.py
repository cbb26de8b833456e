"""The store under trouble: read-only, locked, corrupt, foreign or on a full disk.

In every case the audit either finishes (the trouble said in one problem line) or stops with one
`StoreError` line naming the file; it never raises a raw sqlite3 error, and the file keeps every
earlier run and passes `PRAGMA integrity_check`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from hardkit import config, markdown_doc, serve

from linkaudit.audit import run_audit
from linkaudit.errors import StoreError
from linkaudit.health.history import record_run
from linkaudit.model import AuditResult, LinkStatus
from linkaudit.store import Store


async def _ok(request: web.Request) -> web.StreamResponse:
    return web.Response(text="<title>fine</title>", content_type="text/html")


def _runs(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])


async def _audit(tmp: Path, store: Path, n_urls: int = 5) -> AuditResult:
    server = await serve(_ok, host="127.0.0.2")
    try:
        urls = [server.url(f"/p/{n}?" + "q" * 200) for n in range(n_urls)]
        cfg = config(tmp, allow_private=("127.0.0.2/32",), cache=True, history=True, store=store)
        return await run_audit([str(markdown_doc(tmp, urls))], cfg, history=record_run)
    finally:
        await server.close()


def _store_problems(result: AuditResult) -> list[str]:
    return [p.message for p in result.problems if p.kind == "store"]


async def test_corrupt_store_is_reported_and_left_as_is(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    await _audit(tmp_path, store)
    data = bytearray(store.read_bytes())
    data[100:4096] = b"\xde\xad\xbe\xef" * ((4096 - 100) // 4)  # smash the schema page
    store.write_bytes(bytes(data))
    result = await _audit(tmp_path, store)
    assert {c.status for c in result.checks.values()} == {LinkStatus.ALIVE}
    (message,) = _store_problems(result)
    assert str(store) in message and "\n" not in message
    assert store.read_bytes() == bytes(data)


@pytest.mark.parametrize("content", [b"not a database at all\n" * 10, b"", b"SQLite format 3\x00"])
async def test_foreign_or_truncated_store(tmp_path: Path, content: bytes) -> None:
    store = tmp_path / "store.db"
    store.write_bytes(content)
    result = await _audit(tmp_path, store)
    assert {c.status for c in result.checks.values()} == {LinkStatus.ALIVE}
    if content:
        assert len(_store_problems(result)) == 1
        assert store.read_bytes() == content


async def test_store_locked_by_another_writer_waits(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    await _audit(tmp_path, store)
    holder = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO runs (started, inputs) VALUES ('2025-01-01T00:00:00Z', '[]')")
    release = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        t0 = time.monotonic()
        result = await _audit(tmp_path, store)
        waited = time.monotonic() - t0
    finally:
        release.join()
        holder.close()
    assert _store_problems(result) == []
    assert waited >= 0.9  # it waited for the lock rather than failing or overwriting
    assert _runs(store) == 3  # first run, the other writer's, this one


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


async def test_store_on_a_read_only_filesystem(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "1m") as mnt:
        store = mnt / "store.db"
        await _audit(tmp_path, store)
        with contextlib.closing(sqlite3.connect(store)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = store.read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            result = await _audit(tmp_path, store)
        except StoreError as exc:
            assert str(store) in str(exc) and "\n" not in str(exc)
        else:
            assert {c.status for c in result.checks.values()} == {LinkStatus.ALIVE}
            assert len(_store_problems(result)) >= 1
        assert store.read_bytes() == before


async def test_store_on_a_full_disk(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "full", "512k") as mnt:
        store = mnt / "store.db"
        await _audit(tmp_path, store)
        assert _runs(store) == 1
        filler = mnt / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        try:
            result = await _audit(tmp_path, store, n_urls=300)
        except StoreError as exc:
            message = str(exc)
            assert str(store) in message and "\n" not in message
        else:
            assert {c.status for c in result.checks.values()} == {LinkStatus.ALIVE}
            assert any("full" in m for m in _store_problems(result))
        os.unlink(filler)
        assert _runs(store) == 1  # the earlier run is whole


async def test_disk_full_while_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up after the store opened: the cache and history writes fail (SQLITE_FULL,
    simulated with `max_page_count` on the run's own connection)."""
    store = tmp_path / "store.db"
    await _audit(tmp_path, store)
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def full_open(cls: type[Store], path: Path, *, create: bool = True) -> Store:
        opened = real_open(cls, path, create=create)
        pages = opened.connection.execute("PRAGMA page_count").fetchone()[0]
        opened.connection.execute(f"PRAGMA max_page_count = {pages}")
        return opened

    monkeypatch.setattr(Store, "open", classmethod(full_open))
    try:
        result = await _audit(tmp_path, store, n_urls=300)
    except StoreError as exc:
        assert str(store) in str(exc) and "full" in str(exc) and "\n" not in str(exc)
    else:
        assert {c.status for c in result.checks.values()} == {LinkStatus.ALIVE}
        assert any("full" in m for m in _store_problems(result))
    assert _runs(store) == 1
