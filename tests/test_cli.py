"""The command line on the worked example, as a user runs it: every format, exit codes, errors.

Outputs are compared with golden files under `tests/golden/` after scrubbing what changes from
run to run (elapsed times, timestamps, the version). Regenerate them with
`UPDATE_GOLDEN=1 python -m pytest tests/test_cli.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from linkaudit import __version__
from linkaudit.cli import app, fix_allow_private
from linkaudit.report import OutputFormat

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ainvest-alibaba-ai-chip.txt"
CASSETTE = ROOT / "cassettes" / "ainvest-alibaba-ai-chip.yaml"
GOLDEN = Path(__file__).parent / "golden"
SARIF_SCHEMA = Path(__file__).parent / "report" / "sarif-schema-2.1.0.json"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the CLI in-process in a scrubbed, fixed-width environment."""
    runner = CliRunner()
    result = runner.invoke(
        app, fix_allow_private(list(args)), env={"COLUMNS": "120", **(env or {})}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def scrub(text: str) -> str:
    """Replace what changes between runs with placeholders."""
    text = text.replace(str(ROOT) + os.sep, "")
    text = text.replace(__version__, "@@VERSION@@")
    text = re.sub(r"\b\d+(\.\d+)?s\b", "@@SECONDS@@", text)
    text = re.sub(r'"(elapsed_ms|elapsed_s|duration_ms)": [0-9.]+', r'"\1": 0', text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?", "@@TIME@@", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d( UTC)?", "@@TIME@@", text)
    text = re.sub(r'time="[0-9.]+"', 'time="0"', text)
    return text


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = scrub(text)
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {name}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _cwd(in_tmp: Path) -> None:
    """Every CLI test runs in an empty directory (no config file, no store found)."""


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_every_format_on_the_example(fmt: OutputFormat, monkeypatch: pytest.MonkeyPatch) -> None:
    # From the repository root with relative paths, as a user runs it: SARIF fingerprints hash
    # the document's path, so an absolute one would differ between checkouts.
    monkeypatch.chdir(ROOT)
    code, out, _err = run(
        "audit", "examples/ainvest-alibaba-ai-chip.txt",
        "--replay", "cassettes/ainvest-alibaba-ai-chip.yaml", "--format", fmt.value,
    )
    expected = 0 if fmt is OutputFormat.SARIF else 1
    assert code == expected
    check_golden(f"example.{fmt.value}", out)


def test_example_json_has_the_judgement() -> None:
    code, out, _err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["schema"] == "linkaudit.audit/1"
    (doc,) = data["documents"]
    assert doc["date"] == "2025-09-01" and doc["date_source"] == "dateline"
    assert [r["id"] for r in doc["references"]] == ["1", "2", "3", "4", "5"]
    links = {link["url"]: link for link in data["links"]}
    cnbc = next(u for u in links if "cnbc.com" in u)
    assert links[cnbc]["published"] == "2024-09-17"
    assert links[cnbc]["published_source"] == "url-path"
    found = {(f["rule"], f["reference"], f["severity"]) for f in data["findings"]}
    # "in 2024, while its H20 chip ... has drawn scrutiny": set against the dated clause, but
    # no later time is named, so a warning (an error needs a named later time).
    assert ("stale-source", "5", "warning") in found
    assert ("self-citation", "2", "info") in found
    assert any(rule == "copied-citation" and ref == "2" for rule, ref, _ in found)
    stale = next(
        f for f in data["findings"] if f["rule"] == "stale-source" and f["severity"] == "warning"
    )
    evidence = json.dumps(stale["evidence"])
    assert "2024-09-17" in evidence and "2025-09-01" in evidence
    assert "url-path" in evidence and "dateline" in evidence
    dead = next(f for f in data["findings"] if f["rule"] in ("dead", "dead-unarchived"))
    assert dead["reference"] == "4"
    assert dead["fix"] and dead["fix"].startswith("https://web.archive.org/web/2025")


def test_example_sarif_validates() -> None:
    code, out, _err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE), "--format", "sarif")
    assert code == 0
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(out), schema)


def test_offline_shows_the_stale_source() -> None:
    code, out, _err = run("audit", str(EXAMPLE), "--offline", "--format", "json",
                          "--fail-on", "warning")
    assert code == 1
    findings = json.loads(out)["findings"]
    assert any(
        f["rule"] == "stale-source" and f["reference"] == "5" and f["severity"] == "warning"
        for f in findings
    )
    assert not any(f["rule"] in ("dead", "blocked", "redirected") for f in findings)


def test_extract_json_contract() -> None:
    code, out, _err = run("extract", str(EXAMPLE), "--format", "json")
    assert code == 0
    (doc,) = json.loads(out)["documents"]
    assert doc["duplicated_body"] is True
    counts = {r["id"]: 0 for r in doc["references"]}
    for citation in doc["citations"]:
        for ref_id in citation["ids"]:
            counts[ref_id] += 1
    assert counts == {"1": 5, "2": 2, "3": 1, "4": 3, "5": 2}
    check_golden("example.extract.json", out)


def test_report_flag_writes_several_formats(in_tmp: Path) -> None:
    code, out, _err = run(
        "audit", str(EXAMPLE), "--replay", str(CASSETTE), "--format", "github",
        "--report", "sarif:out/a.sarif", "--report", "markdown:out/a.md",
    )
    assert code == 1
    assert out.startswith("::")
    assert json.loads((in_tmp / "out" / "a.sarif").read_text())["version"] == "2.1.0"
    assert "stale-source" in (in_tmp / "out" / "a.md").read_text()


def test_fail_on_never_exits_zero() -> None:
    code, _out, _err = run(
        "audit", str(EXAMPLE), "--replay", str(CASSETTE), "--fail-on", "never", "-f", "json"
    )
    assert code == 0


def test_usage_errors_exit_2() -> None:
    assert run("audit", str(EXAMPLE), "--format", "pdf")[0] == 2
    assert run("audit", str(EXAMPLE), "--report", "nocolon")[0] == 2
    assert run("audit", str(EXAMPLE), "--as-of", "yesterday")[0] == 2
    assert run("audit", str(EXAMPLE), "--allow-private", "10.0.0.0/33")[0] == 2


def test_bad_config_names_key_and_file(in_tmp: Path) -> None:
    (in_tmp / "linkaudit.toml").write_text("per_hots = 3\n")
    code, _out, err = run("audit", str(EXAMPLE), "--offline")
    assert code == 2
    assert "per_hots" in err and "linkaudit.toml" in err


def test_no_readable_input_is_a_run_error(in_tmp: Path) -> None:
    (in_tmp / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    code, _out, err = run("audit", "blob.txt", "missing.md", "--offline")
    assert code == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert any("blob.txt" in line for line in lines)
    assert any("missing.md" in line for line in lines)


def test_bad_input_does_not_stop_the_others(in_tmp: Path) -> None:
    (in_tmp / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    code, out, err = run("audit", "blob.txt", str(EXAMPLE), "--offline", "-f", "json",
                         "--fail-on", "warning")
    assert code == 1
    assert "blob.txt" in err
    assert len(json.loads(out)["documents"]) == 1


def test_bare_allow_private_means_everything() -> None:
    assert fix_allow_private(["--allow-private", str(EXAMPLE)]) == [
        "--allow-private=*",
        str(EXAMPLE),
    ]
    assert fix_allow_private(["--allow-private", "--offline"])[0] == "--allow-private=*"
    assert fix_allow_private(["--allow-private", "127.0.0.0/8", "x"]) == [
        "--allow-private",
        "127.0.0.0/8",
        "x",
    ]
    assert fix_allow_private(["a", "--allow-private"]) == ["a", "--allow-private=*"]


def test_readme_demo_command_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first set-up command, after its install step, works from the repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    demo = next(line for line in readme.splitlines() if "linkaudit audit examples/" in line)
    command = demo.split("&&")[-1].strip()
    argv = shlex.split(command)
    assert argv[0] == "linkaudit"
    monkeypatch.chdir(ROOT)
    code, out, _err = run(*argv[1:])
    assert code == 0
    assert "stale-source" in out and "cnbc.com" in out


def test_cache_and_rules_commands(in_tmp: Path) -> None:
    code, out, _err = run("rules")
    assert code == 0
    assert "stale-source" in out and "copied-citation" in out
    code, out, _err = run("cache", "stats", "--store", str(in_tmp / "none.db"))
    assert code == 0 and "no store yet" in out


def test_table_files_are_written_into_new_folders(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    out, extra, extracted = in_tmp / "a" / "t.txt", in_tmp / "b" / "t.txt", in_tmp / "c" / "e.txt"
    code, _out, _err = run(
        "audit", "examples/ainvest-alibaba-ai-chip.txt", "--replay",
        "cassettes/ainvest-alibaba-ai-chip.yaml", "-o", str(out), "--report", f"table:{extra}",
    )
    assert code == 1
    for path in (out, extra):
        assert "stale-source" in path.read_text() and "\x1b[" not in path.read_text()
    assert run("extract", "examples/ainvest-alibaba-ai-chip.txt", "-o", str(extracted))[0] == 0
    assert "finance.yahoo.com" in extracted.read_text()


def test_offline_run_leaves_no_store_behind(in_tmp: Path) -> None:
    """The pre-commit hook runs offline: it must not create `.linkaudit/` in the user's tree."""
    code, _out, _err = run("audit", str(EXAMPLE), "--offline", "-f", "json")
    assert code == 0
    assert not (in_tmp / ".linkaudit").exists()
