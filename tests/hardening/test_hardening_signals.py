"""SIGINT and SIGTERM mid-run: a prompt exit, a partial report, and an intact store.

`python -m linkaudit audit` runs in a child process against a slow loopback site; once the site
has answered a few requests (results are in), the signal is sent. The child must exit within a
few seconds with 130 (SIGINT) or 143 (SIGTERM), print a JSON report marked `interrupted` holding
the links checked so far, and leave the store passing `integrity_check` with the earlier run
still there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web
from hardkit import config, markdown_doc, serve

from linkaudit.audit import run_audit
from linkaudit.health.history import record_run

N_URLS = 60


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_signal_mid_run_gives_a_partial_report(tmp_path: Path, sig: signal.Signals) -> None:
    answered = [0]

    async def slow(request: web.Request) -> web.StreamResponse:
        if request.path.startswith("/slow"):
            await asyncio.sleep(0.4)
        answered[0] += 1
        return web.Response(text="<title>slow page</title>", content_type="text/html")

    server = await serve(slow, host="127.0.0.2")
    store = tmp_path / "store.db"
    try:
        # An earlier, complete run in the same store.
        cfg = config(tmp_path, allow_private=("127.0.0.2/32",), cache=True, history=True,
                     store=store)
        await run_audit([str(markdown_doc(tmp_path, [server.url("/fast")], name="old.md"))], cfg,
                        history=record_run)
        answered[0] = 0
        doc = markdown_doc(tmp_path, [server.url(f"/slow/{n}") for n in range(N_URLS)])
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "linkaudit", "audit", str(doc), "--format", "json",
            "--allow-private", "127.0.0.2/32", "--store", str(store), "--archive", "none",
            "--per-host", "2", "--retries", "0", "--quiet",
            cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while answered[0] < 4 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert answered[0] >= 4, "the child never got going"
        child.send_signal(sig)
        t0 = time.monotonic()
        stdout, stderr = await asyncio.wait_for(child.communicate(), timeout=10)
        exit_s = time.monotonic() - t0
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await server.close()
    assert exit_s < 3, f"took {exit_s:.1f} s to stop"
    # The documented status of an interrupted run (128 + the signal), never 0: a CI that
    # cancels or times out a job must not read the partial run as a pass.
    assert child.returncode == 128 + int(sig), stderr.decode()
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr
    report = json.loads(stdout)
    assert report["summary"]["interrupted"] is True
    checked = [link for link in report["links"] if link["status"] == "alive"]
    assert 1 <= len(checked) < N_URLS  # a partial report: what was done, not nothing
    with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = conn.execute("SELECT interrupted FROM runs ORDER BY id").fetchall()
    assert runs[0] == (0,)  # the earlier run is intact
    assert len(runs) <= 2 and all(r == (1,) for r in runs[1:])
