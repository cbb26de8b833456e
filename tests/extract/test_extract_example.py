"""The mission's example article gives exactly the expected figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkaudit.extract import extract_document
from linkaudit.inputs import collect
from linkaudit.model import DateOrigin, DocFormat, Document
from linkaudit.report.extract import extract_json

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ainvest-alibaba-ai-chip.txt"


def _example() -> Document:
    collected = collect([str(EXAMPLE)])
    assert collected.problems == ()
    (source,) = collected.sources
    return extract_document(source)


def test_example_has_five_references_once() -> None:
    doc = _example()
    assert doc.format is DocFormat.TEXT
    assert doc.reference_ids == ("1", "2", "3", "4", "5")
    assert [r.line for r in doc.references] == [11, 12, 13, 14, 15]
    assert doc.references[4].url == (
        "https://www.cnbc.com/2024/09/17/chinese-companies-aiming-to-compete-with-nvidia-on-ai-chips.html"
    )


def test_example_duplicated_body_reported() -> None:
    doc = _example()
    assert doc.duplicated_body is True
    assert [p.kind for p in doc.problems] == ["duplicated-body"]


def test_example_date_from_dateline() -> None:
    doc = _example()
    assert doc.date is not None
    assert doc.date.value == dt.date(2025, 9, 1)
    assert doc.date.origin is DateOrigin.DATELINE


def test_example_distinct_claims_per_reference() -> None:
    doc = _example()
    counts = {ref_id: len(doc.citations_of(ref_id)) for ref_id in doc.reference_ids}
    assert counts == {"1": 5, "2": 2, "3": 1, "4": 3, "5": 2}
    claims = [c.claim for c in doc.citations]
    assert len(claims) == len(set(claims))
    assert doc.dangling_markers == ()
    assert doc.uncited_references == ()
    assert doc.duplicate_urls == ()


def test_example_glued_sentence_is_its_own_claim() -> None:
    doc = _example()
    glued = [c for c in doc.citations if c.line == 18]
    assert len(glued) == 1
    assert glued[0].ids == ("1",)
    assert glued[0].claim.startswith("Alibaba's cloud revenue jumped 26% in the June quarter,")
    assert glued[0].claim.endswith("importance in the AI cloud market.")
    assert "The new chip" not in glued[0].claim


def test_example_positions_are_one_based_in_the_file() -> None:
    doc = _example()
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    for citation in doc.citations:
        line = lines[citation.line - 1]
        assert line[citation.column - 1 :].startswith(citation.marker)
    first = doc.citations[0]
    assert (first.line, first.column, first.marker) == (5, 206, "[1]")
    assert first.claim == (
        "It is intended to handle a broader range of AI inference tasks, according to the report."
    )


def test_example_json_contract() -> None:
    collected = collect([str(EXAMPLE)])
    data = extract_json([extract_document(s) for s in collected.sources], collected.problems)
    assert data["schema"] == "linkaudit.extract/1"
    (doc,) = data["documents"]
    assert set(doc) >= {
        "path", "format", "date", "date_source", "duplicated_body", "references", "citations",
        "hyperlinks", "dangling_markers", "uncited_references", "duplicate_urls", "problems",
    }
    assert doc["date"] == "2025-09-01"
    assert doc["date_source"] == "dateline"
    assert doc["duplicated_body"] is True
    assert [r["id"] for r in doc["references"]] == ["1", "2", "3", "4", "5"]
    assert set(doc["references"][0]) >= {"id", "url", "url_as_written", "line", "text"}
    assert set(doc["citations"][0]) >= {"ids", "claim", "line", "column"}
    cited = [i for c in doc["citations"] for i in c["ids"]]
    assert {i: cited.count(i) for i in set(cited)} == {"1": 5, "2": 2, "3": 1, "4": 3, "5": 2}
    assert doc["problems"][0]["kind"] == "duplicated-body"
    assert set(doc["problems"][0]) == {"kind", "message", "line"}
    assert data["problems"] == []
