"""Showing a run's progress on stderr: a live bar on a terminal, a line every few seconds in a log.

Both classes implement `linkaudit.audit.Progress`. On a terminal `RichProgress` draws one bar that
is redrawn in place; in a CI log (stderr not a terminal) a bar would print nothing useful, and a
silent job looks hung, so `LineProgress` prints one plain line every `interval_s` seconds from a
timer thread (so a line comes even while every request is waiting), and nothing for a run shorter
than that. During archive lookups both say what the wait is: the archive is called at a fixed
rate (`--archive-rate`, per minute), so the lookups left give the time left.
"""

from __future__ import annotations

import threading
import time
from typing import IO

from rich.console import Console

from linkaudit.model import LinkCheck, LinkStatus
from linkaudit.report._text import STATUS_ORDER, plural

DEFAULT_INTERVAL_S = 5.0
"""Seconds between two progress lines in a log."""


def archive_wait(left: int, rate_per_min: int) -> str:
    """`12 lookups left, about 36 s at 20/min` (one archive call per lookup, at the shared rate)."""
    text = f"{plural(left, 'lookup')} left"
    if rate_per_min > 0 and left:
        seconds = round(left * 60 / rate_per_min)
        wait = f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"
        text += f", about {wait} at {rate_per_min}/min"
    return text


class _Counts:
    """What both progress displays count."""

    def __init__(self) -> None:
        self.stage = "reading"
        self.documents = 0
        self.total = 0
        self.done = 0
        self.by_status: dict[LinkStatus, int] = {}
        self.archive_total = 0
        self.archive_done = 0
        self.archive_rate = 0
        self.started = time.monotonic()
        self.check_started = self.started

    def count(self, status: LinkStatus) -> None:
        self.done += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def status_counts(self) -> str:
        order = {s: i for i, s in enumerate(STATUS_ORDER)}
        shown = sorted(self.by_status.items(), key=lambda item: order[item[0]])
        return ", ".join(f"{status.value} {n}" for status, n in shown)

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.check_started, 1e-6)

    def describe(self) -> str:
        """One line saying where the run is."""
        if self.stage == "archive":
            left = self.archive_total - self.archive_done
            return f"archive: {archive_wait(left, self.archive_rate)}"
        if self.stage == "check":
            counts = self.status_counts()
            return (
                f"checking: {self.done} of {plural(self.total, 'link')}"
                + (f" ({counts})" if counts else "")
                + f", {self.rate():.0f}/s"
            )
        if self.stage == "extract":
            return "reading the documents"
        if self.stage == "analyse":
            return "judging the claims"
        return self.stage


class RichProgress:
    """A progress bar on a terminal's stderr: links done of all, counts per class, the rate."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("reading", total=None, counts="")
        self._counts = _Counts()

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def stage(self, name: str) -> None:
        """Show the stage."""
        self._counts.stage = name
        label = {"check": f"{plural(self._counts.documents, 'document')}, checking"}.get(
            name, self._counts.describe()
        )
        self._progress.update(self._task, description=label)

    def documents(self, count: int) -> None:
        """Remember the document count."""
        self._counts.documents = count

    def urls(self, total: int) -> None:
        """Set the bar's total."""
        self._counts.total = total
        self._counts.check_started = time.monotonic()
        self._progress.update(self._task, total=total, completed=0)

    def checked(self, check: LinkCheck) -> None:
        """Advance the bar."""
        counts = self._counts
        counts.count(check.status)
        shown = f"{counts.status_counts()}  {counts.rate():.0f}/s"
        self._progress.update(self._task, advance=1, counts=shown)

    def archive(self, total: int, rate_per_min: int) -> None:
        """Archive lookups begin: the bar counts them, and says how long the rest will take."""
        counts = self._counts
        counts.archive_total, counts.archive_done, counts.archive_rate = total, 0, rate_per_min
        counts.stage = "archive"
        self._progress.update(
            self._task, total=total, completed=0, description=counts.describe(), counts=""
        )

    def looked_up(self) -> None:
        """One archive lookup finished."""
        counts = self._counts
        counts.archive_done += 1
        self._progress.update(self._task, advance=1, description=counts.describe())


class LineProgress:
    """A plain line of progress every `interval_s` seconds, for logs (CI) where no bar can be
    drawn. Lines start with `linkaudit:`; a run shorter than `interval_s` prints none."""

    def __init__(self, stream: IO[str], interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self._stream = stream
        self._interval = interval_s
        self._counts = _Counts()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="linkaudit-progress", daemon=True)
        self.lines = 0
        """Lines printed so far."""

    def __enter__(self) -> LineProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)

    def _tick(self) -> None:
        while not self._stop.wait(self._interval):
            elapsed = time.monotonic() - self._counts.started
            try:
                self._stream.write(f"linkaudit: {self._counts.describe()} ({elapsed:.0f} s)\n")
                self._stream.flush()
            except (OSError, ValueError):
                return  # stderr closed: progress is not worth failing over
            self.lines += 1

    def stage(self, name: str) -> None:
        """Remember the stage."""
        self._counts.stage = name

    def documents(self, count: int) -> None:
        """Remember the document count."""
        self._counts.documents = count

    def urls(self, total: int) -> None:
        """Remember how many links will be checked."""
        self._counts.total = total
        self._counts.check_started = time.monotonic()

    def checked(self, check: LinkCheck) -> None:
        """Count one link."""
        self._counts.count(check.status)

    def archive(self, total: int, rate_per_min: int) -> None:
        """Archive lookups begin."""
        counts = self._counts
        counts.archive_total, counts.archive_done, counts.archive_rate = total, 0, rate_per_min
        counts.stage = "archive"

    def looked_up(self) -> None:
        """One archive lookup finished."""
        self._counts.archive_done += 1


__all__ = ["DEFAULT_INTERVAL_S", "LineProgress", "RichProgress", "archive_wait"]
