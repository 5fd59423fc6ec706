"""`govkg entities search|show`: looking entities up, with their facts and mentions."""
from __future__ import annotations

from typing import Annotated

import typer

from cli.app import JsonOpt, StoreOpt, entities_app, opened
from cli.output import console, fail, print_json


@entities_app.command("search")
def entities_search(
    ctx: typer.Context,
    query: str,
    type: Annotated[str | None, typer.Option("--type", help="Ontology class (subclasses included).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ranked search over entity names and aliases."""
    from service.errors import QueryError
    from service.queries import search_entities

    with opened(ctx, store, as_json) as services:
        try:
            hits = search_entities(services, query, type, limit)
        except QueryError as exc:
            fail(str(exc), as_json, code=2)
    if as_json:
        print_json(hits)
        return
    for hit in hits:
        console.print(f"{hit.score:.3f}  {hit.id}  [bold]{hit.name}[/] ({hit.type}, {hit.mention_count} mentions)  "
                      f"matched {hit.matched!r}")


@entities_app.command("show")
def entities_show(ctx: typer.Context, entity_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """An entity with its facts and mentions, each with provenance."""
    from service.queries import entity_detail

    with opened(ctx, store, as_json) as services:
        detail = entity_detail(services, entity_id)
    if as_json:
        print_json(detail)
        return
    console.print(f"[bold]{detail.name}[/] ({detail.type}) {detail.id}")
    console.print(f"aliases: {', '.join(detail.aliases) or '-'}; departments: {', '.join(detail.departments) or '-'}; "
                  f"{detail.mention_count} mentions")
    for fact in detail.facts:
        console.print(f"  {fact.subject.name} —{fact.predicate}→ {fact.object.name} ({fact.confidence:.2f})")
    for mention in detail.mentions[:10]:
        console.print(f"  “{mention.sentence}” — {mention.document_title}", highlight=False)
