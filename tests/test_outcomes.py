"""Exit statuses a CI can trust: a run that did not check what it was asked never exits 0.

Each case runs the CLI as a user would (in-process through typer's runner, or as a child process
where a signal or a real socket matters) and asserts the status the README's table promises.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkaudit.cli import app, fix_allow_private
from linkaudit.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ainvest-alibaba-ai-chip.txt"
CASSETTE = ROOT / "cassettes" / "ainvest-alibaba-ai-chip.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, fix_allow_private(list(args)), env={"COLUMNS": "80"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    """`text` without rich's box drawing and line breaks (an error panel wraps at 80)."""
    return re.sub(r"[│╭╮╰╯─\s]+", " ", text)


@pytest.fixture(autouse=True)
def _cwd(in_tmp: Path) -> None:
    """Every case runs in an empty directory (no config file, no store found)."""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_crawl_that_reaches_nothing_is_a_run_error() -> None:
    port = _closed_port()
    for extra in ((), ("--allow-private",)):
        code, out, err = run(
            "audit", f"http://127.0.0.1:{port}/", "--crawl", "--no-cache", "--no-history",
            "--archive", "none", "--retries", "0", *extra,
        )
        assert code == ExitCode.RUN_ERROR, out + err
        assert "no page of the site could be fetched" in out
        assert "the crawl reached no page" in err
        assert "no findings" not in err
        refused = not extra  # without --allow-private the address is refused, not robots.txt's
        assert ("disallowed by robots.txt" in flat(out)) is False
        assert ("not fetched: loopback address 127.0.0.1" in flat(out)) is refused
        assert ("--allow-private checks private" in flat(out)) is refused


def test_a_missing_input_beside_a_valid_one_fails_after_the_full_report(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.md"
    good.write_text("A claim [1].\n\n## References\n\n1. https://example.org/a\n")
    code, out, err = run("audit", str(good), str(tmp_path / "missing.md"), "--offline",
                         "--fail-on", "never")
    assert code == ExitCode.RUN_ERROR
    assert "good.md" in out  # the readable input is audited and reported
    assert "missing.md: no such file or folder" in err
    assert "1 input could not be read" in err
    code, out, err = run("audit", str(good), "--offline", "--fail-on", "never")
    assert code == ExitCode.OK


def test_output_to_a_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for flag in (("-o", str(folder)), ("--report", f"json:{folder}")):
        code, out, err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE), *flag)
        assert code == ExitCode.USAGE, err
        assert "is a folder" in flat(err) and "Traceback" not in err
        assert list(folder.iterdir()) == []  # no temp file left behind
    for command in (("extract", str(EXAMPLE)), ("report", "-f", "json")):
        code, _out, err = run(*command, "-o", str(folder))
        assert code == ExitCode.USAGE and "is a folder" in flat(err), err
        assert list(folder.iterdir()) == []


def test_an_unwritable_output_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _out, err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE),
                          "-o", str(blocker / "report.json"), "--format", "json")
    assert code == ExitCode.RUN_ERROR
    assert "cannot write" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_write_baseline_confirms_and_exits_0_then_the_baseline_hides(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, out, _err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE), "--format", "json")
    assert code == ExitCode.FINDINGS
    count = json.loads(out)["summary"]["findings"]
    code, _out, err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE),
                          "--write-baseline", str(baseline))
    assert code == ExitCode.OK, err
    assert f"wrote {baseline}: {count} findings accepted" in flat(err)
    code, out, err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE),
                         "--baseline", str(baseline), "--format", "json")
    assert code == ExitCode.OK
    summary = json.loads(out)["summary"]
    assert summary["findings"] == 0 and summary["hidden"]["baselined"] == count
    code, out, _err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE),
                          "--baseline", str(baseline))
    assert f"{count} findings hidden: {count} by the baseline" in flat(out)


def test_a_sigint_during_extraction_exits_130_without_a_traceback(tmp_path: Path) -> None:
    # Outside the audit's own signal handling (a second Ctrl-C): still 130, never "Aborted!" 1.
    code = (
        "import signal, sys\n"
        "from linkaudit import cli\n"
        "import linkaudit.audit as a\n"
        "def boom(*args, **kwargs):\n"
        "    raise KeyboardInterrupt\n"
        "a.audit = boom\n"
        f"sys.argv = ['linkaudit', 'audit', {str(EXAMPLE)!r}, '--offline']\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == ExitCode.INTERRUPTED, done.stderr
    assert "Traceback" not in done.stderr and "interrupted" in done.stderr


DOC = """---
date: 2025-09-01
---

Sales doubled in the second quarter of 2025 [1]. The plant opened in March 2025 [1].
Nothing here is cited by [7].

## References

1. https://news.example.org/2024/01/15/plant.html
"""


def test_a_baseline_survives_an_edit_above_its_findings(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOC)
    baseline = tmp_path / "baseline.json"
    code, _out, err = run("audit", str(doc), "--offline", "--write-baseline", str(baseline))
    assert code == ExitCode.OK, err
    accepted = json.loads(baseline.read_text())["findings"]
    assert {e["rule"] for e in accepted} >= {"stale-source", "dangling-marker"}
    # Two stale-source findings on one source stay apart (their claims differ).
    assert sum(e["rule"] == "stale-source" for e in accepted) == 2
    doc.write_text(DOC.replace("---\n\n", "---\n\n# A new title\n\nA new paragraph.\n\n", 1))
    code, out, _err = run("audit", str(doc), "--offline", "--baseline", str(baseline),
                          "--format", "json")
    report = json.loads(out)
    assert report["findings"] == []
    assert report["summary"]["hidden"]["baselined"] == len(accepted)
    assert code == ExitCode.OK
    # A new claim on the same source is a new finding, not hidden by the old entries.
    doc.write_text(DOC.replace("Nothing here", "Profits tripled in the third quarter of 2025 [1]."
                               " Nothing here"))
    code, out, _err = run("audit", str(doc), "--offline", "--baseline", str(baseline),
                          "--format", "json")
    new = json.loads(out)["findings"]
    assert [f["rule"] for f in new] == ["stale-source"] and "third quarter" in new[0]["message"]
    assert code == ExitCode.FINDINGS


def test_a_baseline_of_the_line_based_form_still_matches(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOC)
    code, out, _err = run("audit", str(doc), "--offline", "--format", "json")
    findings = json.loads(out)["findings"]
    old = [f"{f['rule']}|{f['document']}|{f['reference'] or ''}|{f['url'] or ''}|{f['line'] or 0}"
           for f in findings]
    baseline = tmp_path / "old.json"
    baseline.write_text(json.dumps(old))
    code, out, _err = run("audit", str(doc), "--offline", "--baseline", str(baseline),
                          "--format", "json")
    assert json.loads(out)["findings"] == [] and code == ExitCode.OK
