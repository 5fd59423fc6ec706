"""`govkg import`: documents (txt, md, html, pdf, docx, jsonl) into the knowledge graph."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.app import JsonOpt, StoreOpt, app, opened
from cli.output import console, emit_report, err_console
from graph.errors import GraphError

if TYPE_CHECKING:
    from extraction.importer import ImportReport
    from service.components import Services


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    department: Annotated[str | None, typer.Option(
        "--department", "-d", help="Department owning these documents.")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Access label (repeatable).")] = None,
    reextract: Annotated[bool, typer.Option(
        "--reextract", help="Extract again from documents already imported unchanged (after `make models` "
                            "or a pipeline change); they are rewritten in place.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import documents (txt, md, html, pdf, docx, jsonl) into the knowledge graph."""
    from cli.progress import ImportProgressBar

    with opened(ctx, store, as_json) as services:
        importer = services.importer(department=department, labels=tuple(label or ()), reextract=reextract)
        with ImportProgressBar(err_console, enabled=err_console.is_terminal) as bar:
            report = importer.import_paths(paths, progress=bar)
        audited = _audit(services, paths, department, report)
    emit_report(report, as_json, _print_import_report)
    if not audited:
        raise typer.Exit(1)


def _audit(services: Services, paths: list[Path], department: str | None, report: ImportReport) -> bool:
    """Record the import in the audit log; False (said on stderr) when the store cannot take the line (a full
    disk): the import is done, and its report is still printed."""
    try:
        services.audit.record("cli", "import", "ok" if report.ok else "failed",
                              target=", ".join(str(p) for p in paths)[:500], department=department,
                              detail=f"documents {report.documents_ok} ok, {report.documents_failed} failed, "
                                     f"{report.documents_skipped} skipped")
    except GraphError as exc:
        err_console.print(f"[bold red]the audit log could not be written:[/] {exc}", highlight=False)
        return False
    return True


def _print_import_report(report: ImportReport) -> None:
    from rich.table import Table

    table = Table(title="import report", show_header=False)
    for key in ("documents_ok", "documents_replaced", "documents_reextracted", "documents_skipped",
                "documents_failed", "sentences", "words", "mentions", "entities", "facts", "facts_rejected",
                "facts_low_confidence", "elapsed_s", "documents_per_s", "sentences_per_s"):
        table.add_row(key.replace("_", " "), f"{getattr(report, key):,}")
    console.print(table)
    for failure in report.failures:
        where = f"{failure.path}" + (f" [{failure.record}]" if failure.record else "")
        err_console.print(f"[red]failed[/] {where}: {failure.message}", highlight=False)
    if report.aborted:
        err_console.print(f"[bold red]import stopped:[/] {report.aborted}; rerun the same command to finish",
                          highlight=False)
