"""The command line's manners: help with every default, errors in one style, config keys named
after the flags, `config`, `rules`, `cache stats`, `report --format table`, confirmations of
files written, `fix --check`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from linkaudit import __version__
from linkaudit import flags as F
from linkaudit.cli import app, fix_allow_private, main
from linkaudit.config import AuditConfig, FailOn, setting_value
from linkaudit.configfile import load_config, resolve
from linkaudit.errors import ConfigError
from linkaudit.report import OutputFormat

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ainvest-alibaba-ai-chip.txt"
CASSETTE = ROOT / "cassettes" / "ainvest-alibaba-ai-chip.yaml"
COMMANDS = ("extract", "audit", "cache", "rules", "config", "report", "fix")


def run(*args: str, columns: int = 120) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, fix_allow_private(list(args)),
                                env={"COLUMNS": str(columns)})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Through the console entry point, as a user runs `linkaudit ...`."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


@pytest.fixture(autouse=True)
def _cwd(in_tmp: Path) -> None:
    """Every test runs in an empty directory (no config file, no store found)."""


# -- help ----------------------------------------------------------------------------------------


def test_every_option_of_every_command_states_its_default() -> None:
    group = typer.main.get_command(app)
    seen = 0
    for name in COMMANDS:
        command = group.commands[name]  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name != "option" or param.name in ("help",):
                continue
            seen += 1
            assert "[default: " in (param.help or ""), f"{name} {param.opts[0]}: no default"
            assert param.metavar is not None, f"{name} {param.opts[0]}: typer's type label"
    assert seen > 60


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_no_python_types(command: str, columns: int) -> None:
    code, out, _err = run(*([command] if command else []), "-h", columns=columns)
    assert code == 0 and "Usage: linkaudit" in out
    assert not re.search(r"<(bool|int|float|str|path|list\[[^\]]*\])>|\{[a-z]+\}", out), out
    assert max(len(line) for line in out.splitlines()) <= columns


def test_help_lists_the_choices_and_defaults_users_ask_about() -> None:
    _code, out, _err = run("audit", "--help", columns=200)
    flat = " ".join(out.split())
    assert "One of: table, json, markdown, sarif, junit, github, html. [default: table]" in flat
    assert "One of: error, warning, info, never. [default: error]" in flat
    assert "[default: 20]" in flat and "[default: .linkaudit/linkaudit.db]" in flat


def test_audit_formats_are_the_output_formats() -> None:
    assert tuple(f.value for f in OutputFormat) == F.AUDIT_FORMATS


def test_crawl_defaults_shown_are_the_crawlers() -> None:
    from linkaudit.crawl.interface import DEFAULT_DEPTH, DEFAULT_MAX_PAGES

    assert (F.MAX_PAGES.default, F.DEPTH.default) == (str(DEFAULT_MAX_PAGES), str(DEFAULT_DEPTH))


def test_short_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("-h")[0] == 0 and run("audit", "-h")[0] == 0
    code, out, _err = run_main(capsys, "-V")
    assert code == 0 and out == f"linkaudit {__version__} (linkaudit-citations)\n"


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["--format", "nope"], "--format: 'nope' is not one of table, json, markdown, sarif, "
                               "junit, github, html"),
        (["--timeout", "0"], "--timeout: must be positive"),
        (["--timeout", "abc"], "--timeout: expected a number"),
        (["--retries", "x"], "--retries: expected a whole number"),
        (["--fail-on", "sometimes"], "--fail-on: 'sometimes' is not one of error, warning, info, "
                                     "never"),
        (["--archive", "maybe"], "--archive: 'maybe' is not one of dead, all, none"),
        (["--timout", "3"], "--timout: no such option (did you mean --timeout?)"),
        (["--report", "pdf:x.pdf"], "--report: 'pdf:x.pdf': 'pdf' is not one of table, json"),
        (["--as-of", "yesterday"], "--as-of: 'yesterday' is not a date (YYYY-MM-DD)"),
    ],
)
def test_flag_errors_name_the_flag_in_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], first_line: str
) -> None:
    code, out, err = run_main(capsys, "audit", str(EXAMPLE), "--offline", *args)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("linkaudit: error: " + first_line), lines[0]
    assert lines[1].startswith("hint: ")
    assert "key" not in lines[1]  # a flag is not a config file's key
    assert "_s" not in lines[0]  # never an internal field name (timeout_s)


def test_config_errors_share_the_style(capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    (in_tmp / "linkaudit.toml").write_text("per-hots = 2\n", encoding="utf-8")
    code, _out, err = run_main(capsys, "audit", str(EXAMPLE), "--offline")
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith("linkaudit: error: ") and "'per-hots'" in first
    assert "did you mean 'per-host'?" in first


def test_a_mistyped_command_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_main(capsys, "audti", str(EXAMPLE))
    assert code == 2 and "audti: no such command (did you mean audit?)" in err


# -- config keys ---------------------------------------------------------------------------------


def test_config_keys_are_the_flag_names(in_tmp: Path) -> None:
    path = in_tmp / "linkaudit.toml"
    path.write_text(
        "timeout = 5\nurl-deadline = 30\nmax-body = 1000\ncache-ttl = 60\narchive-rate = 10\n"
        "stale-after = 90\nheader = ['X-Team: docs']\nallow-private = ['10.0.0.0/8']\n"
        "fail-on = 'warning'\n",
        encoding="utf-8",
    )
    cfg = resolve(None, {}).config
    net = cfg.network
    assert (net.timeout_s, net.url_deadline_s, net.max_body_bytes) == (5.0, 30.0, 1000)
    assert cfg.store.cache_ttl_s == 60 and cfg.archive.rate_per_min == 10
    assert cfg.rules.stale_after_days == 90
    assert net.headers == (("X-Team", "docs"),) and net.allow_private == ("10.0.0.0/8",)
    assert cfg.report.fail_on is FailOn.WARNING and not cfg.network.allow_private_all
    path.write_text("timeout_s = 5\nallow-private = true\n", encoding="utf-8")  # old keys work
    cfg = resolve(None, {}).config
    assert cfg.network.timeout_s == 5.0 and cfg.network.allow_private_all


def test_every_setting_flag_is_a_config_key(in_tmp: Path) -> None:
    samples = {bool: "true", int: "3", float: "2.5", str: "'x'"}
    for flag in F.SETTING_FLAGS:
        kind = type(setting_value(AuditConfig(), flag.field))
        if kind not in samples or flag.choices:
            continue
        path = in_tmp / "linkaudit.toml"
        path.write_text(f"{flag.key} = {samples[kind]}\n", encoding="utf-8")
        assert flag.field in load_config(path, environ={}), flag.key


def test_a_key_set_twice_is_an_error(in_tmp: Path) -> None:
    path = in_tmp / "linkaudit.toml"
    path.write_text("timeout = 5\ntimeout_s = 6\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"timeout_s: set twice \(also as 'timeout'\)"):
        load_config(path, environ={})


def readme_toml() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    return next(b for b in blocks if "[tool.linkaudit]" in b)


def test_the_readme_example_works_in_pyproject_and_in_linkaudit_toml(in_tmp: Path) -> None:
    block = readme_toml()
    (in_tmp / "pyproject.toml").write_text(block, encoding="utf-8")
    env = {"EXAMPLE_TOKEN": "t"}
    from_pyproject = load_config(in_tmp / "pyproject.toml", environ=env)
    (in_tmp / "linkaudit.toml").write_text(block, encoding="utf-8")  # pasted as it is
    assert load_config(in_tmp / "linkaudit.toml", environ=env) == {
        k: v if k not in ("baseline",) else in_tmp / "ci" / "linkaudit-baseline.json"
        for k, v in from_pyproject.items()
    }
    assert from_pyproject


def test_a_header_mixed_with_top_level_keys_says_to_drop_it(in_tmp: Path) -> None:
    path = in_tmp / "linkaudit.toml"
    path.write_text("timeout = 5\n[tool.linkaudit]\nretries = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"drop the \[tool.linkaudit\] header"):
        load_config(path, environ={})


# -- config, rules, cache, report ----------------------------------------------------------------


def test_config_command_says_where_each_value_came_from(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (in_tmp / "pyproject.toml").write_text(
        "[tool.linkaudit]\ntimeout = 5\nheader = ['Authorization: secret-value']\n"
        "accept = ['200..=299', 403, 405]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LINKAUDIT_GITHUB_TOKEN", "ghs_secret")
    code, out, _err = run("config")
    assert code == 0
    assert out.splitlines()[0] == f"config file: {(in_tmp / 'pyproject.toml').resolve()}"
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert re.search(r"timeout\s+5\s+\(.*pyproject\.toml\)", rows["timeout"])
    assert re.fullmatch(r"\s*per-host\s+4\s+\(default\)", rows["per-host"])
    assert "(set)" in rows["github-token"] and "$LINKAUDIT_GITHUB_TOKEN" in rows["github-token"]
    assert "secret" not in out
    assert re.search(r"accept\s+200\.\.=299, 403, 405\s+\(", rows["accept"])  # as written
    code, out, _err = run("audit", str(EXAMPLE), "--show-config", "--timeout", "7")
    assert code == 0 and re.search(r"timeout\s+7\s+\(--timeout\)", out)
    data = json.loads(run("config", "--format", "json")[1])
    assert {"key": "timeout", "field": "timeout_s", "value": "5",
            "source": str((in_tmp / "pyproject.toml").resolve())} in data["settings"]


def test_rules_show_the_projects_severities(in_tmp: Path) -> None:
    (in_tmp / "linkaudit.toml").write_text(
        'rules = { "weak-support" = "off", "unarchived" = "warning" }\n', encoding="utf-8"
    )
    data = json.loads(run("rules", "--format", "json")[1])
    rules = {r["id"]: r for r in data["rules"]}
    assert rules["weak-support"]["severity"] == "off"
    assert rules["unarchived"]["severity"] == "warning"
    assert rules["unarchived"]["default_severity"] == "info"
    assert rules["dead"]["severity"] == rules["dead"]["default_severity"] == "error"
    _code, out, _err = run("rules")
    assert re.search(r"^unarchived\s+warning\*", out, re.M)
    assert "* set by" in out


# -- files written, fix --check ------------------------------------------------------------------


def test_files_written_are_confirmed(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    html, sarif, data = in_tmp / "report.html", in_tmp / "out.sarif", in_tmp / "out.json"
    code, out, err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE), "-o", str(html),
                         "--format", "html", "--report", f"sarif:{sarif}", "--report",
                         f"json:{data}")
    assert code == 1 and out == ""
    counts = json.loads(data.read_text(encoding="utf-8"))["summary"]["severity"]
    assert counts["error"] and counts["warning"] and counts["info"]
    errors = f"{counts['error']} error" + ("s" if counts["error"] != 1 else "")
    phrase = f"{errors}, {counts['warning']} warnings, {counts['info']} info"
    for path in (html, sarif, data):
        assert f"wrote {path}: {phrase}\n" in err
    _code, _out, err = run("audit", str(EXAMPLE), "--replay", str(CASSETTE), "-o", str(html),
                           "-q")
    assert "wrote" not in err
    extracted = in_tmp / "refs.json"
    _code, _out, err = run("extract", str(EXAMPLE), "-f", "json", "-o", str(extracted))
    assert f"wrote {extracted}: 5 references in 1 document" in err


def test_fix_check_exits_1_when_edits_are_pending(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = in_tmp / "article.txt"
    shutil.copy(EXAMPLE, article)
    code, out, err = run("fix", str(article), "--replay", str(CASSETTE), "--check")
    assert code == 1
    assert "web.archive.org/web/20250831120512/https://www.eweek.com" in out
    assert "would change 1 file," in err
    assert article.read_bytes() == EXAMPLE.read_bytes()  # --check writes nothing
    assert run("fix", str(article), "--replay", str(CASSETTE), "--write")[0] == 0
    code, out, err = run("fix", str(article), "--replay", str(CASSETTE), "--check")
    assert code == 0 and out == "" and "nothing to fix" in err
