"""HTML extraction's one-walk tag index answers as bs4's `find_all`, and a page's tree is freed
once read (not left for the cyclic collector)."""

from __future__ import annotations

import gc
import re
from pathlib import Path

from bs4 import BeautifulSoup

from linkaudit.extract.html import HtmlExtractor
from linkaudit.extract.html_nodes import TagIndex
from linkaudit.extract.html_refs import _reference_lists

DOCS = Path(__file__).resolve().parents[1] / "assets" / "docs"

# Broken on purpose: unclosed paragraphs and list items, a heading left open around a list,
# attributes without values, a list nested in a list.
MESSY = """<html><head><meta name=description content=x><link rel=canonical href>
<base href="https://example.org/"><script type="application/ld+json">{}</script></head>
<body><h2>Intro<p>text<a href="#fn1" id=r1>1</a><p><time datetime>now</time>
<ul><li>a<li>b<ol><li id="in">c</ol></ul><h2>References<ol class=x><li id=fn1>one</ol>
<h3>Notes</h3><p>x<ul id><li>n</ul><a name=z href="#cite_note-2">[2]</a><div id=cite_note-2>d</div>
"""


def _soups() -> list[BeautifulSoup]:
    texts = [MESSY] + [p.read_text() for p in sorted(DOCS.glob("*.html"))]
    return [BeautifulSoup(text, "html.parser") for text in texts]


def test_index_answers_as_find_all() -> None:
    for soup in _soups():
        tags = TagIndex(soup)
        assert tags.named("p") == soup.find_all("p")
        assert [id(t) for t in tags.named("ol", "ul")] == [
            id(t) for t in soup.find_all(["ol", "ul"])
        ]
        names = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "dt"]
        assert [id(t) for t in tags.named(*names)] == [id(t) for t in soup.find_all(names)]
        for name, attribute in (("a", "href"), ("time", "datetime"), ("link", "href")):
            found = soup.find_all(name, attrs={attribute: True})
            assert [id(t) for t in tags.having(name, attribute)] == [id(t) for t in found]
        assert [id(t) for t in tags.with_id()] == [id(t) for t in soup.find_all(id=True)]
        assert [tags.position(t) for t in tags.tags] == list(range(len(tags.tags)))


def test_heading_lookup_by_position_matches_find_previous() -> None:
    for soup in _soups():
        tags = TagIndex(soup)
        lists = tags.named("ol", "ul")
        headings = tags.named("h1", "h2", "h3", "h4", "h5", "h6")
        for tag in lists:
            before = soup_previous = tag.find_previous(re.compile(r"^h[1-6]$"))
            at = tags.position(tag)
            by_position = [h for h in headings if tags.position(h) < at]
            assert (by_position[-1] if by_position else None) is soup_previous
            if before is not None:
                after = [t for t in lists if tags.position(t) > tags.position(before)]
                assert (after[0] if after else None) is before.find_next(["ol", "ul"])
    # Without `class=x` no list names itself a notes list, so the fallback (the list right after
    # a notes heading) decides: the lists inside the unclosed `<h2>`s are passed over (their
    # heading's text runs to the end of the page), the list after "Notes" is taken, as
    # `find_previous`/`find_next` chose before.
    soup = BeautifulSoup(MESSY.replace("class=x", ""), "html.parser")
    assert [str(t) for t in _reference_lists(TagIndex(soup))] == ['<ul id=""><li>n</li></ul>']


def test_page_tree_is_freed_once_read() -> None:
    text = (DOCS / "wiki-like.html").read_text() + "<p>x</p>" * 500
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        extraction = HtmlExtractor().extract(text, None)
        left = gc.collect()  # what only the cyclic collector would have freed
    finally:
        if enabled:
            gc.enable()
    assert extraction.references
    assert left < 100, left
