"""A docs tree with every kind of local link, audited offline as a docs team runs it.

`tests/assets/handbook/` holds Markdown and HTML pages with relative, root-relative,
percent-encoded, reference-style, folder, image, srcset, badge, `mailto:` and `tel:` links, a
repeated heading, a Unicode heading, an `id` anchor, a `<a name>`, links in code (never checked)
and a link that climbs out of the tree. The run must report every missing file and missing
anchor at the link's own line and column, and nothing else.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from linkaudit.cli import app

HANDBOOK = Path(__file__).parent.parent / "assets" / "handbook"

EXPECTED = {
    # (document, line, column, rule, what the message names)
    ("README.md", 4, 55, "dead", "no such file: guide/releases.md"),
    ("README.md", 11, 3, "missing-anchor", "guide/install.md#instalation: no heading"),
    ("README.md", 12, 35, "missing-anchor", "README.md#nowhere: no heading or anchor of that "
                                            "name in this document"),
    ("README.md", 13, 36, "dead", "no such file: missing/"),
    ("README.md", 14, 34, "dead", "no such file: guide/gone.md"),
    ("README.md", 15, 45, "invalid-url", "malformed mail address 'docs-at-example'"),
    ("README.md", 19, 23, "dead", "no such file: img/missing.svg"),
    ("guide/index.html", 7, 1, "missing-anchor", "guide/index.html#gone-anchor: "),
    ("guide/index.html", 8, 1, "dead", "no such file: guide/nope.html"),
    ("guide/index.html", 10, 10, "dead", "no such file: img/logo-2x.svg"),
    ("guide/install.md", 21, 1, "dead", "no such file: guide/absent.md"),
}


@pytest.fixture
def handbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the handbook as the working directory (the audit opens no store offline)."""
    tree = tmp_path / "handbook"
    shutil.copytree(HANDBOOK, tree)
    monkeypatch.chdir(tree)
    return tree


def audit(*args: str, columns: int = 120) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", *args], env={"COLUMNS": str(columns)})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def audit_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out = audit(".", "--offline", "--format", "json", *args)
    return code, json.loads(out)


def places(report: dict[str, Any]) -> set[tuple[str, int, int, str]]:
    return {(Path(f["document"]).as_posix(), f["line"], f["column"], f["rule"])
            for f in report["findings"]}


def test_every_missing_file_and_anchor_at_its_place_and_nothing_else(handbook: Path) -> None:
    code, report = audit_json()
    assert code == 1
    assert places(report) == {(d, line, col, rule) for d, line, col, rule, _ in EXPECTED}
    for f in report["findings"]:
        said = next(e[4] for e in EXPECTED
                    if (Path(f["document"]).as_posix(), f["line"], f["column"]) == e[:3])
        assert said in f["message"]
    typo = next(f for f in report["findings"] if "#instalation" in f["message"])
    assert "did you mean #installation?" in typo["message"]
    assert typo["evidence"]["closest"] == "installation"


def test_links_are_listed_as_paths_from_the_working_directory(handbook: Path) -> None:
    _code, report = audit_json()
    links = {link["url"]: link for link in report["links"]}
    # Percent-decoded, resolved against the page's folder, with the fragment kept.
    assert links["guide/my notes.md"]["status"] == "alive"
    assert links["guide/my notes.md#section-two"]["status"] == "alive"
    assert links["guide/install.md#héllo-world-2025"]["status"] == "alive"  # both spellings
    assert links["README.md#handbook"]["status"] == "alive"  # `../README.md` from guide/
    assert links["guide/install.md#installation"]["status"] == "alive"  # `/guide/...` too
    assert links["assets/"]["status"] == "alive"  # a folder
    assert links["guide/install.md#custom-anchor"]["status"] == "alive"
    assert links["guide/index.html#legacy"]["status"] == "alive"
    assert links["img/logo.svg"]["status"] == "alive"
    # Never opened: it leaves the tree.
    escape = next(u for u in links if u.endswith("etc/passwd"))
    assert links[escape]["status"] == "skipped"
    assert links[escape]["error"] == "outside the inputs' root, not opened"
    # Mail is checked for its syntax and never sent; other schemes are skipped, said.
    assert links["mailto:docs@example.org"]["status"] == "skipped"
    assert "never contacted" in links["mailto:docs@example.org"]["error"]
    assert links["mailto:docs-at-example"]["status"] == "invalid"
    assert links["tel:+15555550100"]["status"] == "skipped"
    assert links["tel:+15555550100"]["error"].startswith("tel: links are not checked")
    # Offline, a web link (and a badge) is listed as not checked rather than dropped.
    for url in ("https://example.org/autolink", "https://example.org/page",
                "https://img.shields.io/badge/build-passing-green.svg",
                "https://ci.example.org/handbook"):
        assert links[url]["status"] == "skipped" and links[url]["error"] == "offline: not checked"
    # Code is never a link.
    assert not any("in-code-block" in u or "nowhere.md" in u or "in-pre" in u for u in links)
    assert report["summary"]["status"]["skipped"] == 7


def test_hyperlinks_say_which_are_images(handbook: Path) -> None:
    _code, report = audit_json()
    readme = next(d for d in report["documents"] if d["path"].endswith("README.md"))
    kinds = {h["url"]: h["kind"] for h in readme["hyperlinks"]}
    assert kinds["img/logo.svg"] == "image"
    assert kinds["https://img.shields.io/badge/build-passing-green.svg"] == "image"
    assert kinds["https://ci.example.org/handbook"] == "link"
    page = next(d for d in report["documents"] if d["path"].endswith("index.html"))
    srcset = [h for h in page["hyperlinks"] if h["url"] == "img/logo-2x.svg"]
    assert srcset and srcset[0]["kind"] == "image"


def test_table_lists_findings_under_each_page_at_80_columns(handbook: Path) -> None:
    code, out = audit(".", "--offline", columns=80)
    assert code == 1
    assert "no references found" not in out  # a docs page is not an article without sources
    assert "./README.md:4:55 error dead no such file: guide/releases.md" in out
    assert "./README.md:11:3 warning missing-anchor guide/install.md#instalation" in out
    assert "my notes.md" not in out  # nothing to say about it: only the summary counts it
    assert "findings error 7  warning 4  info 0" in out


def test_no_images_skips_images_and_badges_but_not_their_links(handbook: Path) -> None:
    _code, report = audit_json("--no-images")
    links = {link["url"]: link for link in report["links"]}
    for url in ("img/missing.svg", "img/logo-2x.svg", "img/logo.svg"):
        assert links[url]["status"] == "skipped" and "--no-images" in links[url]["error"]
    assert links["https://ci.example.org/handbook"]["error"] == "offline: not checked"
    assert not {("README.md", 19, 23, "dead"), ("guide/index.html", 10, 10, "dead")} & places(
        report)


def test_check_fragments_none_judges_no_anchor(handbook: Path) -> None:
    _code, report = audit_json("--check-fragments", "none")
    assert {p[3] for p in places(report)} == {"dead", "invalid-url"}


def test_rule_can_be_switched_off_in_the_config(handbook: Path) -> None:
    (handbook / "linkaudit.toml").write_text('rules = { "missing-anchor" = "off" }\n')
    _code, report = audit_json()
    assert "missing-anchor" not in {p[3] for p in places(report)}


def test_exclude_path_leaves_inputs_out(handbook: Path) -> None:
    _code, report = audit_json("--exclude-path", "guide/*.html", "--exclude-path", "README.md")
    assert {d["path"] for d in report["documents"]} == {"./guide/install.md",
                                                        "./guide/my notes.md"}
    # A link into an excluded file is still checked: exclusion is about inputs.
    assert any(p[0] == "guide/install.md" for p in places(report))
