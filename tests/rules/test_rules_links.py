"""Link-health rules: each fires for its status and stays silent otherwise."""

from __future__ import annotations

import pytest
from ruleskit import archived, cite, doc, of, ref, run

from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    Hop,
    Link,
    LinkCheck,
    LinkStatus,
    Severity,
)

URL = "https://example.com/paper"


def one_ref_doc() -> object:
    return doc([ref("1", URL, line=9)], [cite("1", "A claim about the paper.")])


def test_dead_with_archived_copy_suggests_it() -> None:
    check = LinkCheck(URL, LinkStatus.DEAD, http_status=404)
    findings, _ = run(one_ref_doc(), {URL: check}, {URL: archived(URL)})  # type: ignore[arg-type]
    dead = of(findings, "dead")
    assert len(dead) == 1 and dead[0].severity is Severity.ERROR
    assert dead[0].fix == f"https://web.archive.org/web/20250831000000/{URL}"
    assert (dead[0].line, dead[0].column) == (9, 1)  # the reference entry
    assert dead[0].evidence["http_status"] == 404
    assert not of(findings, "dead-unarchived")


def test_dead_without_lookup_says_archive_not_asked() -> None:
    check = LinkCheck(URL, LinkStatus.DEAD, error="dns: name not found")
    findings, _ = run(one_ref_doc(), {URL: check})  # type: ignore[arg-type]
    dead = of(findings, "dead")
    assert dead[0].fix is None
    assert "not-looked-up" in dead[0].message and "dns" in dead[0].message


@pytest.mark.parametrize("state", [ArchiveState.NOT_ARCHIVED, ArchiveState.EXCLUDED])
def test_dead_unarchived_when_the_archive_has_no_copy(state: ArchiveState) -> None:
    check = LinkCheck(URL, LinkStatus.DEAD, http_status=410)
    findings, _ = run(one_ref_doc(), {URL: check}, {URL: ArchiveLookup(URL, state)})  # type: ignore[arg-type]
    assert [f.rule for f in findings if f.rule.startswith("dead")] == ["dead-unarchived"]
    assert "lost" in of(findings, "dead-unarchived")[0].message


def test_alive_link_is_silent_for_every_link_rule() -> None:
    check = LinkCheck(URL, LinkStatus.ALIVE, http_status=200)
    findings, _ = run(one_ref_doc(), {URL: check}, {URL: archived(URL)})  # type: ignore[arg-type]
    link_rules = {"dead", "dead-unarchived", "soft-404", "moved-offsite", "redirected",
                  "unreachable", "blocked", "unarchived"}
    assert not [f for f in findings if f.rule in link_rules]


def test_soft_404_offers_the_archived_copy() -> None:
    check = LinkCheck(URL, LinkStatus.SOFT_404, http_status=200, error="redirect to home page")
    findings, _ = run(one_ref_doc(), {URL: check}, {URL: archived(URL)})  # type: ignore[arg-type]
    (finding,) = of(findings, "soft-404")
    assert finding.severity is Severity.WARNING and finding.fix and "web.archive.org" in finding.fix


def test_moved_offsite_and_redirected_fix_is_the_final_url() -> None:
    moved = LinkCheck(URL, LinkStatus.MOVED_OFFSITE, http_status=200,
                      redirects=(Hop(301, "https://other.net/x"),), final_url="https://other.net/x")
    findings, _ = run(one_ref_doc(), {URL: moved})  # type: ignore[arg-type]
    (f,) = of(findings, "moved-offsite")
    assert f.fix == "https://other.net/x" and f.evidence["redirects"][0]["status"] == 301
    same = LinkCheck(URL, LinkStatus.REDIRECTED, http_status=200,
                     redirects=(Hop(308, "https://example.com/p2"),),
                     final_url="https://example.com/p2")
    findings, _ = run(one_ref_doc(), {URL: same})  # type: ignore[arg-type]
    (f,) = of(findings, "redirected")
    assert f.severity is Severity.INFO and f.fix == "https://example.com/p2"
    assert not of(findings, "moved-offsite")


@pytest.mark.parametrize(
    ("status", "rule"),
    [
        (LinkStatus.TIMEOUT, "unreachable"),
        (LinkStatus.NETWORK_ERROR, "unreachable"),
        (LinkStatus.SERVER_ERROR, "unreachable"),
        (LinkStatus.BLOCKED, "blocked"),
    ],
)
def test_unreachable_and_blocked(status: LinkStatus, rule: str) -> None:
    check = LinkCheck(URL, status, http_status=None, error=status.value, attempts=3)
    findings, _ = run(one_ref_doc(), {URL: check})  # type: ignore[arg-type]
    assert [f.rule for f in findings if f.rule in ("unreachable", "blocked", "dead")] == [rule]


def test_unarchived_needs_a_lookup_and_fires_on_not_archived() -> None:
    check = LinkCheck(URL, LinkStatus.ALIVE, http_status=200)
    findings, skips = run(one_ref_doc(), {URL: check})  # type: ignore[arg-type]
    assert not of(findings, "unarchived")
    assert any(s.rule == "unarchived" and "--archive all" in s.reason for s in skips)
    findings, _ = run(one_ref_doc(), {URL: check},  # type: ignore[arg-type]
                      {URL: ArchiveLookup(URL, ArchiveState.NOT_ARCHIVED)})
    assert [f.reference for f in of(findings, "unarchived")] == ["1"]
    findings, skips = run(one_ref_doc(), {URL: check},  # type: ignore[arg-type]
                          {URL: ArchiveLookup(URL, ArchiveState.UNKNOWN, error="429")})
    assert not of(findings, "unarchived")


def test_other_hyperlinks_get_link_health_at_their_position() -> None:
    link = Link("https://gone.example/x", "https://gone.example/x", 3, 7, "gone")
    d = doc([], [])
    d = type(d)(d.origin, d.format, d.text, d.date, links=(link,))
    findings, _ = run(d, {link.url: LinkCheck(link.url, LinkStatus.DEAD, http_status=404)})
    (f,) = of(findings, "dead")
    assert (f.line, f.column, f.reference, f.url) == (3, 7, None, link.url)


def test_invalid_url_is_a_warning_and_other_classes_are_not() -> None:
    bad = "ftp://example.com/file"
    check = LinkCheck(bad, LinkStatus.INVALID, error=f"not an http(s) URL: {bad}")
    findings, _ = run(doc([ref("1", bad, line=9)], [cite("1", "A claim.")]), {bad: check})
    (finding,) = of(findings, "invalid-url")
    assert finding.severity is Severity.WARNING and finding.reference == "1"
    assert "not an http(s) URL" in finding.message
    for status in (LinkStatus.ALIVE, LinkStatus.DEAD, LinkStatus.SKIPPED):
        findings, _ = run(one_ref_doc(), {URL: LinkCheck(URL, status)})  # type: ignore[arg-type]
        assert not of(findings, "invalid-url")
