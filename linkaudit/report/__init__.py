"""Reports: every output format of an audit, and the choice between them.

`OutputFormat` owns its mapping to a formatter (matched exhaustively; a test proves every format
has one). `render` is the one entry point the CLI and the Action use (`write` streams the same
text to a file); `render_table` prints the rich table straight to a console (colours, terminal
width). Counting and the exit code live in `summary`.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, TextIO, assert_never

from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.model import AuditResult
from linkaudit.report.interface import ReportFormat

if TYPE_CHECKING:
    from rich.console import Console


class OutputFormat(str, Enum):  # noqa: UP042 - same style as the enums of `model`
    """`--format` and the FORMAT of `--report FORMAT:PATH`."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    HTML = "html"

    def formatter(self) -> ReportFormat:
        """The implementation of this format (imported on demand: the CLI pays only for one)."""
        match self:
            case OutputFormat.TABLE:
                from linkaudit.report.table import TableFormat

                return TableFormat()
            case OutputFormat.JSON:
                from linkaudit.report.json_v1 import JsonV1Format

                return JsonV1Format()
            case OutputFormat.MARKDOWN:
                from linkaudit.report.markdown import MarkdownFormat

                return MarkdownFormat()
            case OutputFormat.SARIF:
                from linkaudit.report.sarif import SarifFormat

                return SarifFormat()
            case OutputFormat.JUNIT:
                from linkaudit.report.junit import JunitFormat

                return JunitFormat()
            case OutputFormat.GITHUB:
                from linkaudit.report.github import GithubFormat

                return GithubFormat()
            case OutputFormat.HTML:
                from linkaudit.report.html import HtmlFormat

                return HtmlFormat()
            case _ as unreachable:
                assert_never(unreachable)

    @property
    def suffix(self) -> str:
        """The usual file name suffix of this format (for `--report FORMAT` without a path)."""
        return {
            OutputFormat.TABLE: ".txt",
            OutputFormat.JSON: ".json",
            OutputFormat.MARKDOWN: ".md",
            OutputFormat.SARIF: ".sarif",
            OutputFormat.JUNIT: ".xml",
            OutputFormat.GITHUB: ".txt",
            OutputFormat.HTML: ".html",
        }[self]


def render(
    result: AuditResult,
    fmt: OutputFormat,
    report: ReportConfig,
    rules: RulesConfig,
    *,
    verbosity: int = 0,
) -> str:
    """`result` as text in format `fmt` (the table without colour, 120 columns wide), shaped by
    the run's report section (`fail_on`) and rules section (the HTML legend's staleness).

    Secrets inside free text are redacted first (`_text.scrub_secrets`), for every format.
    `verbosity` (-1 quiet, 0, 1 verbose) shapes the table only; the other formats hold it all.
    """
    from linkaudit.report._text import scrub_secrets
    from linkaudit.report.table import TableFormat

    formatter = fmt.formatter()
    if isinstance(formatter, TableFormat):
        formatter.verbosity = verbosity
    return formatter.render(scrub_secrets(result), report, rules)


def write(
    result: AuditResult,
    fmt: OutputFormat,
    report: ReportConfig,
    rules: RulesConfig,
    fh: TextIO,
    *,
    verbosity: int = 0,
) -> None:
    """Write `result` in format `fmt` to `fh`, ending in a newline: what `render` gives, but
    streamed where the format can (JSON), so that the report is never built whole beside the
    result."""
    if fmt is OutputFormat.JSON:
        from linkaudit.report.json_v1 import JsonV1Format

        JsonV1Format().write(result, report, fh)
        return
    text = render(result, fmt, report, rules, verbosity=verbosity)
    fh.write(text if text.endswith("\n") else text + "\n")


def render_table(
    result: AuditResult, report: ReportConfig, console: Console, *, verbosity: int = 0
) -> None:
    """Print the table report to `console` (colours and width are the console's; `fail_on`
    from the report section)."""
    from linkaudit.report._text import scrub_secrets
    from linkaudit.report.table import print_table

    print_table(scrub_secrets(result), report, console, verbosity)


__all__ = ["OutputFormat", "ReportFormat", "render", "render_table", "write"]
