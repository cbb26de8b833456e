"""Cassettes are vcrpy's format, proven with vcrpy itself in both directions.

A loopback site (standard library server in a thread, so that blocking clients can reach it)
serves a page, a gzip-compressed page, a permanent redirect and a 404. linkaudit records a run and
vcrpy replays that cassette to `urllib`; vcrpy records `urllib` and `aiohttp` clients and
linkaudit replays those cassettes. Every replay happens after the server is gone.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import vcr
import yaml
from typer.testing import CliRunner

from linkaudit.cli import app

PAGE = (b"<html><head><title>Plain page</title></head>"
        b"<body><p>Published 2025-03-04. The plain page.</p></body></html>")
ZIPPED = (b"<html><head><title>Zipped page</title></head>"
          b"<body><p>Compressed on the wire, read decompressed.</p></body></html>")
PATHS = ("/page", "/gz", "/moved", "/gone")


class Handler(BaseHTTPRequestHandler):
    """The four answers; the gzip one is compressed whatever the request asked."""

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        body, status, extra = PAGE, 200, {}
        if self.path == "/gz":
            body, extra = gzip.compress(ZIPPED), {"Content-Encoding": "gzip"}
        elif self.path == "/moved":
            body, status, extra = b"", 301, {"Location": "/page"}
        elif self.path != "/page":
            body, status = b"<html><title>Not found</title></html>", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def base(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def article(tmp_path: Path, root: str) -> Path:
    doc = tmp_path / "article.md"
    refs = "\n".join(f"{n}. {root}{p}" for n, p in enumerate(PATHS, 1))
    doc.write_text(f"# Note\n\nClaims [1], [2], [3] and [4].\n\n## References\n\n{refs}\n",
                   encoding="utf-8")
    return doc


def stored_response(cassette: Path, path: str) -> dict[str, Any]:
    """The response a cassette holds for the request to `path`."""
    stored = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    response: dict[str, Any] = next(
        i["response"] for i in stored["interactions"] if i["request"]["uri"].endswith(path)
    )
    return response


def audit(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(
        app, ["audit", *args, "--archive", "none", "--no-cache", "--no-history",
              "--fail-on", "never", "--format", "json", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def links_by_path(report: dict[str, object], root: str) -> dict[str, dict[str, object]]:
    links = report["links"]
    assert isinstance(links, list)
    return {link["url"].removeprefix(root): link for link in links}


def test_vcrpy_replays_a_cassette_linkaudit_recorded(
    server: ThreadingHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = base(server)
    cassette = tmp_path / "linkaudit.yaml"
    audit(str(article(tmp_path, root)), "--record", str(cassette), "--allow-private",
          "127.0.0.0/8")
    server.shutdown()
    server.server_close()

    zipped = stored_response(cassette, "/gz")
    assert zipped["headers"]["Content-Encoding"] == ["gzip"]
    assert zipped["body"]["string"].startswith(b"\x1f\x8b")  # the bytes the header promises
    assert zipped["headers"]["Content-Length"] == [str(len(zipped["body"]["string"]))]

    with vcr.use_cassette(str(cassette), record_mode="none"):
        with urllib.request.urlopen(f"{root}/page") as resp:
            assert resp.status == 200 and resp.read() == PAGE
        with urllib.request.urlopen(f"{root}/gz") as resp:
            assert resp.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(resp.read()) == ZIPPED
        with urllib.request.urlopen(f"{root}/moved") as resp:  # urllib follows the 301
            assert resp.url == f"{root}/page" and resp.read() == PAGE
        with pytest.raises(urllib.error.HTTPError) as gone:
            urllib.request.urlopen(f"{root}/gone")
        assert gone.value.code == 404


def test_linkaudit_replays_a_cassette_vcrpy_recorded_with_urllib(
    server: ThreadingHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = base(server)
    cassette = tmp_path / "vcrpy.yaml"
    with vcr.use_cassette(str(cassette), record_mode="all"):
        for path in PATHS:
            try:
                urllib.request.urlopen(f"{root}{path}").read()
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
    server.shutdown()
    server.server_close()
    zipped = stored_response(cassette, "/gz")
    assert zipped["body"]["string"].startswith(b"\x1f\x8b")  # vcrpy keeps wire bytes

    report = audit(str(article(tmp_path, root)), "--replay", str(cassette))
    links = links_by_path(report, root)
    assert links["/page"]["status"] == "alive" and links["/page"]["title"] == "Plain page"
    assert links["/gz"]["status"] == "alive" and links["/gz"]["title"] == "Zipped page"
    assert links["/moved"]["status"] == "redirected"
    assert links["/gone"]["status"] == "dead" and links["/gone"]["http_status"] == 404


def test_linkaudit_replays_a_cassette_vcrpy_recorded_with_aiohttp(
    server: ThreadingHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vcrpy's aiohttp recorder stores the body decompressed under its gzip header: linkaudit
    takes such a body as it is."""
    monkeypatch.chdir(tmp_path)
    root = base(server)
    cassette = tmp_path / "vcrpy-aiohttp.yaml"

    async def fetch_all() -> None:
        async with aiohttp.ClientSession() as session:
            for path in ("/page", "/gz"):
                async with session.get(f"{root}{path}", allow_redirects=False) as resp:
                    await resp.read()

    with vcr.use_cassette(str(cassette), record_mode="all"):
        asyncio.run(fetch_all())
    server.shutdown()
    server.server_close()
    zipped = stored_response(cassette, "/gz")
    assert zipped["headers"]["Content-Encoding"] == ["gzip"]
    assert zipped["body"]["string"] == ZIPPED.decode()  # not compressed, despite the header

    doc = tmp_path / "two.md"
    doc.write_text(f"A [1] and B [2].\n\n## References\n\n1. {root}/page\n2. {root}/gz\n",
                   encoding="utf-8")
    links = links_by_path(audit(str(doc), "--replay", str(cassette)), root)
    assert links["/gz"]["status"] == "alive" and links["/gz"]["title"] == "Zipped page"
