"""The `report` and `fix` commands, registered on the typer app by `linkaudit.cli`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the history commands to `app`."""
