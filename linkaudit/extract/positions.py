"""Turn character offsets of a decoded text into the 1-based lines and columns a reader sees."""

from __future__ import annotations

import bisect
import re

_NEWLINE = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps offsets in one text to 1-based (line, column), in O(log lines) per lookup."""

    def __init__(self, text: str) -> None:
        # Every newline kind, as extraction counts lines (it reads `\r\n` and a lone `\r` as
        # `\n`): `fix` indexes the file's own text, which may still hold them.
        self._starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of `offset`."""
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based `line` and `column` (clamped to the text)."""
        index = min(max(line, 1), len(self._starts)) - 1
        return self._starts[index] + max(column, 1) - 1

    def line_start(self, line: int) -> int:
        """The offset where the 1-based `line` begins."""
        return self._starts[min(max(line, 1), len(self._starts)) - 1]

    def find_near(
        self, text: str, written: str, line: int, column: int, lookahead: int = 2
    ) -> int | None:
        """The offset of `written` in `text` (the text this index was built from): on 1-based
        `line` from `column` on, else anywhere on that line or on the `lookahead` lines after
        (a reference entry whose URL wraps to the next line). None when it is not there."""
        first = line - 1
        if not 0 <= first < len(self._starts):
            return None
        for n in range(first, min(first + 1 + lookahead, len(self._starts))):
            begin = self._starts[n]
            end = self._starts[n + 1] if n + 1 < len(self._starts) else len(text)
            if n == first:
                pos = text.find(written, begin + max(column - 1, 0), end)
                if pos >= 0:
                    return pos
            pos = text.find(written, begin, end)
            if pos >= 0:
                return pos
        return None

    @property
    def starts(self) -> list[int]:
        """The offset where each line begins (read-only by convention)."""
        return self._starts

    @property
    def line_count(self) -> int:
        """How many lines the text has."""
        return len(self._starts)
