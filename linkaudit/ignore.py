"""Accepted findings: inline ignore comments in documents, and the baseline file.

Inline comments (HTML comments work in Markdown and HTML; in plain text the bare words work too):

- `<!-- linkaudit-ignore -->` ignores findings on its own line and on the next line;
- `<!-- linkaudit-ignore-start -->` ... `<!-- linkaudit-ignore-end -->` ignores every line between
  (an unclosed start runs to the end of the document);
- `<!-- linkaudit-ignore dead, stale-source -->` (any of the forms) limits it to those rules.

A finding is ignored when its line is ignored, or when it is about a reference whose entry line is
ignored: an ignore comment above `[5] https://...` silences everything about reference 5, wherever
its citations stand. Findings without a line (document-level) are never ignored inline.

The baseline (`--baseline FILE`) is a JSON file of accepted findings identified by
`Finding.fingerprint` (rule, document, reference, URL and a hash of the claim's words, never the
line: an edit above a finding leaves it accepted; the URL redacted, see `safe_fingerprint`), each
entry with its rule, document, reference, URL and claim for the humans who review it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from linkaudit.atomicfile import write_atomic
from linkaudit.errors import ConfigError
from linkaudit.model import Document, Finding
from linkaudit.urls import redact_url

BASELINE_SCHEMA = "linkaudit.baseline/1"
"""The `schema` value of a baseline file."""

# The comment form may name rules; the bare words of plain text may not (the words after them are
# prose, not rule ids). The comment's end (`-->`) is found with `str.find` and its rule list is
# checked in Python, not by one regex: a lazy rule list followed by `\s*-->` backtracks
# quadratically on a long run of spaces with no `-->` (a hostile document).
_COMMENT_OPEN = re.compile(
    r"<!--\s*linkaudit-ignore(?P<kind>-start|-end)?(?!\w|-(?!->))", re.IGNORECASE
)
_RULE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789, \t-")
_BARE = re.compile(r"(?<![\w-])linkaudit-ignore(?P<kind>-start|-end)?(?![\w-])", re.IGNORECASE)
_ALL: frozenset[str] = frozenset({"*"})


def safe_fingerprint(finding: Finding) -> str:
    """`Finding.fingerprint` with its URL redacted (`redact_url`), as baselines and reports store
    it: a token in a query string must not end up in a committed baseline file. Identical to
    `Finding.fingerprint` for URLs without secrets."""
    if not finding.url:
        return finding.fingerprint
    return finding.fingerprint.replace(f"|{finding.url}|", f"|{redact_url(finding.url)}|", 1)


def _legacy_prints(finding: Finding) -> tuple[str, str]:
    """The line-based identities of baselines written by earlier versions (plain and redacted)."""
    legacy = finding.legacy_fingerprint
    if not finding.url:
        return legacy, legacy
    return legacy, legacy.replace(f"|{finding.url}|", f"|{redact_url(finding.url)}|", 1)


def ignored_lines(text: str) -> dict[int, frozenset[str]]:
    """1-based line -> the rule ids ignored there (`{"*"}` for every rule)."""
    lines = text.split("\n")
    out: dict[int, frozenset[str]] = {}

    def add(line: int, rules: frozenset[str]) -> None:
        if 1 <= line <= len(lines):
            current = out.get(line, frozenset())
            out[line] = _ALL if "*" in current or "*" in rules else current | rules

    block: frozenset[str] | None = None
    for number, line in enumerate(lines, start=1):
        if block is not None:
            add(number, block)
        comments = _comments(line)
        rest = line
        for start, end, _kind, _rules in reversed(comments):
            rest = rest[:start] + " " + rest[end:]
        marks = comments + [(m.start(), m.end(), m.group("kind"), "") for m in _BARE.finditer(rest)]
        for _start, _end, found_kind, found_rules in marks:
            named = frozenset(r for r in re.split(r"[\s,]+", found_rules.lower()) if r)
            rules = named or _ALL
            kind = (found_kind or "").lower()
            if kind == "-start":
                block = rules
                add(number, rules)
            elif kind == "-end":
                block = None
            else:
                add(number, rules)
                add(number + 1, rules)
    return out


def _comments(line: str) -> list[tuple[int, int, str | None, str]]:
    """The `<!-- linkaudit-ignore[-start|-end] [rules] -->` comments of a line, in linear time:
    (start, end, kind, rule list as written)."""
    out: list[tuple[int, int, str | None, str]] = []
    for match in _COMMENT_OPEN.finditer(line):
        close = line.find("-->", match.end())
        if close < 0:
            continue
        inner = line[match.end() : close]
        rules = inner.lstrip(" \t:")
        if rules.strip() and (
            len(rules) == len(inner)  # no separator between the keyword and the rules
            or not rules[0].isalnum()
            or not set(rules.lower()) <= _RULE_CHARS
        ):
            continue
        out.append((match.start(), close + 3, match.group("kind"), rules.strip()))
    return out


def _covers(rules: frozenset[str] | None, rule: str) -> bool:
    return rules is not None and ("*" in rules or rule in rules)


def apply_ignores(
    findings: Iterable[Finding], documents: Iterable[Document]
) -> tuple[tuple[Finding, ...], int]:
    """The findings not ignored by inline comments, and how many were ignored."""
    by_doc: dict[str, dict[int, frozenset[str]]] = {}
    ref_lines: dict[tuple[str, str], int] = {}
    for doc in documents:
        if "linkaudit-ignore" not in doc.text.lower():
            continue
        by_doc[doc.origin] = ignored_lines(doc.text)
        for ref in doc.references:
            ref_lines[(doc.origin, ref.id)] = ref.line
    kept: list[Finding] = []
    ignored = 0
    for f in findings:
        lines = by_doc.get(f.document)
        hit = False
        if lines:
            if f.line is not None:
                hit = _covers(lines.get(f.line), f.rule)
            if not hit and f.reference is not None:
                ref_line = ref_lines.get((f.document, f.reference))
                hit = ref_line is not None and _covers(lines.get(ref_line), f.rule)
        if hit:
            ignored += 1
        else:
            kept.append(f)
    return tuple(kept), ignored


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints of a baseline file (the object `write_baseline` writes, or a bare list of
    fingerprint strings or entries). Raises `ConfigError` naming the file when it is unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found",
                          "create it with `linkaudit audit --write-baseline FILE`") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: baseline is not valid JSON: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: baseline must hold a list of findings")
    prints: set[str] = set()
    for i, entry in enumerate(entries):
        value = entry.get("fingerprint") if isinstance(entry, dict) else entry
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: baseline entry {i + 1} has no fingerprint")
        prints.add(value)
    return frozenset(prints)


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Write every finding to a baseline file (sorted, so that it diffs well), atomically; returns
    the count. Raises `OutputError` naming the file."""
    entries = {
        safe_fingerprint(f): {
            "fingerprint": safe_fingerprint(f),
            "rule": f.rule,
            "document": f.document,
            "reference": f.reference,
            "url": redact_url(f.url) if f.url else None,
            "claim": " ".join(f.claim.split())[:300] if f.claim else None,
            "message": f.message,
        }
        for f in findings
    }
    body = {"schema": BASELINE_SCHEMA, "findings": [entries[k] for k in sorted(entries)]}
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, lambda fh: fh.write(text))  # an older baseline stays whole on a failure
    return len(entries)


def filter_baseline(findings: Iterable[Finding], baseline: frozenset[str]) -> tuple[Finding, ...]:
    """The findings not in `baseline` (the accepted count is the difference in length). A
    baseline entry of an earlier version (line-based) still matches its finding."""
    return tuple(
        f
        for f in findings
        if f.fingerprint not in baseline
        and safe_fingerprint(f) not in baseline
        and not any(p in baseline for p in _legacy_prints(f))
    )
