"""Bad and hostile input: extraction stays linear and finishes quickly."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import DocFormat

_CASES: dict[str, Callable[[int], str]] = {
    "open-brackets": lambda n: "[" * n,
    "digit-runs": lambda n: ("[" + "1," * 40) * (n // 81),
    "long-digits": lambda n: "[" + "9" * n,
    "marker-wall": lambda n: "w [1] " * (n // 6),
    # Brackets naming entries a list lacks, on one line: each is judged without copying the line.
    "unknown-brackets-beside-a-list": lambda n: "[3, 4] " * (n // 7)
    + "\n\nReferences\n\n[1] https://a.example/1\n[2] https://a.example/2\n",
    "dots": lambda n: "a. " * (n // 3),
    "footnote-carets": lambda n: "[^" * (n // 2),
    "url-parens": lambda n: "https://a.example/" + "(" * n,
    # Nested tags: every marker candidate must not re-walk its whole subtree.
    "nested-sups": lambda n: "<sup>" * (n // 5),
    "nested-note-links": lambda n: '<a href="#cite_note-1">' * (n // 23),
}


def _seconds(body: str, fmt: DocFormat) -> float:
    data = body.encode()
    gc.disable()  # measure the algorithm, not when the collector happens to run
    try:
        start = time.perf_counter()
        doc = extract_document(Source("adversarial", data, fmt))
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    assert all(p.kind != "extract-error" for p in doc.problems)
    return elapsed


@pytest.mark.parametrize("fmt", list(DocFormat))
@pytest.mark.parametrize("case", sorted(_CASES))
def test_time_grows_linearly(case: str, fmt: DocFormat) -> None:
    make = _CASES[case]
    small, large = 25_000, 50_000
    _seconds(make(2_000), fmt)  # warm up imports and caches
    smalls, larges = [], []
    for _ in range(3):  # interleaved, so a burst of load on the machine hits both sizes
        smalls.append(_seconds(make(small), fmt))
        larges.append(_seconds(make(large), fmt))
    t_small, t_large = min(smalls), min(larges)
    assert t_large < 5.0
    # Twice the input may cost at most about three times the time (generous for noise).
    assert t_large < 3.0 * t_small + 0.15, (t_small, t_large)


def test_one_megabyte_line_of_brackets_in_every_format() -> None:
    body = "[" * (1024 * 1024)
    for fmt in DocFormat:
        assert _seconds(body, fmt) < 10.0


def test_binary_garbage_is_a_problem_not_a_crash() -> None:
    doc = extract_document(Source("blob.txt", bytes(range(256)) * 100))
    assert [p.kind for p in doc.problems] == ["binary"]
    assert doc.citations == ()
