"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with `docs/a.md` and `docs/drafts/b.md`, each citing one URL: what
    `--exclude-path drafts/` (flag or config key) leaves out is seen by what a command lists."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs" / "drafts").mkdir(parents=True)
    (tmp_path / "docs" / "a.md").write_text("T [1].\n\n[1]: https://example.com/a\n")
    (tmp_path / "docs" / "drafts" / "b.md").write_text("T [1].\n\n[1]: https://example.com/b\n")
    return tmp_path
