"""The SQLite store: the cache of checks and archive answers, the run history, the crawl frontier.

One file (default `.linkaudit/linkaudit.db`), stdlib `sqlite3`, in WAL mode so that a reader and a
writer (two runs sharing a store) do not block each other, with a busy timeout so that two
writers wait instead of failing. Every write is a transaction: a run killed mid-way leaves the
file as it was before that transaction.

The file carries `PRAGMA application_id` (the bytes "LnkA") and `PRAGMA user_version` (the schema
version). A file that is not SQLite, is corrupt, or belongs to another program raises
`StoreError` and is never touched; an older schema is migrated forward in one transaction.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linkaudit.errors import StoreError

APPLICATION_ID = 0x4C6E6B41  # "LnkA"
SCHEMA_VERSION = 2

# Each entry upgrades the schema from its index to index + 1. Never edit a released entry:
# append a new one and bump SCHEMA_VERSION.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE checks (
        url TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        checked_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE TABLE archive (
        url TEXT NOT NULL,
        near TEXT NOT NULL,
        data TEXT NOT NULL,
        fetched_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (url, near)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started TEXT NOT NULL,
        finished TEXT,
        interrupted INTEGER NOT NULL DEFAULT 0,
        inputs TEXT NOT NULL DEFAULT '[]',
        counts TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE run_links (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER,
        error TEXT,
        PRIMARY KEY (run_id, url)
    );
    CREATE INDEX run_links_url ON run_links(url, run_id);
    CREATE TABLE run_citers (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        document TEXT NOT NULL,
        reference TEXT NOT NULL
    );
    CREATE INDEX run_citers_url ON run_citers(run_id, url);
    CREATE TABLE run_findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        document TEXT NOT NULL,
        reference TEXT,
        url TEXT,
        line INTEGER,
        message TEXT NOT NULL,
        fingerprint TEXT NOT NULL
    );
    CREATE INDEX run_findings_run ON run_findings(run_id);
    CREATE TABLE crawl_pages (
        site TEXT NOT NULL,
        url TEXT NOT NULL,
        state TEXT NOT NULL,
        depth INTEGER NOT NULL DEFAULT 0,
        discovered_from TEXT,
        lastmod TEXT,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        fetched_at REAL,
        note TEXT,
        PRIMARY KEY (site, url)
    );
    CREATE INDEX crawl_pages_state ON crawl_pages(site, state);
    """,
    # 1 -> 2: each article's last body (zlib), so an unchanged page's links are still checked.
    """
    CREATE TABLE crawl_bodies (
        site TEXT NOT NULL,
        url TEXT NOT NULL,
        page_url TEXT NOT NULL,
        fetched_url TEXT,
        charset TEXT,
        body BLOB NOT NULL,
        PRIMARY KEY (site, url)
    );
    """,
)


class Store:
    """An open store. Use `Store.open(path)`; close it with `close()` or a `with` block."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        """The sqlite3 connection (autocommit off; use `transaction()`)."""
        self.path = path
        """The file."""

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        """Open (and create or migrate) the store at `path`; `StoreError` names the file."""
        path = Path(path)
        exists = path.exists()
        if not exists and not create:
            raise StoreError(f"{path}: no store here")
        if exists and path.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        if exists and path.stat().st_size > 0:
            with path.open("rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise StoreError(
                        f"{path}: not a linkaudit store (not an SQLite file); left as is"
                    )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the store: {exc}") from exc
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0):
                raise StoreError(f"{path}: an SQLite file of another program; left as is")
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: store schema {version} is newer than this linkaudit "
                    f"({SCHEMA_VERSION}); upgrade linkaudit"
                )
            with contextlib.suppress(sqlite3.OperationalError):
                # A read-only file cannot switch journal mode; reads still work.
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(conn, path)
            store._migrate(version)
            return store
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path}: the store is unreadable ({exc}); left as is") from exc
        except BaseException:
            conn.close()
            raise

    def _migrate(self, version: int) -> None:
        if version == SCHEMA_VERSION:
            return
        with self.transaction() as conn:
            # Re-read under the write lock: another process may have migrated meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE): all of it is written, or none of it."""
        conn = self.connection
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot write to the store: {exc}") from exc
        try:
            yield conn
        except sqlite3.Error as exc:
            # A full disk or an I/O error mid-transaction: say it as a StoreError naming the file
            # (SQLite may already have rolled back; a failing ROLLBACK must not hide the cause).
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: cannot write to the store: {exc}") from exc
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot write to the store: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- cache of checks -------------------------------------------------------------------

    def get_check(self, url: str, now: float | None = None) -> dict[str, Any] | None:
        """The cached check of `url` as stored (JSON object), if not expired."""
        now = time.time() if now is None else now
        row = self.connection.execute(
            "SELECT data FROM checks WHERE url = ? AND expires_at > ?", (url, now)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put_checks(self, items: list[tuple[str, dict[str, Any], float]]) -> None:
        """Cache checks: (url, JSON object, ttl seconds) each, in one transaction."""
        now = time.time()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO checks (url, data, checked_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                [(url, json.dumps(data), now, now + ttl) for url, data, ttl in items],
            )

    def check_timings(self) -> Iterator[tuple[str, int]]:
        """(URL key, milliseconds its check took) for every cached check, expired ones included:
        what earlier runs measured, for planning the next one."""
        try:
            rows = self.connection.execute(
                "SELECT url, json_extract(data, '$.elapsed_ms') FROM checks"
            )
            for url, elapsed in rows:
                if isinstance(elapsed, int) and elapsed > 0:
                    yield url, elapsed
        except sqlite3.Error:
            return  # timings are a hint: an old SQLite without JSON functions gives none

    # -- cache of archive answers ------------------------------------------------------------

    def get_archive(self, url: str, near: str, now: float | None = None) -> dict[str, Any] | None:
        """The cached archive answer for (`url`, `near` date or ``""``), if not expired."""
        now = time.time() if now is None else now
        row = self.connection.execute(
            "SELECT data FROM archive WHERE url = ? AND near = ? AND expires_at > ?",
            (url, near, now),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put_archive(self, url: str, near: str, data: dict[str, Any], ttl: float) -> None:
        """Cache one archive answer."""
        now = time.time()
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO archive (url, near, data, fetched_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (url, near, json.dumps(data), now, now + ttl),
            )

    def clear_cache(self) -> int:
        """Drop every cached check and archive answer (history is kept). Returns rows removed."""
        with self.transaction() as conn:
            n = conn.execute("DELETE FROM checks").rowcount
            n += conn.execute("DELETE FROM archive").rowcount
        return n

    def cache_ages(self) -> dict[str, float | None]:
        """When the oldest and newest cached entries and the first and last runs were written
        (Unix seconds; None when there are none)."""
        q = self.connection.execute
        checks = q("SELECT min(checked_at), max(checked_at) FROM checks").fetchone()
        archive = q("SELECT min(fetched_at), max(fetched_at) FROM archive").fetchone()
        return {
            "oldest_check": checks[0], "newest_check": checks[1],
            "oldest_archive": archive[0], "newest_archive": archive[1],
        }

    def run_span(self) -> tuple[str | None, str | None]:
        """The start times (ISO 8601, UTC) of the first and the last recorded run."""
        query = "SELECT min(started), max(started) FROM runs"
        first, last = self.connection.execute(query).fetchone()
        return first, last

    def cache_stats(self) -> dict[str, int]:
        """Counts of cached checks (live and expired), archive answers and recorded runs."""
        now = time.time()
        q = self.connection.execute
        return {
            "checks": q("SELECT count(*) FROM checks WHERE expires_at > ?", (now,)).fetchone()[0],
            "checks_expired": q(
                "SELECT count(*) FROM checks WHERE expires_at <= ?", (now,)
            ).fetchone()[0],
            "archive": q("SELECT count(*) FROM archive").fetchone()[0],
            "runs": q("SELECT count(*) FROM runs").fetchone()[0],
        }
