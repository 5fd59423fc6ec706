"""`govkg import-records`: structured records (YAML, JSON, CSV, TSV) into the graph, by mapping."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.app import JsonOpt, StoreOpt, app, opened
from cli.output import console, emit_report, err_console, fail
from service.components import Services, default_gazetteer_dir

if TYPE_CHECKING:
    from extraction.structured.importer import RecordsImporter, RecordsImportReport

MAX_FAILURES_SHOWN = 20


def records_importer(services: Services, department: str | None = None,
                     labels: tuple[str, ...] = ()) -> RecordsImporter:
    """A records importer over the services' store, ontology and gazetteer."""
    from extraction.gazetteer.entries import load_entries
    from extraction.structured.importer import RecordsImporter

    settings = services.settings
    ontology = services.ontology
    gazetteer = load_entries(settings.pipeline.gazetteer_dir or default_gazetteer_dir())
    return RecordsImporter(services.store, ontology.check_fact, gazetteer, has_class=ontology.has_class,
                           has_predicate=ontology.has_predicate, max_file_bytes=settings.imports.max_file_bytes,
                           max_document_chars=settings.imports.max_document_chars, department=department,
                           labels=labels)


@app.command("import-records")
def import_records_cmd(
    ctx: typer.Context,
    files: Annotated[list[Path] | None, typer.Argument(help="Records files (YAML, JSON, CSV, TSV).")] = None,
    mapping: Annotated[str | None, typer.Option(
        "--mapping", "-m", help="A shipped mapping's name (data/mappings) or a mapping file.")] = None,
    all_shipped: Annotated[bool, typer.Option(
        "--all-shipped", help="Import every shipped mapping with its default file (data/gazetteers).")] = False,
    department: Annotated[str | None, typer.Option(
        "--department", "-d", help="Department owning these records.")] = None,
    label: Annotated[list[str] | None, typer.Option(
        "--label", "-l", help="Access label (repeatable), e.g. public.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import records as entities and facts, one document per file and one sentence per record."""
    if all_shipped and (files or mapping):
        fail("--all-shipped takes no FILE and no --mapping", as_json, code=2)
    if not all_shipped and not (files and mapping):
        fail("give FILE... and --mapping NAME_OR_PATH, or --all-shipped", as_json, code=2)
    with opened(ctx, store, as_json) as services:
        importer = records_importer(services, department, tuple(label or ()))
        if all_shipped:
            report = importer.import_shipped()
        else:
            report = importer.import_files(mapping or "", files or [])
    emit_report(report, as_json, _print_report)


def _print_report(report: RecordsImportReport) -> None:
    from rich.table import Table

    table = Table(title=f"import-records ({', '.join(report.mappings) or 'no mapping'})", show_header=False)
    for key in ("documents_ok", "documents_replaced", "documents_skipped", "documents_failed", "records",
                "records_filtered", "records_failed", "sentences", "mentions", "entities", "facts", "facts_rejected",
                "elapsed_s"):
        value = getattr(report, key)
        table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    for document in report.documents:
        console.print(f"{document.status:>8}  {document.mapping}: {document.title}  {document.records} records, "
                      f"{document.entities} entities, {document.facts} facts, {document.facts_rejected} rejected",
                      highlight=False)
    for failure in report.failures[:MAX_FAILURES_SHOWN]:
        where = failure.path + (f" [{failure.record}]" if failure.record else "")
        err_console.print(f"[red]failed[/] {where}: {failure.message}", highlight=False)
    if len(report.failures) > MAX_FAILURES_SHOWN:
        err_console.print(f"... and {len(report.failures) - MAX_FAILURES_SHOWN} more failures (--json lists all)")
    if report.aborted:
        err_console.print(f"[bold red]import stopped:[/] {report.aborted}; rerun the same command to finish",
                          highlight=False)
