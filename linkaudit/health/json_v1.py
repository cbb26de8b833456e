"""`linkaudit report --format json`: the versioned schema `linkaudit.report/1`.

The shape is a contract (TypedDicts below), not a dump of internal types:
`{"schema", "runs": [{"id", "started", "links", "counts"}], "new", "persisting", "fixed",
"flapping", "dead"}`, each list entry `{"url", "status", "since", "citers": [{"document",
"reference"}]}`. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TypedDict

from linkaudit.health.report import HealthReport, ReportItem

SCHEMA = "linkaudit.report/1"


class CiterV1(TypedDict):
    """A document and reference citing a URL."""

    document: str
    reference: str


class ItemV1(TypedDict):
    """One URL in a list."""

    url: str
    status: str
    since: str
    citers: list[CiterV1]


class RunV1(TypedDict):
    """One run: when, how many links, and how many per class."""

    id: int
    started: str
    links: int
    counts: dict[str, int]


class ReportV1(TypedDict):
    """The whole document."""

    schema: str
    runs: list[RunV1]
    new: list[ItemV1]
    persisting: list[ItemV1]
    fixed: list[ItemV1]
    flapping: list[ItemV1]
    dead: list[ItemV1]


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _items(items: Iterable[ReportItem]) -> list[ItemV1]:
    return [
        ItemV1(
            url=i.url,
            status=i.status,
            since=_time(i.since),
            citers=[CiterV1(document=c.document, reference=c.reference) for c in i.citers],
        )
        for i in items
    ]


def to_json_v1(report: HealthReport) -> ReportV1:
    """Convert a report to the v1 schema."""
    return ReportV1(
        schema=SCHEMA,
        runs=[
            RunV1(id=r.id, started=_time(r.started), links=r.links, counts=dict(r.counts))
            for r in report.runs
        ],
        new=_items(report.new),
        persisting=_items(report.persisting),
        fixed=_items(report.fixed),
        flapping=_items(report.flapping),
        dead=_items(report.dead),
    )


def render_json(report: HealthReport) -> str:
    """The report as indented JSON text, ending in a newline."""
    return json.dumps(to_json_v1(report), indent=2, ensure_ascii=False) + "\n"
