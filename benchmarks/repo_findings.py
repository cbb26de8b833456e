"""The findings `linkaudit audit --offline` raises on real documentation repositories.

Usage: `python benchmarks/repo_findings.py CHECKOUT [CHECKOUT ...] [--severity error] [--limit N]
[--fallback-extensions md]`

Each CHECKOUT is a folder holding a repository's files (a clone, or an export of a snapshot);
nothing is fetched and nothing of it is kept. The script runs the audit once per checkout, from
its root (as `cd CHECKOUT && linkaudit audit . --offline` would), offline
(what the pre-commit hook and a pull-request gate without network do), and prints a Markdown
report: the documents, references and citations read, the findings by rule and severity, and every
finding at `--severity` or above (default: error), one line each, with the evidence a person needs
to judge it by hand (the marker and its claim, the URL, the reference's text). Judging them is the
point: a finding that is not a real problem in the document is a false error.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path
from typing import Any

from linkaudit.audit import audit
from linkaudit.config import AuditConfig
from linkaudit.local.checker import parse_extensions
from linkaudit.model import AuditResult, Finding, Severity


def _evidence(finding: Finding) -> str:
    evidence: dict[str, Any] = dict(finding.evidence)
    parts = []
    for key in ("marker", "claim", "url", "error", "reference_text", "known_references"):
        value = evidence.get(key)
        if value:
            text = str(value if not isinstance(value, list) else value[:12])
            parts.append(f"{key}: {text[:140]}")
    return "; ".join(parts)


def report(
    folder: Path, result: AuditResult, floor: Severity, elapsed: float, limit: int
) -> list[str]:
    """The Markdown section of one checkout."""
    docs = result.documents
    lines = [
        f"## {folder.name}",
        "",
        f"{len(docs)} documents, {sum(len(d.references) for d in docs)} references, "
        f"{sum(len(d.citations) for d in docs)} citations, "
        f"{sum(len(d.links) for d in docs)} other links; {elapsed:.1f} s",
        "",
        "| rule | severity | findings |",
        "|---|---|---|",
    ]
    counts = collections.Counter((f.rule, f.severity) for f in result.findings)
    for (rule, severity), count in sorted(counts.items(), key=lambda x: (-x[0][1], x[0][0])):
        lines.append(f"| {rule} | {severity.label} | {count} |")
    shown = [f for f in result.findings if f.severity >= floor]
    lines += ["", f"### {len(shown)} findings at {floor.label} or above", ""]
    root = "."
    per_rule: collections.Counter[str] = collections.Counter()
    for f in shown:
        per_rule[f.rule] += 1
        if per_rule[f.rule] > limit:
            continue
        where = f.document.removeprefix(root).lstrip("/")
        lines.append(
            f"- `{where}:{f.line or 0}:{f.column or 0}` {f.rule}: {f.message} -- {_evidence(f)}"
        )
    for rule, count in per_rule.items():
        if count > limit:
            lines.append(f"- ... and {count - limit} more {rule} findings")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--severity", default="error", choices=["error", "warning", "info"])
    parser.add_argument("--limit", type=int, default=1000, help="most findings listed per rule")
    parser.add_argument("--fallback-extensions", default="", metavar="EXT,...",
                        help="as the audit's flag: read page-name links (a wiki's) as pages")
    args = parser.parse_args()
    floor = Severity.parse(args.severity)
    fallback = parse_extensions([args.fallback_extensions])
    out = ["# Offline audit of documentation repositories", ""]
    for folder in args.checkouts:
        if not folder.is_dir():
            sys.exit(f"{folder}: not a folder")
        started = time.monotonic()
        # From the checkout's root, as a docs team runs it (`cd repo && linkaudit audit .`):
        # root-relative links (`/guides/x.md`) resolve there, and `..` cannot leave it.
        here = Path.cwd()
        os.chdir(folder)
        try:
            result = audit(["."], AuditConfig.build(offline=True, history=False, cache=False,
                                              fallback_extensions=fallback))
        finally:
            os.chdir(here)
        out += report(folder, result, floor, time.monotonic() - started, args.limit) + [""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
