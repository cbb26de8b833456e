"""The one way to write a file and the one way to fail, shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import pytest
import typer

from linkaudit.cli.common import fail, write_atomic, write_output
from linkaudit.errors import ConfigError, ExitCode, OutputError, StoreError


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary(
    tmp_path: Path,
) -> None:
    out = tmp_path / "report.json"
    out.write_text("old\n", encoding="utf-8")

    def half(fh: TextIO) -> None:
        fh.write("new and half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(out, half)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    write_output("new", out, "1 thing", quiet=True)
    assert out.read_text(encoding="utf-8") == "new\n"


def test_an_unwritable_path_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_output("text", blocker / "report.md")


def test_fail_is_one_line_a_hint_and_an_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    exit_ = fail(StoreError("x.db: not\na store", hint="delete it"))
    assert isinstance(exit_, typer.Exit) and exit_.exit_code == ExitCode.RUN_ERROR
    assert capsys.readouterr().err == "linkaudit: error: x.db: not a store\nhint: delete it\n"
    assert fail(ConfigError("bad")).exit_code == ExitCode.USAGE
