"""An accepted error status (`accept = [403, 500]`) is alive for liveness, never claim evidence."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from hardkit import config, markdown_doc, serve

from linkaudit.audit import run_audit
from linkaudit.config import HostPolicy
from linkaudit.model import LinkStatus

ERROR_PAGE = "Forbidden. Error 403. Our cloud made $99 billion; robots go away."


async def test_an_accepted_error_page_is_no_evidence_for_a_claim(tmp_path: Path) -> None:
    async def forbidden(request: web.Request) -> web.StreamResponse:
        status = 403 if request.path.startswith("/f") else 500
        return web.Response(status=status, text=ERROR_PAGE, content_type="text/plain")

    server = await serve(forbidden)
    try:
        doc = markdown_doc(tmp_path, [server.url("/forbidden"), server.url("/error")],
                           prose="The cloud arm made $53 billion")
        cfg = config(
            tmp_path,
            allow_private_all=True,
            hosts=(("127.0.0.1", HostPolicy(accept=frozenset({403, 500}))),),
        )
        result = await run_audit([str(doc)], cfg)
    finally:
        await server.close()
    assert {c.status for c in result.checks.values()} == {LinkStatus.ALIVE}  # liveness: fine
    rules = {f.rule for f in result.findings}
    assert "unsupported-number" not in rules and "weak-support" not in rules
    reasons = [s.reason for s in result.skips if s.rule == "unsupported-number"]
    assert reasons and all("accepted by the host policy" in r for r in reasons)
