"""A rich progress bar for long imports: files done, sentences per second."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


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
        self.task = None
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
        self.progress.update(self.task, advance=1, sentences=f"{self.sentences:,}", rate=rate)
