"""`govkg facts show|candidates`: facts with their provenance, and the candidates held back at write time
(`govkg evaluate facts` is with the other evaluations, cli/evaluate.py)."""
from __future__ import annotations

from typing import Annotated

import typer

from cli.app import JsonOpt, StoreOpt, facts_app, opened
from cli.output import console, fail, print_json


@facts_app.command("show")
def facts_show(ctx: typer.Context, fact_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """A fact with every provenance row."""
    with opened(ctx, store, as_json) as services:
        fact = services.store.get_fact(fact_id)
    if as_json:
        print_json(fact)
        return
    console.print(f"{fact.subject.name} —{fact.predicate}→ {fact.object.name} ({fact.confidence:.2f}) {fact.id}")
    for prov in fact.provenance:
        console.print(f"  “{prov.sentence}” — {prov.document_title} [{prov.extractor.name} {prov.extractor.version}]",
                      highlight=False)


@facts_app.command("candidates")
def facts_candidates(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="rejected or low_confidence (default: both).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Facts held back at write time: outside the ontology's domain/range, or below the threshold."""
    if status not in (None, "rejected", "low_confidence"):
        fail(f"unknown status {status!r}: use rejected or low_confidence", as_json, code=2)
    with opened(ctx, store, as_json) as services:
        held = services.store.fact_candidates(status, limit)
    if as_json:
        print_json(held)
        return
    for c in held:
        console.print(f"[{c.status}] {c.subject.name} —{c.predicate}→ {c.object.name} ({c.confidence:.2f}): {c.reason}",
                      highlight=False)
