"""The whole pipeline (the lead's `run_audit`) against a loopback site and a loopback archive:
two audits record history, the report says what changed, and `fix` links the archived copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from fakes import cdx_answer

from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.fix import plan_fixes
from linkaudit.health.history import record_run
from linkaudit.health.json_v1 import to_json_v1
from linkaudit.health.report import build_report
from linkaudit.store import Store

audit_module = pytest.importorskip("linkaudit.audit")


@pytest.fixture
async def site(aiohttp_server):  # type: ignore[no-untyped-def]
    """A site whose pages answer `state[path]`, plus a Wayback-style CDX endpoint."""
    state: dict[str, int] = {"/a": 200, "/b": 200}

    async def page(request: web.Request) -> web.Response:
        return web.Response(
            status=state.get(request.path, 404),
            text="<html><head><title>A page</title></head><body>Hello there.</body></html>",
            content_type="text/html",
        )

    async def cdx(request: web.Request) -> web.Response:
        captures = {request.query["url"]: [("20250815000000", "200")]}
        status, body, headers = cdx_answer(captures, request.query)
        return web.Response(status=status, text=body, headers=headers)

    app = web.Application()
    app.router.add_get("/cdx/search/cdx", cdx)
    app.router.add_get("/{name}", page)
    server = await aiohttp_server(app)
    return state, str(server.make_url("")).rstrip("/")


async def test_two_audits_then_report_and_fix(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    doc = tmp_path / "a.md"
    original = (
        "---\r\ndate: 2025-09-01\r\n---\r\n# T\r\n\r\nClaim [^1]. Other [^2].\r\n\r\n"
        f"[^1]: {base}/a\r\n[^2]: [B]({base}/b)\r\n"
    )
    doc.write_bytes(original.encode())
    cfg = AuditConfig.build(
        store=tmp_path / "h.db",
        allow_private_all=True,
        archive=ArchiveMode.NONE,
        archive_url=base,
        retries=0,
        cache=False,
    )
    await audit_module.run_audit([str(doc)], cfg, history=record_run)
    state["/b"] = 404
    await audit_module.run_audit([str(doc)], cfg, history=record_run)
    with Store.open(cfg.store.path) as store:
        data = to_json_v1(build_report(store, cfg.health))
    assert len(data["runs"]) == 2
    assert [r["counts"] for r in data["runs"]] == [{"alive": 2}, {"alive": 1, "dead": 1}]
    assert [(i["url"], i["status"]) for i in data["new"]] == [(f"{base}/b", "dead")]
    assert data["new"][0]["citers"] == [{"document": str(doc), "reference": "2"}]
    assert data["dead"] == []  # two runs on one day: not confirmed

    fix_cfg = AuditConfig.build(
        store=cfg.store.path,
        allow_private_all=True,
        archive=ArchiveMode.DEAD,
        archive_url=base,
        retries=0,
        cache=False,
        history=False,
    )
    result = await audit_module.run_audit([str(doc)], fix_cfg)
    (file_fix,) = plan_fixes(result).files
    after = file_fix.new_bytes().decode()
    snapshot = f"{base}/web/20250815000000/{base}/b"
    assert after == original.replace(
        f"[B]({base}/b)\r\n", f"[B]({base}/b) [archived]({snapshot})\r\n"
    )
