"""How commands print: JSON for scripts, rich tables for people."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from rich.console import Console

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n")


def emit_report(report: Any, as_json: bool, print_human: Callable[[Any], None]) -> None:
    """Print an import report (JSON or for people) and exit 1 when it records a failure."""
    import typer

    if as_json:
        print_json(report)
    else:
        print_human(report)
    if not report.ok:
        raise typer.Exit(1)


def fail(message: str, as_json: bool = False, code: int = 1) -> None:
    """Print an error (as JSON on stdout when asked) and exit with a non-zero code."""
    import typer

    if as_json:
        print_json({"error": message})
    else:
        err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)
