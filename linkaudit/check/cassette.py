"""The cassette clients: recording every exchange to a vcrpy-format cassette, replaying from one.

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

import gzip
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from linkaudit.config import DEFAULT_MAX_BODY_BYTES
from linkaudit.errors import CassetteError
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

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
"""Request and response headers never written to a cassette."""


def _headers_to_vcr(
    headers: tuple[tuple[str, str], ...] | Mapping[str, str],
) -> dict[str, list[str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, list[str]] = {}
    for name, value in items:
        if name.lower() not in SECRET_HEADERS:
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
