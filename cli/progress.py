"""Rich progress bars on stderr: imports (files, sentences per second), training (steps, loss, dev F1) and
question sets (questions answered)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cli.output import err_console

if TYPE_CHECKING:
    from extraction.ner.train import EpochResult


class ImportProgressBar:
    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.progress = Progress(
            TextColumn("[bold]importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[sentences]} sentences · {task.fields[rate]} sentences/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self.task: TaskID | None = None
        self.sentences = 0

    def __enter__(self) -> ImportProgressBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, total_files: int) -> None:
        self.task = self.progress.add_task("import", total=total_files, sentences=0, rate="0")

    def advance(self, path: Path, sentences: int) -> None:
        self.sentences += sentences
        task = self.progress.tasks[0]
        elapsed = task.elapsed or 0
        rate = f"{self.sentences / elapsed:,.0f}" if elapsed > 0 else "0"
        self.progress.update(task.id, advance=1, sentences=f"{self.sentences:,}", rate=rate)


class TrainingBar:
    """A bar over all training steps, with the running loss and each epoch's dev F1."""

    def __init__(self, enabled: bool) -> None:
        self.progress = Progress(TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("steps · loss {task.fields[loss]}"), TimeElapsedColumn(),
                                 TimeRemainingColumn(), console=err_console, disable=not enabled)
        self.task: TaskID | None = None

    def __enter__(self) -> TrainingBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def step(self, step: int, total: int, loss: float) -> None:
        if self.task is None:
            self.task = self.progress.add_task("train", total=total, loss="-")
        self.progress.update(self.task, completed=step, loss=f"{loss:.4f}")

    def epoch(self, result: EpochResult) -> None:
        dev = f", dev F1 {result.dev.f1:.4f}" if result.dev else ""
        self.progress.console.print(f"epoch {result.epoch}: loss {result.loss:.4f}{dev} ({result.seconds:.0f} s)")


class CountingBar:
    """A bar over `total` items on a terminal, nothing otherwise; entering it gives the `advance()` to call
    after each item."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.progress = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=err_console, disable=not (enabled and err_console.is_terminal))
        self.total = total

    def __enter__(self) -> Callable[[], None]:
        self.progress.start()
        task = self.progress.add_task("items", total=self.total)
        return lambda: self.progress.update(task, advance=1)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
