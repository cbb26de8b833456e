"""The link checker: every distinct URL once, politely, with redirects followed by hand.

For one URL: filters (`--include`/`--exclude`), then the cache, then GET with retries of transient
failures (`linkaudit.check.retry`) inside the global and per-host limits
(`linkaudit.check.limits`), redirects followed one hop at a time (each hop recorded, re-checked
by the guard in the transport, at most `max_redirects`, loops detected), a HEAD fallback when
the server answers 405/501 to GET, then the class (`linkaudit.check.classify`) and, for a live
HTML page, its title, dates and excerpt (`linkaudit.check.page`). The whole URL runs under
`url_deadline_s`.

Configured headers (`cfg.headers`, host policy headers, the GitHub token) go only to the host
the URL names: once a redirect leaves that host, none is sent again, even if the chain comes
back. The GitHub token goes only to GitHub's own hosts, and only over HTTPS.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import email.utils
import functools
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Collection, Coroutine, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from linkaudit.check.cache import cache_ttl, cached_check
from linkaudit.check.classify import REDIRECT_STATUSES, classify_error, classify_response
from linkaudit.check.limits import HostLimits, Sleep
from linkaudit.check.page import is_html, read_page
from linkaudit.check.retry import is_transient, retry_after_of, retrying
from linkaudit.config import AuditConfig
from linkaudit.errors import ConfigError, StoreError
from linkaudit.http import FetchError, HttpClient, HttpResponse
from linkaudit.local.anchors import html_anchors
from linkaudit.model import DatedFact, DateOrigin, Hop, LinkCheck, LinkStatus
from linkaudit.store import Store
from linkaudit.urls import host_of, invalid_url_reason, normalize_url

host_of = functools.lru_cache(maxsize=1 << 16)(host_of)  # called several times per URL

GITHUB_HOSTS = frozenset({"github.com", "api.github.com", "raw.githubusercontent.com"})


def filter_reason(
    url: str, include: Sequence[re.Pattern[str]], exclude: Sequence[re.Pattern[str]]
) -> str | None:
    """Why `--include`/`--exclude` leave `url` out, or None when it is checked."""
    if include and not any(p.search(url) for p in include):
        return "not matched by --include"
    for pattern in exclude:
        if pattern.search(url):
            return f"excluded by --exclude {pattern.pattern!r}"
    return None


def _github_host(host: str) -> bool:
    return host in GITHUB_HOSTS or host.endswith(".github.com")


def _decode(response: HttpResponse) -> str:
    """The body as text: the declared charset, else UTF-8, else charset detection."""
    ctype = response.header("content-type") or ""
    m = re.search(r"charset=[\"']?([\w.:-]+)", ctype, re.IGNORECASE)
    if m:
        try:
            return response.body.decode(m.group(1), "replace")
        except LookupError:
            pass
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(response.body[:200_000]).best()
        return str(best) if best is not None else response.body.decode("latin-1")


class Checker:
    """Checks URLs and returns `LinkCheck` values; a broken link is a value, never an exception."""

    def __init__(
        self,
        cfg: AuditConfig,
        client: HttpClient,
        *,
        store: Store | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        anchors_for: Collection[str] = frozenset(),
    ) -> None:
        self._cfg = cfg
        self._anchors_for = frozenset(anchors_for)  # normalised URLs whose ids are wanted
        self._client = client
        self._store = store
        self._sleep = sleep
        self._clock = clock
        self.limits = HostLimits(cfg, sleep=sleep, clock=clock)
        """The concurrency limits (exposed for progress displays and tests)."""
        self.store_error: str | None = None
        """Why the cache could not be written, if it could not (the checks are still returned)."""
        try:
            self._include = [re.compile(p) for p in cfg.include]
            self._exclude = [re.compile(p) for p in cfg.exclude]
        except re.error as exc:
            raise ConfigError(f"--include/--exclude: bad regular expression: {exc}") from exc

    # -- public ---------------------------------------------------------------------------------

    async def check_all(
        self,
        urls: Iterable[str],
        on_result: Callable[[LinkCheck], None] | None = None,
    ) -> dict[str, LinkCheck]:
        """Check every distinct URL once (concurrently within the limits), keyed by URL as given.

        Fresh results are written to the store's cache in batches; cached ones are reused when
        `cfg.cache` is on. `on_result` is called as each result arrives (progress display).
        """
        groups: dict[str, list[str]] = {}
        for u in urls:
            spellings = groups.setdefault(normalize_url(u), [])
            if u not in spellings:
                spellings.append(u)
        results: dict[str, LinkCheck] = {}
        pending_cache: list[tuple[str, dict[str, Any], float]] = []
        caching = self._store is not None and self._cfg.cache

        def done(key: str, spellings: list[str], check: LinkCheck) -> None:
            for n, spelling in enumerate(spellings):
                results[spelling] = check if n == 0 else _replace(check, url=spelling)
            ttl = cache_ttl(check, self._cfg) if caching else None
            if ttl is not None:
                pending_cache.append((key, check_to_dict(check), ttl))
            if on_result is not None:
                on_result(check)

        async def one(key: str) -> None:
            spellings = groups[key]
            done(key, spellings, await self.check(spellings[0]))

        try:
            await self._schedule(list(groups), one)
        finally:
            if self._store is not None and pending_cache:
                try:
                    self._store.put_checks(pending_cache)
                except StoreError as exc:
                    # A full disk or a read-only store costs the cache, not the run's results
                    # (the history write that follows reports the store in the run's problems).
                    self.store_error = str(exc)
                    logging.getLogger(__name__).warning("%s", exc)
        return results

    async def _schedule(
        self, keys: list[str], one: Callable[[str], Coroutine[Any, Any, None]]
    ) -> None:
        """Run `one(key)` for every key, host-aware: round-robin over hosts, bounded in flight.

        At most `4 * concurrency` URLs are in progress at once, and at most twice a host's limit
        for one host, so memory stays flat for any corpus size, a URL's redirect hops and
        retries never queue behind hundreds of fresh URLs of its own host (which would eat its
        deadline), and a corpus dominated by one host does not starve the others.
        """
        pending: dict[str, deque[str]] = {}
        for key in keys:
            pending.setdefault(host_of(key), deque()).append(key)
        window = max(16, 4 * self._cfg.concurrency)
        caps = {h: 2 * self.limits.limit_for(h) for h in pending}
        active = dict.fromkeys(pending, 0)
        ready: deque[str] = deque(pending)
        running: set[asyncio.Task[None]] = set()
        wake = asyncio.Event()
        failure: list[BaseException] = []

        def finished(task: asyncio.Task[None], host: str) -> None:
            running.discard(task)
            active[host] -= 1
            if pending[host] and active[host] == caps[host] - 1:
                ready.append(host)  # it was at its cap: eligible again
            if not task.cancelled() and task.exception() is not None:
                failure.append(task.exception())  # type: ignore[arg-type]
            wake.set()

        try:
            while ready or running:
                while ready and len(running) < window and not failure:
                    host = ready.popleft()
                    task = asyncio.create_task(one(pending[host].popleft()))
                    running.add(task)
                    active[host] += 1
                    task.add_done_callback(functools.partial(finished, host=host))
                    if pending[host] and active[host] < caps[host]:
                        ready.append(host)
                if failure:
                    raise failure[0]
                if not running:
                    break
                wake.clear()
                await wake.wait()
        finally:
            for task in list(running):
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    async def check(self, url: str) -> LinkCheck:
        """Check one URL (filters, cache, network) within the per-URL deadline."""
        started = self._clock()
        reason = self._filtered(url)
        if reason is not None:
            return LinkCheck(url=url, status=LinkStatus.SKIPPED, error=reason, checked_at=_now())
        if self._store is not None and self._cfg.cache:
            hit = cached_check(self._store, normalize_url(url), url,
                               wants_anchors=self._wants_anchors(url))
            if hit is not None:
                return hit
        try:
            async with asyncio.timeout(self._cfg.url_deadline_s):
                result = await self._check(url)
        except TimeoutError:
            result = LinkCheck(
                url=url,
                status=LinkStatus.TIMEOUT,
                error=f"timeout: no result within the {self._cfg.url_deadline_s:g} s URL deadline",
            )
        elapsed = int((self._clock() - started) * 1000)
        return _replace(result, elapsed_ms=elapsed, checked_at=_now())

    # -- internals ------------------------------------------------------------------------------

    def _wants_anchors(self, url: str) -> bool:
        return bool(self._anchors_for) and normalize_url(url) in self._anchors_for

    def _filtered(self, url: str) -> str | None:
        return filter_reason(url, self._include, self._exclude)

    def _headers_for(self, url: str, origin_host: str, crossed: bool) -> dict[str, str]:
        host = host_of(url)
        if crossed or host != origin_host:
            return {}
        headers = dict(self._cfg.headers)
        policy = self._cfg.host_policy(host)
        if policy is not None:
            headers.update(policy.headers)
        if self._cfg.github_token and _github_host(host) and url.lower().startswith("https:"):
            headers["Authorization"] = f"Bearer {self._cfg.github_token}"
        return headers

    async def _fetch(self, method: str, url: str, headers: Mapping[str, str]) -> HttpResponse:
        """One request inside the limits; a 429/503 Retry-After pauses that host alone."""
        host = host_of(url)
        async with self.limits.slot(host):
            response = await self._client.fetch(method, url, headers=headers)
        if response.status in (429, 503):
            wait = retry_after_of(response, self._cfg.retry_after_cap_s)
            if wait is None and response.status == 429:
                wait = self._cfg.retry_wait_s
            if wait is not None:
                self.limits.pause(host, wait)
        return response

    async def _fetch_retrying(
        self, method: str, url: str, headers: Mapping[str, str]
    ) -> tuple[HttpResponse, int]:
        """`_fetch` with retries of transient failures; returns the response and attempts."""
        # The first attempt runs outside tenacity: most answers are final, and tenacity's
        # per-call machinery costs more CPU than the request itself on a fast network.
        first: HttpResponse | FetchError
        try:
            first = await self._fetch(method, url, headers)
        except FetchError as exc:
            if not is_transient(exc) or self._cfg.retries <= 0:
                exc.attempts = 1  # type: ignore[attr-defined]
                raise
            first = exc
        else:
            if not is_transient(first) or self._cfg.retries <= 0:
                return first, 1
        attempts = 0

        async def attempt() -> HttpResponse:
            nonlocal attempts
            attempts += 1
            if attempts == 1:  # tenacity sees the first outcome again, then waits and retries
                if isinstance(first, FetchError):
                    raise first
                return first
            return await self._fetch(method, url, headers)

        try:
            response: HttpResponse = await retrying(self._cfg, sleep=self._sleep)(attempt)
        except FetchError as exc:
            exc.attempts = attempts  # type: ignore[attr-defined]
            raise
        return response, attempts

    async def _check(self, url: str) -> LinkCheck:
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError as exc:  # `http://[::1` and the like: a value, never a crash
            return LinkCheck(url=url, status=LinkStatus.INVALID, error=f"unparsable URL: {exc}")
        # The rule's own test, so no request is sent for a URL `invalid-url` flags offline.
        reason = invalid_url_reason(url)
        if reason is not None:
            return LinkCheck(url=url, status=LinkStatus.INVALID, error=reason)
        if scheme not in ("http", "https"):
            return LinkCheck(url=url, status=LinkStatus.INVALID,
                             error=f"not an http(s) URL: {url[:200]}")
        origin_host = host_of(url)
        if not origin_host:
            return LinkCheck(url=url, status=LinkStatus.INVALID, error="no host in URL")
        hops: list[Hop] = []
        seen = {normalize_url(url)}
        current = url
        crossed = False
        attempts = 0
        while True:
            headers = self._headers_for(current, origin_host, crossed)
            try:
                response, n = await self._fetch_retrying("GET", current, headers)
                if response.status in (405, 501):
                    # A failing HEAD must not hide that the server answered the GET.
                    with contextlib.suppress(FetchError):
                        head, _ = await self._fetch_retrying("HEAD", current, headers)
                        if head.status < 400:
                            response = head
            except FetchError as exc:
                status, reason = classify_error(exc)
                if hops and status is LinkStatus.SKIPPED:
                    reason = f"redirect to {current} refused: {reason}"
                return LinkCheck(
                    url=url, status=status, redirects=tuple(hops),
                    final_url=current if hops else None, error=reason,
                    attempts=attempts or int(getattr(exc, "attempts", 1)),
                )
            attempts = attempts or n
            location = response.header("location")
            if response.status not in REDIRECT_STATUSES or not location:
                break
            try:
                target = urljoin(current, location.strip())
                target_scheme = urlsplit(target).scheme.lower()
            except ValueError:  # a hostile Location (`http://[::1`) ends this URL, not the run
                hops.append(Hop(response.status, location.strip()[:200]))
                return self._stop(url, hops, response, attempts, LinkStatus.INVALID,
                                  f"redirect to an unparsable URL: {location.strip()[:200]!r}")
            hops.append(Hop(response.status, target))
            if target_scheme not in ("http", "https"):
                return self._stop(url, hops, response, attempts, LinkStatus.INVALID,
                                  f"redirect to a non-http URL: {target[:200]}")
            key = normalize_url(target)
            if key in seen:
                return self._stop(url, hops, response, attempts, LinkStatus.NETWORK_ERROR,
                                  f"redirect loop at {target[:200]}")
            if len(hops) > self._cfg.max_redirects:
                return self._stop(url, hops, response, attempts, LinkStatus.NETWORK_ERROR,
                                  f"more than {self._cfg.max_redirects} redirects")
            seen.add(key)
            crossed = crossed or host_of(target) != origin_host
            current = target
        return self._finish(url, response, hops, attempts)

    def _stop(
        self, url: str, hops: list[Hop], response: HttpResponse, attempts: int,
        status: LinkStatus, reason: str,
    ) -> LinkCheck:
        return LinkCheck(url=url, status=status, http_status=response.status,
                         redirects=tuple(hops), final_url=hops[-1].location, error=reason,
                         attempts=attempts)

    def _finish(
        self, url: str, response: HttpResponse, hops: list[Hop], attempts: int
    ) -> LinkCheck:
        final_url = hops[-1].location if hops else None
        policy = self._cfg.host_policy(host_of(final_url or url))
        accept = (policy.accept if policy is not None else frozenset()) | self._cfg.accept
        ctype = response.content_type
        title = None
        published = modified = None
        excerpt = None
        headings: tuple[str, ...] = ()
        text = ""
        anchors = None
        if is_html(ctype) and response.body and 200 <= response.status < 300:
            page = _decode(response)
            facts = read_page(page, excerpt_chars=self._cfg.excerpt_chars)
            if not response.truncated and self._wants_anchors(url):  # --check-fragments all
                anchors = frozenset(html_anchors(page))
            title, headings, text = facts.title, facts.headings, facts.excerpt
            published, modified, excerpt = facts.published, facts.modified, facts.excerpt or None
        elif ctype.startswith("text/plain") and response.body and 200 <= response.status < 300:
            text = _decode(response)[: self._cfg.excerpt_chars]
            excerpt = text or None
        status, reason = classify_response(url, response, hops, accept=accept, title=title,
                                           headings=headings, text=text)
        if not status.is_ok:
            excerpt = None  # an error page's text is no evidence for a claim
        last_modified = response.header("last-modified")
        if modified is None and last_modified and status.is_ok:
            try:
                day = email.utils.parsedate_to_datetime(last_modified).date()
                modified = DatedFact(day, DateOrigin.HTTP_HEADER, detail="Last-Modified")
            except (TypeError, ValueError, IndexError):
                pass
        return LinkCheck(
            url=url, status=status, http_status=response.status, redirects=tuple(hops),
            final_url=final_url, content_type=ctype or None, title=title,
            published=published if status.is_ok else None,
            modified=modified if status.is_ok else None, excerpt=excerpt, error=reason,
            attempts=attempts, anchors=anchors,
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _replace(check: LinkCheck, **changes: Any) -> LinkCheck:
    return dataclasses.replace(check, **changes)


# -- JSON round trip (the store's cache, and anyone who needs it) ----------------------------------


def _fact_to_dict(fact: DatedFact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    return {"value": fact.value.isoformat(), "origin": fact.origin.value, "detail": fact.detail,
            "upper_bound": fact.upper_bound}


def _fact_from_dict(d: Mapping[str, Any] | None) -> DatedFact | None:
    if not d:
        return None
    return DatedFact(dt.date.fromisoformat(d["value"]), DateOrigin(d["origin"]),
                     str(d.get("detail", "")), bool(d.get("upper_bound", False)))


def check_to_dict(c: LinkCheck) -> dict[str, Any]:
    """A JSON-serialisable object holding every field of `c`."""
    return {
        "url": c.url,
        "status": c.status.value,
        "http_status": c.http_status,
        "redirects": [{"status": h.status, "location": h.location} for h in c.redirects],
        "final_url": c.final_url,
        "content_type": c.content_type,
        "title": c.title,
        "published": _fact_to_dict(c.published),
        "modified": _fact_to_dict(c.modified),
        "excerpt": c.excerpt,
        "error": c.error,
        "attempts": c.attempts,
        "elapsed_ms": c.elapsed_ms,
        "checked_at": c.checked_at.isoformat() if c.checked_at else None,
        "from_cache": c.from_cache,
        "anchors": sorted(c.anchors) if c.anchors is not None else None,
    }


def check_from_dict(d: Mapping[str, Any]) -> LinkCheck:
    """The inverse of `check_to_dict`; raises KeyError/ValueError/TypeError on a bad object."""
    checked_at = d.get("checked_at")
    return LinkCheck(
        url=str(d["url"]),
        status=LinkStatus(d["status"]),
        http_status=d.get("http_status"),
        redirects=tuple(Hop(int(h["status"]), str(h["location"])) for h in d.get("redirects", ())),
        final_url=d.get("final_url"),
        content_type=d.get("content_type"),
        title=d.get("title"),
        published=_fact_from_dict(d.get("published")),
        modified=_fact_from_dict(d.get("modified")),
        excerpt=d.get("excerpt"),
        error=d.get("error"),
        attempts=int(d.get("attempts", 0)),
        elapsed_ms=int(d.get("elapsed_ms", 0)),
        checked_at=dt.datetime.fromisoformat(checked_at) if checked_at else None,
        from_cache=bool(d.get("from_cache", False)),
        anchors=frozenset(map(str, d["anchors"])) if d.get("anchors") is not None else None,
    )
