"""The command line: a thin face over the library, one module per command.

- `application`: the typer application (`linkaudit.cli.app`), its commands added below in the order
  `--help` lists them: `extract`, `audit`, `cache`, `rules`, `config`, `report`, `fix`;
- `entry`: the console script and `python -m linkaudit` (`linkaudit.cli.main`);
- `common`: one way to fail (`fail`: one line, a hint, an exit code), one way to write a file
  (`write_atomic`), one way to print a problem;
- `settings`: one `build_settings` / `build_config` for every command: the config file
  (`[tool.linkaudit]` or `linkaudit.toml`), then the flags. Every flag is declared once, in
  `linkaudit.flags`; a command's parameter that sets a setting is named after its field.
"""

from __future__ import annotations

# The command modules are imported as modules (never their functions under the same names), so
# `linkaudit.cli.audit` is the module a test or a reader expects.
from linkaudit.cli import audit as _audit
from linkaudit.cli import extract as _extract
from linkaudit.cli import health as _health
from linkaudit.cli import info as _info
from linkaudit.cli.application import DISTRIBUTION, Command, app
from linkaudit.cli.entry import main, usage_message
from linkaudit.cli.settings import ALLOW_ALL, build_config, build_settings, fix_allow_private

app.command("extract", cls=Command)(_extract.extract)
app.command("audit", cls=Command)(_audit.audit)
app.command("cache", cls=Command)(_info.cache_command)
app.command("rules", cls=Command)(_info.rules_command)
app.command("config", cls=Command)(_info.config_command)
app.command("report", cls=Command)(_health.report)
app.command("fix", cls=Command)(_health.fix)


__all__ = [
    "ALLOW_ALL",
    "DISTRIBUTION",
    "app",
    "build_config",
    "build_settings",
    "fix_allow_private",
    "main",
    "usage_message",
]
