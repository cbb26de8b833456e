"""Generate the reference parts of the docs from the code, so they cannot drift from it.

- `docs/config.md`: the table of config keys, from `linkaudit.config.SETTINGS` (each setting's
  default and the docstring under its attribute in its section of `AuditConfig`);
- `docs/rules.md`: one section per rule (an anchor named after its id), from
  `linkaudit.rules.ALL_RULES`.

Run `python docs/gen_docs.py` after changing either; `--check` exits 1 when a file is stale.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import inspect
import sys
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from linkaudit import config as config_module  # noqa: E402
from linkaudit.config import (  # noqa: E402
    SETTINGS,
    AuditConfig,
    setting_types,
    setting_value,
)
from linkaudit.flags import config_key  # noqa: E402

CONFIG_BEGIN = "<!-- BEGIN GENERATED KEYS (python docs/gen_docs.py) -->"
CONFIG_END = "<!-- END GENERATED KEYS -->"


def field_docs() -> dict[str, str]:
    """The docstring under each setting's attribute in its section class, read from the source,
    by the setting's flat name (`linkaudit.config.SETTINGS`)."""
    tree = ast.parse(inspect.getsource(config_module))
    by_class: dict[str, dict[str, str]] = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        docs = by_class.setdefault(cls.name, {})
        body = cls.body
        for node, after in zip(body, [*body[1:], None], strict=True):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[node.target.id] = " ".join(after.value.value.split())
    sections = {f.name: f.type for f in dataclasses.fields(AuditConfig)}
    return {
        s.name: by_class.get(str(sections[s.section]), {}).get(s.attr, "")
        for s in SETTINGS
    }


def type_name(name: str, kind: Any) -> str:
    """How a field's type is written in TOML terms."""
    special = {
        "hosts": 'tables: `[hosts."example.com"]` with `accept`, `per_host`, `headers`',
        "headers": "table of header name = string (`env:NAME` reads a variable)",
        "severity_overrides": "table of rule id = severity (or use `rules`)",
        "disable_rules": "list of rule ids (or use `rules`)",
        "github_token": "string (`env:NAME` reads a variable)",
        "accept": 'list of statuses and ranges (`[403, "200..=299"]`) or one string',
        "remap": "list of `'REGEX REPLACEMENT'` strings",
        "exclude_path": "list of strings (gitignore-style globs)",
    }
    if name in special:
        return special[name]
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and len(args) == 1:
        kind = args[0]
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(f"`{m.value}`" for m in kind)
    origin = typing.get_origin(kind)
    if origin in (tuple, frozenset):
        return "list of strings" + (" (regular expressions)" if name in ("include", "exclude")
                                    else "")
    return {bool: "boolean", int: "integer", float: "number", str: "string",
            Path: "path (relative to the config file)", dt.date: "date (YYYY-MM-DD)"}.get(
        kind, str(kind))


def default_text(value: Any) -> str:
    """A default as TOML would write it."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Enum):
        return f'`"{value.value}"`'
    if isinstance(value, Path):
        return f'`"{value.as_posix()}"`'
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, tuple | frozenset | list):
        return "`[]`" if not value else f"`{list(value)}`"
    return f"`{value}`"


def config_table() -> str:
    """The generated part of `config.md`."""
    docs = field_docs()
    hints = setting_types()
    defaults = AuditConfig()
    lines = [CONFIG_BEGIN, "", "| Key | Type | Default | Meaning |", "| --- | --- | --- | --- |"]
    for f in SETTINGS:
        default = ("unset" if f.name == "github_token"
                   else default_text(setting_value(defaults, f.name)))
        key = config_key(f.name)  # the flag's name; the field's name is accepted too
        alias = f" (or `{f.name}`)" if key.replace("-", "_") != f.name else ""
        lines.append(
            f'| <a id="{f.name}"></a>`{key}`{alias} | {type_name(f.name, hints[f.name])} '
            f"| {default} | {docs.get(f.name, '')} |"
        )
    lines += ["", CONFIG_END]
    return "\n".join(lines)


def rules_page() -> str:
    """The whole of `rules.md`."""
    from linkaudit.rules import ALL_RULES

    lines = [
        "# Rules",
        "",
        "<!-- Generated by `python docs/gen_docs.py` from `linkaudit.rules.ALL_RULES`. -->",
        "",
        "Every finding names one of these rules. Switch a rule off or change its severity in the",
        'config file: `rules = {"weak-support" = "off", "unarchived" = "warning"}`',
        "(see [config.md](config.md)), or for one place with an inline comment",
        "`<!-- linkaudit-ignore weak-support -->`.",
        "",
        "| Rule | Default severity | Finds |",
        "| --- | --- | --- |",
    ]
    lines += [f"| [`{r.ident}`](#{r.ident}) | {r.severity.label} | {r.summary} |"
              for r in ALL_RULES]
    for rule in ALL_RULES:
        doc = inspect.cleandoc(type(rule).__doc__ or rule.summary)
        lines += ["", f'<a id="{rule.ident}"></a>', f"## {rule.ident}", "",
                  f"Default severity: **{rule.severity.label}**. {rule.summary[:1].upper()}"
                  f"{rule.summary[1:]}.", "", doc]
    return "\n".join(lines) + "\n"


def generated() -> dict[Path, str]:
    """Each generated file and its expected content."""
    config_md = DOCS / "config.md"
    text = config_md.read_text(encoding="utf-8")
    start, end = text.index(CONFIG_BEGIN), text.index(CONFIG_END) + len(CONFIG_END)
    return {
        config_md: text[:start] + config_table() + text[end:],
        DOCS / "rules.md": rules_page(),
    }


def main(argv: list[str]) -> int:
    """Write the files, or with `--check` report the stale ones."""
    stale = 0
    for path, content in generated().items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == content:
            continue
        if "--check" in argv:
            print(f"{path.name} is stale: run python docs/gen_docs.py")
            stale += 1
        else:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.name}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
