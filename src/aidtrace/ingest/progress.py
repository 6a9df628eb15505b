"""Ingest progress: a rich bar with articles per second on a terminal, log lines elsewhere.

Log lines go through the ``aidtrace.ingest.progress`` logger at INFO; the library never
configures logging, so whoever runs ingest (the CLI) decides whether they are shown.
"""
from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

log = logging.getLogger(__name__)


def summary_line(counts: Counter[str]) -> str:
    return (f"{counts['stored']} stored, {counts['duplicate']} duplicates, "
            f"{counts['skipped']} skipped, {counts['rejected']} rejected")


class Reporter(Protocol):
    def item(self) -> None: ...
    def batch(self, counts: Counter[str]) -> None: ...


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} articles/s" if speed else "… articles/s", style="progress.data.speed")


class BarReporter:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("ingest", total=None, counts="")

    def item(self) -> None:
        self.progress.advance(self.task)

    def batch(self, counts: Counter[str]) -> None:
        self.progress.update(self.task, counts=summary_line(counts))


class LogReporter:
    def __init__(self) -> None:
        self.items = 0
        self.started = time.monotonic()

    def item(self) -> None:
        self.items += 1

    def batch(self, counts: Counter[str]) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        log.info("%d items read (%.1f articles/s): %s", self.items, self.items / elapsed,
                 summary_line(counts))


@contextmanager
def reporter(show_bar: bool | None) -> Iterator[Reporter]:
    """``show_bar`` None: a bar only when stderr is a terminal."""
    if show_bar is None:
        show_bar = sys.stderr.isatty()
    if not show_bar:
        yield LogReporter()
        return
    columns = (SpinnerColumn(), TextColumn("{task.completed:,} items"), RateColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[counts]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield BarReporter(progress)
