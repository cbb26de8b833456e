"""Which URLs `--archive dead|all|none` looks up, near which date, and the batch lookup."""

from __future__ import annotations

import datetime as dt

import pytest
from archivekit import WaybackScript
from fakes import FakeClock, LoopbackClient

from linkaudit.archive import (
    WaybackArchive,
    lookup_many,
    lookup_requests,
    save_candidates,
    wants_lookup,
)
from linkaudit.config import ArchiveConfig, ArchiveMode, RulesConfig
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    DatedFact,
    DateOrigin,
    DocFormat,
    Document,
    LinkCheck,
    LinkStatus,
    Reference,
)

A, B, C = "https://a.example/1", "https://b.example/2", "https://c.example/3"


def document(date: dt.date, *urls: str) -> Document:
    refs = tuple(Reference(str(i), u, u, i, 1, u) for i, u in enumerate(urls, 1))
    return Document("d", DocFormat.TEXT, "x", DatedFact(date, DateOrigin.DATELINE), refs)


@pytest.mark.parametrize(
    ("mode", "status", "expected"),
    [
        (ArchiveMode.DEAD, LinkStatus.DEAD, True),
        (ArchiveMode.DEAD, LinkStatus.TIMEOUT, True),
        (ArchiveMode.DEAD, LinkStatus.ALIVE, False),
        (ArchiveMode.DEAD, LinkStatus.REDIRECTED, False),
        (ArchiveMode.ALL, LinkStatus.ALIVE, True),
        (ArchiveMode.ALL, LinkStatus.SKIPPED, False),
        (ArchiveMode.NONE, LinkStatus.DEAD, False),
    ],
)
def test_wants_lookup(mode: ArchiveMode, status: LinkStatus, expected: bool) -> None:
    assert wants_lookup(mode, LinkCheck(A, status)) is expected


def test_requests_use_the_earliest_citing_document() -> None:
    docs = [document(dt.date(2025, 9, 1), A, B), document(dt.date(2024, 1, 1), A)]
    checks = {A: LinkCheck(A, LinkStatus.DEAD), B: LinkCheck(B, LinkStatus.ALIVE)}
    rules = RulesConfig()
    assert lookup_requests(docs, checks, ArchiveConfig(), rules) == {A: dt.date(2024, 1, 1)}
    everything = lookup_requests(docs, checks, ArchiveConfig(mode=ArchiveMode.ALL), rules)
    assert everything == {A: dt.date(2024, 1, 1), B: dt.date(2025, 9, 1)}
    assert lookup_requests(docs, checks, ArchiveConfig(mode=ArchiveMode.NONE), rules) == {}


async def test_lookup_many_shares_one_archive(
    client: LoopbackClient, wayback: str, script: WaybackScript, clock: FakeClock
) -> None:
    script.captures[A] = [("20240101000000", "200")]
    arch = WaybackArchive(client, base_url=wayback, rate_per_min=0, sleep=clock.sleep,
                          clock=clock, env={})
    found = await lookup_many(arch, {A: dt.date(2025, 9, 1), C: None})
    assert found[A].state is ArchiveState.ARCHIVED
    assert found[C].state is ArchiveState.NOT_ARCHIVED
    checks = {C: LinkCheck(C, LinkStatus.ALIVE), A: LinkCheck(A, LinkStatus.ALIVE)}
    assert save_candidates(found, checks) == [C]
    assert save_candidates({C: ArchiveLookup(C, ArchiveState.UNKNOWN)}, checks) == []
