"""Progress on stderr: a plain line every few seconds in a CI log, and what an archive wait is."""

from __future__ import annotations

import io
import time

from rich.console import Console

from linkaudit.model import LinkCheck, LinkStatus
from linkaudit.progress import LineProgress, RichProgress, archive_wait


def test_archive_wait_says_how_long_at_the_rate() -> None:
    assert archive_wait(12, 20) == "12 lookups left, about 36 s at 20/min"
    assert archive_wait(1, 60) == "1 lookup left, about 1 s at 60/min"
    assert archive_wait(100, 20) == "100 lookups left, about 5 min at 20/min"
    assert archive_wait(3, 0) == "3 lookups left"  # unpaced (a replayed run)


def test_a_log_gets_a_line_every_interval_while_the_run_works() -> None:
    stream = io.StringIO()
    with LineProgress(stream, interval_s=0.05) as progress:
        progress.stage("extract")
        progress.documents(2)
        progress.stage("check")
        progress.urls(10)
        for n in range(4):
            progress.checked(LinkCheck(f"https://e.org/{n}", LinkStatus.ALIVE, 200))
        progress.checked(LinkCheck("https://e.org/x", LinkStatus.DEAD, 404))
        time.sleep(0.3)  # no event for a while: lines still come (a CI job must not look hung)
        progress.stage("archive")
        progress.archive(12, 20)
        progress.looked_up()
        time.sleep(0.2)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3 and all(line.startswith("linkaudit: ") for line in lines)
    assert any("checking: 5 of 10 links (alive 4, dead 1)" in line for line in lines)
    assert any("archive: 11 lookups left, about 33 s at 20/min" in line for line in lines)


def test_a_short_run_prints_no_progress_line() -> None:
    stream = io.StringIO()
    with LineProgress(stream, interval_s=30) as progress:
        progress.stage("check")
        progress.urls(1)
    assert stream.getvalue() == ""


def test_the_bar_says_what_the_archive_wait_is() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with RichProgress(console) as bar:
        bar.archive(12, 20)
        bar.looked_up()
        task = bar._progress.tasks[0]
        assert task.description == "archive: 11 lookups left, about 33 s at 20/min"
        assert task.completed == 1 and task.total == 12
