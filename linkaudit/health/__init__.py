"""Link health over time: the run history and the scheduled report.

- `history`: `record_run` (the `HistorySink` the CLI hands to `linkaudit.audit`) and
  `link_states`;
- `policy`: the pure verdict (dead only after `confirm_runs` failures over `confirm_days`);
- `report`: the report as data; `render` chooses among `table`, `markdown`, `html`, `json_v1`.

The commands (`linkaudit report`, `linkaudit fix`) live in `linkaudit.cli.health`; the fixes
themselves in `linkaudit.fix`.
"""

from linkaudit.health.history import LinkHistory, link_states, record_run
from linkaudit.health.policy import HealthPolicy, HealthState, Verdict, verdict
from linkaudit.health.render import ReportFormat
from linkaudit.health.report import HealthReport, build_report

__all__ = [
    "HealthPolicy",
    "HealthReport",
    "HealthState",
    "LinkHistory",
    "ReportFormat",
    "Verdict",
    "build_report",
    "link_states",
    "record_run",
    "verdict",
]
