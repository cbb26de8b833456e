"""ARCHITECTURE.md matches the tree: every package and top-level module of linkaudit is in its
table of rooms, and every room it names exists; no module is over 500 lines."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rooms() -> set[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## The rooms", 1)[1].split("## ", 1)[0]
    names: set[str] = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([\w.]+/?)`", line.split("|")[1]))
    return names


def test_every_room_is_in_the_architecture_and_exists() -> None:
    package = ROOT / "linkaudit"
    tree = {p.name + "/" for p in package.iterdir() if (p / "__init__.py").is_file()}
    tree |= {p.name for p in package.glob("*.py")} - {"__init__.py", "__main__.py"}
    rooms = _rooms()
    assert tree - rooms == set(), "not in ARCHITECTURE.md"
    assert rooms - tree == set(), "in ARCHITECTURE.md, not in the tree"


MAX_LINES = 500
"""A module longer than this does two jobs: split it along its seam (ARCHITECTURE.md)."""


def test_no_module_over_500_lines() -> None:
    package = ROOT / "linkaudit"
    lines = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in package.rglob("*.py")
    }
    assert {name: n for name, n in lines.items() if n > MAX_LINES} == {}


def test_no_package_hides_a_module_of_its_own_under_another_object() -> None:
    """`linkaudit.cli.audit` is the module `linkaudit/cli/audit.py`, not a function re-exported
    under its name (a patch or an import of the module would reach the wrong thing)."""
    import importlib
    import pkgutil
    import types

    import linkaudit

    hidden = []
    for info in pkgutil.walk_packages(linkaudit.__path__, "linkaudit."):
        if not info.ispkg:
            continue
        package = importlib.import_module(info.name)
        for sub in pkgutil.iter_modules(package.__path__):
            value = getattr(package, sub.name, None)
            if value is not None and not isinstance(value, types.ModuleType):
                hidden.append(f"{info.name}.{sub.name}")
    assert hidden == []
