"""The GitHub Action's logic: the action's inputs become one `linkaudit audit` run, and its results
become what GitHub shows (annotations, a job summary, step outputs).

`action.yml` passes every input through an environment variable (`INPUT_PATHS`, `INPUT_ARGS`,
`INPUT_FAIL_ON`, `INPUT_CHANGED_ONLY`, `INPUT_SARIF`, `INPUT_TOKEN`; never `${{ inputs.x }}`
inside a script) and runs `python -m linkaudit.action`. This module only converts variables into
flags (gh-action-pip-audit and zizmor-action do the same):

    linkaudit audit <args...> --fail-on F --format github
        --report markdown:<tmp>/summary.md --report json:<tmp>/linkaudit.json
        [--report sarif:<sarif>] -- <paths...>

The annotations go to stdout (the runner turns `::error ...` lines into annotations), the Markdown
is appended to `$GITHUB_STEP_SUMMARY`, and `findings`, `exit-code` and `report` (the JSON report's
path) to `$GITHUB_OUTPUT` (with `sarif-file` when asked). With `changed-only`, the documents are
the files the pull request changed (`git diff --name-only <base>...HEAD`; the checkout needs
`fetch-depth: 0`). The token reaches the audit as `LINKAUDIT_GITHUB_TOKEN` in its environment,
never on the command line. The step's exit status is the audit's (0 ok, 1 findings at or above
fail-on, 2 usage, 3 run error).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from linkaudit.action_setup import write_outputs
from linkaudit.errors import ExitCode

DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
"""Files `changed-only` considers documents."""

Runner = Callable[[list[str], Mapping[str, str], Path], int]
"""Runs `linkaudit <argv...>` with the environment and working directory given; returns its exit
status."""


def subprocess_runner(argv: list[str], env: Mapping[str, str], cwd: Path) -> int:
    """Run `python -m linkaudit <argv...>` as a child process (its stdout is the step's stdout)."""
    sys.stdout.flush()
    return subprocess.call([sys.executable, "-m", "linkaudit", *argv], env=dict(env), cwd=cwd)


def _input(env: Mapping[str, str], name: str, default: str = "") -> str:
    """An input as the runner or `action.yml` exports it (`INPUT_FAIL_ON` or `INPUT_FAIL-ON`)."""
    for key in (f"INPUT_{name.upper().replace('-', '_')}", f"INPUT_{name.upper()}"):
        if key in env:
            return env[key].strip()
    return default


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def split_paths(text: str) -> list[str]:
    """The `paths` input: whitespace- or newline-separated, shell quoting honoured."""
    return shlex.split(text) if text.strip() else []


def changed_files(base: str, cwd: Path) -> list[str]:
    """Files changed between the merge base of `base` and HEAD (deleted files left out)."""
    out = subprocess.run(
        ["git", "diff", "--name-only", "--diff-filter=d", "-z", f"{base}...HEAD"],
        cwd=cwd,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    return [name for name in out.split("\0") if name]


def _within(name: str, roots: Sequence[str]) -> bool:
    if not roots:
        return True
    path = PurePosixPath(name)
    for root in roots:
        clean = PurePosixPath(root.rstrip("/") or ".")
        if str(clean) == "." or path == clean or clean in path.parents:
            return True
    return False


def select_changed(changed: Sequence[str], roots: Sequence[str]) -> list[str]:
    """The changed files that are documents below one of `roots` (all documents when none)."""
    return [n for n in changed if n.lower().endswith(DOCUMENT_SUFFIXES) and _within(n, roots)]


def pull_request_base(event_path: str | None) -> str | None:
    """The base commit of the pull request of this event, or None when it is not one."""
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    base = pr.get("base", {}).get("sha") if isinstance(pr, dict) else None
    return base if isinstance(base, str) and base else None


def build_argv(
    args: str, fail_on: str, paths: Sequence[str], summary: Path, report: Path, sarif: str
) -> list[str]:
    """The `linkaudit` argv: user args first, the action's flags, then `--` and the paths (so a
    path starting with `-` is never read as a flag)."""
    argv = ["audit", *shlex.split(args)]
    if fail_on:
        argv += ["--fail-on", fail_on]
    argv += ["--format", "github", "--report", f"markdown:{summary}", "--report", f"json:{report}"]
    if sarif:
        argv += ["--report", f"sarif:{sarif}"]
    return [*argv, "--", *paths]


def _append(path: str | None, text: str) -> None:
    if path and text:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text if text.endswith("\n") else text + "\n")


def _count_findings(report: Path) -> int:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        return int(data["summary"]["findings"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def run_action(
    environ: Mapping[str, str] | None = None,
    runner: Runner = subprocess_runner,
    cwd: Path | None = None,
) -> int:
    """Run the action as GitHub would (environment variables in, files and exit status out)."""
    env = dict(os.environ if environ is None else environ)
    cwd = cwd or Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    temp = Path(env.get("RUNNER_TEMP") or tempfile.mkdtemp(prefix="linkaudit-"))
    temp.mkdir(parents=True, exist_ok=True)
    summary = temp / "linkaudit-summary.md"
    report = temp / "linkaudit.json"
    sarif = _input(env, "sarif")
    paths = split_paths(_input(env, "paths")) or ["."]

    if _truthy(_input(env, "changed-only", "false")):
        base = pull_request_base(env.get("GITHUB_EVENT_PATH"))
        if base is None:
            print("::notice title=linkaudit::changed-only applies to pull requests; "
                  "auditing every path")
        else:
            try:
                changed = changed_files(base, cwd)
            except (OSError, subprocess.CalledProcessError) as exc:
                print(f"::error title=linkaudit::cannot list changed files against {base}: {exc}"
                      " (check out with fetch-depth: 0)")
                write_outputs(env.get("GITHUB_OUTPUT"),
                               {"findings": "0", "exit-code": str(int(ExitCode.RUN_ERROR)),
                                "report": "", "sarif-file": ""})
                return int(ExitCode.RUN_ERROR)
            selected = select_changed(changed, [p for p in paths if p != "."])
            if not selected:
                _append(env.get("GITHUB_STEP_SUMMARY"),
                        "## linkaudit\n\nNo changed documents to audit.\n")
                write_outputs(env.get("GITHUB_OUTPUT"),
                               {"findings": "0", "exit-code": "0", "report": "", "sarif-file": ""})
                return int(ExitCode.OK)
            paths = selected

    child_env = dict(env)
    token = _input(env, "token")
    if token:
        child_env["LINKAUDIT_GITHUB_TOKEN"] = token
    # NOTE: the inputs must not leak into the child as if they were the child's own inputs.
    for key in [k for k in child_env if k.startswith("INPUT_")]:
        del child_env[key]
    argv = build_argv(_input(env, "args"), _input(env, "fail-on"), paths, summary, report, sarif)
    # RUNNER_TEMP lasts the whole job: files of an earlier step must not pass for this run's
    # (a run that fails before writing them would republish the old summary and counts).
    for stale in (summary, report):
        stale.unlink(missing_ok=True)
    status = runner(argv, child_env, cwd)

    if summary.is_file():
        _append(env.get("GITHUB_STEP_SUMMARY"), summary.read_text(encoding="utf-8"))
    write_outputs(
        env.get("GITHUB_OUTPUT"),
        {
            "findings": str(_count_findings(report)),
            "exit-code": str(status),
            "report": str(report) if report.is_file() else "",
            "sarif-file": sarif if sarif and Path(cwd, sarif).is_file() else "",
        },
    )
    return status


def main() -> None:
    """`python -m linkaudit.action`."""
    sys.exit(run_action())


if __name__ == "__main__":
    main()
