"""Every command reads the project's config file through the one `build_config`: `fix` and
`report` honour `[tool.linkaudit]` / `linkaudit.toml` (hosts, headers, user agent, private
addresses, store, confirm rule) as `audit` does, flags still winning."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import linkaudit.audit
from linkaudit.cli import app
from linkaudit.config import ArchiveMode, AuditConfig
from linkaudit.health.history import record_run
from linkaudit.model import AuditResult, DocFormat, Document, LinkCheck, LinkStatus, Reference
from linkaudit.store import Store

CONFIG = """\
user-agent = "house-bot/1"
allow-private = ["10.0.0.0/8"]
header = ["X-Team: docs"]
store = "state/h.db"
confirm-runs = 1
confirm-days = 0
archive = "all"

[hosts."example.org"]
per_host = 1
headers = {Authorization = "env:HOUSE_TOKEN"}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOUSE_TOKEN", "Bearer t0k")
    (tmp_path / "linkaudit.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "a.md").write_text("Text [1].\n\n[1]: https://example.org/gone\n")
    return tmp_path


def test_fix_runs_with_the_config_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[AuditConfig] = []

    def fake_audit(inputs: list[str], cfg: AuditConfig, **_: object) -> AuditResult:
        seen.append(cfg)
        return AuditResult(documents=(), checks={}, archives={})

    monkeypatch.setattr(linkaudit.audit, "audit", fake_audit)
    CliRunner().invoke(app, ["fix", "a.md", "--user-agent", "flag-bot/2"])
    assert len(seen) == 1
    cfg = seen[0]
    assert cfg.network.user_agent == "flag-bot/2"  # a flag wins over the file
    assert cfg.network.allow_private == ("10.0.0.0/8",) and not cfg.network.allow_private_all
    assert cfg.network.headers == (("X-Team", "docs"),)
    policy = cfg.network.host_policy("example.org")
    assert policy is not None and policy.per_host == 1
    assert policy.headers == (("Authorization", "Bearer t0k"),)
    assert cfg.store.path == project / "state" / "h.db"
    # fix looks up dead links and records nothing, whatever the file says of either
    assert cfg.archive.mode is ArchiveMode.ALL and not cfg.store.history


def test_fix_takes_every_network_flag_audit_takes(project: Path) -> None:
    """One declaration per flag: the network flags `audit` has, `fix` has too."""
    fix = CliRunner().invoke(app, ["fix", "--help"], terminal_width=200).output
    for flag in ("--user-agent", "--header", "--timeout", "--per-host", "--allow-private",
                 "--accept", "--insecure", "--use-env-proxy"):
        assert flag in fix, flag


def test_report_reads_the_store_and_confirm_rule_from_the_config_file(project: Path) -> None:
    url = "https://example.org/gone"
    started = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
    ref = Reference("1", url, url, line=3, column=1, text=url)
    result = AuditResult(
        documents=(Document("a.md", DocFormat.MARKDOWN, "", references=(ref,)),),
        checks={url: LinkCheck(url, LinkStatus.DEAD, http_status=404, checked_at=started)},
        archives={},
        started=started,
    )
    store = project / "state" / "h.db"
    store.parent.mkdir()
    with Store.open(store) as db:
        record_run(db, result)
    res = CliRunner().invoke(app, ["report", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    # confirm-runs = 1 in the file: one failed run is enough to call the link dead
    assert [item["url"] for item in data["dead"]] == ["https://example.org/gone"]
