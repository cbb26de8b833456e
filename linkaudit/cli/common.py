"""What every command shares: one way to fail, one way to write a file, one way to say a problem.

- `fail(exc)`: a `LinkauditError` as one line on stderr (`linkaudit: error: ...`), its hint on the
  next, and the `typer.Exit` of its exit code (`USAGE` for a config error, else `RUN_ERROR`);
- `write_output(text, path)` and `write_atomic(path, write)`: a file is written atomically (a
  temporary file beside it, then `os.replace`; a crash leaves the old file), or the text goes to
  stdout for `-` or no path; a file written is confirmed on stderr unless `--quiet`;
- `say_problems`: one line per problem, its untrusted text escaped;
- `choice`, `parse_date`, `check_writable`: flag values checked before the run, as usage errors
  naming the flag.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import typer
from rich.console import Console

from linkaudit import flags as F
from linkaudit.atomicfile import write_atomic
from linkaudit.errors import ConfigError, ExitCode, LinkauditError
from linkaudit.model import Problem
from linkaudit.textsafe import visible


def err_console() -> Console:
    """The console of stderr: no markup guessing, lines never wrapped."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def say(line: str) -> None:
    """One line on stderr, printed as it is (no markup, no emoji codes, no colour)."""
    typer.echo(line, err=True)


def say_problems(problems: Sequence[Problem], quiet: bool = False) -> None:
    """One line per problem on stderr; the text is untrusted, so it is printed without markup."""
    if quiet:
        return
    for problem in problems:
        # File names and URLs come from strangers: escape sequences are shown, never obeyed.
        where = f" (line {problem.line})" if problem.line else ""
        say(f"linkaudit: {visible(problem.message)}{where}")


def fail(exc: LinkauditError) -> typer.Exit:
    """Print `exc` as one line plus its hint and return the matching exit (raise it)."""
    say(f"linkaudit: error: {visible(' '.join(str(exc).split()))}")
    if exc.hint:
        say(f"hint: {exc.hint}")
    code = ExitCode.USAGE if isinstance(exc, ConfigError) else ExitCode.RUN_ERROR
    return typer.Exit(int(code))


def choice(flag: F.Flag, value: str) -> str:
    """`value` checked against `flag`'s choices; a usage error naming the flag otherwise."""
    try:
        return flag.check_choice(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=flag.name) from None


def parse_date(value: str | None, flag: str) -> dt.date | None:
    """A `YYYY-MM-DD` flag value; a usage error naming the flag otherwise."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=flag) from None


def check_writable(path: Path | None, flag: str) -> None:
    """Refuse, before the run, a report path that can never be written (an existing folder)."""
    if path is not None and str(path) != "-" and path.is_dir():
        raise typer.BadParameter(f"{str(path)!r} is a folder; give a file name", param_hint=flag)


def is_stdout(output: Path | None) -> bool:
    """No file named, or `-`: the output goes to stdout."""
    return output is None or str(output) == "-"


def confirm_written(output: Path, what: str = "", quiet: bool = False) -> None:
    """`wrote report.html: 2 errors, 6 warnings, 4 info` on stderr, unless `quiet`: a command
    whose stdout is empty should still say where its output went."""
    if not quiet:
        say(visible(f"wrote {output}" + (f": {what}" if what else "")))


def write_output(text: str, output: Path | None, what: str = "", quiet: bool = False) -> None:
    """Write `text` (with a final newline) to `output` atomically, or to stdout."""
    text = text if text.endswith("\n") else text + "\n"
    if output is None or is_stdout(output):
        sys.stdout.write(text)
        return

    def write(fh: TextIO) -> None:
        fh.write(text)

    write_atomic(output, write)
    confirm_written(output, what, quiet)
