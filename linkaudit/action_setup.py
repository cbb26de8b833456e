"""The GitHub Action's install: linkaudit in a virtual environment of its own, pinned and cached.

`action.yml` runs this module twice with the runner's Python (or the one `setup-python` set up
with `update-environment: false` when the `python-version` input is given), so the Python, PATH
and packages of the rest of the user's job are never touched:

    python linkaudit/action_setup.py prepare   # outputs: venv, python, key
    (actions/cache/restore of `venv` under `key`)
    python linkaudit/action_setup.py install   # creates and fills the venv unless restored
    (actions/cache/save when it was not restored)

The environment lives under `$RUNNER_TEMP` (`linkaudit-venv`). Its packages come from
`requirements/action.txt`: every version pinned, every file hash-checked (`--require-hashes`),
no dependency resolved at install time. linkaudit itself is not built or installed: a `.pth`
file puts the action's own checkout (`$GITHUB_ACTION_PATH`) on the environment's path, so the
code that runs is exactly the tagged revision the workflow named, and nothing needs hatchling.

The cache key holds the runner's OS and architecture, the Python's version and path, and the
hash of the lock file; a restored environment whose marker does not match (a different lock, a
broken restore) is rebuilt. This module runs before any dependency exists: it imports only the
standard library (a test runs it with site-packages switched off).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

MIN_PYTHON = (3, 11)
"""The oldest Python linkaudit runs on (`requires-python` in pyproject.toml)."""

VENV_NAME = "linkaudit-venv"
"""The environment's folder under `$RUNNER_TEMP`."""

MARKER = "linkaudit-lock.sha256"
"""A file in the environment holding the hash of the lock it was filled from."""

PTH_NAME = "linkaudit-action.pth"
"""The `.pth` file that puts the action's checkout on the environment's path."""

Run = Callable[[Sequence[str]], int]
"""Runs a command (argv) and returns its exit status; tests inject a fake."""


def _run(argv: Sequence[str]) -> int:
    sys.stdout.flush()
    return subprocess.call(list(argv))


def action_root() -> Path:
    """The action's checkout: `$GITHUB_ACTION_PATH`, else the folder above this package."""
    return Path(__file__).resolve().parent.parent


def lock_file(root: Path) -> Path:
    """The pinned, hashed requirements the environment is filled from."""
    return root / "requirements" / "action.txt"


def venv_dir(env: Mapping[str, str]) -> Path:
    """Where the environment lives: under the runner's temp folder (cleaned after each job)."""
    temp = env.get("RUNNER_TEMP")
    if not temp:
        raise SystemExit("::error title=linkaudit::RUNNER_TEMP is not set (not on a runner?)")
    return Path(temp) / VENV_NAME


def venv_python(venv: Path, windows: bool | None = None) -> Path:
    """The environment's interpreter (`Scripts\\python.exe` on Windows, `bin/python` elsewhere)."""
    windows = (os.name == "nt") if windows is None else windows
    return venv / ("Scripts/python.exe" if windows else "bin/python")


def lock_digest(lock: Path) -> str:
    """SHA-256 of the lock file (the part of the cache key that changes with the pins)."""
    return hashlib.sha256(lock.read_bytes()).hexdigest()


def cache_key(env: Mapping[str, str], lock: Path) -> str:
    """`linkaudit-venv-<os>-<arch>-py<version>-<python path hash>-<lock hash>`."""
    system = env.get("RUNNER_OS", platform.system())
    runner = f"{system}-{env.get('RUNNER_ARCH', platform.machine())}"
    version = ".".join(map(str, sys.version_info[:3]))
    where = hashlib.sha256(sys.executable.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{VENV_NAME}-{runner}-py{version}-{where}-{lock_digest(lock)[:16]}"


def check_python(version: Sequence[int] = tuple(sys.version_info[:3])) -> str | None:
    """Why this Python (`version`) cannot run linkaudit, or None when it can."""
    if tuple(version[:2]) >= MIN_PYTHON:
        return None
    have = ".".join(map(str, version))
    need = ".".join(map(str, MIN_PYTHON))
    return (f"linkaudit needs Python {need} or newer and the runner's python is {have}; "
            f"give the action `python-version: \"3.12\"` (it does not change your job's Python)")


def write_outputs(path: str | None, values: Mapping[str, str]) -> None:
    """Append `name<<DELIM` blocks to `$GITHUB_OUTPUT`, safe for any value (or print them off a
    runner). `linkaudit.action` writes its outputs with this too."""
    if not path:
        for name, value in values.items():
            print(f"{name}={value}")
        return
    delimiter = f"linkaudit_{uuid.uuid4().hex}"
    with open(path, "a", encoding="utf-8") as out:
        for name, value in values.items():
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def prepare(env: Mapping[str, str], root: Path) -> int:
    """Check the Python and write the outputs `venv`, `python` and `key` for the cache steps."""
    problem = check_python()
    if problem:
        print(f"::error title=linkaudit::{problem}")
        return 1
    venv = venv_dir(env)
    write_outputs(env.get("GITHUB_OUTPUT"), {
        "venv": str(venv),
        "python": str(venv_python(venv)),
        "key": cache_key(env, lock_file(root)),
    })
    return 0


def _site_packages(python: Path, run_capture: Callable[[Sequence[str]], str]) -> Path:
    return Path(run_capture([str(python), "-c",
                             "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())


def _capture(argv: Sequence[str]) -> str:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True).stdout


def install(
    env: Mapping[str, str],
    root: Path,
    run: Run = _run,
    run_capture: Callable[[Sequence[str]], str] = _capture,
) -> int:
    """Fill the environment from the lock unless a restored one matches it; then point its
    `.pth` at this checkout (rewritten every run: the action's path changes with its version)."""
    venv = venv_dir(env)
    python = venv_python(venv)
    lock = lock_file(root)
    digest = lock_digest(lock)
    marker = venv / MARKER
    current = marker.is_file() and marker.read_text(encoding="utf-8").strip() == digest
    if current and python.exists():
        print(f"linkaudit: reusing the cached environment {venv}")
    else:
        if venv.exists():
            shutil.rmtree(venv)
        print(f"linkaudit: creating {venv} from {lock.name}")
        if run([sys.executable, "-m", "venv", str(venv)]) != 0:
            print("::error title=linkaudit::could not create a virtual environment "
                  "(on Debian or Ubuntu without python3-venv, give the action a python-version)")
            return 1
        status = run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                      "--no-input", "--quiet", "--require-hashes", "--no-deps",
                      "--only-binary", ":all:", "-r", str(lock)])
        if status != 0:
            print(f"::error title=linkaudit::installing the pinned requirements failed ({status})")
            return 1
        marker.write_text(digest + "\n", encoding="utf-8")
    site = _site_packages(python, run_capture)
    (site / PTH_NAME).write_text(str(root) + "\n", encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python linkaudit/action_setup.py prepare|install` (a file: nothing is installed yet)."""
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ
    root = Path(env["GITHUB_ACTION_PATH"]) if env.get("GITHUB_ACTION_PATH") else action_root()
    # No `match`: an old runner Python must still get as far as `check_python`'s message.
    if args == ["prepare"]:
        return prepare(env, root)
    if args == ["install"]:
        return install(env, root)
    print("usage: python linkaudit/action_setup.py prepare|install", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
