"""`linkaudit extract` reads what `audit` would read: the config file's `exclude-path`,
`as-of` and local-link settings (or `--config FILE`), with `--exclude-path` and `--as-of` flags
winning, so `extract` lists the documents and dates the audit would judge."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from linkaudit.cli import app


def _extract(*args: str) -> dict[str, object]:
    res = CliRunner().invoke(app, ["extract", "docs", "-f", "json", *args])
    assert res.exit_code == 0, res.output
    data: dict[str, object] = json.loads(res.stdout)
    return data


def _origins(data: dict[str, object]) -> list[str]:
    docs = data["documents"]
    assert isinstance(docs, list)
    return sorted(Path(d["path"]).name for d in docs)


def test_extract_honours_the_config_files_exclude_path_and_as_of(tree: Path) -> None:
    assert _origins(_extract()) == ["a.md", "b.md"]
    (tree / "linkaudit.toml").write_text('exclude-path = ["drafts/"]\nas-of = "2024-05-06"\n')
    data = _extract()
    assert _origins(data) == ["a.md"]
    docs = data["documents"]
    assert isinstance(docs, list)
    assert (docs[0]["date"], docs[0]["date_source"]) == ("2024-05-06", "as-of")
    flagged = _extract("--as-of", "2020-01-02")["documents"]  # a flag still wins over the file
    assert isinstance(flagged, list)
    assert flagged[0]["date"] == "2020-01-02"


def test_extract_takes_exclude_path_and_a_named_config(tree: Path) -> None:
    assert _origins(_extract("--exclude-path", "drafts/")) == ["a.md"]
    other = tree / "other.toml"
    other.write_text('exclude-path = ["a.md"]\n')
    assert _origins(_extract("--config", str(other))) == ["b.md"]


def test_extract_names_a_bad_config_file_in_one_line(tree: Path) -> None:
    (tree / "linkaudit.toml").write_text("exclude-path = [\n")
    res = CliRunner().invoke(app, ["extract", "docs"])
    assert res.exit_code == 2
    assert "linkaudit.toml" in res.stderr
    assert "Traceback" not in res.output
