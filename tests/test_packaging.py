"""The package as published: its name, metadata files, and docs that name the release to tag."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from linkaudit import __version__

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_distribution_name_is_not_the_taken_one() -> None:
    """`linkaudit` on PyPI is another project; ours installs as `linkaudit-citations` and keeps
    the `linkaudit` command."""
    assert PROJECT["name"] == "linkaudit-citations"
    assert PROJECT["scripts"] == {"linkaudit": "linkaudit.cli:main"}


def test_metadata_files_exist() -> None:
    assert PROJECT["license"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (ROOT / "linkaudit" / "py.typed").is_file()
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(PROJECT["urls"])
    assert PROJECT["authors"] and "Typing :: Typed" in PROJECT["classifiers"]


def test_docs_name_the_release_to_tag() -> None:
    tag = f"v{__version__}"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(__version__)} \(tag `{tag}`\)", changelog, re.M)
    hook = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"rev: {tag}" in hook and f"rev: {tag}" in readme
    assert f"linkaudit {__version__} (linkaudit-citations)" in readme
