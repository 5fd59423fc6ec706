"""`govkg ask`: question answering from the command line (`evaluate qa` and `bench qa` are with the other
evaluations and benchmarks)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.app import DepartmentOpt, JsonOpt, ModeOpt, StoreOpt, app, department_view, opened
from cli.output import console, err_console, print_json
from qa.errors import QaError

if TYPE_CHECKING:
    from qa.models import AskResponse


@app.command("ask")
def ask_cmd(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    store: StoreOpt = None,
    department: DepartmentOpt = None,
    mode: ModeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the graph and the documents, with citations (or abstain)."""
    with opened(ctx, store, as_json, errors=(QaError,)) as services:
        chosen = mode or services.settings.qa.mode
        services.qa.warm_up(generative=chosen != "extractive")  # one question: load what it needs first
        response = services.qa.ask(question, department_view(department), chosen)  # type: ignore[arg-type]
        services.audit.record("cli", "ask", "ok", department=department, detail=services.audit.question(question))
    if as_json:
        print_json(response)
    else:
        _print_answer(response)


def _print_answer(response: AskResponse) -> None:
    if response.abstained:
        console.print(f"[bold]I don't know.[/] ({response.reason or 'no supported answer'})", highlight=False)
        for s in response.suggestions:
            triple = f"{s.triple.subject} —{s.triple.predicate}→ {s.triple.object} · " if s.triple else ""
            console.print(f"  related: {triple}{s.document_source}: {s.sentence[:160]}", highlight=False, markup=False)
        return
    console.print(f"{response.answer}  (confidence {response.confidence:.2f}, {response.generator})",
                  highlight=False, markup=False)
    for i, c in enumerate(response.citations, start=1):
        fact = f" [fact {c.fact_id}: {c.triple.subject} —{c.triple.predicate}→ {c.triple.object}]" if c.triple else ""
        console.print(f"  [{i}] {c.document_source} ({c.document_title}, chars {c.start}-{c.end}){fact}\n"
                      f"      {c.sentence}", highlight=False, markup=False)
    if response.reason:
        err_console.print(f"note: {response.reason}", highlight=False)
