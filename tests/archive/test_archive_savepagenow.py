"""Save Page Now 2 against the loopback server: keys, polling, success, error, no keys."""

from __future__ import annotations

import datetime as dt

from archivekit import WaybackScript
from fakes import FakeClock, LoopbackClient

from linkaudit.archive import SaveState, WaybackArchive, keys_from_env

KEYS = {"LINKAUDIT_IA_ACCESS_KEY": "acc", "LINKAUDIT_IA_SECRET_KEY": "sec"}


def test_keys_from_env_prefers_linkaudit_names() -> None:
    assert keys_from_env(KEYS | {"IA_ACCESS_KEY": "a", "IA_SECRET_KEY": "b"}) == ("acc", "sec")
    assert keys_from_env({"IA_ACCESS_KEY": "a", "IA_SECRET_KEY": "b"}) == ("a", "b")
    assert keys_from_env({"IA_ACCESS_KEY": "a"}) is None


async def test_save_polls_until_success(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.save_statuses = [
        {"status": "pending", "job_id": "j", "resources": []},
        {"status": "success", "job_id": "j", "original_url": "http://brewster.kahle.org/",
         "timestamp": "20180326070330", "duration_sec": 6.2, "resources": []},
    ]
    arch = WaybackArchive(client, base_url=wayback, rate_per_min=0, sleep=clock.sleep,
                          clock=clock, env=KEYS)
    result = await arch.save("http://brewster.kahle.org/")
    assert result.state is SaveState.SUCCESS
    assert result.snapshot_url == f"{wayback}/web/20180326070330/http://brewster.kahle.org/"
    assert result.timestamp == dt.datetime(2018, 3, 26, 7, 3, 30, tzinfo=dt.UTC)
    assert script.auth_seen and set(script.auth_seen) == {"LOW acc:sec"}
    assert clock.sleeps == [5.0]  # one wait between the two polls, on the injected sleep


async def test_save_error_reports_status_ext(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.save_statuses = [
        {"status": "error", "exception": "[Errno -2] Name or service not known",
         "status_ext": "error:invalid-host-resolution", "job_id": "j",
         "message": "Couldn't resolve host for http://example5123.com.", "resources": []},
    ]
    arch = WaybackArchive(client, base_url=wayback, rate_per_min=0, sleep=clock.sleep,
                          clock=clock, env=KEYS)
    result = await arch.save("http://example5123.com.")
    assert result.state is SaveState.ERROR
    assert result.status_ext == "error:invalid-host-resolution"
    assert "resolve" in result.message


async def test_save_still_pending_after_max_polls(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.save_statuses = [{"status": "pending", "job_id": "j"}]
    arch = WaybackArchive(client, base_url=wayback, rate_per_min=0, sleep=clock.sleep,
                          clock=clock, env=KEYS)
    arch._saver.max_polls = 3
    result = await arch.save("https://example.com/")
    assert result.state is SaveState.PENDING
    assert result.job_id


async def test_save_without_keys_sends_nothing(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    arch = WaybackArchive(client, base_url=wayback, rate_per_min=0, sleep=clock.sleep,
                          clock=clock, env={})
    result = await arch.save("https://example.com/")
    assert result.state is SaveState.SKIPPED
    assert "LINKAUDIT_IA_ACCESS_KEY" in result.message
    assert script.log == []
