"""Shared test setup: the network is opt-in, and the environment is scrubbed.

Tests marked `@pytest.mark.online` run only with `--online` (CI has no outside network). Every
test runs with the variables that change linkaudit's output (colour, CI, GitHub, LINKAUDIT_*,
proxies) removed, and from its own working directory, so no store or config leaks between tests.
Property tests (hypothesis) are derandomized unless HYPOTHESIS_PROFILE=explore.

The fakes every suite shares live in `fakes` (this folder); their fixtures are here: `client` (a
`LoopbackClient`, closed after the test), `clock` (a `FakeClock`), and `loopback_site` (starts
`LoopbackSite`s on 127.0.0.1, stopped after the test).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest
from fakes import FakeClock, LoopbackClient, LoopbackSite, Page, StartSite, serve
from hypothesis import settings

# Property tests draw the same examples on every run, so CI's verdict is reproducible; set
# HYPOTHESIS_PROFILE=explore to draw fresh ones while hunting for bugs.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

SCRUBBED_PREFIXES = ("GITHUB_", "LINKAUDIT_", "INPUT_", "RUNNER_")
SCRUBBED = (
    "NO_COLOR",
    "FORCE_COLOR",
    "CI",
    "TERM",
    "COLUMNS",
    "LINES",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "IA_ACCESS_KEY",
    "IA_SECRET_KEY",
)
ROOT = Path(__file__).resolve().parent.parent
"""The repository root (examples/, cassettes/)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--online", action="store_true", help="run tests that use the internet")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--online"):
        return
    skip = pytest.mark.skip(reason="needs --online")
    for item in items:
        if "online" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _scrubbed_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name in SCRUBBED or name.startswith(SCRUBBED_PREFIXES):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run the test from an empty temporary working directory."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
async def client() -> AsyncIterator[LoopbackClient]:
    """A `LoopbackClient`, closed after the test."""
    c = LoopbackClient()
    yield c
    await c.close()


@pytest.fixture
def clock() -> FakeClock:
    """A fresh `FakeClock`: pass it as `clock=` and its `sleep` as `sleep=`."""
    return FakeClock()


@pytest.fixture
async def loopback_site() -> AsyncIterator[StartSite]:
    """Start a `LoopbackSite` serving `pages` (path -> `Page` or HTML) on 127.0.0.1; every
    site started is stopped after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(pages: Mapping[str, Page | str] | None = None) -> LoopbackSite:
            site = LoopbackSite(pages)
            await stack.enter_async_context(serve(site))
            return site

        yield start
