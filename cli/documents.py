"""`govkg stats` and `govkg documents list|show|delete`: what the store holds, document by document."""
from __future__ import annotations

from typing import Annotated

import typer

from cli.app import JsonOpt, StoreOpt, app, documents_app, opened
from cli.output import console, print_json


@app.command("stats")
def stats(ctx: typer.Context, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of documents, sentences, mentions, entities and facts."""
    with opened(ctx, store, as_json) as services:
        result = services.store.stats()
    if as_json:
        print_json(result)
    else:
        console.print(result.model_dump())


@documents_app.command("list")
def documents_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Imported documents."""
    with opened(ctx, store, as_json) as services:
        documents = services.store.list_documents(limit, offset)
    if as_json:
        print_json(documents)
        return
    for doc in documents:
        console.print(f"{doc.id}  {doc.title}  [{doc.department or '-'}] {doc.sentence_count} sentences, "
                      f"{doc.mention_count} mentions")


@documents_app.command("show")
def documents_show(ctx: typer.Context, document_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """One document with its metadata and text."""
    with opened(ctx, store, as_json) as services:
        document = services.store.get_document(document_id)
    if as_json:
        print_json(document)
    else:
        console.print(f"[bold]{document.title}[/] ({document.id}, {document.source_name}, "
                      f"{document.department or '-'})")
        console.print(document.text, highlight=False)


@documents_app.command("delete")
def documents_delete(ctx: typer.Context, document_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Delete a document and retract the facts only it supported."""
    with opened(ctx, store, as_json) as services:
        report = services.store.delete_document(document_id)
        services.audit.record("cli", "delete", "ok", target=document_id,
                              detail=f"facts removed {report.facts_removed}, kept {report.facts_kept}")
    if as_json:
        print_json(report)
    else:
        console.print(report.model_dump())
