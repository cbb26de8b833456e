"""The command line: a thin face over the library, one module per command.

- `app`: the typer application (`linkaudit.cli.app`), its commands added below in the order
  `--help` lists them: `extract`, `audit`, `cache`, `rules`, `config`, `report`, `fix`;
- `main`: the console script and `python -m linkaudit` (`linkaudit.cli.main`);
- `common`: one way to fail (`fail`: one line, a hint, an exit code), one way to write a file
  (`write_atomic`), one way to print a problem;
- `settings`: one `build_settings` / `build_config` for every command: the config file
  (`[tool.linkaudit]` or `linkaudit.toml`), then the flags. Every flag is declared once, in
  `linkaudit.flags`; a command's parameter that sets a setting is named after its field.
"""

from __future__ import annotations

from linkaudit.cli.app import DISTRIBUTION, Command, app
from linkaudit.cli.audit import audit
from linkaudit.cli.extract import extract
from linkaudit.cli.health import fix, report
from linkaudit.cli.info import cache_command, config_command, rules_command
from linkaudit.cli.main import main, usage_message
from linkaudit.cli.settings import ALLOW_ALL, build_config, build_settings, fix_allow_private

app.command("extract", cls=Command)(extract)
app.command("audit", cls=Command)(audit)
app.command("cache", cls=Command)(cache_command)
app.command("rules", cls=Command)(rules_command)
app.command("config", cls=Command)(config_command)
app.command("report", cls=Command)(report)
app.command("fix", cls=Command)(fix)


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
