"""Markdown: footnotes, reference definitions, references sections, link markers, code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import DateOrigin, DocFormat, Document

DOCS = Path(__file__).resolve().parents[1] / "assets" / "docs"


def _doc(name: str) -> Document:
    return extract_document(Source(str(DOCS / name), (DOCS / name).read_bytes()))


def _md(body: str) -> Document:
    return extract_document(Source("doc.md", body.encode()))


def test_readme_footnotes() -> None:
    doc = _doc("readme-footnotes.md")
    assert doc.format is DocFormat.MARKDOWN
    assert doc.reference_ids == ("bench", "engine", "funding")
    refs = {r.id: r for r in doc.references}
    assert refs["bench"].url == "https://bench.example.org/fastgrep/2024-02"
    assert refs["engine"].url == "https://docs.rs/regex/latest/regex/"
    assert refs["funding"].url is None
    assert [r.line for r in doc.references] == [22, 23, 24]
    assert [(c.ids, c.line, c.column) for c in doc.citations] == [
        (("bench",), 5, 82),
        (("engine",), 6, 65),
        (("funding",), 20, 77),
    ]
    assert doc.citations[0].claim == (
        "fastgrep searches large trees about 3.5 times faster than GNU grep on cold caches."
    )
    assert doc.date is None  # the footnote's "2024-02-11" is not the README's date
    links = {link.url: link for link in doc.links}
    assert links["https://docs.example.org/install"].text == "installation guide"
    assert (links["https://docs.example.org/install"].line,) == (7,)
    assert "https://git-scm.com/docs/gitignore" in links
    assert doc.dangling_markers == ()


def test_markers_in_code_and_link_text_are_ignored() -> None:
    doc = _doc("readme-footnotes.md")
    assert all(c.ids[0] in {"bench", "engine", "funding"} for c in doc.citations)
    code = _doc("code-heavy.md")
    assert [(c.ids, c.line) for c in code.citations] == [(("1",), 3), (("2",), 17)]
    assert code.citations[0].claim == (
        "Python lists are zero-indexed, so the first element is xs[0] and xs[1] is the second."
    )
    assert code.reference_ids == ("1", "2")
    assert code.references[0].url == "https://docs.python.example.org/3/tutorial/introduction.html"


def test_blog_references_section() -> None:
    doc = _doc("blog-references.md")
    assert doc.date is not None
    assert doc.date.value == dt.date(2024, 6, 18)
    assert doc.date.origin is DateOrigin.FRONT_MATTER
    assert doc.reference_ids == ("1", "2", "3", "4", "5", "6")
    refs = {r.id: r for r in doc.references}
    assert refs["1"].url == "https://www.eia.example.gov/storage/2024"
    assert refs["1"].text.startswith("U.S. Energy Information Administration, Battery storage")
    assert refs["5"].url is None
    assert refs["6"].url == "https://interviews.example.com/smith?id=42&lang=en"
    assert doc.duplicate_urls == (("1", "4"),)
    assert doc.dangling_markers == ("7",)
    by_marker = {(c.line, c.marker): c for c in doc.citations}
    assert by_marker[(10, "[2, 3]")].ids == ("2", "3")
    assert by_marker[(10, "[4–5]")].ids == ("4", "5")
    assert by_marker[(13, "[1][2]")].claim == "Grid operators agree."
    assert by_marker[(12, "[6]")].claim == (
        'Dr. Smith of Example Univ. argues that "storage is the missing piece."'
    )
    assert by_marker[(15, "[3]")].claim == "Storage is no longer optional."  # a blockquote
    assert by_marker[(19, "[1]")].claim == "Texas: 3.2 GW"  # a table cell, with its row header
    assert by_marker[(20, "[7]")].column == 23
    assert by_marker[(22, "[4]")].claim == "Pumped hydro still dominates long-duration storage."


def test_link_markers_and_shortcut_definitions() -> None:
    doc = _md(
        "Sales rose [[2]](https://source.example/a). Costs fell [3].\n\n"
        "[3]: https://defs.example/three\n"
    )
    assert [c.ids for c in doc.citations] == [("2",), ("3",)]
    refs = {r.id: r for r in doc.references}
    assert refs["2"].url == "https://source.example/a"
    assert (refs["2"].line, refs["2"].column) == (1, 12)
    assert refs["3"].url == "https://defs.example/three"
    assert doc.citations[0].claim == "Sales rose."
    assert doc.links == ()


def test_marker_link_to_footnote_anchor() -> None:
    doc = _md("Fact [[1]](#cite-1).\n\n## Sources\n\n1. https://a.example/one\n")
    assert doc.citations[0].ids == ("1",)
    assert doc.reference_ids == ("1",)
    assert doc.uncited_references == ()


def test_bracket_lines_under_heading() -> None:
    doc = _md("Claim [1], claim [2].\n\n## Citations:\n[1] https://a.example/1\n[2] https://a.example/2\n")
    assert doc.reference_ids == ("1", "2")
    assert doc.references[1].line == 5


def test_dense_brackets_read_as_text() -> None:
    body = "Start [1].\n\n" + "[" * 20000 + " end [2].\n\n## References\n1. https://a.example\n"
    doc = _md(body)
    assert [c.ids for c in doc.citations] == [("1",), ("2",)]
    assert any(p.kind == "dense-markdown" for p in doc.problems)


def test_front_matter_dates() -> None:
    doc = _md("---\npublished: 2023-02-03T10:00:00Z\n---\n# Title\n\nText.\n")
    assert doc.date is not None and doc.date.value == dt.date(2023, 2, 3)
    bad = _md("---\ndate: [unclosed\n---\nText.\n")
    assert bad.date is None


def test_citations_paragraph_and_headless_list() -> None:
    answer = _md(
        "Claim one[1][3]. Claim two [2].\n\nCitations:\n[1] https://a.example/1\n"
        "[2] https://a.example/2\n[3] https://a.example/3\n"
    )
    assert answer.reference_ids == ("1", "2", "3")
    assert [r.line for r in answer.references] == [4, 5, 6]
    assert [c.ids for c in answer.citations] == [("1", "3"), ("2",)]
    bold = _md("Claim [1].\n\n**Sources**\n\n1. https://a.example/1\n\nMore text [2].\n")
    assert bold.reference_ids == ("1",)
    assert [c.ids for c in bold.citations] == [("1",), ("2",)]
    headless = _md("Claim one[1]. Claim two [2].\n\n[1] https://a.example/1\n[2] https://a.example/2\n")
    assert headless.reference_ids == ("1", "2")
    assert len(headless.citations) == 2


WIKI_AS_MARKDOWN = """\
The **widget** is a small device used in examples.[[1]](#cite_note-Acme-1) It was first sold in
1994–1995.[[2]](#cite_note-:1-2) Most buyers never read the manual.[[3]](#cite_note-3): 12


References[[edit](/w/index.php?title=Widget&action=edit&section=4 "Edit section: References")]
----------------------------------------------------------------------------------------------

""" + (
    "1. ^ [***a***](#cite_ref-Acme_1-0) [***b***](#cite_ref-Acme_1-1) [*Widget Handbook 2.1*]"
    '(https://www.acme.example/spec/widget/2.1/PDF). [Acme](/wiki/Acme "Acme") Document.\n'
    '2. **[^](#cite_ref-:1_2-0)** ["A history of widgets"](http://www.history.example/widgets).'
    " History.org. Retrieved 7 May 2015.\n"
    "3. **[^](#cite_ref-3)** Jane Doe (2004). *Widgets in Practice*. p. 12\n"
)


def test_wikipedia_page_converted_to_markdown() -> None:
    """Scraped Wikipedia pages keep an `[edit]` link in the heading and `^ a b` backlinks before
    the source: the heading still opens the list, and the first web link is the source."""
    doc = extract_document(Source("widget.md", WIKI_AS_MARKDOWN.encode()))
    refs = {r.id: r.url for r in doc.references}
    assert refs == {
        "1": "https://www.acme.example/spec/widget/2.1/PDF",
        "2": "http://www.history.example/widgets",
        "3": None,
    }
    assert [c.ids for c in doc.citations] == [("1",), ("2",), ("3",)]
    assert doc.dangling_markers == () and doc.uncited_references == ()
