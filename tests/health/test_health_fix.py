"""`linkaudit fix`: golden files per format, byte-for-byte round trips, safe writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from health_support import archived, judged

from linkaudit.fix import (
    FileFix,
    FixError,
    FixKind,
    FixStyle,
    detect_encoding,
    plan_document,
    plan_fixes,
    write_fix,
)
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    AuditResult,
    DocFormat,
    Document,
    LinkCheck,
    LinkStatus,
    Reference,
)

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))

DEAD = "https://dead.example/a?x=1&y=2"
GONE = "https://gone.example/b"
MOVED = "https://moved.example/old"
FINAL = "https://moved.example/new"
OK = "https://ok.example/"
LOST = "https://lost.example/c"
DEF = "https://dead.example/def"

MARKDOWN = f"""---
date: 2025-09-01
---
# Chips

Alibaba tests a chip [^1]. The source said so [^2], see also {DEAD} in the text.

[^1]: [Yahoo]({DEAD}) , 2025.
[^2]: <{GONE}>
[^3]: Moved: {MOVED}
[^4]: [Fine]({OK})
[^5]: Lost: {LOST}

[def]: {DEF}
"""

TEXT = f"""Chips
Monday, Sep 1, 2025

Alibaba tests a chip [1]. Nvidia shares slip [3]. See {DEAD} too.

References:
[1] {DEAD}
[2] {GONE}
[3] {MOVED}
[4] {OK}
"""

DEAD_HTML = DEAD.replace("&", "&amp;")
HTML = f"""<!doctype html>
<html><head><meta name="date" content="2025-09-01"><title>Chips</title></head>
<body><p>Alibaba tests a chip <a href="#r1">[1]</a>. <a href="{DEAD_HTML}">again</a></p>
<ol>
<li id="r1"><a href="{DEAD_HTML}">Yahoo</a>, 2025.</li>
<li><a href='{GONE}'>Gone</a></li>
<li><a href="{MOVED}">Moved</a></li>
<li>Bare: {GONE}</li>
</ol></body></html>
"""


def _ref(text: str, ref_id: str, url: str, written: str | None = None) -> Reference:
    """A reference as the extractor gives it: the entry's line and column, the URL as written."""
    written = written or url
    for n, line in enumerate(text.splitlines(), 1):
        if f"[^{ref_id}]:" in line or f"[{ref_id}] " in line or line.startswith(f"[{ref_id}]:"):
            return Reference(ref_id, url, written, n, 1, line)
    raise AssertionError(f"no entry {ref_id}")


def _result(doc: Document) -> AuditResult:
    checks = {
        DEAD: LinkCheck(DEAD, LinkStatus.DEAD, 404),
        GONE: LinkCheck(GONE, LinkStatus.SOFT_404, 200),
        MOVED: LinkCheck(MOVED, LinkStatus.MOVED_OFFSITE, 200, final_url=FINAL),
        OK: LinkCheck(OK, LinkStatus.ALIVE, 200),
        LOST: LinkCheck(LOST, LinkStatus.DEAD, 410),
        DEF: LinkCheck(DEF, LinkStatus.DEAD, 404),
    }
    archives = {
        DEAD: archived(DEAD),
        GONE: archived(GONE, "20240101120000"),
        LOST: ArchiveLookup(LOST, ArchiveState.NOT_ARCHIVED),
        DEF: archived(DEF),
    }
    return judged((doc,), checks, archives)


def _markdown_doc(origin: str, text: str = MARKDOWN) -> Document:
    refs = (
        _ref(text, "1", DEAD),
        _ref(text, "2", GONE),
        _ref(text, "3", MOVED),
        _ref(text, "4", OK),
        _ref(text, "5", LOST),
        Reference("def", DEF, DEF, text.splitlines().index(f"[def]: {DEF}") + 1, 1, "def"),
    )
    return Document(origin, DocFormat.MARKDOWN, text, references=refs)


def _text_doc(origin: str, text: str = TEXT) -> Document:
    refs = tuple(_ref(text, str(i), u) for i, u in enumerate((DEAD, GONE, MOVED, OK), 1))
    return Document(origin, DocFormat.TEXT, text, references=refs)


def _html_doc(origin: str, text: str = HTML) -> Document:
    lines = text.splitlines()

    def at(snippet: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if snippet in line and "<li" in line)

    refs = (
        Reference("1", DEAD, DEAD, at(">Yahoo<"), 1, "Yahoo"),  # given decoded: & not &amp;
        Reference("2", GONE, GONE, at(">Gone<"), 1, "Gone"),
        Reference("3", MOVED, MOVED, at(">Moved<"), 1, "Moved"),
        Reference("4", GONE, GONE, at("Bare:"), 1, "Bare"),
    )
    return Document(origin, DocFormat.HTML, text, references=refs)


BUILDERS = {"md": (_markdown_doc, MARKDOWN), "txt": (_text_doc, TEXT), "html": (_html_doc, HTML)}


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(actual.encode("utf-8"))
    assert actual == path.read_bytes().decode("utf-8"), f"differs from {name}"


@pytest.mark.parametrize("ext", ["md", "txt", "html"])
@pytest.mark.parametrize("style", [FixStyle.APPEND, FixStyle.REPLACE])
def test_fix_golden(tmp_path: Path, ext: str, style: FixStyle) -> None:
    build, text = BUILDERS[ext]
    path = tmp_path / f"article.{ext}"
    path.write_text(text, encoding="utf-8", newline="")
    doc = build(str(path))
    plan = plan_fixes(_result(doc), style=style, update_redirects=True)
    (file_fix,) = plan.files
    after = file_fix.new_bytes().decode("utf-8")
    _golden(f"article.{style.value}.{ext}", after)
    _golden(f"article.{style.value}.{ext}.diff", file_fix.diff().replace(str(tmp_path), "@@TMP@@"))
    # The body's own occurrences of the URL are never touched.
    body = text.split("\n")[6 if ext == "md" else 3]
    assert body in after.split("\n")
    assert all(e.kind is (FixKind.REDIRECT if e.url == MOVED else FixKind.ARCHIVED)
               for e in file_fix.edits)
    reasons = {(s.reference, s.reason) for s in plan.skips}
    if ext == "md":
        assert ("5", "dead, and no archived copy (not-archived)") in reasons
        if style is FixStyle.APPEND:
            assert any(r == "def" and "reference definition" in why for r, why in reasons)
    # Nothing changed on disk by planning.
    assert path.read_text(encoding="utf-8") == text


def test_append_twice_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    (first,) = plan_fixes(_result(_markdown_doc(str(path)))).files
    write_fix(first, [tmp_path])
    again_text = path.read_text(encoding="utf-8")
    second = plan_fixes(_result(_markdown_doc(str(path), again_text)))
    assert second.files == ()


@pytest.mark.parametrize(
    ("ext", "text", "make_doc"),
    [("md", MARKDOWN, "_markdown_doc"), ("txt", TEXT, "_text_doc"), ("html", HTML, "_html_doc")],
)
def test_an_archived_link_of_another_spelling_counts_as_fixed(
    tmp_path: Path, ext: str, text: str, make_doc: str
) -> None:
    """A link an earlier run (or a person) archived with another snapshot, or with the URL
    escaped otherwise, is not given a second archived link."""
    path = tmp_path / f"a.{ext}"
    path.write_text(text, encoding="utf-8")
    doc_of = globals()[make_doc]
    (first,) = plan_fixes(_result(doc_of(str(path)))).files
    write_fix(first, [tmp_path])
    fixed = path.read_text(encoding="utf-8")
    older = fixed.replace("/web/20250815000000/", "/web/20190101000000/").replace(
        "/web/20240101120000/", "/web/2019/"
    )
    assert older != fixed
    path.write_text(older, encoding="utf-8")
    assert plan_fixes(_result(doc_of(str(path), older))).files == ()


def test_redirects_only_with_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    plan = plan_fixes(_result(_text_doc(str(path))))
    assert {e.url for f in plan.files for e in f.edits} == {DEAD, GONE}


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [
        ("utf-8", b"", "\r\n"),
        ("utf-8", b"", "\r"),  # old Mac line ends: extraction counts a lone CR as a line
        ("utf-8", b"\xef\xbb\xbf", "\n"),
        ("latin-1", b"", "\r\n"),
        ("utf-16-le", b"\xff\xfe", "\r\n"),
    ],
)
@pytest.mark.parametrize("ext", ["md", "txt", "html"])
def test_round_trip_keeps_every_other_byte(
    tmp_path: Path, encoding: str, bom: bytes, newline: str, ext: str
) -> None:
    build, text = BUILDERS[ext]
    # Non-ASCII text around the entries: é (one byte in latin-1, two in UTF-8), a trailing space.
    text = text.replace("Chips", "Puces électroniques ").replace("\n", newline)
    data = bom + text.encode(encoding)
    path = tmp_path / f"doc.{ext}"
    path.write_bytes(data)
    doc = build(str(path), text)
    (file_fix,) = plan_fixes(_result(doc), style=FixStyle.APPEND).files
    assert (file_fix.encoding, file_fix.bom) == (
        encoding if encoding != "latin-1" else file_fix.encoding,
        bom,
    )
    write_fix(file_fix, [tmp_path])
    written = path.read_bytes()
    # Undo every edit on the written bytes: what remains must be the original, byte for byte.
    # (Undone first to last: the earlier ones restored, a later edit is at its planned offset.)
    restored = bytearray(written)
    for edit in file_fix.edits:
        at = edit.offset
        assert bytes(restored[at : at + len(edit.new)]) == edit.new
        restored[at : at + len(edit.new)] = edit.old
    assert bytes(restored) == data
    assert written.startswith(bom)
    assert written.count(newline.encode(encoding)) == data.count(newline.encode(encoding))
    if encoding == "latin-1":
        assert "électroniques".encode("latin-1") in written
    assert b"web.archive.org".decode().encode(encoding) in written


def test_detect_encoding() -> None:
    assert detect_encoding(b"\xef\xbb\xbfabc") == ("utf-8", b"\xef\xbb\xbf")
    assert detect_encoding("é".encode()) == ("utf-8", b"")
    codec, bom = detect_encoding("Puces électroniques à bas coût, très élégantes".encode("latin-1"))
    assert bom == b"" and "électroniques".encode("latin-1").decode(codec) == "électroniques"


def test_write_refuses_a_symlink_out_of_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(MARKDOWN, encoding="utf-8")
    tree = tmp_path / "docs"
    tree.mkdir()
    link = tree / "a.md"
    link.symlink_to(outside)
    (file_fix,) = plan_fixes(_result(_markdown_doc(str(link)))).files
    with pytest.raises(FixError, match="outside the inputs"):
        write_fix(file_fix, [tree])
    assert outside.read_text(encoding="utf-8") == MARKDOWN
    assert link.is_symlink()


def test_write_follows_a_symlink_inside_the_tree(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text(MARKDOWN, encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    (file_fix,) = plan_fixes(_result(_markdown_doc(str(link)))).files
    assert write_fix(file_fix, [tmp_path]) == real
    assert link.is_symlink() and "[archived](" in real.read_text(encoding="utf-8")
    assert real.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_write_refuses_a_file_changed_since_planning(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    (file_fix,) = plan_fixes(_result(_markdown_doc(str(path)))).files
    path.write_text(MARKDOWN + "edited\n", encoding="utf-8")
    with pytest.raises(FixError, match="changed since"):
        write_fix(file_fix, [tmp_path])
    assert path.read_text(encoding="utf-8").endswith("edited\n")


def test_url_not_at_its_entry_is_skipped() -> None:
    doc = Document(
        "x.md",
        DocFormat.MARKDOWN,
        MARKDOWN,
        references=(Reference("1", DEAD, DEAD, 1, 1, "wrong line"),),
    )
    fix, skips = plan_document(doc, MARKDOWN.encode(), _result(doc))
    assert fix is None
    assert skips[0].reason.startswith("the URL is not where the reference list has it")


def test_diff_escapes_control_characters(tmp_path: Path) -> None:
    text = TEXT.replace("References:", "References: \x1b[31mred\x1b[0m")
    doc = _text_doc("t.txt", text)
    fix, _ = plan_document(doc, text.encode(), _result(doc))
    assert isinstance(fix, FileFix)
    diff = fix.diff()
    assert "\x1b" not in diff and "References: \\x1b[31mred" in diff
    assert diff.startswith("--- a/t.txt\n+++ b/t.txt\n")


def test_duplicated_reference_list_is_fixed_in_both_copies() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "ainvest-alibaba-ai-chip.txt"
    data = example.read_bytes()
    text = data.decode("utf-8")
    url = "https://www.eweek.com/news/alibaba-ai-chip/"
    lines = text.splitlines()
    first = lines.index(f"[4] {url}") + 1
    doc = Document(
        str(example),
        DocFormat.TEXT,
        text,
        references=(Reference("4", url, url, first, 1, url),),
        duplicated_body=True,
    )
    result = judged((doc,), {url: LinkCheck(url, LinkStatus.DEAD, 404)}, {url: archived(url)})
    fix, _ = plan_document(doc, data, result)
    assert fix is not None and len(fix.edits) == 2
    after = fix.new_bytes().decode("utf-8").splitlines()
    fixed = f"[4] {url} (archived: https://web.archive.org/web/20250815000000/{url})"
    assert [n + 1 for n, line in enumerate(after) if line == fixed] == [
        first,
        lines.index(f"[4] {url}", first) + 1,
    ]
    assert fix.diff().count("\n+[4] ") == 2


INLINE = f"""# Notes

The chip was announced ([source]({DEAD})) and covered widely, see <{GONE}> too.
An [untouched link]({OK}) stays as it is.
"""


@pytest.mark.parametrize("style", [FixStyle.APPEND, FixStyle.REPLACE])
def test_inline_links_get_their_archived_copies(style: FixStyle) -> None:
    """`audit` suggests an archived copy for a dead inline link as for a reference; `fix` applies
    it (the links come from the real extractor, not from a hand-made document)."""
    from linkaudit.extract import extract_document
    from linkaudit.inputs.sources import Source

    doc = extract_document(Source("notes.md", INLINE.encode()))
    assert not doc.references and {link.url for link in doc.links} >= {DEAD, GONE, OK}
    result = judged(
        (doc,),
        {DEAD: LinkCheck(DEAD, LinkStatus.DEAD, 404),
         GONE: LinkCheck(GONE, LinkStatus.SOFT_404, 200),
         OK: LinkCheck(OK, LinkStatus.ALIVE, 200)},
        {DEAD: archived(DEAD), GONE: archived(GONE, "20240101120000")},
    )
    fix, skips = plan_document(doc, INLINE.encode(), result, style=style)
    assert fix is not None and not skips
    assert {e.reference for e in fix.edits} == {""}
    after = fix.new_bytes().decode()
    dead_copy = f"https://web.archive.org/web/20250815000000/{DEAD}"
    gone_copy = f"https://web.archive.org/web/20240101120000/{GONE}"
    if style is FixStyle.APPEND:
        assert f"([source]({DEAD}) [archived]({dead_copy}))" in after
        assert f"<{GONE}> [archived]({gone_copy}) too" in after
    else:
        assert f"[source]({dead_copy})" in after and f"<{gone_copy}>" in after
    assert f"[untouched link]({OK})" in after


def test_fix_applies_what_the_rules_decided_not_the_check_status(tmp_path: Path) -> None:
    """A rule switched off, or a finding accepted in the baseline, rewrites nothing: `fix`
    plans from the findings' `fix` values, never from `check.status`."""
    from health_support import judged

    from linkaudit.config import AuditConfig
    from linkaudit.ignore import write_baseline

    path = tmp_path / "a.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = _markdown_doc(str(path))
    full = plan_fixes(_result(doc), update_redirects=True)
    assert {e.url for f in full.files for e in f.edits} >= {DEAD, GONE, MOVED}

    checks, archives = dict(_result(doc).checks), dict(_result(doc).archives)
    off = judged((doc,), checks, archives, AuditConfig.build(disable_rules=frozenset({"dead"})))
    edited = {e.url for f in plan_fixes(off, update_redirects=True).files for e in f.edits}
    assert DEAD not in edited and DEF not in edited and GONE in edited and MOVED in edited
    assert not any(s.url in (DEAD, DEF) for s in plan_fixes(off).skips)

    baseline = tmp_path / "baseline.json"
    write_baseline(baseline, [f for f in _result(doc).findings if f.rule == "soft-404"])
    accepted = judged((doc,), checks, archives, AuditConfig.build(baseline=baseline))
    edited = {e.url for f in plan_fixes(accepted).files for e in f.edits}
    assert GONE not in edited and DEAD in edited
