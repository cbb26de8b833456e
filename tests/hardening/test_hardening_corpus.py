"""A thousand documents, some broken: every good one is audited, one line per broken one.

Broken here means binary (NUL bytes, or an image), empty or blank, undecodable bytes, a single
multi-megabyte line, a symbolic link loop and an unreadable path. The run is offline (no network
needed to read and extract), so what is measured is the input and extraction stages.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

from hardkit import config

from linkaudit.audit import run_audit

GOOD = 960


def _good(n: int) -> str:
    return (f"---\ndate: 2025-0{1 + n % 9}-1{n % 9}\n---\n\n# Note {n}\n\n"
            f"Revenue rose {n % 90 + 1}% in the quarter [1].\n\n## References\n\n"
            f"1. [Source](https://example.com/{n})\n")


async def test_thousand_documents_some_broken(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    for n in range(GOOD):
        (root / f"good-{n:04d}.md").write_text(_good(n), encoding="utf-8")
    broken: dict[str, bytes] = {}
    for n in range(8):
        broken[f"nul-{n}.md"] = b"# title\n\x00\x01\x02binary" * 50
        broken[f"image-{n}.md"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
        broken[f"empty-{n}.md"] = b""
        broken[f"blank-{n}.txt"] = b"   \n\n\t  \n"
        broken[f"controls-{n}.txt"] = bytes([1, 2, 3, 4, 5, 6, 14, 15]) * 500
    for name, data in broken.items():
        (root / name).write_bytes(data)
    # Readable but odd: they are audited (with a problem where bytes were replaced).
    odd = {
        "latin1.md": _good(1).encode("utf-8") + "Café déjà vu\n".encode("cp1252"),
        "huge-line.txt": b"Revenue rose 5% [1]. " + b"word " * 600_000 + b"\n1. https://e.com/x\n",
        "utf16.md": _good(2).encode("utf-16"),
    }
    for name, data in odd.items():
        (root / name).write_bytes(data)
    (root / "loop-a.md").symlink_to(root / "loop-b.md")
    (root / "loop-b.md").symlink_to(root / "loop-a.md")
    unreadable = root / "secret.md"
    unreadable.write_text(_good(3), encoding="utf-8")
    os.chmod(unreadable, 0)

    cfg = config(tmp_path, offline=True)
    t0 = time.monotonic()
    result = await run_audit([str(root)], cfg)
    elapsed = time.monotonic() - t0

    names = {Path(d.origin).name for d in result.documents}
    assert {f"good-{n:04d}.md" for n in range(GOOD)} <= names  # every good one audited
    assert all(len(d.references) == 1 for d in result.documents if d.origin.startswith("good"))
    assert set(odd) <= names
    assert not set(broken) & names
    per_file = Counter(Path(p.origin or "").name for p in result.problems)
    for name in broken:
        assert per_file[name] == 1, (name, [p for p in result.problems if name in p.message])
    assert all("\n" not in p.message and len(p.message) < 300 for p in result.problems)
    loops = [p for p in result.problems if "loop" in p.message]
    assert loops  # the symlink loop is said, not followed
    if os.geteuid() != 0:  # root reads a mode-000 file anyway
        assert per_file["secret.md"] == 1
    assert elapsed < 40
