"""The orchestration of `run_audit`: inputs -> extract -> check -> archive -> rules -> result.

With fakes only (`tests/fakes.py`): a `FakeClient` that answers from a table and sends nothing,
and a `FakeArchive` behind it answering the Wayback CDX queries. No socket is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakes import FakeArchive, FakeClient

import linkaudit.check
from linkaudit.audit import run_audit
from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.model import ArchiveState, AuditResult, LinkCheck, LinkStatus
from linkaudit.rules import analyse

ALIVE = "https://news.example/report"
DEAD = "https://gone.example/story"
LOST = "https://lost.example/page"
DOCUMENT = f"""---
date: 2025-09-01
---

# Chips

Revenue rose 26% in the quarter [1]. The chip was tested in August 2025 [2].
Its maker also said so [3].

## References

1. [A report]({ALIVE})
2. [A page that is gone]({DEAD})
3. [A page never archived]({LOST})
"""
REPORT = (
    "<html><head><title>Report</title>"
    '<meta property="article:published_time" content="2025-08-20T10:00:00Z"></head>'
    "<body><article><p>Revenue rose 26% in the quarter.</p></article></body></html>"
)
SNAPSHOT = "20250815000000"


class RecordingProgress:
    """A `Progress` sink that keeps the stages in the order they were entered."""

    def __init__(self) -> None:
        self.stages: list[str] = []
        self.checked_urls: list[str] = []

    def stage(self, name: str) -> None:
        self.stages.append(name)

    def documents(self, count: int) -> None:
        return None

    def urls(self, total: int) -> None:
        return None

    def checked(self, check: LinkCheck) -> None:
        self.checked_urls.append(check.url)

    def archive(self, total: int, rate_per_min: int) -> None:
        return None

    def looked_up(self) -> None:
        return None


def config(**changes: Any) -> AuditConfig:
    """A run with no store, no history and no pacing: nothing is written, nothing waits."""
    base: dict[str, Any] = {
        "cache": False,
        "history": False,
        "archive": ArchiveMode.DEAD,
        "archive_rate_per_min": 0,
        "retries": 0,
        "as_of": None,
    }
    return AuditConfig.build(**(base | changes))


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "chips.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


@pytest.fixture
def archive() -> FakeArchive:
    """The archive holds one capture of `DEAD` and none of `LOST`."""
    return FakeArchive(captures={DEAD: [(SNAPSHOT, "200")]})


@pytest.fixture
def client(archive: FakeArchive) -> FakeClient:
    """`ALIVE` answers 200; `DEAD` and `LOST` 404."""
    return FakeClient({ALIVE: (200, REPORT)}, archive)


async def audit(
    document: Path, client: FakeClient, fake: FakeArchive, **changes: Any
) -> tuple[AuditResult, RecordingProgress]:
    progress = RecordingProgress()
    cfg = config(archive_url=fake.base_url, **changes)
    result = await run_audit([str(document)], cfg, client=client, progress=progress)
    return result, progress


async def test_the_stages_run_in_order(
    document: Path, client: FakeClient, archive: FakeArchive
) -> None:
    result, progress = await audit(document, client, archive)
    assert progress.stages == ["extract", "check", "archive", "analyse"]
    assert sorted(progress.checked_urls) == sorted([ALIVE, DEAD, LOST])
    urls = client.urls()
    # A dead link is looked up in the archive only after its check said it is dead.
    first_lookup = next(i for i, u in enumerate(urls) if archive.owns(u))
    assert urls.index(DEAD) < first_lookup and urls.index(LOST) < first_lookup
    assert [d.origin for d in result.documents] == [str(document)]


async def test_a_dead_link_reaches_the_archive_and_the_rules(
    document: Path, client: FakeClient, archive: FakeArchive
) -> None:
    result, _ = await audit(document, client, archive)
    assert result.checks[ALIVE].status is LinkStatus.ALIVE
    assert result.checks[DEAD].status is LinkStatus.DEAD
    # Only the dead links are looked up (`--archive dead`), each once per query it needs.
    assert set(archive.asked) == {DEAD, LOST}
    assert result.archives[DEAD].state is ArchiveState.ARCHIVED
    assert result.archives[LOST].state is ArchiveState.NOT_ARCHIVED
    assert ALIVE not in result.archives
    by_rule = {(f.rule, f.url): f for f in result.findings}
    dead = by_rule[("dead", DEAD)]
    assert dead.fix == f"{archive.base_url}/web/{SNAPSHOT}/{DEAD}"
    assert ("dead-unarchived", LOST) in by_rule
    assert not [f for f in result.findings if f.url == ALIVE and f.rule.startswith("dead")]


async def test_without_the_archive_a_dead_link_is_never_looked_up(
    document: Path, client: FakeClient, archive: FakeArchive
) -> None:
    result, progress = await audit(document, client, archive, archive=ArchiveMode.NONE)
    assert archive.asked == [] and not any(archive.owns(u) for u in client.urls())
    assert "archive" not in progress.stages
    assert result.archives == {}
    assert ("dead", DEAD) in {(f.rule, f.url) for f in result.findings}


async def test_offline_checks_nothing_remote(
    document: Path, client: FakeClient, archive: FakeArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_client(*args: object, **kwargs: object) -> None:
        raise AssertionError("an offline run made an HTTP client")

    monkeypatch.setattr(linkaudit.check, "make_client", no_client)
    # Without a client of its own, and with one given: neither sends a request.
    for given in (None, client):
        progress = RecordingProgress()
        cfg = config(archive_url=archive.base_url, offline=True)
        result = await run_audit([str(document)], cfg, client=given, progress=progress)
        assert client.sent == [] and archive.asked == []
        assert progress.checked_urls == []
        assert not {ALIVE, DEAD, LOST} & set(result.checks)
        assert result.archives == {}
        assert result.offline
        assert not [f for f in result.findings if f.rule in ("dead", "dead-unarchived")]
        assert [d.origin for d in result.documents] == [str(document)]


async def test_the_result_holds_what_the_rules_found(
    document: Path, client: FakeClient, archive: FakeArchive
) -> None:
    result, _ = await audit(document, client, archive)
    cfg = config(archive_url=archive.base_url)
    found, _ = analyse(
        list(result.documents), result.checks, result.archives, cfg.rules, cfg.links,
        offline=False,
    )

    def key(f: Any) -> tuple[str, str | None, str | None, str]:
        return (f.rule, f.reference, f.url, f.message)

    assert found, "the fixture must give the rules something to find"
    assert sorted(map(key, result.findings)) == sorted(map(key, found))
