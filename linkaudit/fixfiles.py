"""The files `linkaudit fix` touches: their encoding (BOM and codec, so every other byte is
kept) and the one way a fix is written: atomically (a temporary file in the same folder, then
`os.replace`), only if the file still holds the bytes the fix was planned from, and never to a
path that resolves outside the inputs (a symlink out of the tree)."""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from linkaudit.errors import LinkauditError

if TYPE_CHECKING:
    from linkaudit.fix import FileFix


class FixError(LinkauditError):
    """A fix could not be written (outside the inputs, changed meanwhile, unwritable)."""

    hint = "re-run `linkaudit fix` on the current files; it only writes inside the given paths"


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_encoding(data: bytes) -> tuple[str, bytes]:
    """(codec, BOM) of a file: a BOM decides; else UTF-8 if it decodes; else the best guess of
    charset-normalizer that decodes strictly; else latin-1 (which decodes anything)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, bom
    try:
        data.decode("utf-8")
        return "utf-8", b""
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding:
            data.decode(best.encoding)
            return str(best.encoding), b""
    except (LookupError, UnicodeDecodeError):
        pass
    return "latin-1", b""


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def write_fix(fix: FileFix, roots: Sequence[Path]) -> Path:
    """Apply `fix` atomically and return the file written.

    `roots` are the inputs as given; the file's real path (symlinks resolved) must be inside one
    of them: a folder input's real path, or, for a file input, the real folder that holds it (so
    a symlink named explicitly, e.g. by a shell glob, is not followed out of its folder). The
    file must still hold the bytes it was planned from.
    """
    real = Path(os.path.realpath(fix.path))
    real_roots = [
        Path(os.path.realpath(r)) if Path(r).is_dir() else Path(os.path.realpath(Path(r).parent))
        for r in roots
    ]
    if not _inside(real, real_roots):
        raise FixError(f"{fix.path}: resolves to {real}, outside the inputs; not written")
    try:
        current = real.read_bytes()
        mode = stat.S_IMODE(real.stat().st_mode)
    except OSError as exc:
        raise FixError(f"{fix.path}: cannot read: {exc.strerror or exc}") from exc
    if current != fix.original:
        raise FixError(f"{fix.path}: changed since the fix was planned; not written")
    data = fix.new_bytes()
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:
        raise FixError(f"{fix.path}: cannot write next to it: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise FixError(f"{fix.path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return real
