"""Fixtures of the checker tests (helpers live in `checkkit`)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator

import pytest
import trustme
from checkkit import Site, start_site


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    """The site on 127.0.0.1."""
    s = await start_site()
    yield s
    await s.runner.cleanup()


@pytest.fixture
async def other_site() -> AsyncIterator[Site]:
    """The same site on 127.0.0.2: "another host"."""
    s = await start_site("127.0.0.2")
    yield s
    await s.runner.cleanup()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture
async def tls_site(ca: trustme.CA) -> AsyncIterator[Site]:
    """The site over HTTPS with a certificate from `ca` (untrusted by default)."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    s = await start_site(ssl_context=ctx)
    yield s
    await s.runner.cleanup()


@pytest.fixture
def refused_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
