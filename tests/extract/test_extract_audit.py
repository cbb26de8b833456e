"""What extraction hands the audit: broken URLs reported (offline too) and never requested,
footnotes no marker cites listed and checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeClient
from typer.testing import CliRunner

from linkaudit.audit import cited_urls, run_audit
from linkaudit.cli import app
from linkaudit.config import ArchiveMode, AuditConfig

ROOT = Path(__file__).resolve().parents[2]


async def test_a_url_with_a_space_is_invalid_and_never_requested(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Read [the guide](http://exa mple.com/guide x) first.\n\n"
        "A claim [1].\n\n## References\n\n[1] http://exa mple.com/x y\n\n"
        "And [the angled one](<http://exa mple.com/q r>).\n"  # CommonMark encodes it: exa%20mple
    )
    client = FakeClient()  # would answer: nothing may ask it
    cfg = AuditConfig.build(cache=False, history=False, archive=ArchiveMode.NONE,
                            allow_private=True)
    result = await run_audit([str(page)], cfg, client=client)
    assert client.sent == []  # not `http://exa`, not anything
    invalid = [f for f in result.findings if f.rule == "invalid-url"]
    assert [(f.url, f.line) for f in invalid] == [
        ("http://exa mple.com/guide x", 1),
        ("http://exa mple.com/x y", 7),
        ("http://exa%20mple.com/q%20r", 9),
    ]
    assert all("space" in f.message for f in invalid)
    assert not [f for f in result.findings if f.severity.label == "error"]


def _offline_json(*paths: Path) -> dict[str, object]:
    result = CliRunner().invoke(
        app, ["audit", *map(str, paths), "--offline", "--format", "json", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("name", ["refs.txt", "refs.md"])
def test_invalid_url_runs_offline(tmp_path: Path, name: str) -> None:
    """The pre-commit hook runs offline: `htp:/x` and `ftp://` references are caught there."""
    page = tmp_path / name
    page.write_text(
        "One [1], two [2], three [3].\n\nReferences\n\n"
        "[1] htp:/broken\n[2] ftp://files.example.org/report.pdf\n[3] https://fine.example.org/\n"
    )
    data = _offline_json(page)
    (doc,) = data["documents"]  # type: ignore[misc]
    assert [r["url"] for r in doc["references"]] == [
        "htp:/broken",
        "ftp://files.example.org/report.pdf",
        "https://fine.example.org/",
    ]
    findings = [f for f in data["findings"] if f["rule"] == "invalid-url"]  # type: ignore[attr-defined]
    assert [(f["reference"], f["line"]) for f in findings] == [("1", 5), ("2", 6)]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("notes.md", "A claim.[^1]\n\n[^1]: https://a.example/one\n\n[^3]: https://a.example/three\n"),
        ("notes.txt", "A claim [^1].\n\n[^1]: https://a.example/one\n[^3]: https://a.example/three\n"),
    ],
)
def test_footnotes_no_marker_cites_are_listed_reported_and_checked(
    tmp_path: Path, name: str, body: str
) -> None:
    page = tmp_path / name
    page.write_text(body)
    data = _offline_json(page)
    (doc,) = data["documents"]  # type: ignore[misc]
    assert [(r["id"], r["url"]) for r in doc["references"]] == [
        ("1", "https://a.example/one"),
        ("3", "https://a.example/three"),
    ]
    assert doc["uncited_references"] == ["3"]
    uncited = [f for f in data["findings"] if f["rule"] == "uncited-reference"]  # type: ignore[attr-defined]
    assert [(f["reference"], f["url"]) for f in uncited] == [("3", "https://a.example/three")]
    from linkaudit.extract import extract_document
    from linkaudit.inputs import Source

    assert "https://a.example/three" in cited_urls([extract_document(Source(name, body.encode()))])


def test_this_repositorys_readme_passes_its_own_gate() -> None:
    """The README shows `[5]` and `[2]` while explaining the example: no list, so no errors."""
    result = CliRunner().invoke(
        app, ["audit", str(ROOT / "README.md"), "--offline", "--fail-on", "error"]
    )
    assert result.exit_code == 0, result.output
