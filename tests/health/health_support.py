"""Builders shared by the health tests: documents, results, a changing loopback site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from fakes import LoopbackClient

from linkaudit.config import AuditConfig
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    AuditResult,
    Document,
    Finding,
    LinkCheck,
    LinkStatus,
    Reference,
    Severity,
    Snapshot,
    SnapshotKind,
)

T0 = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
"""The first run of every scripted history (a Monday)."""


def day(n: float) -> dt.datetime:
    """`T0` plus `n` days."""
    return T0 + dt.timedelta(days=n)


def doc_citing(urls: list[str], origin: str = "docs/a.md") -> Document:
    """A Markdown document whose reference list cites `urls` as [1], [2], ..."""
    refs = tuple(
        Reference(str(i), url, url, line=i, column=1, text=url) for i, url in enumerate(urls, 1)
    )
    return Document(origin=origin, format="markdown", text="", references=refs)  # type: ignore[arg-type]


def result_of(
    statuses: Mapping[str, LinkStatus],
    started: dt.datetime,
    *,
    docs: tuple[Document, ...] | None = None,
    interrupted: bool = False,
    findings: tuple[Finding, ...] = (),
) -> AuditResult:
    """An `AuditResult` whose checks have the given statuses."""
    checks = {
        url: LinkCheck(url, status, http_status=_http_for(status), checked_at=started)
        for url, status in statuses.items()
    }
    return AuditResult(
        documents=docs if docs is not None else (doc_citing(list(statuses)),),
        checks=checks,
        findings=findings,
        started=started,
        elapsed_s=2.5,
        interrupted=interrupted,
    )


def _http_for(status: LinkStatus) -> int | None:
    return {
        LinkStatus.ALIVE: 200,
        LinkStatus.DEAD: 404,
        LinkStatus.SERVER_ERROR: 503,
        LinkStatus.BLOCKED: 403,
    }.get(status)


def finding(url: str, rule: str = "dead") -> Finding:
    """A finding about `url`."""
    return Finding(rule, Severity.ERROR, "docs/a.md", f"{url} is {rule}", reference="1", url=url)


def classify(http_status: int) -> LinkStatus:
    """The tests' own tiny classifier of a loopback answer."""
    if http_status < 300:
        return LinkStatus.ALIVE
    if http_status in (404, 410):
        return LinkStatus.DEAD
    if http_status in (401, 403, 429):
        return LinkStatus.BLOCKED
    if http_status >= 500:
        return LinkStatus.SERVER_ERROR
    return LinkStatus.INVALID


async def check_all(urls: list[str]) -> dict[str, LinkStatus]:
    """GET each URL from the loopback site and classify the answer."""
    out: dict[str, LinkStatus] = {}
    client = LoopbackClient()
    try:
        for url in urls:
            out[url] = classify((await client.fetch("GET", url)).status)
    finally:
        await client.close()
    return out


def archived(url: str, when: str = "20250815000000") -> ArchiveLookup:
    """An archive answer with a closest-before capture of `url`."""
    snap = Snapshot(
        url=f"https://web.archive.org/web/{when}/{url}",
        timestamp=dt.datetime.strptime(when, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC),
        status=200,
        kind=SnapshotKind.CLOSEST_BEFORE,
        original=url,
    )
    return ArchiveLookup(url, ArchiveState.ARCHIVED, (snap,))


def judged(
    documents: tuple[Document, ...],
    checks: Mapping[str, LinkCheck],
    archives: Mapping[str, ArchiveLookup],
    cfg: AuditConfig | None = None,
) -> AuditResult:
    """The result of a run with these checks and archive answers, the rules applied (as
    `run_audit` ends): `fix` plans from the findings' `fix` values."""
    from linkaudit.audit import finish

    return finish(documents, checks, archives, cfg or AuditConfig())
