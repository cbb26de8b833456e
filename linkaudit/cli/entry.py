"""The console entry point: `main` runs the app, turning every usage error into one line
(`linkaudit: error: --flag: what is wrong`) plus a hint, and an exit code from `ExitCode`."""

from __future__ import annotations

import sys
from typing import Any

import typer

from linkaudit.cli.application import app
from linkaudit.cli.common import err_console, fail
from linkaudit.cli.settings import fix_allow_private
from linkaudit.errors import ExitCode, LinkauditError
from linkaudit.textsafe import visible


def _command_names() -> set[str]:
    return {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}


def _usage_error_types() -> tuple[type[Exception], type[Exception]]:
    """typer's usage and base errors (`UsageError`, `ClickException`). typer vendors click in a
    private module since 0.26, so they are found from the public `typer.BadParameter`."""
    mro = typer.BadParameter.__mro__
    usage = next(c for c in mro if c.__name__ == "UsageError")
    base = next(c for c in mro if c.__name__ == "ClickException")
    return usage, base


_TYPE_WORDS = (("integer", "a whole number"), ("number", "a number"), ("float", "a number"),
               ("bool", "true or false"))


def _param_name(param: Any) -> str:
    """How a parameter is named in an error: its long flag, or an argument's value name."""
    if getattr(param, "param_type_name", "") == "argument":
        return str(getattr(param, "metavar", None) or getattr(param, "name", "")).rstrip(".")
    opts = list(getattr(param, "opts", None) or [])
    longs = [o for o in opts if o.startswith("--")]
    return (longs or opts or [str(getattr(param, "name", ""))])[0]


def _close(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def usage_message(exc: Exception) -> str:
    """One line for a usage error, in the style of the config errors: `--flag: what is wrong`."""
    kind = type(exc).__name__
    message = str(getattr(exc, "message", "") or exc).strip().rstrip(".")
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command", None)
    if kind == "NoSuchOption":
        option_name = str(getattr(exc, "option_name", ""))
        params = getattr(command, "params", [])
        known = [o for p in params for o in (*p.opts, *getattr(p, "secondary_opts", []))]
        return f"{option_name}: no such option" + _close(option_name, known)
    if kind == "NoSuchCommand" or message.startswith("No such command"):
        name = message.split("'")[1] if message.count("'") >= 2 else message
        names = list(getattr(command, "commands", {}) or {})
        return f"{name}: no such command" + _close(name, names)
    if kind == "BadOptionUsage":
        option_name = str(getattr(exc, "option_name", ""))
        if "requires an argument" in message:
            return f"{option_name}: needs a value"
        if "does not take a value" in message:
            return f"{option_name}: takes no value"
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    name = hint if isinstance(hint, str) else (_param_name(param) if param is not None else "")
    if kind == "MissingParameter":
        return f"{name}: missing"
    if "Input should be" in message or "is not a valid" in message:
        for word, plain in _TYPE_WORDS:
            if word in message.lower():
                return f"{name}: expected {plain}"
    if name and not message.startswith(name):
        return f"{name}: {message}"
    return message


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every error is one line, `linkaudit: error: ...`, and a hint."""
    args = fix_allow_private(list(sys.argv[1:] if argv is None else argv))
    usage_error, click_error = _usage_error_types()
    try:
        status = app(args=args, prog_name="linkaudit", standalone_mode=False)
    except usage_error as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help was printed: nothing to add
            raise SystemExit(int(ExitCode.USAGE)) from None
        err = err_console()
        err.print(f"linkaudit: error: {visible(usage_message(exc))}", markup=False)
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "linkaudit"
        if command == "linkaudit" and args and args[0] in _command_names():
            command = f"linkaudit {args[0]}"  # an option parse error carries no context
        err.print(f"hint: see `{command} --help`", markup=False)
        raise SystemExit(int(ExitCode.USAGE)) from None
    except click_error as exc:
        err_console().print(f"linkaudit: error: {visible(str(exc))}", markup=False)
        raise SystemExit(int(getattr(exc, "exit_code", 1))) from None
    except typer.Abort:
        err_console().print("linkaudit: aborted", markup=False)
        raise SystemExit(int(ExitCode.RUN_ERROR)) from None
    except LinkauditError as exc:  # pragma: no cover - commands translate their own
        raise SystemExit(int(fail(exc).exit_code)) from None
    except KeyboardInterrupt:
        # A second Ctrl-C, or one outside the audit's own handling (reading, rendering).
        err_console().print("linkaudit: interrupted", markup=False)
        raise SystemExit(int(ExitCode.INTERRUPTED)) from None
    raise SystemExit(status if isinstance(status, int) else 0)
