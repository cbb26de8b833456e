"""Property tests: extraction never raises, and never reports a marker inside code."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import DocFormat

_PIECES = st.sampled_from(
    [
        "[1]", "[2, 3]", "[4-6]", "[^n]", "[^n]: note https://n.example/x", "[7]: https://e.x/7",
        "References:", "## Sources", "1. https://a.example/", "[1] https://b.example/ x", "`[9]`",
        "```", "~~~", "    [8] code", "<sup>[1]</sup>", "<a href='#fn1'>1</a>",
        "<ol class=references>", "<li id=cite_note-3>x</li>", "<code>[5]</code>", "U.S.", "Inc.",
        "2.7", '"Quote."', "].", "[",
        "]", "(", ")", "https://x.example/a_(b)", "\n", "\n\n", " ", "Word", ".", "\u2013", "\x00",
        "\r\n", "\ufeff", "[[2]](https://s.example)", "<!--", "-->", "<script>[3]</script>",
        "---\ndate: 2024-01-01\n---", "Monday, Sep 1, 2025", "&amp;", "<p>", "</p>", "|a [1]|b|",
    ]
)
_DOCS = st.lists(_PIECES, max_size=40).map("".join) | st.text(max_size=300)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_DOCS, fmt=st.sampled_from([None, *DocFormat]))
def test_extraction_never_raises(body: str, fmt: DocFormat | None) -> None:
    doc = extract_document(Source("doc", body.encode("utf-8", "surrogatepass"), fmt))
    assert all(p.kind != "extract-error" for p in doc.problems), doc.problems
    for citation in doc.citations:
        assert citation.line >= 1 and citation.column >= 1
        assert citation.ids


_CODE_MARKER = st.sampled_from(["[1]", "[2]", "[1, 2]", "[3-4]", "[^1]"])
_PROSE = st.sampled_from(["Prose here.", "A claim [1].", "Another [2].", "Plain words."])


@settings(max_examples=80, deadline=None)
@given(
    blocks=st.lists(
        st.tuples(
            st.sampled_from(["fence", "tilde", "indent", "inline", "prose"]), _CODE_MARKER, _PROSE
        ),
        min_size=1,
        max_size=12,
    )
)
def test_markdown_never_cites_inside_code(blocks: list[tuple[str, str, str]]) -> None:
    parts: list[str] = []
    code_lines: set[int] = set()
    line = 1

    def add(text: str, code: bool) -> None:
        nonlocal line
        for piece in text.split("\n"):
            if code:
                code_lines.add(line)
            parts.append(piece)
            line += 1

    for kind, marker, prose in blocks:
        if kind == "fence":
            add(f"```\nx = a{marker}\n{marker}\n```", code=True)
        elif kind == "tilde":
            add(f"~~~python\n{marker} = 1\n~~~", code=True)
        elif kind == "indent":
            add(f"    {marker} indented", code=True)
        elif kind == "inline":
            add(f"Use `{marker}` here.", code=False)
        else:
            add(prose, code=False)
        add("", code=False)
    add(
        "[^1]: https://f.example/1\n\n[1]: https://r.example/1\n[2]: https://r.example/2",
        code=False,
    )
    doc = extract_document(Source("doc.md", "\n".join(parts).encode()))
    for citation in doc.citations:
        assert citation.line not in code_lines
        source_line = parts[citation.line - 1]
        assert not source_line.startswith("Use `"), citation
    expected = sum(1 for kind, _m, prose in blocks if kind == "prose" and "[" in prose)
    assert len(doc.citations) == expected
