"""The `HttpClient` implementations: live aiohttp, recording to a cassette, replaying from one.

`AiohttpClient` is the only place linkaudit touches the network. It resolves names through
`GuardedResolver`, which refuses private/loopback/metadata addresses (`linkaudit.check.guard`)
and hands aiohttp only the addresses that passed: aiohttp connects to exactly what the resolver
returned, so the checked address is the connected address and a DNS answer that changes between
check and connect (DNS rebinding) cannot slip through. IP-literal hosts skip aiohttp's resolver,
so they are judged before the request. Bodies are read only for text types, decompressed, and
only up to a cap, so a gzip bomb or an endless body costs at most the cap.

Cassettes use vcrpy's YAML format (`version: 1`, `interactions: [{request, response}]`) so vcrpy
users can read and write them (the tests replay each side's cassettes with the other). Two
linkaudit-only keys sit beside `request`/`response` in an interaction, which vcrpy ignores:
`linkaudit.error` (a transport failure: vcrpy cannot record one) and `linkaudit.truncated`.
Authorization, Cookie and Set-Cookie headers are never stored.

Bodies are stored as they travel: aiohttp hands over a decompressed body, so a response that came
with `Content-Encoding: gzip` (or `deflate`) is compressed again before it is stored, and the
header stays true to the bytes (vcrpy's `requests`, `urllib3` and `httpx` replays hand the bytes
to a client that decompresses them). An encoding that cannot be redone here (`br`, `zstd`) is
stored decompressed with the header dropped. On replay a compressed body is inflated (under the
body cap); one that is not compressed despite its header (what vcrpy's aiohttp recorder writes)
is taken as it is.
"""

from __future__ import annotations

import errno
import gzip
import ipaddress
import socket
import ssl
import time
import urllib.request
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import yaml
from aiohttp.abc import AbstractResolver, ResolveResult

from linkaudit.check.guard import parse_allow, refused_reason, url_refusal
from linkaudit.config import DEFAULT_MAX_BODY_BYTES, AuditConfig
from linkaudit.errors import CassetteError, ConfigError, LinkauditError
from linkaudit.http import (
    ConnectError,
    DnsError,
    FetchError,
    FetchTimeout,
    HttpClient,
    HttpResponse,
    NotInCassette,
    RefusedAddress,
    ResetError,
    TlsError,
)
from linkaudit.model import LinkStatus
from linkaudit.urls import normalize_url

TEXT_TYPES = ("text/", "application/xhtml+xml", "application/json", "application/xml",
              "application/rss+xml", "application/atom+xml", "application/ld+json",
              # Gzipped sitemaps (`sitemap.xml.gz`) are served as such; the crawler inflates
              # them itself, under its own cap. The body read is capped like any other.
              "application/gzip", "application/x-gzip")
_CHUNK = 64 * 1024
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
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
        cfg: AuditConfig,
        inner: AbstractResolver | None = None,
        exempt_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self._inner = inner or aiohttp.DefaultResolver()
        self._allow_all = cfg.network.allow_private_all
        self._allow = parse_allow(cfg.network.allow_private)
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
        cfg: AuditConfig,
        *,
        resolver: AbstractResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if cfg.network.offline:
            raise OfflineError("--offline: no live HTTP client may be created")
        try:
            self._allow = parse_allow(cfg.network.allow_private)
        except ValueError as exc:
            raise ConfigError(f"--allow-private: {exc}") from exc
        self._cfg = cfg
        self._proxies = _proxy_hosts() if cfg.network.use_env_proxy else frozenset()
        self._resolver = GuardedResolver(cfg, resolver, self._proxies)
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=self._resolver,
                # `--insecure` accepts any certificate (the run's report says so).
                ssl=self._ssl if self._ssl is not None else not self._cfg.network.insecure,
                limit=0,  # limits.HostLimits does the limiting
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=self._cfg.network.use_env_proxy,
                auto_decompress=True,
                headers={
                    "User-Agent": self._cfg.network.user_agent,
                    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                    "Accept-Language": "en;q=1.0, *;q=0.5",
                },
                max_line_size=16 * 1024,
                max_field_size=16 * 1024,
            )
        return self._session

    async def _precheck(self, url: str) -> None:
        reason = url_refusal(url, self._cfg.network.allow_private_all, self._allow)
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
        cap = self._cfg.network.max_body_bytes if max_body is None else max_body
        # `total` covers connect, headers and the body read, so a slowloris trickle is cut at
        # `timeout_s` too; per-socket timers equal to it would only cost CPU (one timer reset
        # per chunk).
        t = self._cfg.network.timeout_s
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


# -- cassettes ------------------------------------------------------------------------------------


def _headers_to_vcr(
    headers: tuple[tuple[str, str], ...] | Mapping[str, str],
) -> dict[str, list[str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, list[str]] = {}
    for name, value in items:
        if name.lower() not in _SECRET_HEADERS:
            out.setdefault(name, []).append(value)
    return out


def _headers_from_vcr(headers: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(headers, dict):
        return ()
    return tuple(
        (str(name), str(value))
        for name, values in headers.items()
        for value in (values if isinstance(values, list) else [values])
    )


def _body_to_vcr(body: bytes) -> str | bytes:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body  # PyYAML writes it as !!binary, as vcrpy does


_GZIP = ("gzip", "x-gzip")
_GZIP_MAGIC = b"\x1f\x8b"


def _content_encoding(headers: tuple[tuple[str, str], ...] | Mapping[str, str]) -> str:
    items = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in items:
        if name.lower() == "content-encoding":
            return value.strip().lower()
    return ""


def _encoded_for_vcr(
    headers: tuple[tuple[str, str], ...], body: bytes
) -> tuple[tuple[tuple[str, str], ...], bytes]:
    """The headers and body to store: the body compressed again as its `Content-Encoding` says
    (aiohttp decompressed it), or, for an encoding that cannot be redone, decompressed with the
    header dropped; `Content-Length` follows the stored bytes."""
    encoding = _content_encoding(headers)
    if not encoding or encoding == "identity" or not body:
        return headers, body
    if encoding in _GZIP:
        stored = gzip.compress(body, mtime=0)  # mtime 0: the same body gives the same bytes
    elif encoding == "deflate":
        stored = zlib.compress(body)
    else:
        return tuple(
            (k, v) for k, v in headers if k.lower() not in ("content-encoding", "content-length")
        ), body
    return tuple(
        (k, str(len(stored)) if k.lower() == "content-length" else v) for k, v in headers
    ), stored


def _decoded_from_vcr(
    headers: tuple[tuple[str, str], ...], body: bytes, cap: int
) -> tuple[bytes, bool]:
    """The body as the live client would give it (decompressed, at most `cap` bytes) and whether
    it was cut. A body stored decompressed under a compression header is taken as it is."""
    encoding = _content_encoding(headers)
    if encoding in _GZIP and body.startswith(_GZIP_MAGIC):
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    elif encoding == "deflate" and body[:1] == b"\x78":
        inflater = zlib.decompressobj()
    else:
        return body, False
    try:
        out = inflater.decompress(body, cap)
    except zlib.error:
        return body, False
    return out, bool(inflater.unconsumed_tail)


class RecordingClient:
    """Sends through `inner` and writes every exchange to a vcrpy-format cassette on `close()`."""

    def __init__(self, inner: HttpClient, path: Path) -> None:
        self._inner = inner
        self._path = Path(path)
        self._interactions: list[dict[str, Any]] = []

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send through the inner client and remember the exchange (or the failure)."""
        request = {
            "body": urlencode(dict(data)) if data else None,
            "headers": _headers_to_vcr(dict(headers or {})),
            "method": method,
            "uri": url,
        }
        try:
            resp = await self._inner.fetch(method, url, headers=headers, max_body=max_body,
                                           data=data)
        except FetchError as exc:
            self._interactions.append({
                "request": request,
                "response": {"status": {"code": 599, "message": f"linkaudit: {exc.kind}"},
                             "headers": {}, "body": {"string": ""}},
                "linkaudit": {"error": {"type": type(exc).__name__, "kind": exc.kind.value,
                                        "message": str(exc)}},
            })
            raise
        stored_headers, stored_body = _encoded_for_vcr(resp.headers, resp.body)
        interaction: dict[str, Any] = {
            "request": request,
            "response": {
                "status": {"code": resp.status, "message": _reason(resp.status)},
                "headers": _headers_to_vcr(stored_headers),
                "body": {"string": _body_to_vcr(stored_body)},
            },
        }
        if resp.truncated:
            interaction["linkaudit"] = {"truncated": True}
        self._interactions.append(interaction)
        return resp

    def save(self) -> None:
        """Write the cassette now (also done by `close`)."""
        data = {"version": 1, "interactions": self._interactions}
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(self._path.suffix + ".tmp")
            tmp.write_text(yaml.safe_dump(data, sort_keys=True, allow_unicode=True),
                           encoding="utf-8")
            tmp.replace(self._path)
        except OSError as exc:
            raise CassetteError(f"cannot write cassette {self._path}: {exc.strerror}") from exc

    async def close(self) -> None:
        """Close the inner client and write the cassette."""
        try:
            await self._inner.close()
        finally:
            self.save()


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


_ERROR_TYPES: dict[str, type[FetchError]] = {
    cls.__name__: cls
    for cls in (FetchError, DnsError, ConnectError, TlsError, ResetError, FetchTimeout,
                RefusedAddress, NotInCassette)
}


def _check_answer(path: Path, n: int, item: dict[str, Any]) -> None:
    """Refuse, when the cassette is read, an answer `fetch` could not replay (a status that is
    not a number, a body that is not text or bytes), so a bad cassette is one `CassetteError`
    line instead of an exception in the middle of a run."""
    response = item["response"]
    try:
        code = int(response["status"]["code"])
    except (TypeError, ValueError, OverflowError):
        code = 0
    if not 100 <= code <= 999:
        raise CassetteError(f"cassette {path}: interaction {n} has a bad status code "
                            f"{str(response['status']['code'])[:40]!r}")
    body = response.get("body")
    if body is not None and not (
        isinstance(body, dict) and isinstance(body.get("string"), str | bytes | None)
    ):
        raise CassetteError(f"cassette {path}: interaction {n} has a body that is not "
                            "`{string: text}`")
    extra = item.get("linkaudit") or {}
    if not isinstance(extra, dict):
        raise CassetteError(f"cassette {path}: interaction {n}: `linkaudit` is not a mapping")
    error = extra.get("error")
    if error is not None and (
        not isinstance(error, dict)
        or str(error.get("kind")) not in {s.value for s in LinkStatus}
    ):
        raise CassetteError(f"cassette {path}: interaction {n}: a recorded error needs a `kind` "
                            "that is a link status (network-error, timeout, dead, ...)")


class ReplayClient:
    """Answers every request from a cassette, with no network at all.

    Requests match by method and URI (exactly, else after `normalize_url`). Repeated identical
    requests get the recorded answers in order, then the last one again. A request the cassette
    does not have raises `NotInCassette` and is never sent.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        try:
            raw = yaml.safe_load(self._path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CassetteError(f"cannot read cassette {self._path}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise CassetteError(f"cassette {self._path} is not valid YAML: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("interactions"), list):
            raise CassetteError(f"cassette {self._path} has no `interactions` list")
        self._by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for n, item in enumerate(raw["interactions"], 1):
            try:
                req = item["request"]
                key = (str(req["method"]).upper(), str(req["uri"]))
                item["response"]["status"]["code"]
            except (KeyError, TypeError) as exc:
                raise CassetteError(
                    f"cassette {self._path}: interaction {n} lacks {exc}") from None
            _check_answer(self._path, n, item)
            self._by_key.setdefault(key, []).append(item)
            norm = (key[0], normalize_url(key[1]))
            if norm != key:
                self._by_key.setdefault(norm, []).append(item)
        self._served: dict[tuple[str, str], int] = {}

    def _lookup(self, method: str, url: str) -> tuple[tuple[str, str], list[dict[str, Any]]]:
        for key in ((method.upper(), url), (method.upper(), normalize_url(url))):
            if key in self._by_key:
                return key, self._by_key[key]
        raise NotInCassette(f"not in cassette: {method.upper()} {url}")

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """The recorded answer to `method url`; raises the recorded failure, or `NotInCassette`."""
        key, items = self._lookup(method, url)
        n = self._served.get(key, 0)
        self._served[key] = n + 1
        item = items[min(n, len(items) - 1)]
        extra = item.get("linkaudit") or {}
        if isinstance(extra, dict) and isinstance(extra.get("error"), dict):
            error = extra["error"]
            err = _ERROR_TYPES.get(str(error.get("type")), FetchError)(str(error.get("message")))
            err.kind = LinkStatus(str(error.get("kind") or err.kind))
            raise err
        response = item["response"]
        body_raw = (response.get("body") or {}).get("string") or b""
        body = body_raw.encode("utf-8") if isinstance(body_raw, str) else bytes(body_raw)
        stored_headers = _headers_from_vcr(response.get("headers"))
        cap = DEFAULT_MAX_BODY_BYTES if max_body is None else max_body
        body, cut = _decoded_from_vcr(stored_headers, body, cap)
        truncated = cut or bool(isinstance(extra, dict) and extra.get("truncated"))
        if max_body is not None and len(body) > max_body:
            body, truncated = body[:max_body], True
        return HttpResponse(
            url=url,
            status=int(response["status"]["code"]),
            headers=stored_headers,
            body=body,
            truncated=truncated,
        )

    async def close(self) -> None:
        """Nothing to release."""


def make_client(cfg: AuditConfig) -> HttpClient:
    """The client a run asks for: replay (`cfg.network.replay`), recording
    (`cfg.network.record`) or live.

    `cfg.network.offline` without a cassette to replay raises `OfflineError`: offline never opens a
    socket.
    """
    if cfg.network.replay is not None:
        return ReplayClient(cfg.network.replay)
    if cfg.network.offline:
        raise OfflineError("--offline: no live HTTP client may be created")
    live = AiohttpClient(cfg)
    if cfg.network.record is not None:
        return RecordingClient(live, cfg.network.record)
    return live
