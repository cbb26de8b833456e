"""The docs stay true to the code: every config key and every rule is documented."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from linkaudit.config import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_every_config_field_is_documented_with_its_default() -> None:
    text = (DOCS / "config.md").read_text(encoding="utf-8")
    from linkaudit.flags import config_key

    for f in SETTINGS:
        key = re.escape(config_key(f.name))  # the flag's name, with the field's as an alias
        row = re.search(rf'^\| <a id="{f.name}"></a>`{key}`( \(or `{f.name}`\))? \|.*$', text,
                        re.MULTILINE)
        assert row, f"config.md does not document {f.name}"
    assert '`per-host` | integer | `4` |' in text
    assert '`timeout` (or `timeout_s`) | number | `20.0` |' in text


def test_every_rule_has_an_anchor() -> None:
    rules = pytest.importorskip("linkaudit.rules")
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for rule in rules.ALL_RULES:
        assert f'<a id="{rule.ident}"></a>' in text, f"rules.md has no anchor for {rule.ident}"
        assert rule.help_uri.endswith(f"rules.md#{rule.ident}")


def test_generated_docs_are_current() -> None:
    completed = subprocess.run(
        [sys.executable, str(DOCS / "gen_docs.py"), "--check"],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_audit_schema_is_a_valid_schema() -> None:
    schema = json.loads((DOCS / "audit-schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == "linkaudit.audit/1"
