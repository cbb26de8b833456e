"""One way to replace a file the user has (a report, a baseline): write a temporary file beside it,
then `os.replace` it into place, so a crash, a full disk or Ctrl-C leaves the old file whole."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from linkaudit.errors import OutputError


def write_atomic(output: Path, write: Callable[[TextIO], object]) -> None:
    """Call `write` on a temporary file beside `output`, then put it in `output`'s place.
    Raises `OutputError` naming `output`; the temporary file never stays behind."""
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8") as fh:
            write(fh)
        os.replace(tmp, output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()  # never leave the half-written file behind
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
