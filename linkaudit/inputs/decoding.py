"""Bytes to text: byte-order marks, UTF-8, then charset detection; binary is refused.

Order: a BOM decides (UTF-8, UTF-16, UTF-32); else strict UTF-8; else, when the bytes hold valid
multi-byte UTF-8 *and* invalid sequences, the file mixes encodings: each line is read as UTF-8 or,
failing that, as cp1252 (the usual other half of such files), with replacement characters for what
neither can read, and a problem says so; else charset-normalizer picks the encoding. NUL bytes or
a high share of control characters mean a binary file: no text, one problem.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from linkaudit.model import Problem, ProblemKind

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_SAMPLE = 64 * 1024


def _looks_binary(text: str) -> bool:
    sample = text[:_SAMPLE]
    return bool(sample) and len(_CONTROL.findall(sample)) > len(sample) * 0.05


def decode(data: bytes, origin: str) -> tuple[str, Problem | None]:
    """Decode `data` read from `origin`: the text, and a problem when something was off."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            if "\ufffd" in text:
                return text, Problem(
                    ProblemKind.DECODE, f"{origin}: invalid {encoding} bytes replaced"
                )
            return text, None
    if b"\x00" in data[:_SAMPLE]:
        return "", Problem(ProblemKind.BINARY, f"{origin}: binary file (NUL bytes), skipped")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_binary(text):
            return "", Problem(
                ProblemKind.BINARY, f"{origin}: binary file (control characters), skipped"
            )
        return text, None
    if _UTF8_MULTIBYTE.search(data[: 4 * _SAMPLE]):
        return _decode_mixed(data, origin)
    detected = _detect(data)
    if detected is None:
        return "", Problem(ProblemKind.DECODE, f"{origin}: not text in any known encoding, skipped")
    text = data.decode(detected, errors="replace")
    if _looks_binary(text):
        return "", Problem(
            ProblemKind.BINARY, f"{origin}: binary file (control characters), skipped"
        )
    return text, None


def _detect(data: bytes) -> str | None:
    """The encoding of non-UTF-8 bytes; short mostly-ASCII inputs are taken as cp1252.

    charset-normalizer needs some text to be sure; on a few words it guesses exotic code pages,
    while the commonest non-UTF-8 text in the wild is Windows-1252.
    """
    high = sum(1 for byte in data[:2048] if byte >= 0x80)
    if len(data) < 2048 and high < len(data) * 0.15:  # Western text: a few accented letters
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            return "cp1252"
    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    return None if best is None else best.encoding


def _decode_mixed(data: bytes, origin: str) -> tuple[str, Problem]:
    """Decode line by line: UTF-8 where it is valid, cp1252 (with replacement) elsewhere."""
    pieces: list[str] = []
    other = 0
    first_other = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            pieces.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            pieces.append(line.decode("cp1252", errors="replace"))
            other += 1
            first_other = first_other or number
    plural = "s" if other != 1 else ""
    return "\n".join(pieces), Problem(
        ProblemKind.MIXED_ENCODING,
        f"{origin}: mixed encodings: {other} line{plural} (first: line {first_other}) are not "
        "UTF-8 and were read as cp1252, with replacement characters where that failed",
        line=first_other,
    )
