"""The typer application: its command class (help without Python types), the group, `--version`.

The commands themselves live one module each (`linkaudit.cli.audit`, `.extract`, `.health`,
`.info`) and are added to `app` by `linkaudit.cli`, in the order `--help` lists them.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from linkaudit import __version__

DISTRIBUTION = "linkaudit-citations"
"""This project's name on PyPI (`linkaudit` there is another tool with the same command)."""

def _no_type(ctx: Any) -> None:
    return None


class Command(TyperCommand):
    """A command whose help shows value names, never Python types: typer labels a switch
    `<bool>` and an argument `<list[str]>`, and writes a required one as `{PATH}...`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            # Reflow each paragraph of the docstring: typer's rich help keeps its line breaks.
            paragraphs = inspect.cleandoc(self.help).split("\n\n")
            self.help = "\n\n".join(" ".join(p.split()) for p in paragraphs)
        for param in self.params:
            if param.param_type_name == "argument":
                param.display_type_rich = _no_type  # type: ignore[attr-defined]

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """`PATH...` rather than `{PATH...}...`."""
        pieces = super().collect_usage_pieces(ctx)
        return [p.replace("{", "").replace("}", "").replace("......", "...") for p in pieces]

    def get_help_option(self, ctx: Any) -> Any:
        """The help option, with an empty value name."""
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            help_option.metavar = ""
        return help_option


class Group(TyperGroup):
    """The `linkaudit` group, with the same help option as its commands."""

    def get_help_option(self, ctx: Any) -> Any:
        """The help option, with an empty value name."""
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            help_option.metavar = ""
        return help_option


app = typer.Typer(
    name="linkaudit",
    cls=Group,
    help="Audit citations and links: dead sources, archived copies, unsupported claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkaudit {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, metavar="",
                     help="Show the version and exit."),
    ] = False,
) -> None:
    """linkaudit: a citation and link-rot auditor."""
