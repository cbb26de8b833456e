"""Inline ignore comments and the baseline file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkaudit.errors import ConfigError, OutputError
from linkaudit.ignore import (
    apply_ignores,
    filter_baseline,
    ignored_lines,
    load_baseline,
    write_baseline,
)
from linkaudit.model import DocFormat, Document, Finding, Reference, Severity

TEXT = """# Title
<!-- linkaudit-ignore -->
Claim one [1].
Claim two [2]. <!-- linkaudit-ignore stale-source -->
Claim three [3].
<!-- linkaudit-ignore-start -->
Claim four [4].
Claim five [5].
<!-- linkaudit-ignore-end -->
Claim six [6], mentioning linkaudit-ignored-words only.

<!-- linkaudit-ignore -->
[7] https://example.com/seven
[8] https://example.com/eight
"""


def doc(text: str = TEXT) -> Document:
    refs = (
        Reference("7", "https://example.com/seven", "https://example.com/seven", 13, 1, "[7]"),
        Reference("8", "https://example.com/eight", "https://example.com/eight", 14, 1, "[8]"),
    )
    return Document("a.md", DocFormat.MARKDOWN, text, references=refs)


def finding(rule: str, line: int | None, ref: str | None = None, document: str = "a.md") -> Finding:
    return Finding(rule, Severity.ERROR, document, "m", reference=ref, line=line)


def test_ignored_lines() -> None:
    lines = ignored_lines(TEXT)
    assert lines[2] == lines[3] == frozenset({"*"})
    assert lines[4] == lines[5] == frozenset({"stale-source"})
    assert all(lines[n] == frozenset({"*"}) for n in (6, 7, 8, 9))
    assert 10 not in lines and 11 not in lines and 1 not in lines


def test_plain_text_words_work_and_take_no_rule_list() -> None:
    lines = ignored_lines("a\nlinkaudit-ignore the next line\nb\nlinkaudit-ignore-start\nc\n")
    assert lines[2] == lines[3] == frozenset({"*"})
    assert lines[4] == lines[5] == frozenset({"*"})  # unclosed block runs to the end


def test_apply_ignores() -> None:
    findings = (
        finding("dead", 3, "1"),            # next line after the comment: ignored
        finding("dead", 4, "2"),            # the comment names only stale-source: kept
        finding("stale-source", 4, "2"),    # ignored
        finding("stale-source", 5, "3"),    # the line after a named comment: ignored
        finding("dead", 7, "4"),            # inside the block: ignored
        finding("dead", 10, "6"),           # `linkaudit-ignored-words` is not a directive: kept
        finding("dead", 1, "7"),            # about reference 7, whose entry line is ignored
        finding("dead", 1, "8"),            # reference 8's line is not ignored: kept
        finding("dead", None),              # document-level: kept
        finding("dead", 3, "1", document="other.md"),  # another document: kept
    )
    kept, ignored = apply_ignores(findings, [doc()])
    assert ignored == 5
    assert [(f.rule, f.line, f.reference) for f in kept] == [
        ("dead", 4, "2"), ("dead", 10, "6"), ("dead", 1, "8"), ("dead", None, None),
        ("dead", 3, "1"),
    ]


def test_apply_ignores_without_comments_keeps_everything() -> None:
    findings = (finding("dead", 3, "1"),)
    assert apply_ignores(findings, [doc("no comments here\n")]) == (findings, 0)


def test_baseline_round_trip(tmp_path: Path) -> None:
    accepted = (finding("dead", 3, "1"), finding("stale-source", 5, "3"))
    path = tmp_path / "sub" / "baseline.json"
    assert write_baseline(path, accepted) == 2
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == "linkaudit.baseline/1"
    assert {e["rule"] for e in data["findings"]} == {"dead", "stale-source"}
    baseline = load_baseline(path)
    later = (*accepted, finding("dead", 9, "4"))
    kept = filter_baseline(later, baseline)
    assert [f.line for f in kept] == [9]


def test_baseline_accepts_a_bare_list(tmp_path: Path) -> None:
    f = finding("dead", 3, "1")
    path = tmp_path / "b.json"
    path.write_text(json.dumps([f.fingerprint, {"fingerprint": "x|y||||0"}]), encoding="utf-8")
    assert load_baseline(path) == frozenset({f.fingerprint, "x|y||||0"})


@pytest.mark.parametrize(
    ("content", "needle"),
    [("{not json", "not valid JSON"), ('{"findings": 3}', "list of findings"),
     ('[{"rule": "dead"}]', "entry 1 has no fingerprint")],
)
def test_bad_baselines_name_the_file(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle) as info:
        load_baseline(path)
    assert str(path) in str(info.value)
    with pytest.raises(ConfigError, match="not found"):
        load_baseline(tmp_path / "missing.json")


def test_baseline_never_stores_url_secrets(tmp_path: Path) -> None:
    f = Finding("dead", Severity.ERROR, "a.md", "m", "1", "https://x.example/p?token=s3cr3t", 3)
    path = tmp_path / "b.json"
    write_baseline(path, [f])
    assert "s3cr3t" not in path.read_text(encoding="utf-8")
    assert filter_baseline((f,), load_baseline(path)) == ()


def test_comment_without_spaces_is_recognised() -> None:
    every = frozenset({"*"})
    assert ignored_lines("a\n<!--linkaudit-ignore-->\nb") == {2: every, 3: every}


def test_unclosed_comment_with_a_long_run_of_spaces_is_linear() -> None:
    """A hostile line (`<!-- linkaudit-ignore a`, a million spaces, no `-->`) must not backtrack:
    the time for twice the input stays near twice the time (generous bound)."""
    import time

    def cost(n: int) -> float:
        text = "<!-- linkaudit-ignore a" + " " * n + "x"
        start = time.perf_counter()
        assert ignored_lines(text) == {1: frozenset({"*"})}  # the bare word still counts
        return time.perf_counter() - start

    small, large = cost(200_000), cost(400_000)
    assert large < 4 * small + 0.05
    assert cost(1_000_000) < 2.0


def test_a_failed_baseline_write_leaves_the_old_baseline_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.json"
    write_baseline(path, [finding("dead", 3, "1")])
    before = path.read_bytes()

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("linkaudit.atomicfile.os.replace", full_disk)
    with pytest.raises(OutputError, match="No space left") as info:
        write_baseline(path, [finding("dead", 3, "1"), finding("stale-source", 5, "3")])
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]  # no temporary file left behind
