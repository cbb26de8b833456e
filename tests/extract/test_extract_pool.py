"""Many files at once (`extract_documents`): worker processes change the time, never the result."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkaudit.cores import ENV
from linkaudit.extract import extract_document, extract_documents
from linkaudit.extract.pool import map_in_order, worker_count
from linkaudit.inputs import Source

REAL = Path(__file__).resolve().parent / "real"


def _sources() -> list[Source]:
    paths = sorted(p for p in REAL.rglob("*") if p.suffix in (".md", ".html", ".txt"))
    sources = [Source(str(p.relative_to(REAL)), p.read_bytes()) for p in paths]
    sources.append(Source("broken.md", b"\xff\xfe\x00[1] \x00 bad bytes"))
    return sources


def test_workers_give_the_same_documents_in_input_order() -> None:
    sources = _sources()
    alone = [extract_document(s) for s in sources]
    spread = extract_documents(sources, workers=2)
    assert [d.origin for d in spread] == [s.origin for s in sources]
    assert spread == alone
    assert sum(len(d.references) for d in spread) > 100  # real documents, really read


def _pid(item: int) -> tuple[int, int]:
    return item, os.getpid()


def test_the_jobs_really_run_in_worker_processes() -> None:
    """Not a silent fallback to this process: the same results would hide it."""
    out = map_in_order(_pid, list(range(8)), [1] * 8, workers=2)
    assert [item for item, _ in out] == list(range(8))
    assert os.getpid() not in {pid for _, pid in out}


def test_the_environment_sets_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "3")
    assert worker_count([10, 10]) == 3
    monkeypatch.setenv(ENV, "0")
    assert worker_count([10_000_000, 10_000_000]) == 0
    monkeypatch.delenv(ENV)
    assert worker_count([100, 100]) == 0  # too small to repay a worker
    assert worker_count([10_000_000]) == 0  # one file: nothing to spread
