"""The HTTP seam: one request in, one response (or a `FetchError`) out, no redirects followed.

The checker, the archive client and the crawler all speak through an `HttpClient`, so that one
cassette (`--record`/`--replay`) covers every exchange of a run and the SSRF guard sits in one
place. Implementations live in `linkaudit.check.transport`: the live aiohttp client, the
recording wrapper and the replaying client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from linkaudit.model import LinkStatus


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One HTTP response, with the body read only up to a cap."""

    url: str
    """The URL that was requested."""
    status: int
    """The HTTP status."""
    headers: tuple[tuple[str, str], ...]
    """Response headers in order (names as sent)."""
    body: bytes
    """The (decompressed) body, at most the requested cap; empty if not read."""
    truncated: bool = False
    """True when the body was longer than the cap (or not read because not text)."""
    elapsed_ms: int = 0
    """Time to the end of the body read."""

    def header(self, name: str) -> str | None:
        """The first header of that name, case-insensitive."""
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased (`text/html`)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()


class FetchError(Exception):
    """No usable response, with the `LinkStatus` the checker gives the URL for it."""

    kind: LinkStatus = LinkStatus.NETWORK_ERROR
    """The outcome class; each subclass has its own default, `kind=` overrides it."""
    attempts: int = 1
    """How many requests were made before giving up (1 + retries)."""

    def __init__(
        self, message: str = "", *, kind: LinkStatus | None = None, attempts: int | None = None
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        if attempts is not None:
            self.attempts = attempts


class DnsError(FetchError):
    """The name does not resolve (a dead link) or the resolver failed."""

    kind = LinkStatus.DEAD


class ConnectError(FetchError):
    """Connection refused or unreachable."""


class TlsError(FetchError):
    """Certificate or handshake failure."""


class ResetError(FetchError):
    """The connection dropped mid-way (reset, server disconnected, invalid HTTP)."""


class FetchTimeout(FetchError):
    """No answer in time."""

    kind = LinkStatus.TIMEOUT


class RefusedAddress(FetchError):
    """The URL resolves to an address the guard refuses (private, loopback, metadata...)."""

    kind = LinkStatus.SKIPPED


class NotInCassette(FetchError):
    """Replay mode: the cassette has no such request (it is reported, never sent)."""

    kind = LinkStatus.SKIPPED


class HttpClient(Protocol):
    """Sends one request; never follows redirects."""

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send `method url`; read at most `max_body` bytes of a text body. Raises `FetchError`."""
        ...

    async def close(self) -> None:
        """Release connections (and write the cassette when recording)."""
        ...
