"""Errors that stop a run (or one seam of it). A broken link is never one of these.

Each error carries one `hint`; only `linkaudit.cli` turns an error into advice for the user.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit status of `linkaudit`; documented in the README and the Action."""

    OK = 0
    """No finding at or above `--fail-on`."""
    FINDINGS = 1
    """At least one finding at or above `--fail-on`."""
    USAGE = 2
    """Bad flags or configuration (matches click/typer's own usage-error status)."""
    RUN_ERROR = 3
    """The run itself failed: an input named could not be read (the rest is still audited and
    reported), nothing could be read, a crawl reached no page, the store is unusable."""
    INTERRUPTED = 130
    """Stopped by SIGINT (Ctrl-C), 128 + 2 as shells report it; the partial report is written."""
    TERMINATED = 143
    """Stopped by SIGTERM (a CI timeout or cancel), 128 + 15; the partial report is written."""


class LinkauditError(Exception):
    """Root of linkaudit's errors."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class ConfigError(LinkauditError):
    """A config file or flag value is wrong; names the key and the file."""

    hint = "fix what is named above; `linkaudit config` shows each setting and where it came from"


FLAG_HINT = "fix the named flag; the command's --help lists each option's accepted values"
"""The hint of a `ConfigError` about a flag's value (not a config file's key)."""


class InputError(LinkauditError):
    """No input could be read at all."""

    hint = "give files, folders, `-` for stdin, or http(s) URLs"


class StoreError(LinkauditError):
    """The store file is corrupt, foreign, locked or unwritable. It is never overwritten."""

    hint = "point --store at another file, or use --no-cache --no-history"


class CassetteError(LinkauditError):
    """A cassette file cannot be read or written."""

    hint = "check the --record/--replay path; cassettes are vcrpy-format YAML"


class ArchiveUnreachable(LinkauditError):
    """The archive could not be reached; per-link answers become `unknown`."""

    hint = "retry later, or use --archive none to skip archive lookups"


class OutputError(LinkauditError):
    """A report or baseline file cannot be written (a read-only place, a full disk)."""

    hint = "check the --output, --report or --write-baseline path"
