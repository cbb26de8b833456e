"""The config file: discovery, every key, validation errors naming key and file, and merging."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from linkaudit.config import ArchiveMode, AuditConfig, FailOn, HostPolicy, setting_value
from linkaudit.configfile import FIELD_TYPES, find_config, load_config, merge
from linkaudit.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_find_config_walks_up_and_prefers_linkaudit_toml(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) is None or not str(find_config(deep)).startswith(str(tmp_path))
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    found = find_config(deep)
    assert found is None or not str(found).startswith(str(tmp_path))  # no [tool.linkaudit]
    write(tmp_path / "a" / "pyproject.toml", "[tool.linkaudit]\nretries = 1\n")
    assert find_config(deep) == (tmp_path / "a" / "pyproject.toml").resolve()
    write(tmp_path / "a" / "linkaudit.toml", "retries = 2\n")
    assert find_config(deep) == (tmp_path / "a" / "linkaudit.toml").resolve()
    write(tmp_path / "a" / "b" / "pyproject.toml", "this is [not toml")
    assert find_config(deep) == (tmp_path / "a" / "linkaudit.toml").resolve()


FULL = """
[tool.linkaudit]
per-host = 2
timeout_s = 5
archive = "all"
fail-on = "warning"
exclude = ["^https://localhost", "\\\\.internal/"]
include = ["^https://"]
as_of = 2025-09-01
baseline = "ci/baseline.json"
store = "/var/cache/la.db"
headers = {X-Trace = "on"}
github-token = "env:GH_TOKEN"
rules = {"weak-support" = "off", "unarchived" = "warning", "dead" = "on"}

[tool.linkaudit.hosts."example.com"]
accept = [403, 429]
per_host = 1
headers = {Authorization = "env:MY_TOKEN"}

[tool.linkaudit.hosts.".gov.example"]
accept = [401]
"""


def test_load_every_kind_of_value(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", FULL)
    values = load_config(path, environ={"MY_TOKEN": "Bearer s3cret", "GH_TOKEN": "ghp_x"})
    assert values["per_host"] == 2 and values["timeout_s"] == 5.0
    assert values["archive"] is ArchiveMode.ALL and values["fail_on"] is FailOn.WARNING
    assert values["exclude"] == ("^https://localhost", "\\.internal/")
    assert values["as_of"] == dt.date(2025, 9, 1)
    assert values["baseline"] == tmp_path / "ci" / "baseline.json"
    assert values["store"] == Path("/var/cache/la.db")
    assert values["headers"] == (("X-Trace", "on"),)
    assert values["github_token"] == "ghp_x"
    assert values["disable_rules"] == frozenset({"weak-support"})
    assert values["severity_overrides"] == (("unarchived", "warning"),)
    hosts = dict(values["hosts"])  # type: ignore[call-overload]
    assert hosts["example.com"] == HostPolicy(
        accept=frozenset({403, 429}), per_host=1, headers=(("Authorization", "Bearer s3cret"),)
    )
    cfg = merge(values, {})
    assert cfg.network.host_policy("www.gov.example") == HostPolicy(accept=frozenset({401}))
    assert cfg.network.per_host == 2 and cfg.network.github_token == "ghp_x"


def test_linkaudit_toml_uses_the_top_level(tmp_path: Path) -> None:
    path = write(tmp_path / "linkaudit.toml", "offline = true\nstale_after_days = 90\n")
    assert load_config(path, environ={}) == {"offline": True, "stale_after_days": 90}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("per_hots = 3", "unknown key 'per_hots' in [tool.linkaudit] (did you mean 'per_host'?)"),
        ("per_host = 0", "per_host: must be positive"),
        ("per_host = 'four'", "per_host: expected an integer"),
        ("retries = true", "retries: expected an integer"),
        ("offline = 'yes'", "offline: expected true or false"),
        ("archive = 'sometimes'", "archive: 'sometimes' is not one of dead, all, none"),
        ("exclude = ['(unclosed']", "exclude: bad regular expression '(unclosed'"),
        ("exclude = 3", "exclude: expected a list of strings"),
        ("as_of = 'yesterday'", "as_of: expected a date"),
        ("rules = {dead = 'loud'}", "rules.dead: 'loud' is not off, on, error, warning or info"),
        ("headers = {Authorization = 'env:NOPE_NOT_SET'}",
         "headers.Authorization: environment variable NOPE_NOT_SET is not set"),
        ("[tool.linkaudit.hosts.'a.com']\naccept = [999]", "hosts.a.com.accept: expected a list"),
        ("[tool.linkaudit.hosts.'a.com']\nlimit = 1", "hosts.a.com.limit: unknown key"),
        ("timeout_s = -1", "timeout_s: must be positive"),
    ],
)
def test_bad_values_name_the_key_and_the_file(tmp_path: Path, body: str, needle: str) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.linkaudit]\n" + body + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    message = str(info.value)
    assert needle in message
    assert message.startswith(str(path))
    assert "\n" not in message


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path / "linkaudit.toml", "per_host = = 2\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(path, environ={})


def test_unknown_rule_ids_are_refused_when_rules_are_known(tmp_path: Path) -> None:
    from linkaudit.configvalues import known_rule_ids

    known = known_rule_ids()
    if not known:
        pytest.skip("linkaudit.rules.ALL_RULES is not available")
    path = write(tmp_path / "linkaudit.toml", "rules = {'no-such-rule' = 'off'}\n")
    with pytest.raises(ConfigError, match="rules.no-such-rule: unknown rule"):
        load_config(path, environ={})


def test_every_field_has_a_key_with_dashes_or_underscores(tmp_path: Path) -> None:
    defaults = AuditConfig()
    samples = {
        bool: "true", int: "7", float: "1.5", str: '"x"',
    }
    for name, kind in FIELD_TYPES.items():
        raw = samples.get(kind)
        if raw is None:
            continue
        for spelling in (name, name.replace("_", "-")):
            path = write(tmp_path / "linkaudit.toml", f"{spelling} = {raw}\n")
            values = load_config(path, environ={})
            assert name in values, spelling
            assert type(values[name]) is type(setting_value(defaults, name)), name


def test_merge_flags_win_where_given() -> None:
    cfg_values = {"per_host": 2, "exclude": ("a",), "fail_on": FailOn.WARNING}
    cfg = merge(cfg_values, {"per_host": None, "exclude": (), "fail_on": "info", "offline": True})
    assert cfg.network.per_host == 2  # flag not given
    assert cfg.network.exclude == ("a",)  # an unrepeated flag arrives empty: the file's list stays
    assert cfg.report.fail_on is FailOn.INFO and cfg.network.offline is True
    assert merge({}, {}) == AuditConfig()
    assert merge({}, {"per-host": 9}).replace(per_host=4) == AuditConfig()


def test_merge_refuses_unknown_and_bad_flags() -> None:
    with pytest.raises(ConfigError, match="unknown option 'per_hots'"):
        merge({}, {"per_hots": 1})
    with pytest.raises(ConfigError, match="archive"):
        merge({}, {"archive": "sometimes"})


def test_github_token_falls_back_to_the_environment() -> None:
    env = {"LINKAUDIT_GITHUB_TOKEN": "ghs_from_env"}
    assert merge({}, {}, environ=env).network.github_token == "ghs_from_env"
    assert merge({"github_token": "file"}, {}, environ=env).network.github_token == "file"
    assert merge({}, {"github_token": "flag"}, environ=env).network.github_token == "flag"
    assert merge({}, {}, environ={}).network.github_token is None
    assert "ghs_from_env" not in repr(merge({}, {}, environ=env))


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('severity_overrides = {"dead" = "off"}', "'off' is not a severity"),
        ('severity_overrides = {"deadd" = "info"}', "unknown rule"),
    ],
)
def test_severity_overrides_are_checked_not_dropped(tmp_path: Path, body: str, needle: str) -> None:
    path = tmp_path / "linkaudit.toml"
    path.write_text(body + "\n")
    with pytest.raises(ConfigError, match=needle):
        load_config(path)
    path.write_text('severity_overrides = {"dead" = "info"}\n')
    assert load_config(path)["severity_overrides"] == (("dead", "info"),)
    with pytest.raises(ConfigError, match="not a severity"):
        merge({}, {"severity_overrides": (("dead", "bogus"),)})
