"""Every home gives the verdicts of one process, within the per-host limit; a dead worker's
shard is run again with nothing lost or counted twice; an unreachable cluster is one error."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import pytest

from linkaudit.config import AuditConfig, NetworkConfig, RulesConfig, ScaleConfig, StoreConfig
from linkaudit.model import LinkCheck
from linkaudit.scale import (
    InProcessExecutor,
    ProcessExecutor,
    SchedulerUnreachable,
    check_urls,
)

PER_HOST = 2


def config(tmp_path: Path, **changes: object) -> AuditConfig:
    base = AuditConfig.build(allow_private_all=True, per_host=PER_HOST, concurrency=8, retries=0,
                       timeout_s=5, cache=False, history=False, store=tmp_path / "store.db")

    return base.replace(**changes)  # type: ignore[arg-type]


def sections(cfg: AuditConfig) -> tuple[NetworkConfig, RulesConfig, StoreConfig, ScaleConfig]:
    """The sections `check_urls` takes, from one config."""
    return cfg.network, cfg.rules, cfg.store, cfg.scale


def verdicts(checks: dict[str, LinkCheck]) -> dict[str, tuple[object, ...]]:
    """What a report shows of each check (timings and dates of checking aside)."""
    return {
        url: (c.status, c.http_status, c.final_url, c.title, c.redirects, c.error,
              c.published)
        for url, c in checks.items()
    }


async def in_process(urls: list[str], cfg: AuditConfig) -> dict[str, LinkCheck]:
    from linkaudit.check import make_client

    client = make_client(cfg.network)
    try:
        run = await check_urls(urls, *sections(cfg), client=client,
                               executor=InProcessExecutor(client))
    finally:
        await client.close()
    return run.checks


async def test_two_worker_processes_give_the_verdicts_of_one_process(
    loopback_web, tmp_path: Path
) -> None:
    site = await loopback_web(hosts=4)
    urls = site.urls(12)
    cfg = config(tmp_path)
    one = await in_process(urls, cfg)
    site.peak.clear()

    results: list[LinkCheck] = []
    run = await check_urls(urls, *sections(config(tmp_path, workers=2)), client=None,  # type: ignore[arg-type]
                           on_result=results.append)
    assert run.home == "2 worker processes"
    assert run.plan is not None and run.plan.slots == 2 and len(run.plan.shards) == 4
    assert verdicts(run.checks) == verdicts(one)
    assert len(results) == len(urls)  # streamed back, each once
    assert max(site.peak.values()) <= PER_HOST
    assert {c.status.value for c in run.checks.values()} >= {"alive", "dead", "redirected"}


async def test_a_worker_killed_mid_shard_has_its_shard_run_again(
    loopback_web, tmp_path: Path
) -> None:
    site = await loopback_web(hosts=2, delay_s=0.15)
    urls = site.urls(16)
    executor = ProcessExecutor(2)
    killed: list[int] = []
    results: list[LinkCheck] = []

    def on_result(check: LinkCheck) -> None:
        results.append(check)
        if not killed and executor.pids:
            pid = next(iter(executor.pids.values()))
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    run = await check_urls(urls, *sections(config(tmp_path)), client=None,  # type: ignore[arg-type]
                           on_result=on_result, executor=executor)
    assert killed and executor.deaths == 1
    assert sorted(run.checks) == sorted(urls)
    assert sorted(c.url for c in results) == sorted(urls)  # none lost, none twice
    assert not run.problems
    assert max(site.peak.values()) <= PER_HOST


async def test_a_cancelled_run_keeps_what_came_back_in_the_cache(
    loopback_web, tmp_path: Path
) -> None:
    from linkaudit.store import Store

    site = await loopback_web(hosts=3, delay_s=0.05)
    urls = site.urls(20)
    cfg = config(tmp_path, cache=True, workers=2)
    got: list[LinkCheck] = []
    enough = asyncio.Event()

    def on_result(check: LinkCheck) -> None:
        got.append(check)
        if len(got) >= 15:
            enough.set()

    with Store.open(cfg.store.path) as store:
        task = asyncio.ensure_future(
            check_urls(urls, *sections(cfg), client=None, store=store, on_result=on_result)  # type: ignore[arg-type]
        )
        await enough.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        kept = store.cache_stats()["checks"]
        assert kept >= 15
        assert kept < len(urls)
        site.requests.clear()
        rerun = await check_urls(urls, *sections(cfg), client=None, store=store)  # type: ignore[arg-type]
    assert sorted(rerun.checks) == sorted(urls)
    assert sum(c.from_cache for c in rerun.checks.values()) == kept
    asked_again = {path for path in site.requests if not path.endswith("-moved")}
    assert len(asked_again) == len(urls) - kept


async def test_a_host_that_links_redirect_to_is_never_split_between_shards(
    loopback_web, tmp_path: Path
) -> None:
    """Links on four hosts all redirect to a fifth that no shard owns: the shards hand them
    back instead of following them, and this process checks them once the shards are done, so
    the fifth host never sees more than its limit (with each shard following them it saw 4)."""
    site = await loopback_web(hosts=5, delay_s=0.15)
    urls = [f"{base}/away/{h}{i}" for h, base in enumerate(site.bases[:4]) for i in range(6)]
    one = await in_process(urls, config(tmp_path))
    site.peak.clear()
    site.requests.clear()
    run = await check_urls(urls, *sections(config(tmp_path, workers=2)), client=None,  # type: ignore[arg-type]
                           executor=ProcessExecutor(2))
    assert run.plan is not None and run.plan.slots == 2
    assert verdicts(run.checks) == verdicts(one)
    target = site.bases[-1].removeprefix("http://")
    assert max(site.peak.values()) <= PER_HOST and site.peak[target] >= 1
    assert sum(n for key, n in site.requests.items() if key.startswith(target)) == len(urls)


async def test_a_shard_alone_follows_its_redirects_itself(loopback_web, tmp_path: Path) -> None:
    """Every link on one host: one shard, no neighbour to leave the target host to, so nothing
    comes back and no first request is sent twice."""
    site = await loopback_web(hosts=2)
    urls = [f"{site.bases[0]}/away/{i}" for i in range(6)]
    run = await check_urls(urls, *sections(config(tmp_path, workers=2)), client=None,  # type: ignore[arg-type]
                           executor=ProcessExecutor(2))
    assert run.plan is not None and len(run.plan.shards) == 1
    origin = site.bases[0].removeprefix("http://")
    assert sum(n for key, n in site.requests.items() if key.startswith(origin)) == len(urls)
    assert {c.final_url for c in run.checks.values()} == {
        f"{site.bases[-1]}/ok/{i}-away" for i in range(6)}


async def test_the_dask_path_gives_the_verdicts_of_one_process(
    loopback_web, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    site = await loopback_web(hosts=3)
    urls = site.urls(8)
    one = await in_process(urls, config(tmp_path))
    site.peak.clear()
    run = await check_urls(urls, *sections(config(tmp_path, scheduler="local", workers=2)),
                           client=None)  # type: ignore[arg-type]
    assert run.home == "a local Dask cluster"
    assert verdicts(run.checks) == verdicts(one)
    assert max(site.peak.values()) <= PER_HOST


async def test_an_unreachable_scheduler_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from linkaudit.scale import dask as dask_home

    monkeypatch.setattr(dask_home, "CONNECT_TIMEOUT_S", 1.0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    cfg = config(tmp_path, scheduler=f"tcp://127.0.0.1:{port}")
    with pytest.raises(SchedulerUnreachable) as caught:
        await check_urls(["http://127.0.0.2/x"], *sections(cfg), client=None)  # type: ignore[arg-type]
    assert f"tcp://127.0.0.1:{port} cannot be reached" in str(caught.value)
    assert "dask scheduler" in caught.value.hint


@pytest.mark.parametrize("answer", [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi" * 50])
async def test_a_server_that_is_no_scheduler_is_one_clear_error_in_bounded_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: bytes
) -> None:
    """A listener that never speaks Dask (silent, or a web server: the dashboard's port sits
    next to the scheduler's) is one error within the connect and handshake allowances."""
    pytest.importorskip("distributed")
    from linkaudit.scale import dask as dask_home

    monkeypatch.setattr(dask_home, "CONNECT_TIMEOUT_S", 1.0)
    monkeypatch.setattr(dask_home, "HANDSHAKE_S", 1.0)

    async def talk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if answer:
            writer.write(answer)
            await writer.drain()
        await asyncio.sleep(30)

    server = await asyncio.start_server(talk, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    cfg = config(tmp_path, scheduler=f"tcp://127.0.0.1:{port}")
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        with pytest.raises(SchedulerUnreachable) as caught:
            await check_urls(["http://127.0.0.2/x"], *sections(cfg), client=None)  # type: ignore[arg-type]
    finally:
        server.close()
    assert f"tcp://127.0.0.1:{port}" in str(caught.value)
    assert loop.time() - started < 15
