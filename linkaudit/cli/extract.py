"""`linkaudit extract`: every numbered reference, the markers that cite it and their claims."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from linkaudit import flags as F
from linkaudit.cli.common import (
    check_writable,
    choice,
    fail,
    say_problems,
    write_output,
)
from linkaudit.cli.settings import build_config, setting_values
from linkaudit.errors import ExitCode, LinkauditError
from linkaudit.flags import argument, option
from linkaudit.model import Problem, ProblemKind
from linkaudit.report._text import plural


def extract(
    paths: Annotated[list[str], argument("Files, folders, or - for stdin.")],
    format: Annotated[str, option(F.EXTRACT_FORMAT)] = "table",
    output: Annotated[Path | None, option(F.OUTPUT)] = None,
    as_of: Annotated[str | None, option(F.AS_OF)] = None,
    exclude_path: Annotated[list[str] | None, option(F.EXCLUDE_PATH)] = None,
    config: Annotated[Path | None, option(F.CONFIG)] = None,
    quiet: Annotated[bool, option(F.QUIET)] = False,
) -> None:
    """List every numbered reference, the markers that cite it and their claims. No network.

    Reads the same config file as `audit` (its `exclude-path`, `as-of` and local-link settings).
    """
    import json

    from linkaudit.extract import extract_documents
    from linkaudit.inputs import collect
    from linkaudit.local import Resolver, resolve_links
    from linkaudit.report.extract import extract_json, render_extract_table
    from linkaudit.report.summary import RUN_FAILURE_KINDS

    fmt = choice(F.EXTRACT_FORMAT, format)
    check_writable(output, F.OUTPUT.name)
    given = setting_values(locals())
    try:
        cfg = build_config(config, given)
    except LinkauditError as exc:
        raise fail(exc) from None
    collected = collect(paths, stdin=sys.stdin.buffer, exclude=cfg.links.exclude_path)
    documents = extract_documents(collected.sources, as_of=cfg.rules.as_of)
    # Local links as the audit names them: paths relative to the working directory.
    documents, _targets = resolve_links(documents, Resolver.from_config(cfg.links, paths))
    problems = list(collected.problems)
    problems += [
        Problem(
            ProblemKind.URL_INPUT,
            f"{u}: URL inputs need the network; use `linkaudit audit`",
            origin=u,
        )
        for u in collected.urls
    ]
    say_problems(problems, quiet)
    refs = sum(len(d.references) for d in documents)
    what = f"{plural(refs, 'reference')} in {plural(len(documents), 'document')}"
    try:
        if fmt == "json":
            text = json.dumps(extract_json(documents, problems), indent=2)
            write_output(text, output, what, quiet)
        elif output is not None:
            buffer = io.StringIO()
            render_extract_table(documents, Console(file=buffer, width=160, no_color=True))
            write_output(buffer.getvalue(), output, what, quiet)
        else:
            render_extract_table(documents, Console(highlight=False))
    except LinkauditError as exc:
        raise fail(exc) from None
    if not documents or any(p.kind in RUN_FAILURE_KINDS for p in problems):
        # An input named that could not be read is an error, as in `audit` (the rest is listed).
        raise typer.Exit(int(ExitCode.RUN_ERROR))
