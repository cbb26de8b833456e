"""Each stage takes the sections of the config it reads; the whole `AuditConfig` is held only
where the stages are wired together (and by `check/`, not yet split into sections).

An ast walk over `linkaudit/` finds every parameter annotated with `AuditConfig`, and every
annotated class field (a dataclass's fields are its constructor's parameters, and a class
attribute holding the config is the same grab-bag); outside the modules and functions listed
here, one is a failure naming where it is.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from linkaudit.config import NetworkConfig, RulesConfig
from linkaudit.scale.interface import checker_config

ROOT = Path(__file__).resolve().parents[1]

ALLOWED_MODULES = {
    "linkaudit/config.py": "defines it (`setting_value` reads a setting by its flat name)",
    "linkaudit/configfile.py": "builds it from the config file and the flags",
    "linkaudit/audit.py": "`run_audit` wires the stages, handing each its sections",
    "linkaudit/cli/": "the commands build it and hand each stage its sections",
    "linkaudit/check/": "not split yet: Checker, Fetcher, make_client and the clients take it",
}
"""Where `AuditConfig` may be a parameter's type (a folder: every module under it), and why."""

ALLOWED_FUNCTIONS = {
    ("linkaudit/local/checker.py", "plan_checks"): "left as it is while check/ is rewritten",
}
"""Single functions elsewhere that still take the whole config, and why."""

SECTIONS = ("network", "store", "archive", "links", "rules", "report", "health", "scale")


def _names_audit_config(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "AuditConfig":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "AuditConfig":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                quoted = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                continue
            if _names_audit_config(quoted):
                return True
    return False


def whole_config_parameters(source: str) -> Iterator[tuple[str, int, str]]:
    """(function or class, line, parameter or field) for each annotated with `AuditConfig`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            every = [*a.posonlyargs, *a.args, *a.kwonlyargs]
            every += [arg for arg in (a.vararg, a.kwarg) if arg is not None]
            for arg in every:
                if _names_audit_config(arg.annotation):
                    yield node.name, arg.lineno, arg.arg
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign) and _names_audit_config(
                    statement.annotation
                ):
                    yield node.name, statement.lineno, ast.unparse(statement.target)


def _allowed(module: str, function: str) -> bool:
    if (module, function) in ALLOWED_FUNCTIONS:
        return True
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
            if not _allowed(module, function):
                found.append(f"{module}:{line}: {function}({name}: AuditConfig)")
    assert found == [], "a stage takes the whole AuditConfig; give it its sections instead"


def test_the_allowed_list_names_what_exists() -> None:
    """A module or function that no longer needs an exception leaves the list (or the list
    would pass anything put there later)."""
    for allowed in ALLOWED_MODULES:
        assert (ROOT / allowed).exists(), allowed
    for module, function in ALLOWED_FUNCTIONS:
        names = [f for f, _, _ in whole_config_parameters((ROOT / module).read_text("utf-8"))]
        assert function in names, (module, function)


def _sections_read(source: str) -> set[str]:
    """The sections read as `cfg.<section>`, `self.cfg.<section>` or `self._cfg.<section>`."""
    read = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in SECTIONS:
            holder = node.value
            name = holder.id if isinstance(holder, ast.Name) else (
                holder.attr if isinstance(holder, ast.Attribute) else "")
            if name in ("cfg", "_cfg"):
                read.add(node.attr)
    return read


def test_check_reads_only_the_sections_scale_sends_its_workers() -> None:
    """`scale` gives `check/` a config made of the network and rules sections (and a store
    section with the cache off: the main process keeps the cache) by `checker_config`; a
    section `check/` starts reading must be sent to the workers too, or they would read its
    defaults."""
    read: set[str] = set()
    for path in (ROOT / "linkaudit" / "check").rglob("*.py"):
        read |= _sections_read(path.read_text("utf-8"))
    assert "network" in read  # the walk sees what it is meant to see
    assert read <= {"network", "rules", "store"}, read
    network, rules = NetworkConfig(per_host=2), RulesConfig(excerpt_chars=7)
    given = checker_config(network, rules)
    assert given.network is network and given.rules is rules
    assert not given.store.cache and not given.store.history
