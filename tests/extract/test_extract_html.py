"""HTML: Wikipedia-like cite notes, pandoc footnotes, metadata dates, visible text only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import DateOrigin, DocFormat, Document

DOCS = Path(__file__).resolve().parents[1] / "assets" / "docs"


def _doc(name: str) -> Document:
    return extract_document(Source(str(DOCS / name), (DOCS / name).read_bytes()))


def _html(body: str, url: str | None = None) -> Document:
    return extract_document(Source("page.html", body.encode(), url=url))


def test_wikipedia_like_page() -> None:
    doc = _doc("wiki-like.html")
    assert doc.format is DocFormat.HTML
    assert doc.site_url == "https://en.wikipedia.example.org/wiki/Exampleite"
    assert doc.date is not None
    assert doc.date.value == dt.date(2011, 3, 4)
    assert doc.date.origin is DateOrigin.JSON_LD
    assert doc.reference_ids == ("1", "2", "3", "4")
    refs = {r.id: r for r in doc.references}
    assert refs["1"].url == "https://www.mindat.example.org/min-1234.html"
    assert refs["1"].text == '"Exampleite". Mindat.org. Retrieved 2023-05-01.'
    assert refs["2"].url is None
    assert refs["4"].url == "http://webmineral.example.com/data/Exampleite.shtml"
    assert (refs["1"].line, refs["1"].column) == (24, 1)
    cites = [(c.ids, c.line, c.column) for c in doc.citations]
    assert cites == [
        (("1",), 13, 92),
        (("2",), 13, 256),
        (("3", "1"), 14, 38),
        (("4",), 15, 76),
        (("3",), 18, 29),
    ]
    claims = [c.claim for c in doc.citations]
    assert claims[0] == (
        "Exampleite is a rare mineral first described in 1911 in the U.S. state of Nevada."
    )
    assert claims[1] == "Its density is 4.2 g/cm3, unusually high for a silicate."
    assert claims[2] == "Crystals grow up to 3 cm long and fluoresce under UV light."
    assert "Ex[1]Si2O7" in claims[3]  # code is kept as text, never searched for markers
    assert claims[4] == "Hardness: 5.5"  # a table cell: its row header, then the cell
    assert all("[8]" not in c for c in claims)  # hidden text is not read
    assert doc.uncited_references == ()
    assert [link.url for link in doc.links] == [
        "https://commons.example.org/wiki/Category:Exampleite"
    ]


def test_page_sups_and_exponents_are_not_markers() -> None:
    doc = _html(
        "<p>Area is 3 m<sup>2</sup> and x<sup>10</sup>.<sup>:&#8202;7</sup> "
        "Rule<sup class='reference'><a href='#cite_note-2'>[2]</a></sup>.</p>"
    )
    assert [c.ids for c in doc.citations] == [("2",)]


def test_pandoc_footnotes() -> None:
    doc = _html(
        """<html><head><meta property="article:published_time" content="2022-07-08T09:00:00+02:00">
<link rel="canonical" href="https://blog.example.com/post"></head><body>
<p>Claim one.<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a>
Claim two <a href="#fn2" class="footnote-ref" id="fnref2" role="doc-noteref"><sup>2</sup></a>
and a <a href="/about">relative link</a>.</p>
<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes"><hr><ol>
<li id="fn1"><p>See <a href="https://one.example.org/a">one</a>.<a href="#fnref1"
 class="footnote-back" role="doc-backlink">↩︎</a></p></li>
<li id="fn2"><p>https://two.example.org/b<a href="#fnref2" class="footnote-back">↩︎</a></p></li>
</ol></section></body></html>"""
    )
    assert doc.date is not None
    assert doc.date.value == dt.date(2022, 7, 8)
    assert doc.date.origin is DateOrigin.HTML_META
    assert doc.reference_ids == ("1", "2")
    assert doc.references[0].url == "https://one.example.org/a"
    assert doc.references[0].text == "See one."
    assert doc.references[1].url == "https://two.example.org/b"
    assert [(c.ids, c.claim) for c in doc.citations] == [
        (("1",), "Claim one."),
        (("2",), "Claim two and a relative link."),
    ]
    assert doc.citations[0].line == 3
    assert [link.url for link in doc.links] == ["https://blog.example.com/about"]


def test_references_under_heading_and_text_markers() -> None:
    doc = _html(
        "<article><p>Sales rose 5% [1]. Costs fell [2].</p><h2>Sources</h2>"
        "<ul><li>https://a.example/x</li><li><a href='https://b.example/y'>B</a></li></ul>"
        "</article>",
    )
    assert doc.reference_ids == ("1", "2")
    assert [c.claim for c in doc.citations] == ["Sales rose 5%.", "Costs fell."]
    assert [c.column for c in doc.citations] == [27, 43]


def test_time_tag_and_dateline() -> None:
    doc = _html("<p><time datetime='2021-01-02'>Jan 2</time></p><p>Text</p>")
    assert doc.date is not None and doc.date.origin is DateOrigin.TIME_TAG
    doc = _html("<p>Published March 5, 2020</p><p>Text</p>")
    assert doc.date is not None and doc.date.value == dt.date(2020, 3, 5)
    assert doc.date.origin is DateOrigin.DATELINE


def test_site_url_falls_back_to_source_url() -> None:
    doc = _html("<p>x <a href='/a'>a</a></p>", url="https://site.example/dir/page")
    assert doc.site_url == "https://site.example/dir/page"
    assert doc.links[0].url == "https://site.example/a"


def test_deep_nesting_does_not_crash() -> None:
    doc = _html("<div>" * 5000 + "Deep claim [1]." + "</div>" * 5000)
    assert [c.claim for c in doc.citations] == ["Deep claim."] or any(
        p.kind == "extract-error" for p in doc.problems
    )


def test_wikipedia_notes_group_and_bibliography() -> None:
    doc = _html(
        """<p>Note.<sup class="reference"><a href="#cite_note-1">[a]</a></sup>
Fact.<sup class="reference"><a href="#cite_note-Smith-2">[1]</a></sup>
Other.<sup class="reference"><a href="#cite_note-3">[2]</a></sup></p>
<h2>Notes</h2><div class="reflist reflist-lower-alpha"><div class="mw-references-wrap">
<ol class="references"><li id="cite_note-1">An explanatory note.</li></ol></div></div>
<h2>References</h2><div class="reflist"><ol class="references">
<li id="cite_note-Smith-2"><a href="#cite_ref-Smith-2">^</a> <a href="https://a.example/1">A</a></li>
<li id="cite_note-3"><a href="#cite_ref-3">^</a> <a href="https://a.example/2">B</a></li>
</ol></div><h2>Sources</h2><ul><li>Some book, 1999.</li></ul>"""
    )
    assert [(r.id, r.url) for r in doc.references] == [
        ("a", None),
        ("1", "https://a.example/1"),
        ("2", "https://a.example/2"),
    ]
    assert [c.ids for c in doc.citations] == [("a",), ("1",), ("2",)]
    assert doc.dangling_markers == () and doc.uncited_references == ()


def test_footnotes_outside_lists_substack_style() -> None:
    doc = _html(
        """<div class="body"><p>The market grew 20% last year.<a class="footnote-anchor"
id="footnote-anchor-1" href="#footnote-1">1</a> It will slow.<a class="footnote-anchor"
id="footnote-anchor-2" href="#footnote-2">2</a></p></div>
<div class="footnote"><a id="footnote-1" href="#footnote-anchor-1" class="footnote-number">1</a>
<div class="footnote-content"><p>Per <a href="https://data.example.org/x">the data</a>.</p>
</div></div>
<div class="footnote"><a id="footnote-2" href="#footnote-anchor-2" class="footnote-number">2</a>
<div class="footnote-content"><p>My guess.</p></div></div>"""
    )
    assert [(r.id, r.url, r.text) for r in doc.references] == [
        ("1", "https://data.example.org/x", "Per the data."),
        ("2", None, "My guess."),
    ]
    assert [(c.ids, c.claim) for c in doc.citations] == [
        (("1",), "The market grew 20% last year."),
        (("2",), "It will slow."),
    ]
    assert doc.links == ()


def test_bare_url_in_html_text_is_a_link() -> None:
    doc = _html("<p>Data at https://data.example.org/x. More.</p>")
    assert [(link.url, link.line, link.column) for link in doc.links] == [
        ("https://data.example.org/x", 1, 12)
    ]
