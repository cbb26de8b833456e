"""`cassettes/parts/archive.yaml` answers exactly the requests `WaybackArchive` makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import yaml

from linkaudit.archive import WaybackArchive
from linkaudit.http import HttpResponse, NotInCassette
from linkaudit.model import ArchiveState, SnapshotKind

CASSETTE = Path(__file__).resolve().parents[2] / "cassettes" / "parts" / "archive.yaml"


class ExactReplay:
    """Answers from the cassette by exact method and URI; anything else is not in it."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.answers = {
            (i["request"]["method"], i["request"]["uri"]): i["response"]
            for i in data["interactions"]
        }
        self.used: set[tuple[str, str]] = set()

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        key = (method, url)
        if key not in self.answers:
            raise NotInCassette(url)
        self.used.add(key)
        resp = self.answers[key]
        return HttpResponse(url, resp["status"]["code"], (), resp["body"]["string"].encode())

    async def close(self) -> None:
        return None


async def test_example_archive_answers_replay() -> None:
    client = ExactReplay(CASSETTE)
    arch = WaybackArchive(client, rate_per_min=0, env={})
    near = dt.date(2025, 9, 1)
    urls = sorted({uri for _, uri in client.answers})
    looked = {}
    for url in [
        "https://finance.yahoo.com/news/alibaba-tests-ai-chip-china-144131404.html",
        "https://www.ainvest.com/news/alibaba-ai-chip-strategy-impact-global-ai-semiconductor-landscape-2508/",
        "https://www.roic.ai/news/nvidia-shares-slip-on-report-alibaba-develops-new-ai-chip",
        "https://www.eweek.com/news/alibaba-ai-chip/",
        "https://www.cnbc.com/2024/09/17/chinese-companies-aiming-to-compete-with-nvidia-on-ai-chips.html",
    ]:
        looked[url.split("/")[2]] = await arch.lookup(url, near)
    assert client.used == set(client.answers) and len(urls) == 12  # every exchange used
    assert looked["www.roic.ai"].state is ArchiveState.NOT_ARCHIVED
    eweek = looked["www.eweek.com"].best
    assert eweek is not None and eweek.timestamp.date() == dt.date(2025, 8, 31)
    first = looked["www.cnbc.com"].snapshot(SnapshotKind.FIRST)
    assert first is not None and first.timestamp.date() == dt.date(2024, 9, 17)
    assert arch.problems == []
