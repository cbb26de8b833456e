"""Fixtures of the archive tests (the helpers live in `archivekit`; `client` and `clock` are
`tests/conftest.py`'s)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from archivekit import WaybackScript, make_app


@pytest.fixture
def script() -> WaybackScript:
    return WaybackScript()


@pytest.fixture
async def wayback(
    aiohttp_server: Callable[..., Any], script: WaybackScript
) -> AsyncIterator[str]:
    """The base URL of a loopback Wayback server answering from `script`."""
    server = await aiohttp_server(make_app(script))
    yield str(server.make_url("")).rstrip("/")
