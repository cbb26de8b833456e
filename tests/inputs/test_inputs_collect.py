"""Reading inputs: folders, .gitignore, stdin, URLs, and every kind of bad input."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from linkaudit.extract import extract_document
from linkaudit.inputs import Collected, collect, decode


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _names(collected: Collected, root: Path) -> list[str]:
    return [Path(s.origin).relative_to(root).as_posix() for s in collected.sources]


def test_folder_walk_sorted_with_extensions_and_skips(tmp_path: Path) -> None:
    for name in ["b.md", "a.txt", "c.html", "d.htm", "e.markdown", "f.py", "g.json", "sub/z.md"]:
        _write(tmp_path / name, "Claim [1].\n")
    _write(tmp_path / ".git" / "notes.md", "x\n")
    _write(tmp_path / "node_modules" / "pkg" / "README.md", "x\n")
    collected = collect([str(tmp_path)])
    assert _names(collected, tmp_path) == [
        "a.txt", "b.md", "c.html", "d.htm", "e.markdown", "sub/z.md",
    ]
    assert collected.problems == ()


def test_gitignore_patterns_nested_and_negated(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path / ".gitignore", "build/\n*.txt\n!keep.txt\n/root-only.md\ndocs/**/draft-*.md\n")
    _write(tmp_path / "docs" / ".gitignore", "private.md\n")
    files = [
        "build/out.md", "a.txt", "keep.txt", "root-only.md", "sub/root-only.md",
        "docs/x/y/draft-1.md", "docs/x/final.md", "docs/private.md", "docs/public.md", "ok.md",
    ]
    for name in files:
        _write(tmp_path / name, "text\n")
    collected = collect([str(tmp_path)])
    assert _names(collected, tmp_path) == [
        "docs/public.md", "docs/x/final.md", "keep.txt", "ok.md", "sub/root-only.md",
    ]


def test_gitignore_of_enclosing_repository_applies_to_subfolder(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path / ".gitignore", "generated/\n")
    _write(tmp_path / "docs" / "generated" / "a.md", "x\n")
    _write(tmp_path / "docs" / "b.md", "x\n")
    collected = collect([str(tmp_path / "docs")])
    assert _names(collected, tmp_path / "docs") == ["b.md"]


def test_explicit_file_is_read_whatever_its_extension(tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.rst", "Claim [1].\n")
    collected = collect([str(path)])
    assert [s.origin for s in collected.sources] == [str(path)]


def test_urls_are_kept_in_order_and_stdin_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.md", "x\n")
    collected = collect(
        ["https://a.example/x", "-", str(path), "http://b.example/"],
        stdin=io.BytesIO(b"From stdin [1].\n"),
    )
    assert collected.urls == ("https://a.example/x", "http://b.example/")
    assert [s.origin for s in collected.sources] == ["-", str(path)]
    assert collected.sources[0].data == b"From stdin [1].\n"


def test_bad_inputs_each_get_one_problem_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.md", "Claim [1].\n")
    binary = _write(tmp_path / "blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    empty = _write(tmp_path / "empty.md", "")
    blank = _write(tmp_path / "blank.txt", "  \n\n")
    big = _write(tmp_path / "big.txt", b"a" * 2048)
    missing = tmp_path / "missing.md"
    loop = tmp_path / "loop.md"
    os.symlink(loop, loop)
    collected = collect(
        [str(p) for p in (binary, empty, blank, big, missing, loop, good)], max_bytes=1024
    )
    assert [s.origin for s in collected.sources] == [str(good)]
    kinds = [(p.kind, p.origin) for p in collected.problems]
    assert kinds == [
        ("binary", str(binary)),
        ("empty", str(empty)),
        ("empty", str(blank)),
        ("too-large", str(big)),
        ("missing", str(missing)),
        ("symlink-loop", str(loop)),
    ]
    for problem in collected.problems:
        assert problem.origin is not None and problem.message.startswith(problem.origin)
        assert "\n" not in problem.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "secret.md", "x\n")
    path.chmod(0)
    collected = collect([str(path)])
    assert [p.kind for p in collected.problems] == ["unreadable"]


def test_directory_symlink_loop_is_reported_once(tmp_path: Path) -> None:
    _write(tmp_path / "docs" / "a.md", "x\n")
    os.symlink(tmp_path / "docs", tmp_path / "docs" / "again")
    collected = collect([str(tmp_path / "docs")])
    assert _names(collected, tmp_path / "docs") == ["a.md"]
    assert [p.kind for p in collected.problems] == ["symlink-loop"]


def test_thousands_of_files(tmp_path: Path) -> None:
    for folder in range(20):
        for number in range(150):
            _write(tmp_path / f"d{folder:02}" / f"f{number:03}.md", f"Claim {number} [1].\n")
    start = time.perf_counter()
    collected = collect([str(tmp_path)])
    assert len(collected.sources) == 3000
    assert time.perf_counter() - start < 20
    assert collected.sources[0].origin.endswith("d00/f000.md")
    assert collected.sources[-1].origin.endswith("d19/f149.md")


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    line = b"Revenue grew 5% in the quarter, the company said in its annual report [1].\n"
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.write(b"Monday, Sep 1, 2025\n\n")
        chunk = line * 10_000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
        handle.write(b"\nReferences\n[1] https://a.example/report\n")
    refused = collect([str(big)], max_bytes=16 * 1024 * 1024)
    assert [p.kind for p in refused.problems] == ["too-large"]
    assert "50.1 MiB is over the 16 MiB limit" in refused.problems[0].message
    start = time.perf_counter()
    (source,) = collect([str(big)]).sources
    doc = extract_document(source)
    assert time.perf_counter() - start < 45
    assert doc.reference_ids == ("1",)
    assert len(doc.citations) == 1  # the repeated body is reported once
    assert doc.duplicated_body


def test_decode_boms_and_encodings() -> None:
    assert decode("\ufeffhé".encode(), "a") == ("hé", None)
    assert decode("hé".encode("utf-16"), "a") == ("hé", None)
    assert decode("café au lait".encode("cp1252"), "a") == ("café au lait", None)
    text, problem = decode("naïve\n".encode() + "café\n".encode("cp1252"), "mixed.txt")
    assert text == "naïve\ncafé\n"
    assert problem is not None and problem.kind == "mixed-encoding" and problem.line == 2
    assert "mixed.txt" in problem.message
    text, problem = decode(b"\x00\x01\x02binary", "b.bin")
    assert text == "" and problem is not None and problem.kind == "binary"


def test_charset_detection_on_longer_text() -> None:
    body = ("Привет, это проверка кодировки документа. " * 40).encode("cp1251")
    text, problem = decode(body, "ru.txt")
    assert problem is None
    assert text.startswith("Привет")


def test_mixed_encoding_document_still_extracts(tmp_path: Path) -> None:
    data = "Claim with naïve text [1].\n".encode() + "Café line [2].\n".encode("cp1252")
    data += b"\nReferences\n[1] https://a.example/1\n[2] https://a.example/2\n"
    (source,) = collect([str(_write(tmp_path / "m.txt", data))]).sources
    doc = extract_document(source)
    assert [c.ids for c in doc.citations] == [("1",), ("2",)]
    assert doc.citations[1].claim == "Café line."
    assert [p.kind for p in doc.problems] == ["mixed-encoding"]


@pytest.mark.parametrize("given", [".", "docs", "./docs/"])
def test_gitignore_holds_for_relative_inputs(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `linkaudit audit .` and `linkaudit audit docs/` as users type them, from the repository.
    (tmp_path / ".git").mkdir()
    _write(tmp_path / ".gitignore", "drafts/\nsecret.md\n")
    _write(tmp_path / "docs" / ".gitignore", "local.md\n")
    for name in ["docs/keep.md", "docs/secret.md", "docs/local.md", "docs/drafts/wip.md"]:
        _write(tmp_path / name, "Claim [1].\n")
    monkeypatch.chdir(tmp_path)
    names = sorted(Path(s.origin).name for s in collect([given]).sources)
    assert names == ["keep.md"]


def test_a_broken_symlink_is_named_as_such(tmp_path: Path) -> None:
    link = tmp_path / "gone.md"
    link.symlink_to(tmp_path / "moved-away.md")
    for collected in (collect([str(link)]), collect([str(tmp_path)])):
        (problem,) = collected.problems
        assert problem.kind == "broken-symlink"
        assert "broken symlink" in problem.message and "moved-away.md" in problem.message
        assert "no such file" not in problem.message
    (missing,) = collect([str(tmp_path / "nothing.md")]).problems
    assert missing.kind == "missing" and "no such file or folder" in missing.message
