"""The `HttpClient` implementations: live aiohttp, recording to a cassette, replaying from one.

`AiohttpClient` is the only place linkaudit touches the network. It resolves names through
`GuardedResolver`, which refuses private/loopback/metadata addresses (`linkaudit.check.guard`)
and hands aiohttp only the addresses that passed: aiohttp connects to exactly what the resolver
returned, so the checked address is the connected address and a DNS answer that changes between
check and connect (DNS rebinding) cannot slip through. IP-literal hosts skip aiohttp's resolver,
so they are judged before the request. Bodies are read only for text types, decompressed, and
only up to a cap, so a gzip bomb or an endless body costs at most the cap.

The cassette clients (`RecordingClient`, `ReplayClient`) live in `linkaudit.check.cassette`
and are importable from here too; `make_client` picks one of the three.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import ssl
import time
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from linkaudit.check.cassette import RecordingClient, ReplayClient
from linkaudit.check.guard import parse_allow, refused_reason, url_refusal
from linkaudit.config import NetworkConfig
from linkaudit.errors import ConfigError, LinkauditError
from linkaudit.http import (
    ConnectError,
    DnsError,
    FetchError,
    FetchTimeout,
    HttpClient,
    HttpResponse,
    RefusedAddress,
    ResetError,
    TlsError,
)
from linkaudit.model import LinkStatus

__all__ = [
    "AiohttpClient",
    "GuardedResolver",
    "OfflineError",
    "RecordingClient",
    "ReplayClient",
    "TEXT_TYPES",
    "is_text_type",
    "make_client",
]

TEXT_TYPES = ("text/", "application/xhtml+xml", "application/json", "application/xml",
              "application/rss+xml", "application/atom+xml", "application/ld+json",
              # Gzipped sitemaps (`sitemap.xml.gz`) are served as such; the crawler inflates
              # them itself, under its own cap. The body read is capped like any other.
              "application/gzip", "application/x-gzip")
_CHUNK = 64 * 1024
# RFC 6761: names under these never resolve; answer locally so nothing leaks to a DNS server.
_NEVER_RESOLVE = (".invalid", ".example")
_NXDOMAIN_ERRNOS = frozenset(
    {getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)}
)


class OfflineError(LinkauditError):
    """A live HTTP client was asked for while `--offline` forbids any network."""

    hint = "drop --offline, or give --replay CASSETTE to answer requests from a cassette"


def is_text_type(content_type: str) -> bool:
    """Media types whose body is worth reading (HTML, plain text, JSON, XML)."""
    return content_type.startswith(TEXT_TYPES) or content_type.endswith(("+xml", "+json"))


class _Refused(OSError):
    """Raised inside the resolver; carries the guard's reason out through aiohttp."""


class _NoSuchName(OSError):
    """A name under a never-resolving TLD, answered locally."""


class GuardedResolver(AbstractResolver):
    """Resolves with `inner`, then keeps only the addresses the SSRF guard allows."""

    def __init__(
        self,
        network: NetworkConfig,
        inner: AbstractResolver | None = None,
        exempt_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self._inner = inner or aiohttp.DefaultResolver()
        self._allow_all = network.allow_private_all
        self._allow = parse_allow(network.allow_private)
        self._exempt = exempt_hosts

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve `host`; raise `_Refused` when every address is refused."""
        name = host.lower().rstrip(".")
        if name.endswith(_NEVER_RESOLVE) or name in ("invalid", "example"):
            raise _NoSuchName(socket.EAI_NONAME, f"{host}: name does not resolve (RFC 6761)")
        results = await self._inner.resolve(host, port, family)
        if name in self._exempt:
            return results  # the user's own proxy
        allowed: list[ResolveResult] = []
        reasons: list[str] = []
        for result in results:
            try:
                ip = ipaddress.ip_address(result["host"].split("%")[0])
            except ValueError:
                reasons.append(f"unparsable address {result['host']!r}")
                continue
            reason = refused_reason(ip, self._allow_all, self._allow)
            if reason is None:
                allowed.append(result)
            else:
                reasons.append(reason)
        if not allowed:
            raise _Refused(errno.EACCES, f"{host} resolves to a {reasons[0] if reasons else '?'}")
        return allowed

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self._inner.close()


def _proxy_hosts() -> frozenset[str]:
    hosts = set()
    for proxy in urllib.request.getproxies().values():
        try:
            if h := urlsplit(proxy).hostname:
                hosts.add(h.lower())
        except ValueError:
            continue
    return frozenset(hosts)


def _translate(exc: BaseException, url: str) -> FetchError:
    """An aiohttp/OS failure as the matching `FetchError` (one line, no traceback)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, _Refused):
            return RefusedAddress(str(os_error.strerror))
        if isinstance(os_error, _NoSuchName):
            return DnsError(f"dns: name not found ({exc.host})")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        os_error = exc.os_error
        if getattr(os_error, "errno", None) in _NXDOMAIN_ERRNOS:
            return DnsError(f"dns: name not found ({exc.host})")
        why = os_error.strerror or os_error
        err: FetchError = DnsError(f"dns: lookup failed for {exc.host}: {why}")
        # A resolver failure is not evidence that the name is gone.
        err.kind = LinkStatus.NETWORK_ERROR
        return err
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError,
                        ssl.SSLError)):
        detail = getattr(exc, "certificate_error", None) or exc
        return TlsError(f"tls: {str(detail).splitlines()[0][:200]}")
    if isinstance(exc, (TimeoutError, aiohttp.ServerTimeoutError)):
        return FetchTimeout("timeout: no answer in time")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectError(f"connect: {exc.os_error.strerror or exc.os_error} ({exc.host})")
    if isinstance(exc, aiohttp.InvalidURL):
        err = FetchError(f"invalid URL: {url}")
        err.kind = LinkStatus.INVALID
        return err
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError,
                        aiohttp.ClientResponseError, aiohttp.ClientOSError, ConnectionError)):
        text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return ResetError(f"reset: {text}")
    return FetchError(f"{type(exc).__name__}: {str(exc)[:200]}")


class AiohttpClient:
    """The live `HttpClient`: one aiohttp session, guarded resolver, capped bodies.

    `resolver` (the inner resolver) and `ssl_context` exist for tests: a fake resolver keeps
    name-resolution tests off the real DNS, and a context trusting a test CA reaches a local
    HTTPS server.
    """

    def __init__(
        self,
        network: NetworkConfig,
        *,
        resolver: AbstractResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if network.offline:
            raise OfflineError("--offline: no live HTTP client may be created")
        try:
            self._allow = parse_allow(network.allow_private)
        except ValueError as exc:
            raise ConfigError(f"--allow-private: {exc}") from exc
        self._network = network
        self._proxies = _proxy_hosts() if network.use_env_proxy else frozenset()
        self._resolver = GuardedResolver(network, resolver, self._proxies)
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=self._resolver,
                # `--insecure` accepts any certificate (the run's report says so).
                ssl=self._ssl if self._ssl is not None else not self._network.insecure,
                limit=0,  # limits.HostLimits does the limiting
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=self._network.use_env_proxy,
                auto_decompress=True,
                headers={
                    "User-Agent": self._network.user_agent,
                    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                    "Accept-Language": "en;q=1.0, *;q=0.5",
                },
                max_line_size=16 * 1024,
                max_field_size=16 * 1024,
            )
        return self._session

    async def _precheck(self, url: str) -> None:
        reason = url_refusal(url, self._network.allow_private_all, self._allow)
        if reason is not None:
            if reason.startswith(("scheme", "no host", "malformed")):
                err = FetchError(reason)
                err.kind = LinkStatus.INVALID
                raise err
            raise RefusedAddress(reason)
        if self._proxies:
            # Through a proxy the target is resolved by the proxy: check it here first (the
            # proxy path cannot pin the address; the user chose to trust that proxy).
            host = urlsplit(url).hostname or ""
            try:
                await self._resolver.resolve(host, 0, socket.AF_UNSPEC)
            except _Refused as exc:
                raise RefusedAddress(str(exc.strerror)) from None
            except OSError:
                pass  # let the proxy report it

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send one request (no redirects); read at most `max_body` decompressed text bytes."""
        await self._precheck(url)
        cap = self._network.max_body_bytes if max_body is None else max_body
        # `total` covers connect, headers and the body read, so a slowloris trickle is cut at
        # `timeout_s` too; per-socket timers equal to it would only cost CPU (one timer reset
        # per chunk).
        t = self._network.timeout_s
        timeout = aiohttp.ClientTimeout(total=t, sock_connect=10.0 if t > 10.0 else None)
        started = time.monotonic()
        try:
            async with self._get_session().request(
                method, url, headers=dict(headers or {}), data=dict(data) if data else None,
                allow_redirects=False, timeout=timeout,
            ) as resp:
                content_type = (resp.headers.get("Content-Type") or "").split(";")[0]
                body = b""
                truncated = False
                if method != "HEAD" and is_text_type(content_type.strip().lower()):
                    parts: list[bytes] = []
                    size = 0
                    while size < cap:
                        chunk = await resp.content.read(min(_CHUNK, cap - size))
                        if not chunk:
                            break
                        parts.append(chunk)
                        size += len(chunk)
                    body = b"".join(parts)
                    truncated = size >= cap and not resp.content.at_eof()
                elif method != "HEAD":
                    truncated = not resp.content.at_eof()
                if truncated:
                    resp.close()  # drop the connection rather than drain an unbounded body
                return HttpResponse(
                    url=url,
                    status=resp.status,
                    headers=tuple(
                        (k.decode("latin-1"), v.decode("utf-8", "replace"))
                        for k, v in resp.raw_headers
                    ),
                    body=body,
                    truncated=truncated,
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                )
        except FetchError:
            raise
        except (TimeoutError, aiohttp.ClientError, OSError, ssl.SSLError, ValueError) as exc:
            raise _translate(exc, url) from None

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def make_client(network: NetworkConfig) -> HttpClient:
    """The client the run's network section asks for: replay (`network.replay`), recording
    (`network.record`) or live.

    `network.offline` without a cassette to replay raises `OfflineError`: offline never opens a
    socket.
    """
    if network.replay is not None:
        return ReplayClient(network.replay)
    if network.offline:
        raise OfflineError("--offline: no live HTTP client may be created")
    live = AiohttpClient(network)
    if network.record is not None:
        return RecordingClient(live, network.record)
    return live
