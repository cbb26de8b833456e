"""`fix --write` touches only the inputs: no path or symlink out of the tree, atomic writes.

A document tree in a pull request is untrusted: it may hold a symlink to `~/.bashrc`, and a
CI step may pass it by a shell glob (so the symlink is named explicitly). A write interrupted by
an error or a signal must leave the old file whole and no temporary file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkaudit.fix import Edit, FileFix, FixError, FixKind, write_fix

OLD = b"See [1].\n\n1. https://dead.example/a\n"
NEW_URL = b"https://web.archive.org/web/2025/https://dead.example/a"


def _fix(path: Path, original: bytes = OLD) -> FileFix:
    start = original.index(b"https://")
    old = b"https://dead.example/a"
    return FileFix(
        path=path, encoding="utf-8", bom=b"", original=original,
        edits=(Edit(start, old, NEW_URL, "1", old.decode(), FixKind.ARCHIVED, NEW_URL.decode()),),
    )


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_applies_the_edit_inside_the_tree(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "a.md"
    doc.parent.mkdir()
    doc.write_bytes(OLD)
    doc.chmod(0o640)
    assert write_fix(_fix(doc), [tmp_path / "docs"]) == doc.resolve()
    assert NEW_URL in doc.read_bytes()
    assert oct(doc.stat().st_mode & 0o777) == oct(0o640)  # the mode is kept
    assert _leftovers(doc.parent) == []


def test_path_outside_the_inputs_is_refused(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    outside = tmp_path / "outside.md"
    outside.write_bytes(OLD)
    for path in (outside, tree / ".." / "outside.md"):
        with pytest.raises(FixError, match="outside the inputs"):
            write_fix(_fix(path), [tree])
    assert outside.read_bytes() == OLD


def test_symlink_in_a_folder_input_is_not_followed_out(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    secret = tmp_path / "bashrc"
    secret.write_bytes(OLD)
    (tree / "evil.md").symlink_to(secret)
    with pytest.raises(FixError, match="outside the inputs"):
        write_fix(_fix(tree / "evil.md"), [tree])
    assert secret.read_bytes() == OLD and (tree / "evil.md").is_symlink()


def test_symlinked_folder_inside_the_tree_is_not_followed_out(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.md").write_bytes(OLD)
    (tree / "sub").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(FixError, match="outside the inputs"):
        write_fix(_fix(tree / "sub" / "a.md"), [tree])
    assert (elsewhere / "a.md").read_bytes() == OLD


def test_symlink_named_explicitly_is_not_followed_out(tmp_path: Path) -> None:
    """`linkaudit fix docs/*.md --write`: the shell names the symlink; its target is outside."""
    tree = tmp_path / "docs"
    tree.mkdir()
    secret = tmp_path / "bashrc"
    secret.write_bytes(OLD)
    (tree / "evil.md").symlink_to(secret)
    with pytest.raises(FixError, match="outside the inputs"):
        write_fix(_fix(tree / "evil.md"), [tree / "evil.md"])
    assert secret.read_bytes() == OLD


def test_symlink_named_explicitly_to_a_file_beside_it_is_written(tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    tree.mkdir()
    real = tree / "real.md"
    real.write_bytes(OLD)
    (tree / "alias.md").symlink_to(real)
    assert write_fix(_fix(tree / "alias.md"), [tree / "alias.md"]) == real.resolve()
    assert NEW_URL in real.read_bytes() and (tree / "alias.md").is_symlink()


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_crash_mid_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    doc = tmp_path / "a.md"
    doc.write_bytes(OLD)

    def crash(src: object, dst: object) -> None:
        raise failure

    monkeypatch.setattr(os, "replace", crash)
    expected = FixError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        write_fix(_fix(doc), [tmp_path])
    assert doc.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_crash_while_writing_the_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "a.md"
    doc.write_bytes(OLD)

    def crash(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(FixError, match="cannot write"):
        write_fix(_fix(doc), [tmp_path])
    assert doc.read_bytes() == OLD and _leftovers(tmp_path) == []


def test_file_changed_since_planning_is_not_overwritten(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_bytes(OLD)
    fix = _fix(doc)
    doc.write_bytes(OLD + b"edited meanwhile\n")
    with pytest.raises(FixError, match="changed since"):
        write_fix(fix, [tmp_path])
    assert doc.read_bytes().endswith(b"edited meanwhile\n")
