"""Extraction scored on real referenced documents that no one on the team wrote.

`real/tune/` holds the documents the extractors were tuned on; `real/held-out/` holds documents
kept aside and only scored, never tuned on. Each document has a hand-made `*.truth.json`: where
it came from, its shape, its references (id -> URL, or null for a reference without a link) and
the opening words of the claim of each citation (markers adjacent to each other are one
citation). The scores:

- reference F1: an extracted reference counts when its id and normalised URL are the truth's;
- citation recall and precision: a citation counts when its ids are the truth's and its claim
  opens with the truth's words (compared word by word, case and punctuation aside).

The floors below are the measured scores minus a small margin: a change that makes extraction
worse on real documents fails here. Run this file directly for the per-document table:
`python tests/extract/test_real_documents.py`.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import Document
from linkaudit.urls import normalize_url

REAL = Path(__file__).resolve().parent / "real"
SPLITS = ("tune", "held-out")
FLOORS = {
    # split: (reference F1, citation recall, citation precision); measured: tune 1.000, 1.000,
    # 0.974; held-out 1.000, 0.974, 0.989 (230 references, 190 citations)
    "tune": (0.98, 0.97, 0.95),
    "held-out": (0.98, 0.95, 0.96),
}
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Score:
    """Counts for one document (or a sum of them)."""

    refs_true: int = 0
    refs_found: int = 0
    refs_right: int = 0
    cits_true: int = 0
    cits_found: int = 0
    cits_right: int = 0
    ids_true: int = 0
    ids_right: int = 0

    def __iadd__(self, other: Score) -> Score:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def reference_f1(self) -> float:
        if not self.refs_true and not self.refs_found:
            return 1.0
        precision = self.refs_right / self.refs_found if self.refs_found else 1.0
        recall = self.refs_right / self.refs_true if self.refs_true else 1.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def citation_recall(self) -> float:
        return self.cits_right / self.cits_true if self.cits_true else 1.0

    @property
    def citation_precision(self) -> float:
        return self.cits_right / self.cits_found if self.cits_found else 1.0


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _url(url: str | None) -> str | None:
    return normalize_url(url) if url else None


def documents(split: str) -> list[Path]:
    """The documents of a split (every file with a truth file beside it)."""
    folder = REAL / split
    return sorted(
        p for p in folder.iterdir() if not p.name.endswith(".truth.json")
        and p.with_name(p.name.rsplit(".", 1)[0] + ".truth.json").exists()
    )


def truth_of(path: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads(
        path.with_name(path.name.rsplit(".", 1)[0] + ".truth.json").read_text()
    )
    return truth


def extract(path: Path) -> Document:
    return extract_document(Source(path.name, path.read_bytes()))


def score(doc: Document, truth: dict[str, Any]) -> Score:
    """Compare one extracted document with its truth."""
    result = Score()
    expected = {(i, _url(u)) for i, u in truth["references"].items()}
    found = {(r.id, _url(r.url)) for r in doc.references}
    result.refs_true, result.refs_found = len(expected), len(found)
    result.refs_right = len(expected & found)
    by_id = {r.id: r for r in doc.references}
    for ref_id, identifiers in truth.get("identifiers", {}).items():
        for kind, value in identifiers.items():
            result.ids_true += 1
            ref = by_id.get(ref_id)
            if ref is not None and ref.identifiers.get(kind) == value:
                result.ids_right += 1
    unused = list(doc.citations)
    result.cits_true, result.cits_found = len(truth["citations"]), len(unused)
    for wanted in truth["citations"]:
        ids = sorted(wanted["ids"])
        opening = _words(wanted["claim"])
        for citation in unused:
            if sorted(citation.ids) == ids and _words(citation.claim)[: len(opening)] == opening:
                unused.remove(citation)
                result.cits_right += 1
                break
    return result


def split_score(split: str) -> tuple[Score, list[tuple[str, Score]]]:
    """The summed score of a split and each document's."""
    total = Score()
    rows = []
    for path in documents(split):
        one = score(extract(path), truth_of(path))
        rows.append((path.name, one))
        total += one
    return total, rows


@pytest.mark.parametrize("split", SPLITS)
def test_scores_stay_above_their_floors(split: str) -> None:
    total, rows = split_score(split)
    assert len(rows) >= 9  # the corpus is there, all of it
    f1_floor, recall_floor, precision_floor = FLOORS[split]
    assert total.reference_f1 >= f1_floor, _table(rows)
    assert total.citation_recall >= recall_floor, _table(rows)
    assert total.citation_precision >= precision_floor, _table(rows)


def test_identifiers_of_references_without_a_link_are_kept() -> None:
    total, _rows = split_score("tune")
    assert total.ids_true and total.ids_right == total.ids_true


def _table(rows: list[tuple[str, Score]]) -> str:
    lines = [f"{'document':36} refs  right/true/found  cits  right/true/found"]
    for name, s in rows:
        lines.append(
            f"{name:36} {s.reference_f1:4.2f}  {s.refs_right:3}/{s.refs_true:3}/{s.refs_found:3}"
            f"      {s.citation_recall:4.2f}/{s.citation_precision:4.2f} "
            f"{s.cits_right:3}/{s.cits_true:3}/{s.cits_found:3}"
        )
    return "\n".join(lines)


def main() -> None:
    """Print each split's per-document scores and totals."""
    for split in sys.argv[1:] or SPLITS:
        total, rows = split_score(split)
        print(f"== {split}")
        print(_table(rows))
        print(
            f"total: reference F1 {total.reference_f1:.3f}, citation recall "
            f"{total.citation_recall:.3f}, precision {total.citation_precision:.3f} "
            f"({total.refs_true} references, {total.cits_true} citations)\n"
        )


if __name__ == "__main__":
    main()
