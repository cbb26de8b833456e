"""Inputs: files, folders, stdin and URL arguments, read into `Source` values."""

from linkaudit.inputs.decoding import decode
from linkaudit.inputs.sources import (
    DEFAULT_MAX_BYTES,
    SKIPPED_DIRECTORIES,
    WALKED_EXTENSIONS,
    Collected,
    Source,
    collect,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SKIPPED_DIRECTORIES",
    "WALKED_EXTENSIONS",
    "Collected",
    "Source",
    "collect",
    "decode",
]
