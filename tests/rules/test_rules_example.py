"""The worked example comes out right: offline, and with checks and archive answers."""

from __future__ import annotations

from ruleskit import (
    AINVEST_PAGE,
    ALIGNS_CLAIM,
    EXAMPLE_URLS,
    H20_CLAIM,
    alive,
    archived,
    example_document,
    of,
    run,
)

from linkaudit.model import ArchiveLookup, ArchiveState, LinkCheck, LinkStatus, Severity


def test_offline_stale_source_from_url_date_and_dateline() -> None:
    findings, skips = run(example_document(), offline=True)
    stale = of(findings, "stale-source")
    assert [(f.reference, f.line, f.severity) for f in stale] == [
        ("5", 5, Severity.INFO),  # "This move aligns ..." present tense, no time of its own
        ("5", 7, Severity.WARNING),  # "in 2024, while ... has drawn scrutiny": set against 2024
    ]
    error = stale[1]
    assert error.evidence["source_date"] == "2024-09-17"
    assert error.evidence["source_date_origin"] == "url-path"
    assert error.evidence["document_date"] == "2025-09-01"
    assert error.evidence["document_date_origin"] == "dateline"
    assert error.evidence["claim_time"] == "2025-09-01"
    assert "has drawn" in error.evidence["claim_time_basis"]
    assert "2024" in error.evidence["claim_time_basis"]
    assert error.evidence["claim"] == H20_CLAIM
    assert stale[0].evidence["claim"] == ALIGNS_CLAIM
    # link rules say once why they did not run, naming the references
    dead_skip = [s for s in skips if s.rule == "dead"]
    assert len(dead_skip) == 1 and "offline" in dead_skip[0].reason
    assert "[5]" in dead_skip[0].reason
    # self-citation needs only the document
    assert [f.reference for f in of(findings, "self-citation")] == ["2"]
    assert not of(findings, "unsupported-number")


def test_with_checks_and_archive_the_demo_findings() -> None:
    u = EXAMPLE_URLS
    checks = {
        u["1"]: alive(u["1"], excerpt="Alibaba's cloud revenue jumped 26% in the June quarter."),
        u["2"]: alive(u["2"], excerpt=AINVEST_PAGE),
        u["3"]: alive(u["3"], excerpt="Chinese officials recommend halting H20 use, reports say."),
        u["4"]: LinkCheck(u["4"], LinkStatus.DEAD, http_status=404),
        u["5"]: alive(u["5"], excerpt="Chinese companies aim to compete with Nvidia on AI chips."),
    }
    archives = {
        u["1"]: archived(u["1"]),
        u["2"]: archived(u["2"]),
        u["3"]: ArchiveLookup(u["3"], ArchiveState.NOT_ARCHIVED),
        u["4"]: archived(u["4"], before="20250831120000"),
        u["5"]: archived(u["5"], first="20240917000000"),
    }
    findings, _ = run(example_document(), checks, archives)
    dead = of(findings, "dead")
    assert len(dead) == 1 and dead[0].reference == "4"
    assert dead[0].fix == f"https://web.archive.org/web/20250831120000/{u['4']}"
    assert [f.reference for f in of(findings, "unarchived")] == ["3"]
    copied = of(findings, "copied-citation")
    assert {f.evidence["cited_as"][0] for f in copied} >= {"5", "3"}
    assert all(f.reference == "2" for f in copied)
    h20 = next(f for f in copied if f.evidence["cited_as"] == ["5"])
    assert "[5]" in h20.evidence["source_markers"]
    assert "[2]" in h20.message and "reference list" in h20.message
    # $53 billion is on [2]'s page as "$53B": silent
    assert not [f for f in of(findings, "unsupported-number") if f.reference == "2"]
    stale = of(findings, "stale-source")
    assert any(f.severity is Severity.WARNING and f.reference == "5" for f in stale)
