"""Recording runs and reading the history back: a loopback site that changes between runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from aiohttp import web
from health_support import T0, check_all, day, doc_citing, finding, result_of

from linkaudit.config import AuditConfig
from linkaudit.health.history import Citer, link_states, list_runs, record_run
from linkaudit.health.json_v1 import to_json_v1
from linkaudit.health.markdown import render_markdown
from linkaudit.health.policy import HealthState
from linkaudit.health.report import REMOVED, build_report
from linkaudit.model import Document, LinkStatus
from linkaudit.store import Store

# HTTP status each path answers in run 1..5 (days 0, 2, 4, 7, 9); None: no longer cited.
SCRIPT: dict[str, list[int | None]] = {
    "/steady": [200, 200, 200, 200, 200],
    "/recovering": [200, 404, 404, 404, 200],  # alive -> dead -> alive
    "/gone": [200, 404, 410, 404, 404],  # dead for good
    "/flappy": [200, 404, 200, 404, 200],  # alternating
    "/walled": [403, 403, 403, 403, 403],  # a bot wall: never dead by itself
    "/newly": [200, 200, 200, 200, 404],
    "/dropped": [404, 404, 404, 404, None],  # removed from the document before run 5
}
RUN_DAYS = [0, 2, 4, 7, 9]


@pytest.fixture
def cfg(tmp_path: Path) -> AuditConfig:
    return AuditConfig.build(store=tmp_path / "h.db")


async def _record_history(aiohttp_server, store: Store, cfg: AuditConfig, runs: int) -> str:  # type: ignore[no-untyped-def]
    state: dict[str, int] = {}

    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=state[request.path], text="page")

    app = web.Application()
    app.router.add_get("/{name}", handler)
    server = await aiohttp_server(app)
    base = str(server.make_url("/")).rstrip("/")
    for n in range(runs):
        state.clear()
        state.update({p: s[n] for p, s in SCRIPT.items() if s[n] is not None})
        urls = [base + p for p in state]
        statuses = await check_all(urls)
        assert statuses[base + "/steady"] is LinkStatus.ALIVE  # the site really answers
        dead = [u for u, s in statuses.items() if s is LinkStatus.DEAD]
        result = result_of(
            statuses, day(RUN_DAYS[n]), findings=tuple(finding(u) for u in dead)
        )
        record_run(store, result)
    return base


async def test_history_over_five_runs(aiohttp_server, cfg: AuditConfig) -> None:  # type: ignore[no-untyped-def]
    with Store.open(cfg.store.path) as store:
        base = await _record_history(aiohttp_server, store, cfg, runs=5)
        runs = list_runs(store)
        states = {h.url.removeprefix(base): h for h in link_states(store, cfg.health, now=day(10))}
        report = build_report(store, cfg.health, now=day(10))
        findings = store.connection.execute("SELECT count(*) FROM run_findings").fetchone()[0]

    assert [r.started for r in runs] == [day(d) for d in RUN_DAYS]
    assert runs[0].counts == {"alive": 5, "blocked": 1, "dead": 1}
    assert runs[-1].links == 6 and not runs[-1].interrupted
    assert runs[0].inputs == ("docs/a.md",)
    assert findings == 1 + 4 + 3 + 4 + 2  # dead links per run

    assert states["/steady"].verdict.state is HealthState.OK
    assert states["/recovering"].verdict.state is HealthState.OK
    assert states["/recovering"].verdict.since == day(9)
    gone = states["/gone"].verdict
    assert gone.state is HealthState.DEAD
    assert gone.since == day(2) and gone.confirmed_at == day(7) and gone.failures == 4
    assert states["/flappy"].verdict.state is HealthState.FLAPPING
    assert states["/walled"].verdict.state is HealthState.UNVERIFIABLE
    assert states["/newly"].verdict.state is HealthState.FAILING
    assert states["/newly"].verdict.since == day(9)
    assert not states["/dropped"].current and states["/gone"].current
    assert states["/gone"].citers == (Citer("docs/a.md", "3"),)

    def urls(items: tuple) -> list[str]:  # type: ignore[type-arg]
        return [i.url.removeprefix(base) for i in items]

    assert urls(report.new) == ["/newly"]
    assert urls(report.persisting) == ["/walled", "/gone"]  # oldest first
    assert [i.since for i in report.persisting] == [day(0), day(2)]
    assert urls(report.fixed) == ["/dropped", "/recovering"]
    assert {i.url.removeprefix(base): i.status for i in report.fixed} == {
        "/dropped": REMOVED,
        "/recovering": "alive",
    }
    assert urls(report.flapping) == ["/flappy"]
    assert urls(report.dead) == ["/gone"]
    assert report.domains[0].domain == "127.0.0.1"
    assert (report.domains[0].links, report.domains[0].failing) == (6, 2)
    assert dict(report.dead_ages()) == {  # failing since day 2, report on day 10
        "< 1 week": 0,
        "1-4 weeks": 1,
        "1-3 months": 0,
        "3-12 months": 0,
        "> 1 year": 0,
    }

    data = to_json_v1(report)
    assert list(data) == ["schema", "runs", "new", "persisting", "fixed", "flapping", "dead"]
    assert data["schema"] == "linkaudit.report/1"
    assert set(data["runs"][0]) == {"id", "started", "links", "counts"}
    assert data["runs"][0]["started"] == "2026-01-05T06:00:00Z"
    assert data["dead"] == [
        {
            "url": base + "/gone",
            "status": "dead",
            "since": "2026-01-07T06:00:00Z",
            "citers": [{"document": "docs/a.md", "reference": "3"}],
        }
    ]
    json.dumps(data)  # serialisable as is

    text = render_markdown(report)
    assert "**1 new**, 2 persisting, 2 fixed, 1 flapping, 1 confirmed dead" in text
    assert "### Oldest dead links (1)" in text


async def test_report_between_runs_says_what_changed(aiohttp_server, cfg: AuditConfig) -> None:  # type: ignore[no-untyped-def]
    with Store.open(cfg.store.path) as store:
        base = await _record_history(aiohttp_server, store, cfg, runs=2)
        first = build_report(store, cfg.health, now=day(1))
        second = build_report(store, cfg.health, now=day(3))
    # After one run every problem is new.
    assert sorted(i.url.removeprefix(base) for i in first.new) == ["/dropped", "/walled"]
    assert not first.persisting and not first.fixed
    # After two: the newly dead are new, the old ones persist, nothing is dead yet.
    assert sorted(i.url.removeprefix(base) for i in second.new) == [
        "/flappy",
        "/gone",
        "/recovering",
    ]
    assert sorted(i.url.removeprefix(base) for i in second.persisting) == ["/dropped", "/walled"]
    assert not second.dead and not second.fixed
    assert all(i.state is HealthState.FAILING for i in second.new)


def test_interrupted_run_is_recorded_but_not_current(cfg: AuditConfig) -> None:
    with Store.open(cfg.store.path) as store:
        record_run(store, result_of({"https://a.example/x": LinkStatus.DEAD}, day(0)))
        partial = result_of({"https://a.example/y": LinkStatus.ALIVE}, day(1), interrupted=True)
        record_run(store, partial)
        runs = list_runs(store)
        report = build_report(store, cfg.health, now=day(2))
    assert [r.interrupted for r in runs] == [False, True]
    assert report.latest is not None and report.latest.id == runs[0].id
    assert [i.url for i in report.new] == ["https://a.example/x"]


def test_empty_store_reports_no_runs(cfg: AuditConfig) -> None:
    with Store.open(cfg.store.path) as store:
        report = build_report(store, cfg.health)
    assert report.runs == () and report.all_clear
    assert "No runs recorded yet" in render_markdown(report)


def test_citers_and_links_of_several_documents(cfg: AuditConfig) -> None:
    url = "https://b.example/p"
    docs = (
        doc_citing([url], "docs/a.md"),
        doc_citing(["https://c.example/", url], "docs/b.md"),
        Document(origin="docs/c.md", format="markdown", text="", links=()),  # type: ignore[arg-type]
    )
    result = result_of(
        {url: LinkStatus.DEAD, "https://c.example/": LinkStatus.ALIVE}, T0, docs=docs
    )
    with Store.open(cfg.store.path) as store:
        run_id = record_run(store, result)
        (history,) = [h for h in link_states(store, cfg.health) if h.url == url]
    assert run_id == 1
    assert history.citers == (Citer("docs/a.md", "1"), Citer("docs/b.md", "2"))


def test_now_leaves_out_later_runs(cfg: AuditConfig) -> None:
    with Store.open(cfg.store.path) as store:
        for n in range(4):
            record_run(store, result_of({"https://a.example/": LinkStatus.DEAD}, day(2 * n)))
        early = link_states(store, cfg.health, now=day(3))
        late = link_states(store, cfg.health, now=day(30))
    assert early[0].verdict.state is HealthState.FAILING and len(early[0].observations) == 2
    assert late[0].verdict.state is HealthState.DEAD
    assert late[0].verdict.since == T0 + dt.timedelta(days=0)
