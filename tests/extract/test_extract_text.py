"""Plain text: reference lists, the marker grammar, the sentence splitter and URL hygiene."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from linkaudit.extract import extract_document
from linkaudit.extract.markers import find_markers, parse_ids, strip_markers
from linkaudit.extract.sentences import claim_spans, sentence_spans
from linkaudit.extract.urls import find_urls, trim_url
from linkaudit.inputs import Source
from linkaudit.model import DateOrigin, Document

DOCS = Path(__file__).resolve().parents[1] / "assets" / "docs"


def _doc(name: str) -> Document:
    return extract_document(Source(str(DOCS / name), (DOCS / name).read_bytes()))


def _text(body: str) -> Document:
    return extract_document(Source("doc.txt", body.encode()))


@pytest.mark.parametrize(
    ("written", "ids"),
    [
        ("[1]", ("1",)),
        ("[1, 3]", ("1", "3")),
        ("[1,2]", ("1", "2")),
        ("[1-3]", ("1", "2", "3")),
        ("[1–3]", ("1", "2", "3")),
        ("[2; 5]", ("2", "5")),
        ("[7][8][9]", ("7", "8", "9")),
        ("[1], [4]", ("1", "4")),
    ],
)
def test_marker_grammar(written: str, ids: tuple[str, ...]) -> None:
    (marker,) = find_markers(f"Claim {written}.")
    assert marker.ids == ids
    assert marker.text_in(f"Claim {written}.") == written


@pytest.mark.parametrize("text", ["[2024]", "[a]", "[ ]", "[1-500]", "[3-1]", "[1,,2]", "[x1]"])
def test_not_markers(text: str) -> None:
    assert find_markers(f"Some {text} text") == []


def test_year_marker_allowed_when_listed() -> None:
    assert parse_ids("2024", {"2024"}) == ("2024",)
    assert parse_ids("2024") is None


def test_strip_markers_collapses_space_and_punctuation() -> None:
    text = "Growth  was strong [1]. Next"
    assert strip_markers(text, find_markers(text)) == "Growth was strong. Next"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The U.S. export rules changed. Nvidia fell.", 2),
        ("Example Inc. said revenue was $2.7 billion. Shares rose.", 2),
        ('He said "it works." Then he left.', 2),
        ("Dr. Smith and J. Doe agree. It works, e.g. here.", 2),
        ("Revenue rose 3.5% in Q2.", 1),
    ],
)
def test_sentence_splitter(text: str, count: int) -> None:
    assert len(sentence_spans(text, [])) == count


def test_glued_marker_ends_sentence() -> None:
    text = "Revenue jumped 26% [1].The new chip is fast [2]."
    markers = find_markers(text)
    spans = claim_spans(text, markers)
    assert [text[a:b].strip() for a, b in spans] == [
        "Revenue jumped 26% [1].",
        "The new chip is fast [2].",
    ]


def test_marker_after_full_stop_belongs_to_sentence_before() -> None:
    doc = _text("Prices fell sharply. [3] Analysts were surprised.\n\nReferences\n[3] https://a.example/x\n")
    (citation,) = doc.citations
    assert citation.claim == "Prices fell sharply."
    assert (citation.line, citation.column) == (1, 22)


def test_reference_word_before_marker() -> None:
    doc = _text("See Reference [2] for the table.\n\nNotes:\n2. https://b.example/t\n")
    assert doc.citations[0].ids == ("2",)
    assert doc.reference_ids == ("2",)


@pytest.mark.parametrize(
    ("raw", "trimmed"),
    [
        ("https://x.example/a).", "https://x.example/a"),
        ("https://en.example.org/wiki/Foo_(bar)", "https://en.example.org/wiki/Foo_(bar)"),
        ("https://x.example/a?b=1,", "https://x.example/a?b=1"),
        ("https://x.example/a]", "https://x.example/a"),
        ("https://x.example/a\u201d", "https://x.example/a"),
    ],
)
def test_trim_url(raw: str, trimmed: str) -> None:
    assert trim_url(raw) == trimmed


def test_find_urls_in_parentheses() -> None:
    (found,) = find_urls("(see https://x.example/a_(b)).")
    assert found.written == "https://x.example/a_(b)"


def test_newsroom_sources_list() -> None:
    doc = _doc("newsroom.txt")
    assert doc.reference_ids == ("1", "2", "3", "4", "5", "7")
    refs = {r.id: r for r in doc.references}
    assert refs["2"].url == "https://research.example-capital.com/notes/chips-q3"
    assert refs["3"].url == "https://research.example-capital.com/notes/chips-q3-outlook"
    assert refs["3"].url_as_written == "https://research.example-capital.com/notes/\nchips-q3-outlook"
    assert refs["3"].repaired
    assert refs["4"].url == "https://www.reuters.example.com/technology/chips-2025-08-30/"
    assert refs["4"].repaired
    assert refs["5"].url is None
    assert refs["5"].text == "Export statistics, table 4 (print edition)"
    repaired = [p for p in doc.problems if p.kind == "repaired-url"]
    assert [p.line for p in repaired] == [14, 16]
    assert doc.dangling_markers == ("6",)
    assert doc.uncited_references == ("7",)
    assert doc.duplicate_urls == (("1", "7"),)
    assert doc.date is not None and doc.date.value == dt.date(2025, 9, 1)
    assert doc.date.origin is DateOrigin.DATELINE
    claims = {c.marker: c.claim for c in doc.citations}
    assert claims["[2-3]"] == "Analysts at Example Capital Inc. expect a further 5.5% drop."
    assert claims["[4]"] == '"We are watching closely," a spokesperson said.'
    assert claims["[1], [4]"] == "Demand for inference chips is strong."
    glued = [c for c in doc.citations if c.line == 8]
    assert [c.claim for c in glued] == [
        "The company's shares rose 3.2% on Monday.",
        "Trading volume doubled.",
    ]


def test_ai_answer_citations() -> None:
    doc = _doc("ai-answer.txt")
    assert doc.reference_ids == ("1", "2", "3", "4", "5", "6")
    refs = {r.id: r for r in doc.references}
    assert refs["3"].url == (
        "https://www.cell.example.com/cell-metabolism/fulltext/S1550-4131(18)30253-5"
    )
    assert refs["4"].url == "https://www.nejm.example.org/doi/full/10.1056/NEJMoa2114833"
    assert refs["4"].repaired
    assert "(accessed 2024-03-01)" in refs["4"].text
    assert refs["5"].url is not None and refs["5"].url.endswith("2018062914156")
    assert not refs["5"].repaired
    assert refs["6"].url is None
    assert doc.date is None  # "(accessed 2024-03-01)" is a reference's date, not the answer's
    first = doc.citations[0]
    assert first.ids == ("1", "2")
    assert first.claim.startswith("Intermittent fasting (IF) can lead to modest weight loss")
    bullets = [c for c in doc.citations if c.line in (9, 10)]
    assert bullets[0].ids == ("2", "4")
    assert bullets[0].claim == "Weight loss is similar to other calorie-restriction diets."
    assert doc.uncited_references == ()


@pytest.mark.parametrize(
    "heading", ["References", "SOURCES:", "## Citations", "notes", "Footnotes:", "**References**"]
)
def test_reference_headings(heading: str) -> None:
    doc = _text(f"A claim [1]. Another [2].\n\n{heading}\n1) https://a.example/1\n2. Text only\n")
    assert doc.reference_ids == ("1", "2")
    assert doc.references[1].url is None


def test_headless_bracket_list() -> None:
    doc = _text("Claim one [1] and two [2].\n[1] https://a.example/1\n[2] https://a.example/2\n")
    assert doc.reference_ids == ("1", "2")
    assert len(doc.citations) == 2


def test_author_title_url_accessed() -> None:
    doc = _text(
        "Claim [1].\n\nReferences\n"
        "[1] Doe, J., A Study of Things, https://journal.example/x (accessed 2024-03-01)\n"
    )
    (ref,) = doc.references
    assert ref.url == "https://journal.example/x"
    assert ref.text == "Doe, J., A Study of Things, https://journal.example/x (accessed 2024-03-01)"


def test_ambiguous_wrap_is_not_joined() -> None:
    doc = _text(
        "Claim [1].\n\nReferences\n[1] https://a.example/page.html\nSee also our newsletter.\n"
    )
    (ref,) = doc.references
    assert ref.url == "https://a.example/page.html"
    assert not ref.repaired


def test_hard_wrapped_paragraph_is_one_claim() -> None:
    doc = _text(
        "The chip was designed to be more versatile and is built by a Chinese\n"
        "manufacturer, the report said [1].\n\nReferences\n[1] https://a.example/\n"
    )
    (citation,) = doc.citations
    assert citation.claim.startswith("The chip was designed")
    assert (citation.line, citation.column) == (2, 31)
