"""The Action's script, run with the environment GitHub would give it.

The audit itself is a fake runner (injected) that writes the reports the real CLI would write, so
these tests check what the action does with inputs and outputs, not the audit. One end-to-end test
runs the real CLI and is skipped until `linkaudit audit` accepts `--report`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from linkaudit.action import build_argv, run_action, select_changed, split_paths
from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import AuditResult, DocFormat, Document, Finding, Reference, Severity
from linkaudit.report import OutputFormat, render

ROOT = Path(__file__).resolve().parents[2]


def tiny_result() -> AuditResult:
    doc = Document("docs/a.md", DocFormat.MARKDOWN, "x [1]\n\n[1] https://e.example/x\n",
                   references=(Reference("1", "https://e.example/x", "https://e.example/x",
                                         3, 1, "[1]"),))
    return AuditResult(
        documents=(doc,),
        findings=(
            Finding("dead", Severity.ERROR, "docs/a.md", "gone, 50% sure\nreally", "1",
                    "https://e.example/x", 3, 5, fix="https://web.archive.org/web/2025/x"),
            Finding("unarchived", Severity.INFO, "docs/a.md", "never archived", "1", line=3),
        ),
    )


class FakeAudit:
    """Stands in for `linkaudit`: records the call, writes `--report` files, prints annotations."""

    def __init__(self, status: int = 1) -> None:
        self.status = status
        self.calls: list[tuple[list[str], dict[str, str]]] = []

    def __call__(self, argv: list[str], env: Mapping[str, str], cwd: Path) -> int:
        self.calls.append((argv, dict(env)))
        result = tiny_result()
        before = argv[: argv.index("--")]
        for i, arg in enumerate(before):
            if arg == "--report":
                fmt, _, path = before[i + 1].partition(":")
                text = render(result, OutputFormat(fmt), ReportConfig(), RulesConfig())
                (cwd / path).write_text(text, "utf-8")
        if "--format" in before:
            fmt = OutputFormat(before[before.index("--format") + 1])
            print(render(result, fmt, ReportConfig(), RulesConfig()), end="")
        return self.status


def github_env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    env = {
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_WORKSPACE": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "PATH": "/usr/bin:/bin",
    }
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env


def outputs(path: Path) -> dict[str, str]:
    """Parse `name<<DELIM ... DELIM` blocks of $GITHUB_OUTPUT."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if "<<" in lines[i]:
            name, delim = lines[i].split("<<", 1)
            j = lines.index(delim, i + 1)
            values[name] = "\n".join(lines[i + 1 : j])
            i = j
        i += 1
    return values


def test_inputs_become_flags_and_results_become_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif = tmp_path / "out.sarif"
    env = github_env(tmp_path, paths="docs 'my notes/x.md'\n-weird.md", args="--archive all",
                     fail_on="warning", sarif=str(sarif), token="ghs_secret", changed_only="false")
    fake = FakeAudit(status=1)
    assert run_action(env, runner=fake, cwd=tmp_path) == 1
    (argv, child_env), = fake.calls
    temp = tmp_path / "runner-temp"
    assert argv == [
        "audit", "--archive", "all", "--fail-on", "warning", "--format", "github",
        "--report", f"markdown:{temp / 'linkaudit-summary.md'}",
        "--report", f"json:{temp / 'linkaudit.json'}", "--report", f"sarif:{sarif}",
        "--", "docs", "my notes/x.md", "-weird.md",
    ]
    assert child_env["LINKAUDIT_GITHUB_TOKEN"] == "ghs_secret"
    assert "ghs_secret" not in " ".join(argv)
    assert not any(k.startswith("INPUT_") for k in child_env)
    out = outputs(tmp_path / "output.txt")
    assert out == {"findings": "2", "exit-code": "1", "report": str(temp / "linkaudit.json"),
                   "sarif-file": str(sarif)}
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## linkaudit") and "dead" in summary
    stdout = capsys.readouterr().out
    expected = "::error file=docs/a.md,line=3,col=5,title=linkaudit dead [1]::gone, 50%25 sure"
    assert expected + "%0Areally" in stdout
    assert "::notice file=docs/a.md,line=3," in stdout
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_defaults_audit_the_whole_workspace(tmp_path: Path) -> None:
    fake = FakeAudit(status=0)
    assert run_action(github_env(tmp_path), runner=fake, cwd=tmp_path) == 0
    argv = fake.calls[0][0]
    assert argv[-2:] == ["--", "."] and "--fail-on" not in argv and "sarif:" not in " ".join(argv)
    assert outputs(tmp_path / "output.txt")["exit-code"] == "0"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
         *args], cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture
def pr_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with a base commit and a pull request commit, and the event file."""
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for name in ("docs/a.md", "docs/b.md", "README.md", "docs/keep.md"):
        (repo / name).write_text(f"{name}\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "pr")
    (repo / "docs/a.md").write_text("changed\n", encoding="utf-8")
    (repo / "docs/c.txt").write_text("new\n", encoding="utf-8")
    (repo / "README.md").write_text("changed too\n", encoding="utf-8")
    (repo / "tool.py").write_text("print()\n", encoding="utf-8")
    (repo / "docs/b.md").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pr")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}}}), encoding="utf-8")
    return repo, event


def test_changed_only_audits_the_changed_documents_below_paths(
    tmp_path: Path, pr_repo: tuple[Path, Path]
) -> None:
    repo, event = pr_repo
    env = github_env(tmp_path, paths="docs", changed_only="true")
    env["GITHUB_EVENT_PATH"] = str(event)
    fake = FakeAudit(status=1)
    assert run_action(env, runner=fake, cwd=repo) == 1
    argv = fake.calls[0][0]
    assert argv[argv.index("--") + 1 :] == ["docs/a.md", "docs/c.txt"]
    env["INPUT_PATHS"] = "."
    fake = FakeAudit(status=0)
    run_action(env, runner=fake, cwd=repo)
    argv = fake.calls[0][0]
    assert sorted(argv[argv.index("--") + 1 :]) == ["README.md", "docs/a.md", "docs/c.txt"]


def test_changed_only_with_no_changed_documents_skips_the_audit(
    tmp_path: Path, pr_repo: tuple[Path, Path]
) -> None:
    repo, event = pr_repo
    env = github_env(tmp_path, paths="elsewhere", changed_only="true")
    env["GITHUB_EVENT_PATH"] = str(event)
    fake = FakeAudit()
    assert run_action(env, runner=fake, cwd=repo) == 0
    assert fake.calls == []
    assert "No changed documents" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert outputs(tmp_path / "output.txt")["findings"] == "0"


def test_changed_only_outside_a_pull_request_audits_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "push.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")
    env = github_env(tmp_path, paths="docs", changed_only="true")
    env["GITHUB_EVENT_PATH"] = str(event)
    fake = FakeAudit(status=0)
    run_action(env, runner=fake, cwd=tmp_path)
    assert fake.calls[0][0][-2:] == ["--", "docs"]
    assert "::notice title=linkaudit::changed-only applies to pull requests" in (
        capsys.readouterr().out)


def test_changed_only_without_history_is_a_run_error(tmp_path: Path) -> None:
    repo = tmp_path / "shallow"
    repo.mkdir()
    git(repo, "init", "-q")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": "0" * 40}}}), encoding="utf-8")
    env = github_env(tmp_path, changed_only="true")
    env["GITHUB_EVENT_PATH"] = str(event)
    fake = FakeAudit()
    assert run_action(env, runner=fake, cwd=repo) == 3 and fake.calls == []
    assert outputs(tmp_path / "output.txt")["exit-code"] == "3"


def test_small_pieces() -> None:
    assert split_paths("a b\n'c d'") == ["a", "b", "c d"]
    assert split_paths("  ") == []
    assert select_changed(["docs/x.MD", "docsy/y.md", "docs/z.py", "docs/w.html"], ["docs/"]) == [
        "docs/x.MD", "docs/w.html"]
    argv = build_argv("--offline", "", ["-x"], Path("s.md"), Path("r.json"), "")
    assert argv[-2:] == ["--", "-x"] and "--fail-on" not in argv


def _cli_has_reports() -> bool:
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "linkaudit", "audit", "--help"],
            capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and "--report" in completed.stdout


def test_end_to_end_with_the_real_cli(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    if not _cli_has_reports():
        pytest.skip("linkaudit.cli has no `audit --report` yet")
    article = tmp_path / "article.txt"
    article.write_text((ROOT / "examples" / "ainvest-alibaba-ai-chip.txt").read_text("utf-8"),
                       encoding="utf-8")
    env = github_env(tmp_path, paths="article.txt", args="--offline --no-history --no-cache",
                     fail_on="never", sarif=str(tmp_path / "out.sarif"))
    env["PYTHONPATH"] = str(ROOT)
    status = run_action(env, cwd=tmp_path)
    out = outputs(tmp_path / "output.txt")
    assert status == 0 and out["exit-code"] == "0"
    report = json.loads(Path(out["report"]).read_text(encoding="utf-8"))
    assert report["schema"] == "linkaudit.audit/1"
    assert int(out["findings"]) == len(report["findings"])
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("## linkaudit")


def test_a_failed_run_does_not_republish_an_earlier_steps_files(tmp_path: Path) -> None:
    """RUNNER_TEMP lasts the whole job: a second run that fails before writing its files must not
    pass the first run's summary and counts off as its own."""
    env = github_env(tmp_path)
    temp = Path(env["RUNNER_TEMP"])
    temp.mkdir(parents=True)
    (temp / "linkaudit-summary.md").write_text("## old summary\n")
    (temp / "linkaudit.json").write_text('{"findings": [1, 2, 3, 4, 5, 6, 7]}')

    def fails_early(argv: list[str], env: Mapping[str, str], cwd: Path) -> int:
        return 2

    assert run_action(env, runner=fails_early, cwd=tmp_path) == 2
    out = outputs(Path(env["GITHUB_OUTPUT"]))
    assert out["findings"] == "0" and out["report"] == "" and out["exit-code"] == "2"
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    assert not summary.exists() or "old summary" not in summary.read_text()
