"""Each stage takes the sections of the config it reads; the whole `AuditConfig` is held only
where the stages are wired together (`config.py`, `configfile.py`, `audit.py`, `cli/`).

An ast walk over `linkaudit/` finds every parameter annotated with `AuditConfig`, and every
annotated class field (a dataclass's fields are its constructor's parameters, and a class
attribute holding the config is the same grab-bag); outside the modules listed here, one is a
failure naming where it is.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from pathlib import Path

from fakes import FakeClient

from linkaudit.config import NetworkConfig, RulesConfig
from linkaudit.model import LinkCheck, LinkStatus
from linkaudit.scale.interface import shard_network
from linkaudit.scale.plan import Shard
from linkaudit.scale.work import check_shard

ROOT = Path(__file__).resolve().parents[1]

ALLOWED_MODULES = {
    "linkaudit/config.py": "defines it (`setting_value` reads a setting by its flat name)",
    "linkaudit/configfile.py": "builds it from the config file and the flags",
    "linkaudit/audit.py": "`run_audit` wires the stages, handing each its sections",
    "linkaudit/cli/": "the commands build it and hand each stage its sections",
}
"""Where `AuditConfig` may be a parameter's type (a folder: every module under it), and why."""

SECTION_TYPES = (
    "NetworkConfig", "StoreConfig", "ArchiveConfig", "LinksConfig", "RulesConfig",
    "ReportConfig", "HealthConfig", "ScaleConfig",
)


def _names_type(annotation: ast.expr | None, names: Collection[str]) -> set[str]:
    """Which of `names` the annotation mentions (quoted ones included)."""
    found: set[str] = set()
    if annotation is None:
        return found
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id in names:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in names:
            found.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                quoted = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                continue
            found |= _names_type(quoted, names)
    return found


def typed_parameters(
    source: str, names: Collection[str]
) -> Iterator[tuple[str, int, str, set[str]]]:
    """(function or class, line, parameter or field, types) for each annotated with one of
    `names`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            every = [*a.posonlyargs, *a.args, *a.kwonlyargs]
            every += [arg for arg in (a.vararg, a.kwarg) if arg is not None]
            for arg in every:
                if found := _names_type(arg.annotation, names):
                    yield node.name, arg.lineno, arg.arg, found
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign) and (
                    found := _names_type(statement.annotation, names)
                ):
                    yield node.name, statement.lineno, ast.unparse(statement.target), found


def whole_config_parameters(source: str) -> Iterator[tuple[str, int, str]]:
    """(function or class, line, parameter or field) for each annotated with `AuditConfig`."""
    for function, line, name, _ in typed_parameters(source, {"AuditConfig"}):
        yield function, line, name


def _allowed(module: str) -> bool:
    return any(
        module == allowed or (allowed.endswith("/") and module.startswith(allowed))
        for allowed in ALLOWED_MODULES
    )


def test_the_walk_finds_a_whole_config_however_it_is_written() -> None:
    source = (
        "import linkaudit.config as c\n"
        "def a(cfg: AuditConfig) -> None: ...\n"
        "async def b(*, cfg: 'AuditConfig | None' = None) -> None: ...\n"
        "def d(cfg: c.AuditConfig, network: NetworkConfig) -> AuditConfig: ...\n"
        "class E:\n"
        "    cfg: AuditConfig\n"
        "    network: NetworkConfig\n"
    )
    assert sorted(whole_config_parameters(source)) == [
        ("E", 6, "cfg"), ("a", 2, "cfg"), ("b", 3, "cfg"), ("d", 4, "cfg"),
    ]


def test_only_the_composition_modules_take_the_whole_config() -> None:
    found = []
    for path in sorted((ROOT / "linkaudit").rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        for function, line, name in whole_config_parameters(path.read_text("utf-8")):
            if not _allowed(module):
                found.append(f"{module}:{line}: {function}({name}: AuditConfig)")
    assert found == [], "a stage takes the whole AuditConfig; give it its sections instead"


def test_the_allowed_list_names_what_exists() -> None:
    """A module that no longer exists leaves the list (or the list would pass anything put
    there later)."""
    for allowed in ALLOWED_MODULES:
        assert (ROOT / allowed).exists(), allowed


def test_check_takes_only_the_sections_scale_sends_its_workers() -> None:
    """A worker's checker is given the run's network and rules sections, and no store (the main
    process keeps the cache); a section `check/` starts taking must be sent to the workers too,
    or they would run with its defaults."""
    taken: set[str] = set()
    for path in (ROOT / "linkaudit" / "check").rglob("*.py"):
        for *_, found in typed_parameters(path.read_text("utf-8"), SECTION_TYPES):
            taken |= found
    assert "NetworkConfig" in taken  # the walk sees what it is meant to see
    assert taken <= {"NetworkConfig", "RulesConfig", "StoreConfig"}, taken


async def test_a_shards_checker_runs_with_the_sections_it_is_sent() -> None:
    """`check_shard` gives the checker the run's network section (its filters; the shard's
    share of the limit) and its rules section (the text kept of a source page)."""
    page = "<title>T</title><p>" + "word " * 400 + "</p>"
    url, skipped = "https://a.example/page", "https://a.example/skip-me"
    network = NetworkConfig(exclude=("skip-me",), concurrency=64)
    shard = Shard(0, ("a.example",), (url, skipped), concurrency=3, work_s=1.0, expected_s=1.0)
    assert shard_network(network, shard) == NetworkConfig(exclude=("skip-me",), concurrency=3)

    async def excerpt(rules: RulesConfig) -> str:
        checks: list[LinkCheck] = []
        client = FakeClient({url: (200, page)})
        await check_shard(shard, network, rules, client, checks.extend, batch_s=0)
        by_url = {c.url: c for c in checks}
        assert by_url[skipped].status is LinkStatus.SKIPPED
        assert client.urls() == [url]
        return by_url[url].excerpt or ""

    short, long = await excerpt(RulesConfig(excerpt_chars=50)), await excerpt(RulesConfig())
    assert 0 < len(short) <= 50 < len(long)
