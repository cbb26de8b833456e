"""The shapes real documents use, each on a small document written for the test.

Each test names the shape it covers; the real documents of that shape are scored in
`test_real_documents.py`.
"""

from __future__ import annotations

import pytest

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import Document, LinkKind


def _doc(name: str, body: str, url: str | None = None) -> Document:
    return extract_document(Source(name, body.encode(), url=url))


def _refs(doc: Document) -> dict[str, str | None]:
    return {r.id: r.url for r in doc.references}


def _claims(doc: Document) -> list[tuple[tuple[str, ...], str]]:
    return [(c.ids, c.claim) for c in doc.citations]


# --- HTML reference lists written as paragraphs (the Hugo/Jekyll blog pattern) ---------------

HUGO_POST = """<!doctype html><html><body><article>
<h1>Batteries in 2024</h1>
<p>Grid storage doubled last year [1]. Prices fell by a third [2].</p>
<h2 id="references">References</h2>
<p>[1] Smith, J. "Storage in 2024." <a href="https://energy.example.org/storage-2024">Energy
Review</a>, 2024.</p>
<p>[2] Doe, A. "Cheaper cells." <a href="https://cells.example.com/prices">Cells Weekly</a>.</p>
<h2>Comments</h2>
<p>First comment, with no link.</p>
</article></body></html>
"""


def test_html_paragraph_reference_list_after_a_heading() -> None:
    doc = _doc("post.html", HUGO_POST)
    assert _refs(doc) == {
        "1": "https://energy.example.org/storage-2024",
        "2": "https://cells.example.com/prices",
    }
    assert doc.references[0].text.startswith('Smith, J. "Storage in 2024."')
    assert (doc.references[0].line, doc.references[1].line) == (5, 7)
    assert _claims(doc) == [
        (("1",), "Grid storage doubled last year."),
        (("2",), "Prices fell by a third."),
    ]


def test_html_paragraph_entries_split_at_line_breaks_and_without_heading() -> None:
    brs = _doc(
        "post.html",
        "<p>Fact one [1]. Fact two [2].</p><p><strong>Sources:</strong></p>"
        '<p>[1] First <a href="https://a.example/one">one</a><br>'
        '[2] Second <a href="https://b.example/two">two</a></p>',
    )
    assert _refs(brs) == {"1": "https://a.example/one", "2": "https://b.example/two"}
    headless = _doc(
        "forum.html",
        "<p>You can use a triangle filter [1].</p>"
        '<p>[1] <a href="https://docs.example.org/filter">https://docs.example.org/filter</a></p>',
    )
    assert _refs(headless) == {"1": "https://docs.example.org/filter"}
    assert headless.dangling_markers == ()


@pytest.mark.parametrize("name", ["post.html", "post.md"])
def test_paragraph_entries_inside_one_container_are_one_reference_each(name: str) -> None:
    """`<div class="refs"><p>[1] ...</p><p>[2] ...</p></div>`: the container opens with `[1]`
    but holds three entries (read whole it was one, and [2] and [3] dangled)."""
    entries = "\n".join(
        f'<p>[{i}] Author {i}. "Title {i}." <a href="https://s{i}.example/p">link</a></p>'
        for i in (1, 2, 3)
    )
    doc = _doc(name, "<p>One [1]. Two [2]. Three [3].</p>\n\n<h2>References</h2>\n"
               f'<div class="refs">\n{entries}\n</div>\n')
    assert _refs(doc) == {str(i): f"https://s{i}.example/p" for i in (1, 2, 3)}
    assert doc.dangling_markers == ()
    assert [r.line for r in doc.references] == [5, 6, 7]  # each at its own paragraph
    brs = _doc(name, "<p>One [1]. Two [2].</p>\n\n<h2>References</h2>\n"
               '<div>[1] A <a href="https://a.example/">a</a><br>'
               '[2] B <a href="https://b.example/">b</a></div>\n')
    assert _refs(brs) == {"1": "https://a.example/", "2": "https://b.example/"}


def test_jekyll_post_writes_html_inside_markdown() -> None:
    """A Jekyll post in HTML blocks inside a `.md` file: the HTML rules apply to each block."""
    doc = _doc(
        "post.md",
        "---\nlayout: post\n---\n\n<p>Separation was proven optimal by Shannon [1].</p>\n\n"
        '<h2 class="section-heading">References</h2>\n'
        "<p>[1] C. E. Shannon, A mathematical theory of communication, 1948</p>\n",
    )
    assert _refs(doc) == {"1": None}
    assert doc.references[0].line == 8
    assert _claims(doc) == [(("1",), "Separation was proven optimal by Shannon.")]
    assert (doc.citations[0].line, doc.citations[0].column) == (5, 45)


# --- MediaWiki / Wikipedia HTML, and pandoc conversions of it ---------------------------------

WIKI = """<html><head><link rel="canonical" href="https://en.wikipedia.org/wiki/Widget"></head>
<body><p>Widgets are small.<sup class="reference"><a href="#cite_note-1">[1]</a></sup>
They were named in 1994.<sup class="reference"><a href="#cite_note-2">[2]</a></sup></p>
<ol class="references">
<li id="cite_note-1"><span class="mw-cite-backlink"><a href="#cite_ref-1">^</a></span>
<span class="reference-text"><a href="/wiki/Jane_Doe" title="Jane Doe">Doe, Jane</a> (2004).
<a class="external text" href="https://books.example.com/widgets">Widgets</a>.
<a href="/wiki/Acme_Press">Acme Press</a>.</span></li>
<li id="cite_note-2"><span class="mw-cite-backlink"><a href="#cite_ref-2">^</a></span>
<span class="reference-text">Roe, R. (2010). <i>Small things</i>. Acme.
<a href="/wiki/ISBN_(identifier)">ISBN</a>
<a href="/wiki/Special:BookSources/978-0-306-40615-7">978-0-306-40615-7</a>.</span></li>
</ol></body></html>
"""


def test_wiki_reference_url_is_the_external_link_never_a_wiki_page() -> None:
    doc = _doc("widget.html", WIKI)
    assert _refs(doc) == {"1": "https://books.example.com/widgets", "2": None}
    assert dict(doc.references[1].identifiers) == {"isbn": "9780306406157"}
    assert [c.ids for c in doc.citations] == [("1",), ("2",)]


def test_pandoc_conversion_of_a_wiki_page() -> None:
    """pandoc's Markdown of a wiki page: no References heading, markers `<sup>[\\[1\\]](...)`."""
    doc = _doc(
        "page.md",
        "Sites using https are preferred<sup>[\\[1\\]](#cite_note-1)</sup>. Forms\n"
        "without https are flagged<sup>[\\[2\\]](#cite_note-2)</sup>\n\n"
        '1.  <span id="cite_note-1">[↑](#cite_ref-1) <a\n'
        '    href="https://blog.example.com/2014/https-ranking.html"\n'
        '    class="external free">https://blog.example.com/2014/https-ranking.html</a></span>\n'
        '2.  <span id="cite_note-2">[↑](#cite_ref-2) Roe, R. <a href="/wiki/Roe">Roe</a>.\n'
        "    ISBN 0-306-40615-2</span>\n",
    )
    assert _refs(doc) == {"1": "https://blog.example.com/2014/https-ranking.html", "2": None}
    assert dict(doc.references[1].identifiers) == {"isbn": "0306406152"}
    assert _claims(doc) == [
        (("1",), "Sites using https are preferred."),
        (("2",), "Forms without https are flagged"),
    ]
    assert doc.dangling_markers == () and doc.uncited_references == ()


def test_wiki_list_written_all_ones_is_numbered_by_position() -> None:
    doc = _doc(
        "board.md",
        'Uses an array <a id="cite-note-1" href="#cite-ref-1">[1]</a> '
        '<a id="cite-note-2" href="#cite-ref-2">[2]</a>.\n\n## References\n\n'
        '1. <a id="cite-ref-1" href="#cite-note-1">↑</a> [Jan Roe](Jan_Roe "Jan Roe"). '
        "[Listing](https://a.example/listing.asm)\n"
        '1. <a id="cite-ref-2" href="#cite-note-2">↑</a> [Board](https://b.example/board.c)\n',
    )
    assert _refs(doc) == {
        "1": "https://a.example/listing.asm",
        "2": "https://b.example/board.c",
    }
    assert _claims(doc) == [(("1", "2"), "Uses an array.")]


# --- Markdown namespaces ------------------------------------------------------------------------


def test_footnotes_and_link_definitions_are_different_things() -> None:
    doc = _doc(
        "notes.md",
        "Rust has [stable releases][1] every six weeks.[^1]\n\n"
        "[^1]: See https://blog.example.org/release-train\n\n"
        "[1]: https://releases.example.org/\n",
    )
    assert _refs(doc) == {"1": "https://blog.example.org/release-train"}
    assert [(k.url, k.text) for k in doc.links] == [
        ("https://releases.example.org/", "stable releases")
    ]
    assert [c.ids for c in doc.citations] == [("1",)]
    assert doc.problems == ()  # no "reference [1] is listed again": they are not one thing


def test_a_footnote_and_a_list_entry_of_the_same_number_are_two_references() -> None:
    """`[^1]` and entry 1 of the references list never merge: the footnote becomes `^1`."""
    for entry in ("1. https://news.example.com/revenue", "[1] https://news.example.com/revenue"):
        doc = _doc(
            "report.md",
            "# Report\n\nRevenue grew 12% [1]. The chip shipped late.[^1]\n\n"
            "[^1]: A note on shipping. https://notes.example.org/ship\n\n"
            f"## References\n\n{entry}\n",
        )
        assert _refs(doc) == {
            "^1": "https://notes.example.org/ship",
            "1": "https://news.example.com/revenue",
        }, entry
        assert _claims(doc) == [
            (("1",), "Revenue grew 12%."),
            (("^1",), "The chip shipped late."),
        ], entry
        assert doc.problems == (), entry  # no "reference [1] is listed again"
    alone = _doc("notes.md", "Shipped late.[^1]\n\n[^1]: https://notes.example.org/ship\n")
    assert _refs(alone) == {"1": "https://notes.example.org/ship"}  # no clash: ids as written


def test_numeric_definitions_used_as_links_are_hyperlinks() -> None:
    """An mdBook page: `[2]: ch05-00-structs.html` is a link, not a numbered reference."""
    doc = _doc(
        "structs.md",
        "* **[In second edition: Structs][2]**\n"
        "* [In the first edition: Structs][1]\n\n"
        "[1]: https://doc.example.org/1.30.0/book/first-edition/structs.html\n"
        "[2]: ch05-00-structs.html\n",
    )
    assert doc.references == () and doc.citations == ()
    assert "https://doc.example.org/1.30.0/book/first-edition/structs.html" in {
        k.url for k in doc.links
    }


def test_numeric_definitions_cited_as_markers_stay_references() -> None:
    doc = _doc("answer.md", "Sales rose [1].\n\n[1]: https://a.example/sales\n")
    assert _refs(doc) == {"1": "https://a.example/sales"}


def test_a_note_without_a_url_is_a_reference_wherever_it_stands() -> None:
    for name in ("notes.md", "notes.txt"):
        doc = _doc(
            name,
            "Array lengths must be constants[0].\n\n"
            "[0] required to be compile-time constants.\n\n"
            "More prose follows here, long enough to be a paragraph of its own.\n",
        )
        assert _refs(doc) == {"0": None}, name
        assert doc.references[0].text == "required to be compile-time constants."
        assert _claims(doc) == [(("0",), "Array lengths must be constants.")], name


def test_text_reference_in_a_list_in_mid_document() -> None:
    doc = _doc(
        "article.md",
        "PayPal added the feature in 2018 [2].\n\n"
        '- [2] Gagliordi, Natalie (April 26, 2018). "PayPal adds bank transfers". ZDNet\n\n'
        "The rest of the article goes on here.\n",
    )
    assert _refs(doc) == {"2": None}
    assert doc.dangling_markers == ()


def test_text_references_in_a_run_of_entries_and_a_combined_heading() -> None:
    """`[6] Rozanski, N. ...` without a URL among `[N] ... URL` entries is a reference, not a
    marker; a heading naming several kinds of notes still opens the list."""
    run = _doc(
        "chapter.md",
        "React grew fast [1].\n\n## Team\n\nMore prose.\n\n"
        "[1] Facebook. Our History. https://newsroom.example.com/history\n\n"
        "[2] Rozanski, N. and Woods, E. Software Systems Architecture. 2012.\n\n"
        "[3] https://github.example.com/react\n",
    )
    assert _refs(run) == {"1": "https://newsroom.example.com/history", "2": None,
                          "3": "https://github.example.com/react"}
    assert run.dangling_markers == ()
    combined = _doc(
        "chapter.md",
        "A claim [1].\n\n# References, Footnotes, & Works Cited\n\n"
        "[1] Meyer, Bertrand (1988). *Object-Oriented Software Construction*.\n",
    )
    assert _refs(combined) == {"1": None}


def test_a_heading_swallowed_by_an_html_block_and_a_bulleted_list() -> None:
    """`<div id="ref">` right above `## References` (no blank line) makes the heading part of
    the HTML block; the bulleted entries after it are numbered by their place."""
    doc = _doc(
        "chapter.md",
        "Guava is popular [1] and well tested [2].\n\n<div id=\"ref\">\n## References\n\n"
        '1. <div id="guava"/> "Guava", GitHub. https://github.example.com/guava\n\n'
        '* <div id="wiki"/> "Guava wiki", GitHub. https://github.example.com/guava/wiki\n',
    )
    assert _refs(doc) == {"1": "https://github.example.com/guava",
                          "2": "https://github.example.com/guava/wiki"}
    notes = _doc("readme.md", "## Stalled\n\n**Notes**:\n\n* Tell us.\n* See the guide.\n")
    assert notes.references == ()  # a bulleted "Notes" list no marker cites is not a list


def test_a_list_restarted_by_a_line_the_parser_could_not_keep_numbers_on() -> None:
    """`1. <div id=x/>Title. URL:` with the URL on the next line, unindented: the HTML block
    ends there, the line becomes a paragraph and the next `1.` opens a new list that renders
    from 1 again. The author wrote one list: it numbers on, and the line is its entry's URL."""
    entries = "".join(
        f'1. <div id="r{n}"/>Guides. Page {n}. URL: https://guides.example.org/p{n}, 2016.\n'
        for n in (1, 2)
    )
    rest = "".join(
        f'1. <div id="r{n}"/>Guides. Page {n}. URL: https://guides.example.org/p{n}, 2016.\n'
        for n in (4, 5)
    )
    doc = _doc(
        "chapter.md",
        "Caching helps [3]. Security matters [4] and so do servers [5].\n\n## References\n\n"
        + entries
        + '1. <div id="r3"/>Guides. Caching with Rails. URL:\n'
        "https://guides.example.org/caching.html, 2016.\n" + rest,
    )
    assert _refs(doc) == {
        "1": "https://guides.example.org/p1",
        "2": "https://guides.example.org/p2",
        "3": "https://guides.example.org/caching.html",
        "4": "https://guides.example.org/p4",
        "5": "https://guides.example.org/p5",
    }
    assert doc.dangling_markers == ()


def test_a_list_restarted_on_purpose_keeps_its_numbers() -> None:
    """Two lists apart (a blank line, prose between) with nothing citing past the first: each
    keeps the numbers it shows."""
    doc = _doc(
        "notes.md",
        "A claim [1] and another [2].\n\n## References\n\n"
        "1. https://a.example.org/one\n2. https://a.example.org/two\n\n"
        "Further reading, not cited:\n\n1. https://b.example.org/more\n",
    )
    assert _refs(doc)["2"] == "https://a.example.org/two"
    assert "3" not in _refs(doc)


def test_routes_after_a_hashbang_are_different_pages() -> None:
    doc = _doc(
        "refs.md",
        "Two threads [1] [2], and the same one twice [3].\n\n## References\n\n"
        "1. https://groups.example.com/forum/#!topic/guava/ZRm\n"
        "2. https://groups.example.com/forum/#!topic/guava/fEd\n"
        "3. https://groups.example.com/forum/#!topic/guava/ZRm\n",
    )
    assert doc.duplicate_urls == (("1", "3"),)


def test_entries_numbered_with_no_bracket_and_no_dot() -> None:
    """`27 https://...` then `28 Lanza, M. ...`: a bare number opens an entry in a run, with or
    without a URL; the title in quotes after a URL is no part of it."""
    lines = "".join(
        f'<div id="{n}"></div>\n{n} https://docs.example.org/page{n}  "Page {n}"  \n'
        for n in (26, 27)
    )
    doc = _doc(
        "chapter.md",
        "We measured it [[28](#28)] with two tools [[26](#26)].\n\n#References\n"
        '<div id="1"></div>\n1 https://docs.example.org/page1 "Page 1"\n' + lines
        + '<div id="28"></div>\n28 Lanza, Michele, and Radu Marinescu. (2007) *Object-oriented '
        "metrics in practice*. Springer\n"
        '<div id="29"></div>\n29 https://docs.example.org/page29\n',
    )
    refs = _refs(doc)
    assert refs["28"] is None and refs["26"] == "https://docs.example.org/page26"
    assert refs["29"] == "https://docs.example.org/page29"
    assert doc.dangling_markers == ()
    text = _doc("notes.txt", "Sources\n\n3 people came to the meeting.\n")
    assert text.references == ()  # one bare number is no run


def test_an_entry_glued_to_the_end_of_another_line() -> None:
    """A converter lost a line break: entry 1 stands at the end of the line before the list
    (`**[Up one level](People)**1. ...`), or entry 4 at the end of entry 3's line."""
    doc = _doc(
        "person.md",
        "Photo of the author [1], at the 2004 event [2] and in 2013 [3] with a friend [4].\n\n"
        "## References\n\n"
        '\\*\\*[Up one level](People "People")\\*\\*1. <a id="cite-ref-1" href="#cite-note-1">'
        "↑</a> [Gallery 15](http://photos.example.nl/gallery15.html) by Rob Roe\n"
        '2\\. <a id="cite-ref-2" href="#cite-note-2">↑</a> '
        "[Gallery 21](http://photos.example.nl/gallery21.html)\n"
        '3\\. <a id="cite-ref-3">↑</a> [Round 6](http://photos.example.nl/r6.html). '
        '4. <a id="cite-ref-4">↑</a> [Round 7](http://photos.example.nl/r7.html)\n'
        '5\\. <a id="cite-ref-5">↑</a> [Round 8](http://photos.example.nl/r8.html)\n',
    )
    refs = _refs(doc)
    assert refs["1"] == "http://photos.example.nl/gallery15.html"
    assert refs["3"] == "http://photos.example.nl/r6.html"
    assert refs["4"] == "http://photos.example.nl/r7.html"
    assert doc.dangling_markers == ()
    volume = _doc(
        "paper.txt",
        "A claim [1] and [3].\n\nReferences\n\n1. Roe, J. Volume 4. Pages 1-9.\n"
        "3. https://c.example.org/x\n",
    )
    assert sorted(_refs(volume)) == ["1", "3"]  # `Volume 4.` is no glued entry 2


def test_figure_and_table_numbers_are_not_markers() -> None:
    doc = _doc(
        "chapter.md",
        "Karma is fast [1].\n\n<div id=\"perf\"/>\n### Performance\nFrom Figure [8](#perf) "
        "it can be seen that most steps are instant, as Table [2] shows.\n\n"
        "## References\n\n1. https://karma.example.org/\n",
    )
    assert doc.dangling_markers == ()
    assert _claims(doc) == [(("1",), "Karma is fast.")]
    prose = _doc("page.md", "Engines share a hash table [1].\n\n## References\n\n1. https://a.example/\n")
    assert _claims(prose) == [(("1",), "Engines share a hash table.")]


def test_a_heading_with_a_permalink_anchor_opens_the_list() -> None:
    """Hugo's `References<a class="anchor" href="#references">#</a>`: the `#` is no part of the
    name, and an entry with no link in that list is a reference all the same."""
    doc = _doc(
        "post.html",
        "<html><body><p>Kim et al. showed it (<a href=\"#ref\">link</a>).</p>"
        '<h1 id="references">References<a hidden class="anchor" aria-hidden="true" '
        'href="#references">#</a></h1>'
        '<p>[1] Zachary Lipton. <a href="https://arxiv.example.org/1606.03490">The mythos'
        "</a> (2016).</p>"
        "<p>[2] Been Kim, et al. &ldquo;Examples are not enough.&rdquo; NIPS 2016.</p>"
        "<p>[3] Alex Graves. (&ldquo;Adaptive Computation Time&rdquo;)"
        "[https://arxiv.example.org/1603.08983]</p></body></html>",
    )
    assert _refs(doc) == {
        "1": "https://arxiv.example.org/1606.03490",
        "2": None,
        "3": "https://arxiv.example.org/1603.08983",
    }
    assert doc.dangling_markers == ()


def test_formulas_points_and_far_numbers_are_not_markers() -> None:
    doc = _doc(
        "post.md",
        "The gradient is $$ G_x = [-1, 0, 1] \\ast [105, 255, 55] = -50 $$ here [1]. The block "
        "at [200, 200] is shown.\n\n## References\n\n"
        "1. https://a.example.org/hog\n2. https://a.example.org/sift\n",
    )
    assert doc.dangling_markers == ()
    assert _claims(doc)[0][0] == ("1",)
    page = _doc(
        "post.html",
        "<p>Inline \\(v = [4, 9]\\) is a vector [1].</p><h2>References</h2>"
        '<p>[1] <a href="https://a.example.org/hog">HOG</a></p>',
    )
    assert page.dangling_markers == () and _claims(page)[0][0] == ("1",)
    missing = _doc("note.md", "A claim [3].\n\n## References\n\n1. https://a.example/\n")
    assert missing.dangling_markers == ("3",)  # a missing entry near the list still dangles


@pytest.mark.parametrize("name", ["notes.md", "notes.txt"])
def test_values_and_indices_beside_a_reference_list_are_not_markers(name: str) -> None:
    """A document with a list of one entry: intervals, assignments, one-letter and code-like
    indices and a line of program output name no reference (and `x[1]` does not make the
    document one that glues its citations to words)."""
    doc = _doc(
        name,
        "Sampling is unbiased [1]. We draw k in [1, 10] and n = [4, 8, 16], with x \u2208 "
        "[2, 9].\nThe first element x[1] is special and M[3] and row_2[5] are read row-wise.\n"
        "[1, 2, 3]\n\nReferences\n\n[1] https://a.example.org/knuth\n",
    )
    assert doc.dangling_markers == ()
    assert [c.ids for c in doc.citations] == [("1",)]
    prose = _doc(name, "Storage doubled [1] and prices fell [2, 3].\n\n"
                 "References\n\n[1] https://a.example/1\n")
    assert prose.dangling_markers == ("2", "3")  # a missing entry in prose still dangles
    word = _doc(name, "The h-index [1] and a vector [2] cite.\n\nReferences\n\n"
                "[1] https://a.example/1\n[2] https://a.example/2\n")
    assert [c.ids for c in word.citations] == [("1",), ("2",)]


@pytest.mark.parametrize("name", ["notes.md", "notes.txt"])
def test_citations_glued_to_numbers_names_and_emphasis_still_cite(name: str) -> None:
    """What looks like a value or an index but is prose: a chemical, a disease, a year, a
    model, a vitamin, emphasis, a URL's end, a capital's `in`."""
    body = ("Water is H2O[1]. The pandemic COVID-19[2] changed work. In 2023[3] prices fell. "
            "Use GPT-4[4] here. Intake of vitamin C[5] helps.\nVitamin D in [6] was studied. "
            "Revenue rose in **2024** [7]. Margins held at *40%* [8]. See https://example.org/ "
            "[9]\n\nReferences\n\n"
            + "".join(f"[{i}] https://a.example/{i}\n" for i in range(1, 10)))
    doc = _doc(name, body)
    assert [c.ids for c in doc.citations] == [(str(i),) for i in range(1, 10)]
    assert doc.uncited_references == ()


def test_a_footnote_whose_body_is_a_code_block() -> None:
    """EIP style: `[^1]:` with an indented CSL-JSON block as its body (or, indented less than
    four spaces after a blank line, right below it): a defined note, with its URL and DOI."""
    csl = (
        '{"type": "article", "title": "Zether", "DOI": "10.1007/978-3-030-51280-4_23", '
        '"URL": "https://eprint.example.org/2019/191.pdf"}'
    )
    indented = _doc(
        "eip-1.md",
        f"ZEther[^1] builds on it.\n\n[^1]:\n    ```csl-json\n    {csl}\n    ```\n",
    )
    loose = _doc(
        "eip-2.md",
        f"Verify per FIPS 204[^1].\n\n[^1]:\n\n  ```csl-json\n  {csl}\n  ```\n",
    )
    for doc in (indented, loose):
        assert _refs(doc) == {"1": "https://eprint.example.org/2019/191.pdf"}
        assert doc.references[0].identifiers == {"doi": "10.1007/978-3-030-51280-4_23"}
        assert doc.dangling_markers == ()


def test_entries_written_with_a_dash_after_the_bracket() -> None:
    doc = _doc(
        "eip-3.md",
        "Costs<sup>[1]</sup> were measured [2].\n\n[1]- Per [EIP-196](./eip-196.md).\n\n"
        "[2]- [Benchmarks.](https://gist.example.com/abc)\n",
    )
    assert _refs(doc)["2"] == "https://gist.example.com/abc"
    assert doc.dangling_markers == ()


def test_templates_and_link_syntax_read_as_text_are_not_broken_urls() -> None:
    doc = _doc(
        "footer.html",
        '<a href="https://github.com/{{ site.repo }}/blob/main/{{ page.path }}">edit</a>'
        "<p>[7] [https://d3js.org](https://d3js.org) and "
        "[CouchDB](https://github.com/apache/couchdb)'deki @janl</p>",
    )
    assert sorted(k.url for k in doc.links) == [
        "https://d3js.org/",
        "https://github.com/apache/couchdb",
    ]


# --- Things that look like markers and are not ---------------------------------------------


def test_intervals_and_indices_are_not_markers() -> None:
    doc = _doc(
        "notes.txt",
        "Scores lie in the interval [0, 1] and the first item is v[0]; set "
        "callbacks[1]->url before use, as the guide says [1].\n\n"
        "References\n[1] https://guide.example.org/callbacks\n",
    )
    assert [c.marker for c in doc.citations] == ["[1]"]
    assert doc.citations[0].column == 115


def test_markers_inside_hidden_html_are_not_citations() -> None:
    markdown = _doc(
        "answer.md",
        "A claim.[^1_1]\n<span style=\"display:none\">[^1_1][^1_2]</span>\n\n"
        "[^1_1]: https://a.example/1\n\n[^1_2]: https://a.example/2\n",
    )
    assert [c.ids for c in markdown.citations] == [("1_1",)]
    assert markdown.uncited_references == ("1_2",)
    html = _doc(
        "page.html",
        '<p>Seen [1]. <span hidden>[2]</span> <span aria-hidden="true">[2]</span> '
        '<span style="visibility: hidden">[2]</span></p><ol class="references">'
        '<li><a href="https://a.example/1">1</a></li><li><a href="https://a.example/2">2</a></li>'
        "</ol>",
    )
    assert [c.ids for c in html.citations] == [("1",)]


# --- Links the walk misses ----------------------------------------------------------------


def test_links_in_headings_html_blocks_and_inline_html() -> None:
    doc = _doc(
        "readme.md",
        "# Project [docs](https://docs.example.org/)\n\n"
        '<p align="center"><a href="https://ci.example.org/build">build</a>\n'
        "see https://bare.example.org/page</p>\n\n"
        'Text with <a href="https://inline.example.org/x">inline html</a> in it.\n',
    )
    where = {k.url: (k.line, k.column) for k in doc.links}
    assert where == {
        "https://docs.example.org/": (1, 11),
        "https://ci.example.org/build": (3, 19),
        "https://bare.example.org/page": (4, 5),
        "https://inline.example.org/x": (6, 11),
    }


def test_every_link_of_a_footnote_is_kept() -> None:
    doc = _doc(
        "post.md",
        "A claim.[^a]\n\n[^a]: Smith, [report](https://a.example/report), "
        "[data](https://b.example/data) and https://c.example/notes\n",
    )
    assert _refs(doc) == {"a": "https://a.example/report"}
    assert sorted(k.url for k in doc.links) == [
        "https://b.example/data",
        "https://c.example/notes",
    ]


def test_malformed_schemes_are_kept_for_invalid_url() -> None:
    markdown = _doc("a.md", "See [the spec](hhttps://spec.example.org/v1) today.\n")
    assert [k.url_as_written for k in markdown.links] == ["hhttps://spec.example.org/v1"]
    html = _doc("a.html", '<p><a href="htp:/broken.example.org">x</a></p>')
    assert [k.url_as_written for k in html.links] == ["htp:/broken.example.org"]
    text = _doc("a.txt", "Claim [1].\n\nReferences\n[1] htp:/broken\n")
    assert _refs(text) == {"1": "htp:/broken"}


def test_a_bare_www_host_in_markdown_is_a_web_link() -> None:
    doc = _doc("a.md", "Point www.example.com at the server, then visit www.example.com/admin.\n")
    assert [(k.url, k.url_as_written) for k in doc.links] == [
        ("https://www.example.com/", "www.example.com"),
        ("https://www.example.com/admin", "www.example.com/admin"),
    ]


def test_dot_segments_are_resolved() -> None:
    doc = _doc(
        "page.html",
        '<a href="guide/../../book/x.html">a</a> <a href="https://h.example/book/x.html">b</a>'
        '<a href="https://h.example/docs/./guide/../../book/x.html">c</a>',
        url="https://h.example/docs/page.html",
    )
    assert {k.url for k in doc.links} == {"https://h.example/book/x.html"}


# --- Broken URLs in a reference list ------------------------------------------------------


def test_stray_space_and_wrap_inside_a_path_are_joined() -> None:
    url = "https://learn.example.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-mmmaplockedpages"
    spaced = url.replace("mmmap", "mmm ap")
    for body in (
        f"Maps pages [1].\n\nReferences\n[1] {spaced}\n",
        f"Maps pages [1].\n\nReferences\n[1] {spaced.replace(' ', chr(10))}\n",
        f"Maps pages [1].\n\n## Sources\n\n1. {spaced}\n",
    ):
        for name in ("a.txt", "a.md"):
            doc = _doc(name, body)
            assert _refs(doc) == {"1": url}, (name, body)
            assert doc.references[0].repaired
            assert [p.kind for p in doc.problems] == ["repaired-url"]


def test_a_title_after_a_url_is_not_joined() -> None:
    doc = _doc("a.txt", "Claim [1].\n\nReferences\n[1] https://x.example/a/report PDF\n")
    assert _refs(doc) == {"1": "https://x.example/a/report"}


# --- Claims ---------------------------------------------------------------------------------


def test_a_quotation_with_full_stops_is_one_claim() -> None:
    doc = _doc(
        "poll.txt",
        'The poll moved, stating, "Trump picked up 4.0 points. Clinton picked up less" [5]. '
        "Turnout was high [6].\n\nSources\n[5] https://a.example/5\n[6] https://a.example/6\n",
    )
    assert _claims(doc) == [
        (("5",), 'The poll moved, stating, "Trump picked up 4.0 points. Clinton picked up less".'),
        (("6",), "Turnout was high."),
    ]


def test_a_table_cell_claim_opens_with_its_row_header() -> None:
    markdown = _doc(
        "vol.md",
        "| Ticker | Signal |\n|---|---|\n| XLE (Energy) | Highest sector IV [1] |\n"
        "| XLU | Yes [2] |\n\n[1]: https://a.example/1\n[2]: https://a.example/2\n",
    )
    assert _claims(markdown) == [
        (("1",), "XLE (Energy): Highest sector IV"),
        (("2",), "XLU: Yes"),
    ]
    html = _doc(
        "vol.html",
        "<table><tr><th>XLE (Energy)</th><td>Highest sector IV [1]</td></tr></table>"
        '<ol class="references"><li><a href="https://a.example/1">x</a></li></ol>',
    )
    assert _claims(html) == [(("1",), "XLE (Energy): Highest sector IV")]


def test_a_list_item_claim_is_its_whole_text() -> None:
    for name, body in (
        ("a.md", "- **Revenue**: up 5%. Margins: flat [1].\n\n[1]: https://a.example/1\n"),
        ("a.html", '<ul><li>Revenue: up 5%. Margins: flat [1].</li></ul><ol class="references">'
                   '<li><a href="https://a.example/1">x</a></li></ol>'),
        ("a.txt", "\u2022 Revenue: up 5%. Margins: flat [1].\n\nSources\n[1] https://a.example/1\n"),
    ):
        doc = _doc(name, body)
        assert _claims(doc) == [(("1",), "Revenue: up 5%. Margins: flat.")], name


def test_a_citing_word_at_the_end_of_a_line_cites_the_statement_before() -> None:
    doc = _doc(
        "notes.txt",
        "The API returns 404 for unknown keys. #Not sure about this. Reference [1]\n\n"
        "Sources\n[1] https://api.example.org/errors\n",
    )
    assert _claims(doc) == [(("1",), "The API returns 404 for unknown keys.")]


# --- Duplicated body ------------------------------------------------------------------------


def test_one_repeated_sentence_is_not_a_duplicated_body() -> None:
    note = "Note: this page is updated automatically every night by our build system."
    body = f"{note}\n\n" + "\n\n".join(
        f"Paragraph {n} says something different about the topic at hand, at length." * 3
        for n in range(8)
    )
    once = _doc("page.txt", f"{body}\n\n{note}\n")
    assert not once.duplicated_body
    assert not any(p.kind == "duplicated-body" for p in once.problems)
    twice = _doc("page.txt", f"{body}\n\n{body}\n")
    assert twice.duplicated_body


@pytest.mark.parametrize("name", ["answer.md", "answer.txt"])
def test_a_repeated_answer_says_it_once_without_a_count_of_nothing(name: str) -> None:
    """The second copy's paragraphs are skipped as they are read, so no citation is counted as
    dropped: the message does not claim `0 repeated citations dropped`."""
    answer = ("Storage doubled last year [1]. Prices fell by a third since then [2].\n\n"
              "## References\n\n"
              "[1] https://a.example/1\n[2] https://a.example/2\n\n")
    doc = _doc(name, answer * 2)
    assert doc.duplicated_body and [c.ids for c in doc.citations] == [("1",), ("2",)]
    (message,) = [p.message for p in doc.problems if p.kind == "duplicated-body"]
    assert message.endswith("each reference and claim is reported once"), message


def test_images_are_links_of_their_own_kind() -> None:
    doc = _doc("a.md", "See ![chart](https://img.example.org/c.png) here.\n")
    assert [(k.url, k.kind, k.column) for k in doc.links] == [
        ("https://img.example.org/c.png", LinkKind.IMAGE, 5)
    ]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("page.html", '<p>Watch.</p><iframe src="https://video.example/embed/1">fallback</iframe>'
                      '<video src="https://cdn.example/a.mp4"></video>'),
        ("page.md", 'Watch.\n\n<div class="frame">\n  <iframe src="https://video.example/embed/1">'
                    '\n  </iframe>\n</div>\n\n<video src="https://cdn.example/a.mp4"></video>\n'),
    ],
)
def test_embedded_frames_and_videos_are_links_of_their_own_kind(name: str, body: str) -> None:
    """An `<iframe>` or `<video>` a page embeds rots as an image does (lychee checks them)."""
    doc = _doc(name, body)
    assert {(k.url, k.kind) for k in doc.links} == {
        ("https://video.example/embed/1", LinkKind.IMAGE),
        ("https://cdn.example/a.mp4", LinkKind.IMAGE),
    }


def test_a_list_entry_repeated_with_another_link_keeps_both_links() -> None:
    """An awesome list names a podcast twice, over https in one section and http in another:
    the words repeat, the links differ, and both are checked."""
    entry = "* [Learning Machines 101]({}) - Richard M. Golden (podcast)\n"
    doc = _doc("list.md", "## AI\n\n" + entry.format("https://www.lm101.example")
               + "\n## More AI\n\n" + entry.format("http://www.lm101.example") + "\n")
    assert sorted(k.url for k in doc.links) == ["http://www.lm101.example/",
                                                 "https://www.lm101.example/"]
    assert not doc.duplicated_body


def test_a_cited_list_of_sources_that_ends_the_text_needs_no_heading() -> None:
    """`... grew [1].` then `1. https://...` and nothing after: how chat answers and exported
    notes end. A numbered list in mid-text, or one nobody cites, stays a list."""
    doc = _doc("answer.md", "Solar grew fast [1]. Wind too [2].\n\n"
               "1. https://a.example/solar\n2. Wind report, https://b.example/wind\n")
    assert _refs(doc) == {"1": "https://a.example/solar", "2": "https://b.example/wind"}
    assert doc.dangling_markers == () and _claims(doc) == [
        (("1",), "Solar grew fast."), (("2",), "Wind too.")]
    middle = _doc("steps.md", "Do this [1].\n\n1. https://a.example/one\n2. https://b.example/two"
                  "\n\nThen more text.\n")
    assert middle.references == ()
    uncited = _doc("links.md", "Some links.\n\n1. https://a.example/one\n2. https://b.example/two\n")
    assert uncited.references == () and len(uncited.links) == 2
