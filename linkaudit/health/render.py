"""`linkaudit report --format`: the formats of the link-health report and their renderers.

The renderers import the report's data (`linkaudit.health.report`); the report does not import
them, so the choice of a renderer lives here, above both.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import assert_never

from linkaudit.health.html import render_html
from linkaudit.health.json_v1 import render_json
from linkaudit.health.markdown import render_markdown
from linkaudit.health.report import HealthReport
from linkaudit.health.table import render_table


class ReportFormat(StrEnum):
    """`linkaudit report --format`."""

    TABLE = "table"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"

    def renderer(self) -> Callable[[HealthReport], str]:
        """The function that renders a report in this format (the table as plain text; on a
        terminal the command prints it with `linkaudit.health.table.print_table`)."""
        match self:
            case ReportFormat.TABLE:
                return render_table
            case ReportFormat.MARKDOWN:
                return render_markdown
            case ReportFormat.HTML:
                return render_html
            case ReportFormat.JSON:
                return render_json
            case _ as unreachable:
                assert_never(unreachable)
