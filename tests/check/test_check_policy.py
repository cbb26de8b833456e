"""Pure policy: which failures are transient, Retry-After, the retry loop, and the classes."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from linkaudit.check.classify import (
    classify_response,
    is_gate_redirect,
    says_not_found,
)
from linkaudit.check.fetch import Fetcher, Stop
from linkaudit.check.retry import (
    NextTry,
    RetryPolicy,
    is_transient,
    next_try,
    parse_retry_after,
    retry_after_of,
)
from linkaudit.config import AuditConfig, NetworkConfig
from linkaudit.http import (
    ConnectError,
    DnsError,
    FetchTimeout,
    HttpResponse,
    RefusedAddress,
    ResetError,
    TlsError,
)
from linkaudit.model import Hop, LinkStatus


def resp(status: int, body: bytes = b"", **headers: str) -> HttpResponse:
    return HttpResponse("https://example.com/a/b", status,
                        tuple((k.replace("_", "-"), v) for k, v in headers.items()), body)


@pytest.mark.parametrize(("outcome", "expected"), [
    (FetchTimeout("t"), True), (ResetError("r"), True), (TimeoutError(), True),
    (DnsError("d"), False), (ConnectError("c"), False), (TlsError("t"), False),
    (RefusedAddress("x"), False), (ValueError("x"), False),
    (500, True), (502, True), (503, True), (504, True), (429, True), (408, True),
    (501, False), (505, False), (404, False), (410, False), (403, False), (200, False),
])
def test_is_transient(outcome: BaseException | int, expected: bool) -> None:
    assert is_transient(outcome) is expected
    if isinstance(outcome, int):
        assert is_transient(resp(outcome)) is expected


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    now = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("Mon, 01 Sep 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 01 Sep 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert retry_after_of(resp(429, retry_after="5"), cap_s=60) == 5.0
    assert retry_after_of(resp(429, retry_after="500"), cap_s=60) is None
    assert retry_after_of(resp(404, retry_after="5"), cap_s=60) is None


class Scripted:
    """An `HttpClient` answering from a list (a response, or an exception to raise); a `None`
    entry never answers (the request hangs until cancelled)."""

    def __init__(self, answers: list[HttpResponse | BaseException | None]) -> None:
        self.answers = answers
        self.calls = 0

    async def fetch(self, method: str, url: str, **_: object) -> HttpResponse:
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer is None:
            await asyncio.Event().wait()
        if isinstance(answer, BaseException):
            raise answer
        assert answer is not None
        return answer

    async def close(self) -> None:
        pass


def _fetcher(client: Scripted, cfg: AuditConfig, slept: list[float]) -> Fetcher:
    """A fetcher on a fake clock that its sleeps advance; `slept` records them."""
    now = [1000.0]

    async def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    return Fetcher(client, cfg.network, sleep=sleep, clock=lambda: now[0])  # type: ignore[arg-type]


async def test_retries_transient_failures_with_exponential_backoff() -> None:
    slept: list[float] = []
    client = Scripted([ResetError("reset"), ResetError("reset"), resp(200)])
    cfg = AuditConfig.build(retries=3, retry_wait_s=0.5)
    response, tries = await _fetcher(client, cfg, slept).request("GET", "https://a.example/")
    assert response.status == 200 and tries == 3 and client.calls == 3
    assert len(slept) == 2 and all(0.5 <= s <= 0.5 * 16 + 0.5 for s in slept)
    assert slept[1] >= 1.0  # exponential: the second wait starts from twice the base


async def test_gives_up_and_returns_the_last_transient_response() -> None:
    slept: list[float] = []
    client = Scripted([resp(503)])
    response, tries = await _fetcher(client, AuditConfig.build(retries=2), slept).request(
        "GET", "https://a.example/")
    assert response.status == 503 and tries == 3 and len(slept) == 2


async def test_final_errors_are_not_retried_and_retry_after_is_honoured() -> None:
    slept: list[float] = []
    dns = Scripted([DnsError("nx")])
    with pytest.raises(DnsError) as err:
        await _fetcher(dns, AuditConfig.build(retries=5), slept).request("GET", "https://a.example/")
    assert dns.calls == 1 and slept == [] and getattr(err.value, "attempts", None) == 1

    fetcher = _fetcher(Scripted([resp(429, retry_after="7"), resp(200)]), AuditConfig(), slept)
    assert (await fetcher.request("GET", "https://a.example/"))[0].status == 200
    assert slept == [7.0]

    slept.clear()
    fetcher = _fetcher(Scripted([resp(429, retry_after="3600")]), AuditConfig(), slept)
    assert (await fetcher.request("GET", "https://b.example/"))[0].status == 429
    assert slept == [] and fetcher.limits.paused_for("b.example") == 0  # beyond the cap


def test_timeouts_are_retried_once_and_only_while_the_host_answers() -> None:
    policy = RetryPolicy.from_config(AuditConfig.build(timeout_s=10.0, retries=2).network)
    timeout = FetchTimeout("t")
    assert next_try(policy, timeout, retry=1, host_answered=False) is None
    step = next_try(policy, timeout, retry=1, host_answered=True)
    assert step == NextTry(0.0, 2.5)  # no backoff (the timeout was the wait), a quarter deadline
    assert next_try(policy, timeout, retry=2, timeouts_retried=1, host_answered=True) is None
    short = RetryPolicy.from_config(AuditConfig.build(timeout_s=1.0).network)
    assert short.timeout_retry_s == 1.0  # never longer than the timeout itself
    assert next_try(RetryPolicy(retries=0), timeout, retry=1, host_answered=True) is None
    assert next_try(RetryPolicy(timeout_retry_s=None), timeout, retry=1,
                    host_answered=True) is None


async def test_a_hanging_url_costs_one_timeout_plus_a_short_retry_at_most() -> None:
    slept: list[float] = []
    cfg = AuditConfig.build(timeout_s=10.0, retries=2)
    # The host answers nothing else: no retry at all.
    alone = Scripted([FetchTimeout("t")])
    with pytest.raises(FetchTimeout):
        await _fetcher(alone, cfg, slept).request("GET", "https://hang.example/")
    assert alone.calls == 1
    # The host answered another request meanwhile: one retry, cut at its short deadline.
    client = Scripted([FetchTimeout("t"), None])
    fetcher = _fetcher(client, cfg, slept)
    fetcher.policy = RetryPolicy(retries=2, timeout_retry_s=0.05)
    real = fetcher.limits.now
    fetcher.limits.now = lambda: real() - 1.0  # type: ignore[method-assign]
    fetcher.limits.answered("hang.example")  # another request of the host, during this one
    with pytest.raises(FetchTimeout) as err:
        await fetcher.request("GET", "https://hang.example/")
    assert client.calls == 2 and getattr(err.value, "attempts", None) == 2
    assert "0.05 s" in str(err.value)


URL = "https://news.example.com/2024/09/17/story.html"


@pytest.mark.parametrize(("status", "hops", "expected"), [
    (200, (), LinkStatus.ALIVE),
    (204, (), LinkStatus.ALIVE),
    (200, (Hop(302, "https://news.example.com/story-b"),), LinkStatus.ALIVE),
    (200, (Hop(301, "https://www.example.com/story"),), LinkStatus.REDIRECTED),
    (200, (Hop(308, "https://other.org/story"),), LinkStatus.MOVED_OFFSITE),
    (200, (Hop(302, "https://a.example.com/x"), Hop(301, "https://b.org/y")),
     LinkStatus.MOVED_OFFSITE),
    (200, (Hop(301, "https://news.example.com/"),), LinkStatus.SOFT_404),
    (200, (Hop(302, "https://news.example.com/search?q=story"),), LinkStatus.SOFT_404),
    (200, (Hop(302, "https://news.example.com/account/login?r=1"),), LinkStatus.SOFT_404),
    (404, (), LinkStatus.DEAD), (410, (), LinkStatus.DEAD),
    (500, (), LinkStatus.SERVER_ERROR), (503, (), LinkStatus.SERVER_ERROR),
    (401, (), LinkStatus.BLOCKED), (403, (), LinkStatus.BLOCKED), (429, (), LinkStatus.BLOCKED),
    (999, (), LinkStatus.BLOCKED), (451, (), LinkStatus.BLOCKED),
    (400, (), LinkStatus.INVALID), (408, (), LinkStatus.TIMEOUT),
    (301, (), LinkStatus.SERVER_ERROR),
])
def test_classify_statuses(status: int, hops: tuple[Hop, ...], expected: LinkStatus) -> None:
    got, reason = classify_response(URL, resp(status), hops)
    assert got is expected, reason
    assert (reason is None) == (got in (LinkStatus.ALIVE, LinkStatus.REDIRECTED,
                                        LinkStatus.MOVED_OFFSITE))


def test_classify_accept_and_bot_walls() -> None:
    assert classify_response(URL, resp(403), (), accept=frozenset({403}))[0] is LinkStatus.ALIVE
    challenge = resp(403, cf_mitigated="challenge")
    assert classify_response(URL, challenge, ())[0] is LinkStatus.BLOCKED
    wall = resp(503, b"<title>Just a moment...</title><div id=challenge-platform>")
    assert classify_response(URL, wall, ())[0] is LinkStatus.BLOCKED
    assert classify_response(URL, resp(200, b"<html>captcha-delivery.com</html>"),
                             ())[0] is LinkStatus.BLOCKED


def test_every_bot_wall_marker_in_a_body_blocks() -> None:
    # The hints that spare the full list on ordinary pages must let every marker through.
    from linkaudit.check.classify import _BOT_WALL_MARKERS, is_bot_wall

    for marker in _BOT_WALL_MARKERS:
        body = b"<html><body>" + b"news " * 2000 + marker.upper().encode() + b"</body></html>"
        assert is_bot_wall(resp(200, body)), marker
    assert not is_bot_wall(resp(200, b"<html><body>" + b"news " * 2000 + b"</body></html>"))


@pytest.mark.parametrize("title", [
    "Page not found | CNBC", "404 - Not Found", "Seite nicht gefunden", "Page introuvable",
    "Página no encontrada", "ページが見つかりません", "页面不存在", "Страница не найдена",
])
def test_not_found_titles(title: str) -> None:
    assert says_not_found(title, (), "x" * 5000)
    got, _ = classify_response(URL, resp(200), (), title=title, text="x" * 5000)
    assert got is LinkStatus.SOFT_404


def test_long_article_about_404s_is_alive() -> None:
    text = "This article explains what a 404 page not found error means. " * 100
    assert not says_not_found("How web servers answer", ("Status codes explained",), text)
    assert says_not_found(None, (), "Sorry, this page no longer exists.")


def test_gate_redirect_needs_a_deep_source() -> None:
    assert is_gate_redirect("https://a.com/story/1", "https://a.com/")
    assert not is_gate_redirect("https://a.com/", "https://a.com/en/")
    assert not is_gate_redirect("https://a.com/story/1", "https://a.com/story/1/")


def test_captcha_widget_on_a_404_page_is_still_dead() -> None:
    page = resp(404, b'<html><title>Not found</title><div class="g-recaptcha"></div></html>')
    assert classify_response(URL, page, ())[0] is LinkStatus.DEAD
    header = resp(404, cf_mitigated="challenge")
    assert classify_response(URL, header, ())[0] is LinkStatus.BLOCKED
    status, reason = classify_response(URL, resp(403, cf_mitigated="challenge"), ())
    assert status is LinkStatus.BLOCKED and "bot challenge" in (reason or "")


async def test_host_limits_pause_one_host_only() -> None:
    from fakes import FakeClock

    from linkaudit.check.limits import HostLimits
    from linkaudit.config import HostPolicy

    t = FakeClock()
    cfg = AuditConfig.build(per_host=2, hosts=(("slow.example", HostPolicy(per_host=1)),))
    limits = HostLimits(cfg.network, sleep=t.sleep, clock=t)
    assert limits.limit_for("slow.example") == 1 and limits.limit_for("a.example") == 2
    limits.pause("a.example", 5.0)
    limits.pause("a.example", 2.0)  # a shorter pause does not cut the longer one
    async with limits.slot("b.example"):
        pass
    assert t.sleeps == []  # another host is not held back
    async with limits.slot("a.example"):
        assert limits.in_flight["a.example"] == 1
    assert t.sleeps == [5.0] and limits.paused_for("a.example") == 0


async def test_unreadable_cache_row_is_a_miss(tmp_path: Path) -> None:
    """A hand-edited or half-written cache row must not stop the run: the URL is checked anew."""
    import time as _time

    from linkaudit.check import Checker
    from linkaudit.config import NetworkConfig
    from linkaudit.http import HttpResponse
    from linkaudit.model import LinkStatus
    from linkaudit.store import Store

    class OneAnswer:
        async def fetch(self, method: str, url: str, **_: object) -> HttpResponse:
            return HttpResponse(url, 200, (("Content-Type", "text/plain"),), b"ok")

        async def close(self) -> None:
            pass

    url = "https://example.com/y"
    with Store.open(tmp_path / "s.db") as store:
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO checks (url, data, checked_at, expires_at) VALUES (?, ?, ?, ?)",
                (url, "{not json", _time.time(), _time.time() + 3600),
            )
        checker = Checker(NetworkConfig(), OneAnswer(), store=store)  # type: ignore[arg-type]
        result = await checker.check(url)
    assert result.status is LinkStatus.ALIVE and not result.from_cache


async def test_failing_head_fallback_keeps_the_get_answer() -> None:
    """GET answers 405 and the HEAD fallback cannot connect: the server did answer, so the
    link is judged on the 405 (blocked), not called a network error."""
    from linkaudit.check import Checker
    from linkaudit.config import NetworkConfig
    from linkaudit.http import ConnectError, HttpResponse
    from linkaudit.model import LinkStatus

    class GetOnly:
        async def fetch(self, method: str, url: str, **_: object) -> HttpResponse:
            if method == "HEAD":
                raise ConnectError("connect: refused")
            return HttpResponse(url, 405, (("Content-Type", "text/plain"),), b"")

        async def close(self) -> None:
            pass

    checker = Checker(NetworkConfig(retries=0), GetOnly())  # type: ignore[arg-type]
    result = await checker.check("https://example.com/x")
    assert result.http_status == 405 and result.status is not LinkStatus.NETWORK_ERROR


async def test_a_paced_host_is_spaced_and_the_others_are_not() -> None:
    from fakes import FakeClock

    from linkaudit.check.limits import HostLimits, TokenBucket

    t = FakeClock()
    limits = HostLimits(AuditConfig.build(per_host=4).network, sleep=t.sleep, clock=t)
    limits.pace("slow.example", TokenBucket.spacing(2.0, sleep=t.sleep, clock=t))
    starts: dict[str, list[float]] = {"slow.example": [], "fast.example": []}
    for _ in range(3):
        for host in starts:
            async with limits.slot(host):
                starts[host].append(t.now)
    assert starts["slow.example"] == [1000.0, 1002.0, 1004.0]  # Crawl-delay: 2 s apart
    assert t.sleeps == [2.0, 2.0]  # every wait was the paced host's: the other never waited


async def test_follow_asks_the_veto_before_every_hop_and_keeps_credentials_home() -> None:
    seen: list[tuple[str, dict[str, str]]] = []

    class Redirecting:
        async def fetch(self, method: str, url: str, **kw: object) -> HttpResponse:
            seen.append((url, dict(kw.get("headers") or {})))  # type: ignore[call-overload]
            hops = {"https://a.example/1": "https://b.example/2",
                    "https://b.example/2": "https://a.example/3"}
            if url in hops:
                return HttpResponse(url, 301, (("Location", hops[url]),), b"")
            return HttpResponse(url, 200, (), b"")

        async def close(self) -> None:
            pass

    asked: list[tuple[str, int]] = []

    async def veto(url: str, hop: int) -> str | None:
        asked.append((url, hop))
        return "off limits" if url.endswith("/3") and hop == 2 else None

    fetcher = Fetcher(Redirecting(), NetworkConfig())  # type: ignore[arg-type]
    chain = await fetcher.follow("https://a.example/1", veto=veto,
                                 host_headers=lambda url: {"Authorization": "secret"})
    assert asked == [("https://a.example/1", 0), ("https://b.example/2", 1),
                     ("https://a.example/3", 2)]
    assert chain.stop is Stop.VETOED and chain.vetoed == "off limits"
    assert [h.status for h in chain.hops] == [301, 301]
    # The token went to the first host only, never after the chain left it.
    assert [h for _, h in seen] == [{"Authorization": "secret"}, {}]
