"""Every output format: the exhaustive mapping, golden files of the fixture, validity, escaping.

Golden files live in `tests/report/golden/`; after an intended change, rewrite them with
`UPDATE_GOLDEN=1 python -m pytest tests/report` and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_sample import ARTICLE, HOSTILE_TITLE, ROOT, SNAPSHOT_3, URLS, sample_result

from linkaudit import __version__
from linkaudit.config import AuditConfig, FailOn
from linkaudit.model import (
    AuditResult,
    Finding,
    LinkCheck,
    LinkStatus,
    RankedArticle,
    Severity,
    SiteView,
)
from linkaudit.report import OutputFormat, render

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
CFG = AuditConfig()


def test_every_format_has_a_formatter(result: AuditResult) -> None:
    for fmt in OutputFormat:
        formatter = fmt.formatter()
        assert formatter is not None
        assert isinstance(formatter.render(result, CFG.report, CFG.rules), str)
        assert fmt.suffix.startswith(".")


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_golden(fmt: OutputFormat, result: AuditResult) -> None:
    text = render(result, fmt, CFG.report, CFG.rules).replace(str(ROOT), "@@ROOT@@")
    text = text.replace(f'"{__version__}"', '"@@VERSION@@"')
    path = GOLDEN / f"sample{fmt.suffix if fmt is not OutputFormat.GITHUB else '.github.txt'}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("site", [False, True])
def test_streamed_json_is_the_rendered_json_byte_for_byte(result: AuditResult, site: bool) -> None:
    import io

    from linkaudit.report import write

    if site:
        worst = RankedArticle("https://e.com/a", "https://e.com/a", 2, 3, 1, None)
        view = SiteView("https://e.com/", 3, 3, 0, {"robots": 1}, 0, 0, 2, 2, 1, 1, 1, (worst,), ())
        result = dataclasses.replace(result, site=view)
    streamed = io.StringIO()
    write(result, OutputFormat.JSON, CFG.report, CFG.rules, streamed)
    assert streamed.getvalue() == render(result, OutputFormat.JSON, CFG.report, CFG.rules)
    empty = dataclasses.replace(result, documents=(), checks={}, findings=(), skips=(),
                                problems=())
    streamed = io.StringIO()
    write(empty, OutputFormat.JSON, CFG.report, CFG.rules, streamed)
    assert streamed.getvalue() == render(empty, OutputFormat.JSON, CFG.report, CFG.rules)


def test_json_validates_against_the_documented_schema(result: AuditResult) -> None:
    schema = json.loads((ROOT / "docs" / "audit-schema.json").read_text(encoding="utf-8"))
    data = json.loads(render(result, OutputFormat.JSON, CFG.report, CFG.rules))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        data
    )
    assert data["schema"] == "linkaudit.audit/1"
    assert data["summary"]["exit_code"] == 1
    assert data["summary"]["status"]["dead"] == 1
    dead = next(link for link in data["links"] if link["url"] == URLS["3"])
    assert dead["snapshot"]["url"] == SNAPSHOT_3 and dead["archive"] == "archived"
    # The schema is strict: an unexpected key at the top is refused.
    data["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_sarif_is_valid_2_1_0_with_a_fix_on_the_url(result: AuditResult) -> None:
    schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(render(result, OutputFormat.SARIF, CFG.report, CFG.rules))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {"dead", "stale-source", "self-citation", "copied-citation"} <= set(rule_ids)
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ARTICLE
    dead = next(r for r in run["results"] if r["ruleId"] == "dead")
    assert dead["level"] == "error"
    (change,) = dead["fixes"][0]["artifactChanges"]
    (replacement,) = change["replacements"]
    region = replacement["deletedRegion"]
    line = result.documents[0].text.split("\n")[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == URLS["3"]
    assert replacement["insertedContent"]["text"] == SNAPSHOT_3
    info = next(r for r in run["results"] if r["ruleId"] == "self-citation")
    assert info["level"] == "note" and "fixes" not in info


def _failures(text: str) -> int:
    return len(ET.fromstring(text).findall(".//failure"))


def test_junit_one_case_per_reference_and_failures_follow_fail_on(result: AuditResult) -> None:
    root = ET.fromstring(render(result, OutputFormat.JUNIT, CFG.report, CFG.rules))
    assert len(root.findall(".//testcase")) == 5
    assert _failures(render(result, OutputFormat.JUNIT, CFG.report, CFG.rules)) == 2
    for fail_on, expected in ((FailOn.WARNING, 3), (FailOn.INFO, 4), (FailOn.NEVER, 0)):
        cfg = CFG.replace(fail_on=fail_on)
        assert _failures(render(result, OutputFormat.JUNIT, cfg.report, cfg.rules)) == expected
    assert root.get("failures") == "2"


def test_junit_document_case_for_findings_without_reference(result: AuditResult) -> None:
    dangling = Finding("dangling-marker", Severity.ERROR, ARTICLE, "[6] has no reference", line=5)
    result = dataclasses.replace(result, findings=(*result.findings, dangling))
    root = ET.fromstring(render(result, OutputFormat.JUNIT, CFG.report, CFG.rules))
    doc_case = [c for c in root.iter("testcase") if c.get("name") == "document"]
    assert len(doc_case) == 1 and doc_case[0].find("failure") is not None


def test_github_one_command_per_finding_with_levels(result: AuditResult) -> None:
    lines = render(result, OutputFormat.GITHUB, CFG.report, CFG.rules).splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(f"::error file={ARTICLE},line=13,col=1,title=linkaudit dead [3]::")
    assert "%0ASuggested URL: " + SNAPSHOT_3 in lines[0]
    assert any(line.startswith("::warning ") for line in lines)
    assert any(line.startswith("::notice ") for line in lines)


def test_github_escapes_data_and_properties() -> None:
    from linkaudit.report.github import annotation
    from linkaudit.textsafe import workflow_data as escape_data
    from linkaudit.textsafe import workflow_property as escape_property

    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    hostile = Finding("dead", Severity.ERROR, "docs/a,b:c.md", "gone\n::error::injected 50%",
                      reference="1", line=3, column=2)
    line = annotation(hostile)
    assert "\n" not in line
    assert line.startswith("::error file=docs/a%2Cb%3Ac.md,line=3,col=2,")
    assert line.endswith("::gone%0A::error::injected 50%25")


def test_markdown_escapes_untrusted_text_and_links_only_web_urls(result: AuditResult) -> None:
    text = render(result, OutputFormat.MARKDOWN, CFG.report, CFG.rules)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\x1b" not in text and "\\\\x1b" in text
    assert "404 \\| gone \\*for good\\*" in text
    assert "<details>" in text and "</details>" in text
    bad = Finding("dead", Severity.ERROR, ARTICLE, "x", reference="9", url="javascript:alert(1)",
                  fix="javascript:alert(2)")
    text = render(dataclasses.replace(result, findings=(bad,)), OutputFormat.MARKDOWN,
                  CFG.report, CFG.rules)
    assert "](javascript" not in text


def test_html_escapes_and_has_a_strict_csp(result: AuditResult) -> None:
    from linkaudit.report import html as html_format

    page = render(result, OutputFormat.HTML, CFG.report, CFG.rules)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x1b" not in page
    assert f'content="{html_format.CSP}"' in page
    assert "'unsafe-inline'" not in page and "default-src 'none'" in page
    # Exactly two inline blocks, and they are the ones the policy's hashes name.
    assert page.count("<script>") == 1 and page.count("<style>") == 1
    assert f"<script>{html_format.SCRIPT}</script>" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'data-severity="error"' in page and 'id="chart-ages"' in page


def test_empty_result_renders_in_every_format() -> None:
    empty = AuditResult(documents=())
    for fmt in OutputFormat:
        assert isinstance(render(empty, fmt, CFG.report, CFG.rules), str)
    assert render(empty, OutputFormat.GITHUB, CFG.report, CFG.rules) == ""


def test_table_prints_hostile_text_as_text() -> None:
    import io

    from rich.console import Console

    from linkaudit.report import render_table

    title = "[bold]x[/bold] \x1b[31mred"
    base = sample_result()
    checks = dict(base.checks)
    checks[URLS["4"]] = LinkCheck(URLS["4"], LinkStatus.ALIVE, 200, title=title)
    finding = Finding("dead", Severity.ERROR, ARTICLE, "msg [red]x[/red] \x1b]0;pwn\x07", "4")
    result = dataclasses.replace(base, checks=checks, findings=(finding,))
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=True, color_system="truecolor")
    render_table(result, CFG.report, console)
    out = buffer.getvalue()
    assert "\x1b[31mred" not in out and "\x1b]0;pwn" not in out
    plain = render(result, OutputFormat.TABLE, CFG.report, CFG.rules)
    assert "[bold]x[/bold] \\x1b[31mred" in plain
    assert "msg [red]x[/red] \\x1b]0;pwn\\x07" in plain
    assert "\x1b" not in plain


def test_table_shows_whole_urls_and_counts(result: AuditResult) -> None:
    text = render(result, OutputFormat.TABLE, CFG.report, CFG.rules)
    squeezed = "".join(text.split())
    for url in URLS.values():
        assert url in squeezed  # wrapped at a separator where it must be, never cut
    assert "alive 2  redirected 1  dead 1  blocked 1" in text
    assert "error 2  warning 1  info 1" in text
    assert HOSTILE_TITLE[:14] in text


def test_json_documents_match_the_extract_contract(result: AuditResult) -> None:
    """The audit report's `documents` are what `linkaudit extract --format json` writes: one
    shape, written once (`report.extract_v1`), streamed or not."""
    from linkaudit.report.extract import extract_json

    expected = json.loads(json.dumps(extract_json(result.documents, ())))["documents"]
    assert expected and expected[0]["references"]
    data = json.loads(render(result, OutputFormat.JSON, CFG.report, CFG.rules))
    assert data["documents"] == expected


def test_json_redacts_secrets_in_urls(result: AuditResult) -> None:
    secret = "https://user:pw@api.example.com/data?token=s3cr3t&page=2"
    checks = {secret: LinkCheck(secret, LinkStatus.DEAD, 404)}
    found = Finding("dead", Severity.ERROR, ARTICLE, "gone", url=secret)
    text = render(dataclasses.replace(result, checks=checks, findings=(found,)),
                  OutputFormat.JSON, CFG.report, CFG.rules)
    assert "s3cr3t" not in text and "user:pw" not in text
    assert "token=***" in text


def test_markdown_caps_a_huge_findings_table(result: AuditResult) -> None:
    from linkaudit.report.markdown import MAX_ROWS

    many = tuple(Finding("dead", Severity.ERROR, ARTICLE, f"gone {i}", line=i + 1)
                 for i in range(MAX_ROWS + 7))
    text = render(dataclasses.replace(result, findings=many), OutputFormat.MARKDOWN,
                  CFG.report, CFG.rules)
    assert "… and 7 more findings" in text
    assert text.count("| 🔴 error |") == MAX_ROWS


def test_sarif_uris_are_encoded_relative_paths() -> None:
    from linkaudit.report.sarif import artifact_uri

    assert artifact_uri("docs/my notes/a#1.md") == "docs/my%20notes/a%231.md"
    assert artifact_uri("https://example.com/a b") == "https://example.com/a b"
    assert artifact_uri(str(ROOT / "docs" / "x.md")).startswith(("docs/x.md", "/"))


def test_table_on_a_narrow_terminal_keeps_the_essentials(result: AuditResult) -> None:
    import io

    from rich.console import Console

    from linkaudit.report import render_table

    buffer = io.StringIO()
    render_table(result, CFG.report, Console(file=buffer, width=80, color_system=None))
    lines = buffer.getvalue().split("\n")
    header = next(line for line in lines if "Status" in line)
    assert header.split() == ["Ref", "Status", "Source"]
    assert "2024-09-17" in buffer.getvalue() and "[5]" in buffer.getvalue()
    start = lines.index(header)
    end = next(i for i in range(start + 2, len(lines)) if not lines[i].strip())
    assert end - start > 10 and all(len(line) <= 80 for line in lines[:end])


def test_sarif_finds_a_url_on_the_line_after_its_reference() -> None:
    """A footnote whose URL wraps to the next line still gets its replacement region (1-based,
    end exclusive), so the suggested fix is not dropped."""
    from linkaudit.extract import extract_document
    from linkaudit.inputs import Source
    from linkaudit.report.sarif import url_region

    text = "A claim.[^1]\n\n[^1]: Some title,\n    https://example.com/page\n"
    doc = extract_document(Source("notes.md", text.encode()))
    (ref,) = doc.references
    assert ref.url == "https://example.com/page" and ref.line == 3
    assert url_region(doc, "1") == {
        "startLine": 4, "startColumn": 5, "endLine": 4, "endColumn": 5 + len(ref.url)
    }


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON_VALUES, level=st.integers(0, 3))
def test_the_streaming_encoder_writes_what_json_dumps_writes(value: object, level: int) -> None:
    from linkaudit.report.json_v1 import _dumps

    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert _dumps(value, level) == expected
