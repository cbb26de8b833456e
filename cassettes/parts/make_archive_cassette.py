"""Write `cassettes/parts/archive.yaml`: the Wayback exchanges of the example's five references.

Runs the real `WaybackArchive` against an in-process fake archive (no network) whose captures are
listed below, records every request it makes, and writes them in vcrpy cassette format, so the
URIs in the cassette are exactly the ones the client asks for. The lookups use the document's
date (2025-09-01) as `near`, which is what the audit passes with `--archive all` and with
`--archive dead`: the requests for one URL are the same in both modes, `dead` only asks for fewer
URLs (those not alive). Run: `python cassettes/parts/make_archive_cassette.py`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from linkaudit.archive import WaybackArchive
from linkaudit.check import RecordingClient
from linkaudit.http import HttpResponse

BASE = "https://web.archive.org"
NEAR = dt.date(2025, 9, 1)
CAPTURES: dict[str, list[str]] = {
    # [1] Yahoo Finance: captured around publication and since.
    "https://finance.yahoo.com/news/alibaba-tests-ai-chip-china-144131404.html": [
        "20250829143012", "20250831021544", "20251014093301",
    ],
    # [2] the publisher's own earlier article.
    "https://www.ainvest.com/news/alibaba-ai-chip-strategy-impact-global-ai-semiconductor-landscape-2508/": [  # noqa: E501
        "20250830011205", "20250902174410",
    ],
    # [3] roic.ai: never archived.
    "https://www.roic.ai/news/nvidia-shares-slip-on-report-alibaba-develops-new-ai-chip": [],
    # [4] eWeek: dead now; captured twice before the article's date.
    "https://www.eweek.com/news/alibaba-ai-chip/": ["20250829160233", "20250831120512"],
    # [5] CNBC, 2024-09-17: first captured the day it was published.
    "https://www.cnbc.com/2024/09/17/chinese-companies-aiming-to-compete-with-nvidia-on-ai-chips.html": [  # noqa: E501
        "20240917103015", "20241203075512", "20250611201344", "20251118090127",
    ],
}


class FakeArchive:
    """An `HttpClient` answering CDX queries from `CAPTURES`; `RecordingClient` writes them down."""

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        rows = list(CAPTURES[query["url"]])
        if "to" in query:
            rows = [ts for ts in rows if ts[: len(query["to"])] <= query["to"]]
        limit = int(query.get("limit", "0"))
        rows = rows[:limit] if limit > 0 else rows[limit:] if limit < 0 else rows
        table = [["timestamp", "original", "statuscode"]]
        table += [[ts, query["url"], "200"] for ts in rows]
        body = json.dumps(table) if rows else "[]"
        return HttpResponse(url, 200, (("Content-Type", "application/json"),), body.encode())

    async def close(self) -> None:
        """Nothing to release."""


async def main() -> int:
    out = Path(__file__).with_name("archive.yaml")
    recorder = RecordingClient(FakeArchive(), out)
    archive = WaybackArchive(recorder, base_url=BASE, rate_per_min=0, env={})
    for url in CAPTURES:
        result = await archive.lookup(url, NEAR)
        best = result.best.url if result.best else "-"
        print(f"{result.state.value:12} {url}\n             best: {best}", file=sys.stderr)
    await recorder.close()
    for item in yaml.safe_load(out.read_text(encoding="utf-8"))["interactions"]:
        print(item["request"]["uri"])
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
