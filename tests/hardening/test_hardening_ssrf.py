"""SSRF end to end: links and redirect hops to refused addresses never open a connection.

Each test runs the whole pipeline (`run_audit`) with a real `AiohttpClient` and no
`--allow-private`, except for one loopback address standing in for "the public web" where a test
needs a server that redirects. The refused targets are served too (on 127.0.0.1 and ::1), so a
request that slipped through would be counted; every test asserts that count is zero.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from hardkit import Server, config, markdown_doc, redirect_to, serve

from linkaudit.audit import run_audit
from linkaudit.check.transport import AiohttpClient
from linkaudit.model import LinkStatus

PUBLIC = "127.0.0.2"
"""The loopback address that plays a public host (allowed with `allow_private`)."""


@pytest.fixture
async def target() -> AsyncIterator[Server]:
    """The server a forged URL would reach: on 127.0.0.1 and ::1, counting every request."""
    server = await serve(host="127.0.0.1", extra_hosts=("::1",))
    yield server
    await server.close()


def _forms(port: int) -> dict[str, str]:
    """Spellings of refused addresses (the local ones on the target's port) -> reason word."""
    return {
        f"http://127.0.0.1:{port}/a": "loopback",
        f"http://[::1]:{port}/b": "loopback",
        f"http://2130706433:{port}/c": "loopback",
        f"http://0177.0.0.1:{port}/d": "loopback",
        f"http://0x7f.1:{port}/e": "loopback",
        f"http://[::ffff:127.0.0.1]:{port}/f": "loopback",
        f"http://0.0.0.0:{port}/g": "unspecified",
        "http://169.254.169.254/latest/meta-data/": "cloud metadata",
        "http://10.0.0.1/": "private",
        "http://172.16.5.4/": "private",
        "http://192.168.1.1/": "private",
        "http://[fd00::1]/": "private",
        "http://[fe80::1]/": "link-local",
        "http://100.64.0.1/": "shared",
    }


async def test_links_to_refused_addresses_are_skipped_unsent(
    tmp_path: Path, target: Server
) -> None:
    forms = _forms(target.port)
    doc = markdown_doc(tmp_path, list(forms))
    result = await run_audit([str(doc)], config(tmp_path))
    assert set(result.checks) == set(forms)
    for url, word in forms.items():
        check = result.checks[url]
        assert check.status is LinkStatus.SKIPPED, (url, check)
        assert word in (check.error or ""), (url, check.error)
        assert check.http_status is None
    assert target.recorder.hits == 0


async def test_redirect_hops_to_refused_addresses_are_skipped_unsent(
    tmp_path: Path, target: Server
) -> None:
    forms = _forms(target.port)
    redirectors: list[Server] = []
    try:
        redirectors.extend([await serve(redirect_to(loc), host=PUBLIC) for loc in forms])
        urls = [r.url("/start") for r in redirectors]
        doc = markdown_doc(tmp_path, urls)
        cfg = config(tmp_path, allow_private=(f"{PUBLIC}/32",))
        result = await run_audit([str(doc)], cfg)
        for server, (location, word) in zip(redirectors, forms.items(), strict=True):
            check = result.checks[server.url("/start")]
            assert server.recorder.hits == 1
            assert check.status is LinkStatus.SKIPPED, (location, check)
            assert "refused" in (check.error or "") and word in (check.error or ""), check.error
            assert [h.location for h in check.redirects] == [location]
        assert target.recorder.hits == 0
    finally:
        for server in redirectors:
            await server.close()


async def test_hostname_resolving_to_loopback_is_refused(tmp_path: Path, target: Server) -> None:
    # `localhost` through the real system resolver: 127.0.0.1 and/or ::1, both refused.
    url = f"http://localhost:{target.port}/admin"
    doc = markdown_doc(tmp_path, [url])
    result = await run_audit([str(doc)], config(tmp_path))
    check = result.checks[url]
    assert check.status is LinkStatus.SKIPPED
    assert "localhost resolves to a loopback address" in (check.error or "")
    assert target.recorder.hits == 0


class FixedResolver(AbstractResolver):
    """Answers every name with the next address of a script (the last one repeats)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        address = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        fam = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [ResolveResult(hostname=host, host=address, port=port, family=fam, proto=0,
                              flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        return None


async def test_name_resolving_to_private_and_metadata_is_refused(
    tmp_path: Path, target: Server
) -> None:
    for address, word in (("127.0.0.1", "loopback"), ("169.254.169.254", "cloud metadata"),
                          ("10.1.2.3", "private"), ("::1", "loopback")):
        url = f"http://intranet.corp.test:{target.port}/"
        cfg = config(tmp_path)
        client = AiohttpClient(cfg.network, resolver=FixedResolver(address))
        try:
            result = await run_audit([str(markdown_doc(tmp_path, [url]))], cfg, client=client)
        finally:
            await client.close()
        check = result.checks[url]
        assert check.status is LinkStatus.SKIPPED, (address, check)
        assert f"intranet.corp.test resolves to a {word}" in (check.error or "")
    assert target.recorder.hits == 0


async def test_dns_rebinding_uses_the_checked_address(tmp_path: Path, target: Server) -> None:
    """A name answers "public" first and loopback second: no request ever reaches loopback.

    The guard and the connection use one resolution (the resolver hands aiohttp only the
    addresses it passed), so the first connection goes to the checked address; once that
    answer expires, the next resolution is checked again and refused.
    """
    public = await serve(host=PUBLIC, port=target.port)
    try:
        resolver = FixedResolver(PUBLIC, "127.0.0.1")
        cfg = config(tmp_path, allow_private=(f"{PUBLIC}/32",))
        client = AiohttpClient(cfg.network, resolver=resolver)
        url = f"http://rebind.test:{target.port}/page"
        try:
            first = await run_audit([str(markdown_doc(tmp_path, [url]))], cfg, client=client)
            assert first.checks[url].status is LinkStatus.ALIVE
            assert public.recorder.hits == 1 and resolver.calls == 1
            # The DNS answer expires: the next connection resolves again, and is refused.
            session = client._get_session()
            session.connector.clear_dns_cache()  # type: ignore[union-attr]
            await session.connector.close()  # type: ignore[union-attr]
            client._session = None
            second = await run_audit([str(markdown_doc(tmp_path, [url]))], cfg, client=client)
        finally:
            await client.close()
        assert resolver.calls == 2
        check = second.checks[url]
        assert check.status is LinkStatus.SKIPPED
        assert "loopback" in (check.error or "")
        assert target.recorder.hits == 0
    finally:
        await public.close()


async def test_non_http_schemes_are_never_fetched(tmp_path: Path) -> None:
    urls = ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://10.0.0.1/x"]
    path = tmp_path / "doc.html"
    path.write_text(
        "<html><body>" + "".join(f'<a href="{u}">x</a>' for u in urls) + "</body></html>",
        encoding="utf-8",
    )
    result = await run_audit([str(path)], config(tmp_path))
    for url in urls:
        if url in result.checks:
            assert result.checks[url].status in (LinkStatus.INVALID, LinkStatus.SKIPPED)


async def test_url_input_redirecting_to_loopback_is_not_fetched(
    tmp_path: Path, target: Server
) -> None:
    """An article given as a URL input follows its redirects under the same guard."""
    start = await serve(redirect_to(target.url("/internal")), host=PUBLIC)
    try:
        cfg = config(tmp_path, allow_private=(f"{PUBLIC}/32",))
        result = await run_audit([start.url("/article"), str(markdown_doc(tmp_path, []))], cfg)
    finally:
        await start.close()
    assert start.recorder.hits == 1 and target.recorder.hits == 0
    (problem,) = [p for p in result.problems if p.kind == "fetch"]
    assert "loopback" in problem.message and "\n" not in problem.message
