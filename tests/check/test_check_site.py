"""The checker against a loopback site: one behaviour per route, classes, chains and attempts."""

from __future__ import annotations

import datetime as dt
import ssl
import tracemalloc
from pathlib import Path

import pytest
import trustme
from checkkit import FakeResolver, Site, loopback_cfg
from fakes import FakeClock

from linkaudit.check import AiohttpClient, Checker, check_from_dict, check_to_dict
from linkaudit.config import AuditConfig, HostPolicy, NetworkConfig
from linkaudit.model import DateOrigin, Hop, LinkStatus
from linkaudit.store import Store


async def run(cfg: AuditConfig, url: str, clock: FakeClock | None = None,
              **client_kw: object):
    client = AiohttpClient(cfg.network, **client_kw)  # type: ignore[arg-type]
    try:
        kw = {"sleep": clock.sleep, "clock": clock} if clock else {}
        return await Checker(cfg.network, client, **kw).check(url)  # type: ignore[arg-type]
    finally:
        await client.close()


@pytest.mark.parametrize(("path", "status", "http"), [
    ("/ok", LinkStatus.ALIVE, 200),
    ("/text", LinkStatus.ALIVE, 200),
    ("/pdf", LinkStatus.ALIVE, 200),
    ("/missing", LinkStatus.DEAD, 404),
    ("/gone", LinkStatus.DEAD, 410),
    ("/soft", LinkStatus.SOFT_404, 200),
    ("/challenge", LinkStatus.BLOCKED, 403),
    ("/challenge-200", LinkStatus.BLOCKED, 200),
    ("/auth", LinkStatus.BLOCKED, 401),
    ("/forbidden", LinkStatus.BLOCKED, 403),
    ("/linkedin", LinkStatus.BLOCKED, 999),
    ("/bad", LinkStatus.INVALID, 400),
    ("/method", LinkStatus.ALIVE, 200),
])
async def test_status_classes(site: Site, path: str, status: LinkStatus, http: int) -> None:
    result = await run(loopback_cfg(), site.url(path))
    assert (result.status, result.http_status) == (status, http), result.error
    assert result.attempts == 1
    assert result.checked_at is not None and result.elapsed_ms >= 0


async def test_live_page_facts(site: Site) -> None:
    result = await run(loopback_cfg(), site.url("/ok"))
    assert result.title == "Alibaba tests a new AI chip"
    assert result.published is not None and result.published.value == dt.date(2025, 8, 29)
    assert result.published.origin is DateOrigin.HTML_META
    assert result.modified is not None and result.modified.value == dt.date(2025, 8, 30)
    assert result.excerpt is not None and "26% in the June quarter" in result.excerpt
    assert "Home | News" not in result.excerpt  # navigation is not main content


async def test_server_error_retried_then_classed(site: Site, clock: FakeClock) -> None:
    result = await run(loopback_cfg(retries=2), site.url("/error"), clock)
    assert result.status is LinkStatus.SERVER_ERROR and result.http_status == 500
    assert result.attempts == 3 and site.state.hits["/error"] == 3
    assert len(clock.sleeps) == 2  # backoff went through the injected sleep


async def test_transient_503_then_ok(site: Site, clock: FakeClock) -> None:
    result = await run(loopback_cfg(), site.url("/flaky"), clock)
    assert result.status is LinkStatus.ALIVE and result.attempts == 2


async def test_429_retry_after_then_ok(site: Site, clock: FakeClock) -> None:
    result = await run(loopback_cfg(), site.url("/ratelimit"), clock)
    assert result.status is LinkStatus.ALIVE and result.attempts == 2
    assert 2.0 in clock.sleeps  # Retry-After: 2 was honoured


async def test_429_after_retries_is_blocked(site: Site, clock: FakeClock) -> None:
    result = await run(loopback_cfg(retries=2), site.url("/always-429"), clock)
    assert result.status is LinkStatus.BLOCKED and result.attempts == 3
    long = await run(loopback_cfg(), site.url("/ratelimit-long"), clock)
    assert long.status is LinkStatus.BLOCKED and long.attempts == 1


async def test_redirects(site: Site) -> None:
    cfg = loopback_cfg()
    perm = await run(cfg, site.url("/perm"))
    assert perm.status is LinkStatus.REDIRECTED
    assert perm.redirects == (Hop(301, site.url("/ok")),) and perm.final_url == site.url("/ok")
    temp = await run(cfg, site.url("/temp"))
    assert temp.status is LinkStatus.ALIVE and temp.redirects == (Hop(302, site.url("/ok")),)
    chain = await run(cfg, site.url("/chain"))
    assert [h.status for h in chain.redirects] == [302, 308, 307]
    assert chain.status is LinkStatus.REDIRECTED  # a permanent hop in the chain
    home = await run(cfg, site.url("/to-home"))
    assert home.status is LinkStatus.SOFT_404 and home.final_url == site.url("/")
    login = await run(cfg, site.url("/to-login"))
    assert login.status is LinkStatus.SOFT_404


async def test_redirect_loop_and_too_many(site: Site) -> None:
    loop = await run(loopback_cfg(), site.url("/loop"))
    assert loop.status is LinkStatus.NETWORK_ERROR and "loop" in (loop.error or "")
    assert [h.status for h in loop.redirects] == [301, 302]
    many = await run(loopback_cfg(max_redirects=5), site.url("/many/0"))
    assert many.status is LinkStatus.NETWORK_ERROR and "more than 5" in (many.error or "")
    assert len(many.redirects) == 6 and site.state.hits.get("/many/5") == 1
    assert "/many/6" not in site.state.hits  # the hop past the limit is recorded, not followed


async def test_moved_offsite_and_headers_not_sent_across_hosts(site: Site,
                                                                other_site: Site) -> None:
    cfg = loopback_cfg(headers=(("X-Secret", "s3cret"),))
    same = await run(cfg, site.url("/headers"))
    assert same.status is LinkStatus.ALIVE
    assert site.state.seen_headers["/headers"].get("X-Secret") == "s3cret"
    target = other_site.url("/headers")
    moved = await run(cfg, site.url(f"/to-other?to={target}"))
    assert moved.status is LinkStatus.ALIVE and moved.final_url == target
    assert "X-Secret" not in other_site.state.seen_headers["/headers"]
    assert "linkaudit" in other_site.state.seen_headers["/headers"]["User-Agent"]
    offsite = await run(cfg, site.url(f"/to-other?status=301&to={other_site.url('/ok')}"))
    assert offsite.status is LinkStatus.MOVED_OFFSITE
    assert offsite.redirects == (Hop(301, other_site.url("/ok")),)


async def test_host_policy_accept_and_github_token(site: Site) -> None:
    host = "127.0.0.1"
    cfg = loopback_cfg(hosts=((host, HostPolicy(accept=frozenset({403}))),),
                       github_token="ghp_secret")
    result = await run(cfg, site.url("/forbidden"))
    assert result.status is LinkStatus.ALIVE
    await run(cfg, site.url("/headers"))
    assert "Authorization" not in site.state.seen_headers["/headers"]  # not a GitHub host


async def test_hang_times_out(site: Site, clock: FakeClock) -> None:
    # The host answers nothing else meanwhile: the timeout is not retried (it would only
    # time out again, doubling the slowest URL's cost).
    result = await run(loopback_cfg(timeout_s=0.3, retries=1), site.url("/hang"), clock)
    assert result.status is LinkStatus.TIMEOUT and result.attempts == 1
    assert result.http_status is None


async def test_a_timeout_is_retried_once_while_its_host_answers_others(site: Site) -> None:
    cfg = loopback_cfg(timeout_s=0.3, retries=2)
    client = AiohttpClient(cfg.network)
    try:
        urls = [site.url("/hang")] + [site.url(f"/ok?n={n}") for n in range(6)]
        results = await Checker(cfg.network, client).check_all(urls)
    finally:
        await client.close()
    hang = results[site.url("/hang")]
    assert hang.status is LinkStatus.TIMEOUT and hang.attempts == 2  # once more, not twice
    assert site.state.hits["/hang"] == 2


async def test_slowloris_body_is_cut_by_the_request_timeout(site: Site) -> None:
    result = await run(loopback_cfg(timeout_s=0.4, retries=0), site.url("/trickle"))
    assert result.status is LinkStatus.TIMEOUT and result.elapsed_ms < 3000


async def test_url_deadline(site: Site) -> None:
    cfg = loopback_cfg(timeout_s=5.0, url_deadline_s=0.3, retries=0)
    result = await run(cfg, site.url("/hang"))
    assert result.status is LinkStatus.TIMEOUT and "deadline" in (result.error or "")


async def test_reset_mid_body(site: Site, clock: FakeClock) -> None:
    result = await run(loopback_cfg(), site.url("/reset"), clock)
    assert result.status is LinkStatus.NETWORK_ERROR, result
    assert result.attempts == 2  # a reset is transient: retried once


async def test_gzip_bomb_and_endless_body_are_capped(site: Site) -> None:
    cfg = loopback_cfg(max_body_bytes=256 * 1024)
    client = AiohttpClient(cfg.network)
    try:
        tracemalloc.start()
        bomb = await client.fetch("GET", site.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert bomb.truncated and len(bomb.body) <= 256 * 1024
        assert peak < 32 * 1024 * 1024  # the 64 MiB it inflates to was never held
        endless = await client.fetch("GET", site.url("/endless"))
        assert endless.truncated and len(endless.body) <= 256 * 1024
        pdf = await client.fetch("GET", site.url("/pdf"))
        assert pdf.body == b""  # not a text type: not read
    finally:
        await client.close()
    assert (await run(cfg, site.url("/bomb"))).status is LinkStatus.ALIVE


async def test_refused_port(refused_port: int) -> None:
    result = await run(loopback_cfg(retries=3), f"http://127.0.0.1:{refused_port}/x")
    assert result.status is LinkStatus.NETWORK_ERROR and result.attempts == 1
    assert "connect" in (result.error or "")


async def test_name_that_does_not_resolve_is_dead_without_dns() -> None:
    resolver = FakeResolver({})
    result = await run(loopback_cfg(), "http://no-such-host.invalid/page", resolver=resolver)
    assert result.status is LinkStatus.DEAD and "name not found" in (result.error or "")
    assert resolver.asked == []  # answered locally (RFC 6761), never sent to a DNS server
    other = await run(loopback_cfg(), "http://gone.test/page", resolver=resolver)
    assert other.status is LinkStatus.DEAD and resolver.asked == ["gone.test"]


async def test_guard_refuses_loopback_without_allow(site: Site) -> None:
    cfg = AuditConfig.build(timeout_s=2.0, cache=False)
    direct = await run(cfg, site.url("/ok"))
    assert direct.status is LinkStatus.SKIPPED and "loopback address 127.0.0.1" in direct.error
    port = site.base.rsplit(":", 1)[1]
    resolver = FakeResolver({"inside.test": "127.0.0.1", "meta.test": "169.254.169.254"})
    named = await run(cfg, f"http://inside.test:{port}/ok", resolver=resolver)
    assert named.status is LinkStatus.SKIPPED and "127.0.0.1" in (named.error or "")
    meta = await run(cfg, "http://meta.test/latest/meta-data/", resolver=resolver)
    assert meta.status is LinkStatus.SKIPPED and "cloud metadata" in (meta.error or "")
    decimal = await run(cfg, f"http://2130706433:{port}/ok")
    assert decimal.status is LinkStatus.SKIPPED and "127.0.0.1" in (decimal.error or "")
    assert site.state.hits == {}  # nothing reached the server


async def test_redirect_into_refused_range_is_skipped(site: Site) -> None:
    # The site is allowed; its redirect to the metadata address is not.
    target = "http://169.254.169.254/latest/meta-data/"
    result = await run(loopback_cfg(), site.url(f"/to-other?to={target}"))
    assert result.status is LinkStatus.SKIPPED
    assert "cloud metadata" in (result.error or "") and result.redirects == (Hop(302, target),)


async def test_tls_untrusted_then_trusted(tls_site: Site, ca: trustme.CA) -> None:
    untrusted = await run(loopback_cfg(), tls_site.url("/ok"))
    assert untrusted.status is LinkStatus.NETWORK_ERROR and "tls" in (untrusted.error or "")
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    trusted = await run(loopback_cfg(), tls_site.url("/ok"), ssl_context=ctx)
    assert trusted.status is LinkStatus.ALIVE


async def test_per_host_limit_never_exceeded(site: Site, other_site: Site) -> None:
    cfg = loopback_cfg(per_host=3, concurrency=5)
    client = AiohttpClient(cfg.network)
    checker = Checker(cfg.network, client)
    urls = [site.url(f"/slow?n={i}") for i in range(15)]
    urls += [other_site.url(f"/slow?n={i}") for i in range(15)]
    seen: list[str] = []
    try:
        results = await checker.check_all(urls + urls[:3], on_result=lambda c: seen.append(c.url))
    finally:
        await client.close()
    assert len(results) == 30 and len(seen) == 30  # every distinct URL once
    assert all(r.status is LinkStatus.ALIVE for r in results.values())
    host_a, host_b = site.base.split("//")[1], other_site.base.split("//")[1]
    assert site.state.peak[host_a] == 3 and other_site.state.peak[host_b] == 3
    assert max(checker.limits.peak.values()) == 3


async def test_paused_host_does_not_stop_others(site: Site, other_site: Site,
                                                clock: FakeClock) -> None:
    cfg = loopback_cfg()
    client = AiohttpClient(cfg.network)
    checker = Checker(cfg.network, client, sleep=clock.sleep, clock=clock)
    try:
        await checker.check(site.url("/always-429"))
        assert checker.limits.paused_for("127.0.0.1") > 0
        assert checker.limits.paused_for("127.0.0.2") == 0
        ok = await checker.check(other_site.url("/ok"))
    finally:
        await client.close()
    assert ok.status is LinkStatus.ALIVE


async def test_filters_and_invalid() -> None:
    cfg = loopback_cfg(include=(r"^https://keep\.",), exclude=(r"/private/",))
    client = AiohttpClient(cfg.network)
    checker = Checker(cfg.network, client)
    try:
        out = await checker.check_all(["https://other.example/x", "https://keep.example/private/1",
                                       "mailto:someone@example.com"])
    finally:
        await client.close()
    assert out["https://other.example/x"].status is LinkStatus.SKIPPED
    assert "exclude" in (out["https://keep.example/private/1"].error or "")
    cfg2 = loopback_cfg()
    assert (await run(cfg2, "mailto:x@example.com")).status is LinkStatus.INVALID
    assert (await run(cfg2, "ftp://example.com/f")).status is LinkStatus.INVALID


async def test_store_cache_round_trip(site: Site, tmp_path: Path) -> None:
    cfg = loopback_cfg(cache=True, store=tmp_path / "db.sqlite")
    with Store.open(cfg.store.path) as store:
        client = AiohttpClient(cfg.network)
        try:
            first = await Checker(
                cfg.network, client, store=store, store_config=cfg.store
            ).check_all([site.url("/ok"), site.url("/missing")])
            second = await Checker(
                cfg.network, client, store=store, store_config=cfg.store
            ).check_all([site.url("/ok"), site.url("/missing")])
        finally:
            await client.close()
    assert site.state.hits["/ok"] == 1 and site.state.hits["/missing"] == 1
    assert not first[site.url("/ok")].from_cache and second[site.url("/ok")].from_cache
    assert second[site.url("/ok")].title == first[site.url("/ok")].title
    assert second[site.url("/missing")].status is LinkStatus.DEAD
    back = check_from_dict(check_to_dict(first[site.url("/ok")]))
    assert back == first[site.url("/ok")]


async def test_hyperlinks_are_read_only_as_far_as_their_verdict_needs(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkaudit.check import page
    from linkaudit.model import PageRead

    searched: list[object] = []
    real = page._htmldate
    monkeypatch.setattr(page, "_htmldate", lambda doc: searched.append(doc) or real(doc))
    cfg = loopback_cfg()
    source, link, soft = site.url("/?as=source"), site.url("/?as=link"), site.url("/soft")
    client = AiohttpClient(cfg.network)
    try:
        checks = await Checker(cfg.network, client).check_all(
            [source, link, soft], sources={source})
    finally:
        await client.close()
    assert checks[source].read is PageRead.SOURCE and checks[source].excerpt == "Latest stories"
    assert checks[link].read is PageRead.LINK and checks[link].excerpt is None
    assert checks[link].title == "Example News: home"  # still what a report shows
    assert checks[soft].status is LinkStatus.SOFT_404  # the short text is still judged
    assert len(searched) == 1  # htmldate searched the undated source's page only


async def test_a_dated_url_spares_htmldate_and_a_cached_link_read_serves_no_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from linkaudit.check import checker, page
    from linkaudit.http import HttpResponse
    from linkaudit.model import PageRead

    searched: list[object] = []
    monkeypatch.setattr(page, "_htmldate", lambda doc: searched.append(doc))
    body = b"<html><head><title>Story</title></head><body><p>Undated text.</p></body></html>"
    answer = HttpResponse("u", 200, (("Content-Type", "text/html"),), body)
    check = Checker(NetworkConfig(), None)._finish  # type: ignore[arg-type]
    await check("https://news.example/2024/09/17/story", answer, [], 1)
    assert searched == []
    await check("https://news.example/story", answer, [], 1)
    assert len(searched) == 1
    light = await check("https://news.example/story", answer, [], 1, PageRead.LINK)
    restored = checker.check_from_dict(checker.check_to_dict(light))
    assert restored.read is PageRead.LINK  # so `check` will not take it for a source's read


async def test_a_cached_link_read_is_fetched_again_for_a_source(
    site: Site, tmp_path: Path
) -> None:
    from linkaudit.model import PageRead
    from linkaudit.store import Store

    cfg = loopback_cfg(cache=True)
    url = site.url("/")
    with Store.open(tmp_path / "s.db") as store:
        for read, expected_hits in ((PageRead.LINK, 1), (PageRead.LINK, 1),
                                    (PageRead.SOURCE, 2), (PageRead.LINK, 2)):
            client = AiohttpClient(cfg.network)
            try:
                checks = await Checker(
                    cfg.network, client, store=store, store_config=cfg.store
                ).check_all([url], sources=set() if read is PageRead.LINK else {url})
            finally:
                await client.close()
            assert site.state.hits["/"] == expected_hits, read
            assert checks[url].read is read or checks[url].from_cache
