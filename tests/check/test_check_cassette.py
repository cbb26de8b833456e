"""Cassettes: record against loopback, replay with the server gone, vcrpy's format, the demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from checkkit import Site, loopback_cfg

from linkaudit.check import (
    AiohttpClient,
    Checker,
    OfflineError,
    RecordingClient,
    ReplayClient,
    make_client,
)
from linkaudit.errors import CassetteError, LinkauditError
from linkaudit.http import NotInCassette
from linkaudit.model import DateOrigin, LinkStatus

ROOT = Path(__file__).resolve().parents[2]
PATHS = ["/ok", "/perm", "/missing", "/challenge", "/pdf"]


async def test_record_then_replay_without_server(site: Site, tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    cfg = loopback_cfg(record=cassette, headers=(("Authorization", "Bearer TOPSECRET"),
                                                 ("Cookie", "sid=TOPSECRET")))
    recorder = make_client(cfg.network)
    assert isinstance(recorder, RecordingClient)
    try:
        live = await Checker(cfg.network, recorder).check_all([site.url(p) for p in PATHS])
    finally:
        await recorder.close()
    await site.runner.cleanup()  # the server is gone from here on

    text = cassette.read_text()
    assert "TOPSECRET" not in text
    data = yaml.safe_load(text)
    assert data["version"] == 1
    first = data["interactions"][0]
    assert set(first["request"]) == {"body", "headers", "method", "uri"}
    assert set(first["response"]) == {"status", "headers", "body"}
    assert isinstance(first["response"]["headers"]["Content-Type"], list)

    replay_cfg = loopback_cfg(replay=cassette, offline=True)
    replayer = make_client(replay_cfg.network)
    assert isinstance(replayer, ReplayClient)
    replayed = await Checker(replay_cfg.network, replayer).check_all([site.url(p) for p in PATHS])
    for path in PATHS:
        a, b = live[site.url(path)], replayed[site.url(path)]
        assert (a.status, a.http_status, a.redirects, a.title) == (
            b.status, b.http_status, b.redirects, b.title), path
    missing = await Checker(replay_cfg.network, replayer).check(site.url("/never-recorded"))
    assert missing.status is LinkStatus.SKIPPED and "not in cassette" in (missing.error or "")


async def test_errors_are_recorded_and_replayed(tmp_path: Path, refused_port: int) -> None:
    cassette = tmp_path / "err.yaml"
    cfg = loopback_cfg()
    recorder = RecordingClient(AiohttpClient(cfg.network), cassette)
    url = f"http://127.0.0.1:{refused_port}/x"
    try:
        live = await Checker(cfg.network, recorder).check(url)
    finally:
        await recorder.close()
    replayed = await Checker(cfg.network, ReplayClient(cassette)).check(url)
    assert live.status is replayed.status is LinkStatus.NETWORK_ERROR
    assert replayed.error == live.error


async def test_repeated_requests_replay_in_order(tmp_path: Path) -> None:
    cassette = tmp_path / "seq.yaml"
    item = {"request": {"body": None, "headers": {}, "method": "GET",
                        "uri": "https://example.com/a"}}
    data = {"version": 1, "interactions": [
        {**item, "response": {"status": {"code": 503, "message": "Service Unavailable"},
                              "headers": {}, "body": {"string": ""}}},
        {**item, "response": {"status": {"code": 200, "message": "OK"},
                              "headers": {"Content-Type": ["text/plain"]},
                              "body": {"string": "hello"}}},
    ]}
    cassette.write_text(yaml.safe_dump(data))
    client = ReplayClient(cassette)
    codes = [(await client.fetch("GET", "https://example.com/a")).status for _ in range(3)]
    assert codes == [503, 200, 200]
    with pytest.raises(NotInCassette):
        await client.fetch("GET", "https://example.com/b")


def test_bad_cassettes_and_offline(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("interactions: 3\n")
    with pytest.raises(CassetteError):
        ReplayClient(bad)
    bad.write_text("{ not yaml")
    with pytest.raises(CassetteError):
        ReplayClient(bad)
    with pytest.raises(CassetteError):
        ReplayClient(tmp_path / "absent.yaml")
    bad.write_text(
        "version: 1\ninteractions:\n- request: {method: GET, uri: 'https://a.example/'}\n"
        "  response: {status: {code: 599}, headers: {}, body: {string: ''}}\n"
        "  linkaudit: {error: {type: FetchError, kind: bogus}}\n"
    )
    with pytest.raises(CassetteError, match="kind"):  # not a crash in the middle of the run
        ReplayClient(bad)
    with pytest.raises(OfflineError) as info:
        make_client(loopback_cfg(offline=True).network)
    assert isinstance(info.value, LinkauditError) and info.value.hint


EXAMPLE_URLS = {
    "https://finance.yahoo.com/news/alibaba-tests-ai-chip-china-144131404.html":
        (LinkStatus.REDIRECTED, dt.date(2025, 8, 29)),
    "https://www.ainvest.com/news/alibaba-ai-chip-strategy-impact-global-ai-semiconductor-landscape-2508/":
        (LinkStatus.ALIVE, dt.date(2025, 8, 29)),
    "https://www.roic.ai/news/nvidia-shares-slip-on-report-alibaba-develops-new-ai-chip":
        (LinkStatus.BLOCKED, None),
    "https://www.eweek.com/news/alibaba-ai-chip/": (LinkStatus.DEAD, None),
    "https://www.cnbc.com/2024/09/17/chinese-companies-aiming-to-compete-with-nvidia-on-ai-chips.html":
        (LinkStatus.ALIVE, dt.date(2024, 9, 17)),
}


async def test_example_cassette_replays_the_demo() -> None:
    cassette = ROOT / "cassettes" / "ainvest-alibaba-ai-chip.yaml"
    assert cassette.read_text().startswith("#")  # says the bodies are stand-ins
    cfg = loopback_cfg(replay=cassette, offline=True)
    results = await Checker(cfg.network, make_client(cfg.network)).check_all(EXAMPLE_URLS)
    for url, (status, published) in EXAMPLE_URLS.items():
        got = results[url]
        assert got.status is status, (url, got.error)
        if published is not None:
            assert got.published is not None and got.published.value == published, url
            assert got.published.origin is DateOrigin.HTML_META
    ainvest = results[next(u for u in EXAMPLE_URLS if "ainvest" in u)]
    assert ainvest.excerpt is not None
    assert "has drawn scrutiny over security risks [5]." in ainvest.excerpt
    assert "creating a vacuum Alibaba and others are poised to fill [3]." in ainvest.excerpt
    cnbc = results[next(u for u in EXAMPLE_URLS if "cnbc" in u)]
    assert cnbc.excerpt is not None and "security risks" not in cnbc.excerpt
    assert "Cambricon" in cnbc.excerpt
    yahoo = results[next(u for u in EXAMPLE_URLS if "yahoo" in u)]
    assert len(yahoo.redirects) == 1 and yahoo.final_url is not None
    assert yahoo.excerpt is not None and "26%" in yahoo.excerpt
