"""The Action's install (`linkaudit/action_setup.py`), run with the environment a runner gives.

Creating the environment and pip are injected fakes here (tests never reach a package index); what
is checked is where the environment goes, what pip is asked for, the cache key, the reuse of a
restored environment and the `.pth` that points at the action's checkout.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from linkaudit import action_setup
from linkaudit.action_setup import cache_key, check_python, install, prepare

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "action.txt"


def parse_outputs(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines) - 1:
        name, delim = lines[i].split("<<", 1)
        end = lines.index(delim, i + 1)
        values[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return values


def runner_env(tmp_path: Path) -> dict[str, str]:
    return {"RUNNER_TEMP": str(tmp_path / "temp"), "GITHUB_OUTPUT": str(tmp_path / "out.txt"),
            "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}


def test_prepare_runs_on_the_standard_library_alone(tmp_path: Path) -> None:
    """It runs before anything is installed: `python -S` (no site-packages) as a plain file."""
    env = {**runner_env(tmp_path), "PATH": "/usr/bin:/bin", "GITHUB_ACTION_PATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-S", str(ROOT / "linkaudit" / "action_setup.py"),
                           "prepare"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    out = parse_outputs(tmp_path / "out.txt")
    assert out["venv"] == str(tmp_path / "temp" / "linkaudit-venv")
    assert out["python"] == str(tmp_path / "temp" / "linkaudit-venv" / "bin" / "python")
    assert out["key"].startswith("linkaudit-venv-Linux-X64-py")


def test_cache_key_follows_the_lock_and_the_runner(tmp_path: Path) -> None:
    lock = tmp_path / "a.txt"
    lock.write_text("x==1 --hash=sha256:00\n", encoding="utf-8")
    env = runner_env(tmp_path)
    first = cache_key(env, lock)
    assert cache_key(env, lock) == first
    lock.write_text("x==2 --hash=sha256:00\n", encoding="utf-8")
    assert cache_key(env, lock) != first
    assert cache_key({**env, "RUNNER_OS": "macOS"}, lock) != cache_key(env, lock)
    assert ".".join(map(str, sys.version_info[:3])) in first


def test_an_old_python_gets_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_python((3, 11, 0)) is None
    problem = check_python((3, 10, 12))
    assert problem is not None and "3.10.12" in problem and "python-version" in problem
    monkeypatch.setattr(action_setup, "check_python", lambda: problem)
    assert prepare(runner_env(tmp_path), ROOT) == 1
    assert capsys.readouterr().out.startswith("::error title=linkaudit::linkaudit needs Python")
    assert not (tmp_path / "out.txt").exists()


class FakeTools:
    """Stands in for `python -m venv` and pip: records the calls and makes the files they would."""

    def __init__(self, tmp_path: Path, pip_status: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.site = tmp_path / "site-packages"
        self.pip_status = pip_status

    def run(self, argv: Sequence[str]) -> int:
        self.calls.append(list(argv))
        if argv[1:3] == ["-m", "venv"]:
            python = Path(argv[3]) / "bin" / "python"
            python.parent.mkdir(parents=True)
            python.write_text("", encoding="utf-8")
            return 0
        return self.pip_status

    def capture(self, argv: Sequence[str]) -> str:
        self.site.mkdir(exist_ok=True)
        return f"{self.site}\n"


def test_install_fills_the_environment_from_the_hashed_lock_only(tmp_path: Path) -> None:
    env = runner_env(tmp_path)
    tools = FakeTools(tmp_path)
    assert install(env, ROOT, tools.run, tools.capture) == 0
    venv = tmp_path / "temp" / "linkaudit-venv"
    (make_venv, pip) = tools.calls
    assert make_venv == [sys.executable, "-m", "venv", str(venv)]
    assert pip[0] == str(venv / "bin" / "python")
    assert {"--require-hashes", "--no-deps", "--only-binary"} <= set(pip)
    assert pip[pip.index("-r") + 1] == str(LOCK)
    assert (tools.site / "linkaudit-action.pth").read_text(encoding="utf-8") == f"{ROOT}\n"


def test_a_restored_environment_is_reused_and_repointed(tmp_path: Path) -> None:
    env = runner_env(tmp_path)
    install(env, ROOT, FakeTools(tmp_path).run, FakeTools(tmp_path).capture)
    other_checkout = tmp_path / "actions" / "v0.1.0"
    (other_checkout / "requirements").mkdir(parents=True)
    (other_checkout / "requirements" / "action.txt").write_bytes(LOCK.read_bytes())
    tools = FakeTools(tmp_path)
    assert install(env, other_checkout, tools.run, tools.capture) == 0
    assert tools.calls == []  # same lock: nothing created, nothing downloaded
    pth = tools.site / "linkaudit-action.pth"
    assert pth.read_text(encoding="utf-8") == f"{other_checkout}\n"


def test_a_stale_environment_is_rebuilt(tmp_path: Path) -> None:
    env = runner_env(tmp_path)
    install(env, ROOT, FakeTools(tmp_path).run, FakeTools(tmp_path).capture)
    venv = tmp_path / "temp" / "linkaudit-venv"
    (venv / "leftover").write_text("old", encoding="utf-8")
    (venv / "linkaudit-lock.sha256").write_text("0" * 64, encoding="utf-8")
    tools = FakeTools(tmp_path)
    assert install(env, ROOT, tools.run, tools.capture) == 0
    assert len(tools.calls) == 2 and not (venv / "leftover").exists()


def test_a_failed_pip_fails_the_step_and_is_not_marked_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = runner_env(tmp_path)
    tools = FakeTools(tmp_path, pip_status=1)
    assert install(env, ROOT, tools.run, tools.capture) == 1
    assert "::error title=linkaudit::installing the pinned requirements failed" in (
        capsys.readouterr().out
    )
    assert not (tmp_path / "temp" / "linkaudit-venv" / "linkaudit-lock.sha256").exists()


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    """requirements/action.txt cannot drift from pyproject.toml: every dependency is pinned to a
    version its specifier accepts, and every pin carries hashes."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    text = LOCK.read_text(encoding="utf-8")
    pins: dict[str, list[Version]] = {}
    for entry in re.split(r"\n(?=\S)", text):
        if entry.startswith("#") or not entry.strip():
            continue
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", entry)
        assert match, entry[:80]
        assert "--hash=sha256:" in entry, match.group(1)
        pins.setdefault(canonicalize_name(match.group(1)), []).append(Version(match.group(2)))
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not pinned in {LOCK.name}"
        assert all(requirement.specifier.contains(v) for v in versions), spec
