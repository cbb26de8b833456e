"""What `.gitignore` files ignore, with git's layering: deeper files override shallower ones.

Matching is pathspec's `GitIgnoreSpec` (git's own wildmatch rules: `*`, `**`, leading and trailing
`/`, `!` negation). A directory that is ignored is not entered, as git does, so a `!` pattern
cannot bring back a file below an ignored directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec


@dataclass(frozen=True, slots=True)
class IgnoreLayer:
    """The patterns of one `.gitignore`, relative to the directory holding it."""

    base: Path
    """The directory of the `.gitignore`."""
    spec: GitIgnoreSpec
    """Its compiled patterns."""


def load_layer(directory: Path) -> IgnoreLayer | None:
    """The `.gitignore` of `directory`, or None when it has none (or it cannot be read). Its
    `base` is absolute whatever `directory` is."""
    path = directory / ".gitignore"
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            lines = handle.read(1024 * 1024).splitlines()
    except OSError:
        return None
    try:
        # Absolute, like `ancestor_layers`: `is_ignored` compares paths with `relative_to`, which
        # fails between a relative and an absolute path (`linkaudit audit .` saw no ignores).
        return IgnoreLayer(Path(os.path.abspath(directory)), GitIgnoreSpec.from_lines(lines))
    except (ValueError, TypeError):
        return None


def is_ignored(path: Path, is_dir: bool, layers: tuple[IgnoreLayer, ...]) -> bool:
    """True when the deepest `.gitignore` with an opinion on `path` ignores it (`path` relative
    to the working directory, or absolute)."""
    verdict: bool | None = None
    if not path.is_absolute():
        path = Path(os.path.abspath(path))
    for layer in layers:
        try:
            relative = path.relative_to(layer.base).as_posix()
        except ValueError:
            continue
        if is_dir:
            relative += "/"
        result = layer.spec.check_file(relative)
        if result.include is not None:
            verdict = bool(result.include)
    return bool(verdict)


def ancestor_layers(directory: Path) -> tuple[IgnoreLayer, ...]:
    """The `.gitignore` layers from the enclosing repository's root down to `directory`.

    The root is the nearest ancestor holding `.git`; without one, only `directory` itself counts.
    """
    resolved = Path(os.path.abspath(directory))
    chain = [resolved, *resolved.parents]
    root_index = next((i for i, d in enumerate(chain) if (d / ".git").exists()), 0)
    layers = []
    for candidate in reversed(chain[: root_index + 1]):
        layer = load_layer(candidate)
        if layer is not None:
            layers.append(layer)
    return tuple(layers)
