"""`WaybackArchive` against a loopback server speaking CDX and availability formats."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import socket
from pathlib import Path

from archivekit import WaybackScript
from fakes import FakeClock, LoopbackClient
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.archive import WaybackArchive, lookup_from_dict, lookup_to_dict
from linkaudit.model import ArchiveState, SnapshotKind
from linkaudit.store import Store

URL = "https://www.cnbc.com/2024/09/17/chinese-companies.html"
NEAR = dt.date(2025, 9, 1)


def archive(client: LoopbackClient, base: str, clock: FakeClock, **kw: object) -> WaybackArchive:
    return WaybackArchive(
        client, base_url=base, rate_per_min=0, sleep=clock.sleep, clock=clock, env={}, **kw  # type: ignore[arg-type]
    )


async def test_closest_before_first_and_latest(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.captures[URL] = [
        ("20240917101500", "200"),
        ("20250301000000", "301"),  # a redirect capture never counts
        ("20250714120000", "200"),
        ("20250905080000", "200"),
        ("20251120093000", "200"),
    ]
    result = await archive(client, wayback, clock).lookup(URL, NEAR)
    assert result.state is ArchiveState.ARCHIVED
    before = result.snapshot(SnapshotKind.CLOSEST_BEFORE)
    assert before is not None and before.timestamp.date() == dt.date(2025, 7, 14)
    assert before.url == f"{wayback}/web/20250714120000/{URL}"
    first, latest = result.snapshot(SnapshotKind.FIRST), result.snapshot(SnapshotKind.LATEST)
    assert first is not None and first.timestamp.date() == dt.date(2024, 9, 17)
    assert latest is not None and latest.timestamp.date() == dt.date(2025, 11, 20)
    assert result.best == before
    requests = script.cdx_requests()
    assert len(requests) == 3
    assert requests[0].query["filter"] == "statuscode:(200|203|206)"
    assert [r.query["limit"] for r in requests] == ["1", "-1", "-1"]
    assert requests[2].query["to"] == "20250901"


async def test_latest_before_the_date_needs_two_calls(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.captures[URL] = [("20250829000000", "200"), ("20250831000000", "200")]
    result = await archive(client, wayback, clock).lookup(URL, NEAR)
    before = result.snapshot(SnapshotKind.CLOSEST_BEFORE)
    assert before is not None and before.timestamp.date() == dt.date(2025, 8, 31)
    assert len(script.cdx_requests()) == 2


async def test_only_captures_after_the_date_give_closest_after(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.captures[URL] = [("20251001000000", "200"), ("20251101000000", "200")]
    result = await archive(client, wayback, clock).lookup(URL, NEAR)
    assert result.snapshot(SnapshotKind.CLOSEST_BEFORE) is None
    after = result.snapshot(SnapshotKind.CLOSEST_AFTER)
    assert after is not None and after.timestamp.date() == dt.date(2025, 10, 1)
    assert result.best == after
    assert len(script.cdx_requests()) == 2


async def test_empty_cdx_is_not_archived_in_one_call(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    result = await archive(client, wayback, clock).lookup(URL, NEAR)
    assert result.state is ArchiveState.NOT_ARCHIVED
    assert len(script.log) == 1


async def test_robots_plain_text_error_is_excluded(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.cdx_override[URL] = [
        (
            403,
            "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
            "RobotAccessControlException: Blocked By Robots",
            {},
        )
    ]
    result = await archive(client, wayback, clock).lookup(URL, NEAR)
    assert result.state is ArchiveState.EXCLUDED
    assert result.error is not None and "Robots" in result.error
    assert not [r for r in script.log if r.path == "/wayback/available"]


async def test_site_exclusion_with_200_is_excluded(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.cdx_override[URL] = [
        (200, "org.archive.wayback.exception.AdministrativeAccessControlException: "
         "Blocked Site Error", {}),
    ]
    result = await archive(client, wayback, clock).lookup(URL, NEAR)
    assert result.state is ArchiveState.EXCLUDED


async def test_429_pauses_every_call_for_retry_after(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.captures[URL] = [("20250101000000", "200")]
    rows = json.dumps([["timestamp", "original", "statuscode"], ["20250101000000", URL, "200"]])
    script.cdx_override[URL] = [(429, "slow down", {"Retry-After": "7"}), (200, rows, {})]
    arch = WaybackArchive(
        client, base_url=wayback, rate_per_min=20, sleep=clock.sleep, clock=clock, env={}
    )
    result = await arch.lookup(URL, NEAR)
    assert result.state is ArchiveState.ARCHIVED
    assert sum(clock.sleeps) >= 7  # the pause was honoured, on the injected clock
    assert clock.now >= 1007


async def test_429_beyond_retries_is_unknown_without_second_opinion(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.cdx_override[URL] = [(429, "slow down", {"Retry-After": "1"})]
    result = await archive(client, wayback, clock, retries=2).lookup(URL, NEAR)
    assert result.state is ArchiveState.UNKNOWN
    assert result.error is not None and "429" in result.error
    assert len(script.cdx_requests()) == 3
    assert not [r for r in script.log if r.path == "/wayback/available"]


async def test_long_retry_after_stops_lookups_for_the_run(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.cdx_override[URL] = [(429, "slow down", {"Retry-After": "3600"})]
    arch = archive(client, wayback, clock)
    first = await arch.lookup(URL, NEAR)
    second = await arch.lookup("https://other.example/", NEAR)
    assert first.state is second.state is ArchiveState.UNKNOWN
    assert len(script.log) == 1 and clock.sleeps == []
    assert [p.kind for p in arch.problems] == ["archive-rate-limited"]


async def test_garbage_asks_availability_which_answers(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.cdx_override[URL] = [(200, "<html>oops</html>", {})]
    hit = {
        "archived_snapshots": {
            "closest": {
                "status": "200",
                "available": True,
                "url": f"http://web.archive.org/web/20250801000000/{URL}",
                "timestamp": "20250801000000",
            }
        },
        "url": URL,
    }
    script.available[URL] = (200, json.dumps(hit), {})
    result = await archive(client, wayback, clock).lookup(URL, NEAR)
    assert result.state is ArchiveState.ARCHIVED
    snap = result.best
    assert snap is not None and snap.kind is SnapshotKind.CLOSEST_BEFORE
    assert snap.url == f"{wayback}/web/20250801000000/{URL}"
    avail = [r for r in script.log if r.path == "/wayback/available"][0]
    assert avail.query["timestamp"] == "20250901" and avail.query["closest"] == "before"


async def test_availability_miss_is_unknown_not_unarchived(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.cdx_override[URL] = [(502, "bad gateway", {})]
    result = await archive(client, wayback, clock, retries=0).lookup(URL, NEAR)
    assert result.state is ArchiveState.UNKNOWN
    assert result.error is not None and "not proof" in result.error


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


async def test_unreachable_archive_said_once_and_not_asked_again(
    client: LoopbackClient, clock: FakeClock
) -> None:
    arch = archive(client, f"http://127.0.0.1:{_closed_port()}", clock)
    results = [await arch.lookup(f"https://example.com/{i}", NEAR) for i in range(5)]
    assert all(r.state is ArchiveState.UNKNOWN for r in results)
    assert len(arch.problems) == 1
    assert arch.problems[0].message.startswith("archive unreachable")
    assert arch.unreachable
    assert len(client.sent) == 2  # CDX and availability for the first URL only


async def test_cache_in_store_skips_the_network(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock,
    tmp_path: Path,
) -> None:
    script.captures[URL] = [("20240917000000", "200")]
    with Store.open(tmp_path / "s.db") as store:
        first = await archive(client, wayback, clock, store=store).lookup(URL, NEAR)
        calls = len(script.log)
        again = await archive(client, wayback, clock, store=store).lookup(URL, NEAR)
        assert again == first
        assert len(script.log) == calls
        # an unknown answer is never cached
        script.cdx_override["https://x.example/"] = [(200, "garbage", {})]
        await archive(client, wayback, clock, store=store).lookup("https://x.example/", NEAR)
        assert store.get_archive("https://x.example/", NEAR.isoformat()) is None


async def test_concurrent_lookups_of_one_url_ask_once(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.captures[URL] = [("20240917000000", "200")]
    arch = archive(client, wayback, clock)
    results = await asyncio.gather(*(arch.lookup(URL, NEAR) for _ in range(4)))
    assert len(set(results)) == 1
    assert len(script.cdx_requests()) == 2


def test_lookup_round_trips_through_dict() -> None:
    from linkaudit.model import ArchiveLookup, Snapshot

    stamp = dt.datetime(2024, 9, 17, 10, 15, tzinfo=dt.UTC)
    lookup = ArchiveLookup(
        URL,
        ArchiveState.ARCHIVED,
        (Snapshot("https://web.archive.org/web/20240917101500/x", stamp, 200,
                  SnapshotKind.FIRST, URL),),
    )
    assert lookup_from_dict(json.loads(json.dumps(lookup_to_dict(lookup)))) == lookup
    assert lookup_from_dict({"state": "nonsense"}) is None


async def test_pywb_collection_dialect(aiohttp_server, client: LoopbackClient,  # type: ignore[no-untyped-def]
                                       clock: FakeClock) -> None:
    from aiohttp import web

    captures = ["20240917000000", "20250714000000", "20251001000000"]
    seen: list[dict[str, str]] = []

    async def cdx(request: web.Request) -> web.Response:
        q = dict(request.query)
        seen.append(q)
        rows = [ts for ts in captures if "to" not in q or ts[: len(q["to"])] <= q["to"]]
        if q.get("sort") == "reverse":
            rows.reverse()
        rows = rows[: int(q["limit"])]
        lines = [json.dumps({"urlkey": "x", "timestamp": ts, "url": URL, "status": "200"})
                 for ts in rows]
        return web.Response(text="\n".join(lines), content_type="text/x-ndjson")

    app = web.Application()
    app.router.add_get("/my-coll/cdx", cdx)
    server = await aiohttp_server(app)
    base = str(server.make_url("/my-coll"))
    result = await archive(client, base, clock).lookup(URL, NEAR)
    before = result.best
    assert before is not None and before.url == f"{base}/20250714000000/{URL}"
    first = result.snapshot(SnapshotKind.FIRST)
    assert first is not None and first.timestamp.year == 2024
    assert seen[0]["filter"] == "~status:(200|203|206)"
    assert all(int(q["limit"]) > 0 for q in seen)


def test_parsers_tell_answers_apart() -> None:
    import pytest

    from linkaudit.archive.cdx import Excluded, Failure, parse_availability, parse_cdx

    assert parse_cdx(200, b"[]") == []
    assert parse_cdx(200, b"", ndjson=True) == []
    rows = parse_cdx(200, b'[["20240917000000", "http://a/", "200"]]')  # no header row
    assert rows[0].timestamp == "20240917000000" and rows[0].status == 200
    for bad in (b"", b"{}", b"[[1]]", b'[["notatime", "x", "200"]]', b"<html>"):
        with pytest.raises(Failure):
            parse_cdx(200, bad)
    with pytest.raises(Excluded):
        parse_cdx(403, b"AdministrativeAccessControlException: Blocked Site Error")
    assert parse_availability(200, b'{"archived_snapshots": {}}') is None
    redirect = (b'{"archived_snapshots": {"closest": {"status": "301", "available": true, '
                b'"timestamp": "20200101000000", "url": "http://web.archive.org/web/2020/x"}}}')
    assert parse_availability(200, redirect) is None
    with pytest.raises(Failure):
        parse_availability(200, b"[]")


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner,
                                                                  max_size=4),
    max_leaves=12,
))
def test_archive_parsers_only_raise_their_own_failures(value: object) -> None:
    """Whatever JSON an archive answers, parsing it yields captures or a `Failure`/`Excluded`
    (turned into `unknown`), never another exception that would stop the audit."""
    import json as _json

    from linkaudit.archive.cdx import Excluded, Failure, parse_availability, parse_cdx

    body = _json.dumps(value).encode()
    for parse in (lambda: parse_cdx(200, body), lambda: parse_availability(200, body)):
        with contextlib.suppress(Failure, Excluded):
            parse()
    for cell in ("²", "x"):  # a digit that int() refuses, and a non-digit
        rows = [["timestamp", "original", "statuscode"], ["20240101000000", "http://a", cell]]
        (capture,) = parse_cdx(200, _json.dumps(rows).encode())
        assert capture.status is None
