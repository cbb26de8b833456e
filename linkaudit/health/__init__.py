"""Link health over time: the run history, the scheduled report and `linkaudit fix`.

- `history`: `record_run` (called by `linkaudit.audit` after each run) and `link_states`;
- `policy`: the pure verdict (dead only after `confirm_runs` failures over `confirm_days`);
- `report` + `markdown` / `html` / `json_v1`: `linkaudit report`;
- `fix`: `linkaudit fix` (archived copies and redirect targets, byte-preserving);
- `commands`: the typer commands, registered by `linkaudit.cli`.
"""

from linkaudit.health.fix import FileFix, FixPlan, FixStyle, plan_fixes, write_fix
from linkaudit.health.history import LinkHistory, link_states, record_run
from linkaudit.health.policy import HealthPolicy, HealthState, Verdict, verdict
from linkaudit.health.render import ReportFormat
from linkaudit.health.report import HealthReport, build_report

__all__ = [
    "FileFix",
    "FixPlan",
    "FixStyle",
    "HealthPolicy",
    "HealthReport",
    "HealthState",
    "LinkHistory",
    "ReportFormat",
    "Verdict",
    "build_report",
    "link_states",
    "plan_fixes",
    "record_run",
    "verdict",
    "write_fix",
]
