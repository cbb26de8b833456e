"""GitHub heading slugs and the anchors of Markdown and HTML files.

The slug function runs against github-slugger's fixtures: headings with the ids GitHub itself
rendered for them (tests/assets/slugs/README.md says where they come from). The heading table
below adds what only a Markdown renderer decides (markup removed before slugging); each row says
where its expected anchor comes from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkaudit.local.anchors import Slugger, github_slug, html_anchors, markdown_anchors

FIXTURES = Path(__file__).parent.parent / "assets" / "slugs" / "github-slugger-fixtures.json"


def test_github_slugger_fixtures_in_order() -> None:
    # One slugger over the whole list, as github-slugger's own test runs it: the repeats
    # (`alpha-1`, `echo-1-2`, `ab-1`) depend on what came before.
    cases = json.loads(FIXTURES.read_text(encoding="utf-8"))
    assert len(cases) == 78
    slugger = Slugger()
    wrong = [(c["name"], slugger.slug(c["input"]), c["expected"]) for c in cases]
    assert [w for w in wrong if w[1] != w[2]] == []


@pytest.mark.parametrize(
    ("markdown", "expected", "source"),
    [
        ("## Héllo, World! (2025)", {"héllo-world-2025"}, "the issue's own example"),
        ("## Привет мир", {"привет-мир"}, "anchors.md; github-slugger fixture 'Cyrillic (2)'"),
        ("## The *big* [idea](x)", {"the-big-idea"}, "anchors.md: markup removed first"),
        ("## Use `git log --oneline`", {"use-git-log---oneline"},
         "code keeps its text; github-slugger fixture 'Characters: dash'"),
        ("## a  b", {"a--b"}, "anchors.md: each space becomes '-', nothing collapsed"),
        ("## Usage\n\n## Usage\n\n## Usage", {"usage", "usage-1", "usage-2"},
         "anchors.md: repeats; github-slugger fixtures 'Repetition'"),
        ("Setext heading\n==============", {"setext-heading"}, "CommonMark setext = h1"),
        ("## ![logo](x.png) Logo", {"-logo"}, "an image's alt is not text (hast toString)"),
        ("## <a id=\"keep\"></a> Named", {"-named", "keep"}, "raw HTML id; tag text dropped"),
        ("## Title {#custom}", {"title-custom", "custom", "title"},
         "GitHub's slug plus the MkDocs/Docusaurus/Hugo attribute"),
        ("- ## In a list", {"in-a-list"}, "a heading inside a list item still gets an id"),
        ("```\n## Not a heading\n<a id=\"no\"></a>\n```", set(), "code is never an anchor"),
        ("Text <a name=\"n1\"></a> and <span id='s1'>x</span>", {"n1", "s1"},
         "anchors.md: <a name>, any id= in raw HTML"),
    ],
)
def test_heading_anchors(markdown: str, expected: set[str], source: str) -> None:
    assert set(markdown_anchors(markdown)) == expected, source


def test_slug_keeps_letters_marks_and_numbers_of_any_script() -> None:
    assert github_slug("Fünf süße Äpfel") == "fünf-süße-äpfel"
    assert github_slug("दिशानिर्देश") == "दिशानिर्देश"  # combining marks are kept (Mn, Mc)
    assert github_slug("I ♥ unicode") == "i--unicode"  # a symbol goes, its spaces stay
    assert github_slug("Ⓐ circled") == "ⓐ-circled"  # So, but Alphabetic: kept


def test_html_anchors_are_ids_and_a_names() -> None:
    page = """<h1 id="api">API</h1><a name="legacy"></a><meta name="viewport" content="x">
    <div ID = 'upper'></div><p id=bare>x</p><input name="q"><a id="caf&eacute;">y</a>"""
    assert html_anchors(page) == {"api", "legacy", "upper", "bare", "café"}
