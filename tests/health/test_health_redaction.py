"""The link-health report shows URLs redacted and untrusted text escaped, in every format, as the
audit's own reports do (the store keeps URLs as checked)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from health_support import day, result_of

from linkaudit.config import AuditConfig
from linkaudit.health.history import record_run
from linkaudit.health.render import ReportFormat
from linkaudit.health.report import build_report
from linkaudit.model import LinkCheck, LinkStatus
from linkaudit.store import Store

SECRET_URL = "https://api.example.com/page?token=SECRET123&id=7"


def test_health_report_redacts_secrets_and_escapes_controls(tmp_path: Path) -> None:
    cfg = AuditConfig()
    with Store.open(tmp_path / "s.db") as store:
        for n in range(2):
            result = result_of({SECRET_URL: LinkStatus.DEAD}, day(n * 4))
            hostile = LinkCheck(SECRET_URL, LinkStatus.DEAD, http_status=404,
                                error="not found \x1b]0;PWNED\x07 @octocat")
            record_run(store, dataclasses.replace(result, checks={SECRET_URL: hostile}),
                       now=day(n * 4))
        report = build_report(store, cfg.health, now=day(9))
    outputs = {fmt: fmt.renderer()(report) for fmt in ReportFormat}
    for fmt, text in outputs.items():
        assert "SECRET123" not in text, fmt
        assert "\x1b" not in text and "\x07" not in text, fmt
        assert "api.example.com/page" in text, fmt  # the link itself is still reported


def test_audit_markdown_defuses_mentions() -> None:
    import re

    from linkaudit.textsafe import md_text

    out = md_text("ping @octocat and @org/team")
    assert re.search(r"(?<!\\)@", out) is None and out.count("\\@") == 2
