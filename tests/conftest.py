"""Shared test setup: the network is opt-in, and the environment is scrubbed.

Tests marked `@pytest.mark.online` run only with `--online` (CI has no outside network). Every
test runs with the variables that change linkaudit's output (colour, CI, GitHub, LINKAUDIT_*,
proxies) removed, and from its own working directory, so no store or config leaks between tests.
Property tests (hypothesis) are derandomized unless HYPOTHESIS_PROFILE=explore.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
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
