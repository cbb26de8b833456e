"""A repository that is not a file tree of its own links: one `not-a-file-tree` finding instead
of a wall of `dead` ones, `--fallback-extensions` to read page-name links, and a few broken links
in a good tree still reported one by one. Each tree is built here, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkaudit.audit import audit
from linkaudit.cli import app
from linkaudit.config import AuditConfig
from linkaudit.local.checker import parse_extensions
from linkaudit.model import AuditResult, Finding, LinkStatus, Severity


def _wiki(root: Path, pages: int = 30, red: int = 3) -> Path:
    """A wiki export: `Page_N.md` linking to its neighbours by page name (`[next](Page_N)`),
    as a wiki or a site generator's link hook reads them, and `red` links to pages that do not
    exist (a wiki's red links: truly broken)."""
    content = root / "content"
    content.mkdir(parents=True)
    for n in range(pages):
        links = ['[Home](Home "Home")', f"[next](Page_{(n + 1) % pages})"]
        if n < red:
            links.append(f"[missing](No_Such_Page_{n})")
        (content / f"Page_{n}.md").write_text(
            f"# Page {n}\n\n" + " * ".join(links) + "\n\n![logo](logo.png)\n", encoding="utf-8"
        )
    (content / "Home.md").write_text("# Home\n\n[first](Page_0)\n", encoding="utf-8")
    (content / "logo.png").write_bytes(b"\x89PNG\r\n")
    return content


def _run(folder: Path, **kw: object) -> AuditResult:
    cfg = AuditConfig.build(offline=True, history=False, cache=False, **kw)  # type: ignore[arg-type]
    return audit([str(folder)], cfg)


def _of(result: AuditResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def test_page_name_links_are_one_finding_with_the_way_out(tmp_path: Path) -> None:
    result = _run(_wiki(tmp_path))
    assert _of(result, "dead") == []  # no wall
    (tree,) = _of(result, "not-a-file-tree")
    assert tree.severity is Severity.ERROR  # the run still fails: nothing was verified
    assert "--fallback-extensions md" in tree.message
    assert tree.evidence["missing_links"] == 3 + 30 * 2 + 1
    assert tree.evidence["found_with_extension"] == {"md": 31}  # Home and every Page_N
    assert tree.evidence["missing_targets"] == 34 and tree.evidence["local_targets"] == 35
    assert tree.line == 3 and tree.document.endswith("Home.md")
    # nothing is lost: every link's outcome is still in the checks
    dead = [c for c in result.checks.values() if c.status is LinkStatus.DEAD]
    assert len(dead) == 34
    page = next(c for c in dead if c.url.endswith("Page_1"))
    assert page.with_extension and page.with_extension.endswith("Page_1.md")
    assert "is there: a page-name link?" in (page.error or "")


def test_fallback_extensions_read_page_names_and_leave_the_truly_broken(tmp_path: Path) -> None:
    result = _run(_wiki(tmp_path), fallback_extensions=("md",))
    assert _of(result, "not-a-file-tree") == []
    dead = _of(result, "dead")
    assert sorted(f.url.rsplit("/", 1)[-1] for f in dead if f.url) == [
        "No_Such_Page_0", "No_Such_Page_1", "No_Such_Page_2",
    ]
    alive = next(c for u, c in result.checks.items() if u.endswith("Page_1"))
    assert alive.status is LinkStatus.ALIVE and alive.checked_as
    assert alive.checked_as.endswith("Page_1.md")


def test_a_few_broken_links_in_a_good_tree_are_each_reported(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(30):
        (docs / f"guide{n}.md").write_text(f"# Guide {n}\n\n[next](guide{(n + 1) % 30}.md)\n")
    (docs / "index.md").write_text("[a](guide0.md) [b](gone.md) [c](moved/guide3.md)\n")
    result = _run(docs)
    assert _of(result, "not-a-file-tree") == []
    assert sorted(f.url.rsplit("/", 1)[-1] for f in _of(result, "dead") if f.url) == [
        "gone.md", "guide3.md",
    ]


def test_missing_files_named_with_their_extension_are_each_reported(tmp_path: Path) -> None:
    """Generated API pages linking `Util.md` in the wrong package: most targets are missing, but
    they name files, so each broken link is reported, not folded."""
    api = tmp_path / "javadoc"
    api.mkdir()
    for n in range(25):
        (api / f"Class{n}.md").write_text(f"# Class{n}\n\nSee [Other{n}](Other{n}.md#run).\n")
    result = _run(api)
    assert _of(result, "not-a-file-tree") == []
    assert len(_of(result, "dead")) == 25


def test_links_to_a_built_sites_routes_are_said_once_with_base_url(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for n in range(25):
        (src / f"post{n}.md").write_text(f"# Post {n}\n\nSee [the tag](tags/topic{n}/).\n")
    result = _run(src)
    (tree,) = _of(result, "not-a-file-tree")
    assert "--base-url" in tree.message and tree.evidence["found_with_extension"] == {}


def test_switching_the_rule_off_brings_every_dead_link_back(tmp_path: Path) -> None:
    result = _run(_wiki(tmp_path), disable_rules=frozenset({"not-a-file-tree"}))
    assert len(_of(result, "dead")) == 3 + 30 * 2 + 1


@pytest.mark.parametrize(
    ("given", "parsed"),
    [(["md,html"], ("md", "html")), ([".md", "md", " htm "], ("md", "htm")), ([], ())],
)
def test_extensions_are_read_as_lychee_writes_them(
    given: list[str], parsed: tuple[str, ...]
) -> None:
    assert parse_extensions(given) == parsed


def test_the_flag_and_the_config_key(tmp_path: Path) -> None:
    content = _wiki(tmp_path)
    runner = CliRunner()
    flag = runner.invoke(app, ["audit", str(content), "--offline", "--no-history", "--no-cache",
                               "--fallback-extensions", "md", "--format", "json"])
    rules = [f["rule"] for f in json.loads(flag.stdout)["findings"]]
    assert flag.exit_code == 1 and rules.count("dead") == 3 and "not-a-file-tree" not in rules
    (tmp_path / "linkaudit.toml").write_text('fallback-extensions = ["md"]\n')
    keyed = runner.invoke(app, ["audit", str(content), "--offline", "--no-history", "--no-cache",
                                "--config", str(tmp_path / "linkaudit.toml"), "--format", "json"])
    assert [f["rule"] for f in json.loads(keyed.stdout)["findings"]].count("dead") == 3
    bad = runner.invoke(app, ["audit", str(content), "--offline", "--fallback-extensions", "m d"])
    assert bad.exit_code == 2 and "--fallback-extensions" in bad.output
    assert "not a file extension" in bad.output


def test_a_site_templates_relative_links_are_skipped_said(tmp_path: Path) -> None:
    """`href="../core"` in `_layouts/eip.html` is written for the pages the layout renders
    (`/EIPS/eip-1/` -> `/core`), not for the layout's folder."""
    site = tmp_path / "site"
    (site / "_layouts").mkdir(parents=True)
    (site / "_layouts" / "eip.html").write_text(
        '<html><body>{{ content }}<a href="../core">Core</a> <a href="/about/">About</a>'
        '<a href="missing.html">x</a></body></html>'
    )
    (site / "index.md").write_text("[core](core) [about](about/)\n")
    result = _run(site)
    by_name = {url.split("/site/", 1)[1]: check for url, check in result.checks.items()}
    missing = by_name["_layouts/missing.html"]
    assert missing.status is LinkStatus.SKIPPED and "site template" in (missing.error or "")
    # a root-relative link does not depend on where the template renders: it is checked
    dead = {(f.document.rsplit("/site/", 1)[1], (f.url or "").split("/site/", 1)[1])
            for f in _of(result, "dead")}
    assert ("_layouts/eip.html", "about/") in dead and ("index.md", "core") in dead
    assert not [f for f in dead if f[1] == "_layouts/missing.html"]


def test_a_generator_pages_links_are_routes_of_the_built_site(tmp_path: Path) -> None:
    """Jekyll's `index.html` (front matter first) links `./EIPS/eip-190`, the page built from
    `EIPS/eip-190.md`: a route of the site, whose target is that file; a route with no page
    behind it is dead. The same link in a plain HTML file, or in a Markdown file read on
    GitHub, names a file that is not there, and is dead."""
    site = tmp_path / "site"
    (site / "EIPS").mkdir(parents=True)
    (site / "EIPS" / "eip-190.md").write_text("# EIP-190\n\n## Motivation\n")
    links = '<a href="./EIPS/eip-190#motivation">EIP</a> <a href="./EIPS/eip-999">EIP</a>'
    (site / "index.html").write_text(f"---\nlayout: default\n---\n<p>{links}</p>\n")
    (site / "plain.html").write_text(f"<html><body>{links}</body></html>\n")
    (site / "EIPS" / "eip-1.md").write_text("See [EIP-190](./eip-190).\n")
    result = _run(site)
    dead = sorted(
        (f.document.rsplit("site/", 1)[1], (f.url or "").rsplit("/", 1)[1])
        for f in _of(result, "dead")
    )
    assert dead == [
        ("EIPS/eip-1.md", "eip-190"), ("index.html", "eip-999"),
        ("plain.html", "eip-190#motivation"), ("plain.html", "eip-999"),
    ]
    route = next(c for u, c in result.checks.items() if u.endswith("EIPS/eip-190.md#motivation"))
    assert route.status is LinkStatus.ALIVE
    assert not _of(result, "missing-anchor")  # the fragment is judged against the page


def test_the_fold_is_judged_over_the_whole_run_not_one_document(tmp_path: Path) -> None:
    """An audit analyses a document as soon as its links are in; only the whole run can tell
    that its tree is not a file tree. Documents analysed one by one keep their `dead` findings
    until the run folds them; one document that alone looks like a wall is not folded."""
    from linkaudit.rules import analyse

    result = _run(_wiki(tmp_path))
    cfg = AuditConfig.build(offline=True)
    docs, checks = result.documents, result.checks
    early = {i: analyse([d], checks, {}, cfg.rules, cfg.links, offline=True, whole_run=False)
             for i, d in enumerate(docs)}
    assert sum(f.rule == "dead" for found, _ in early.values() for f in found) == 64
    assert not [f for found, _ in early.values() for f in found if f.rule == "not-a-file-tree"]
    findings, _ = analyse(docs, checks, {}, cfg.rules, cfg.links, offline=True, precomputed=early)
    assert [f.rule for f in findings] == ["not-a-file-tree"]
    # a tree of good pages with one page of 25 page-name links is no wall
    good = tmp_path / "good"
    good.mkdir()
    for n in range(60):
        (good / f"g{n}.md").write_text(f"[next](g{(n + 1) % 60}.md)\n")
    (good / "wiki.md").write_text(" ".join(f"[p](Page_{n})" for n in range(25)) + "\n")
    mixed = _run(good)
    assert _of(mixed, "not-a-file-tree") == [] and len(_of(mixed, "dead")) == 25
