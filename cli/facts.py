"""`govkg evaluate facts`: the whole import path (pipeline as configured, validation, store) scored on
gold facts, in a scratch store that never touches the user's.

`register()` adds `facts` to the `evaluate` sub-app (cli/models.py); the settings are the root
context's object.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.models import JsonOpt, evaluate_app
from cli.output import console, err_console, fail, print_json
from core.settings import Settings
from extraction.errors import ExtractionError
from graph.errors import GraphError
from service.components import build_services

if TYPE_CHECKING:
    from rich.table import Table

    from extraction.evaluation import FactsEvaluation, GoldSentence
    from extraction.evaluation.report import Score

def register() -> None:
    evaluate_app.command("facts")(evaluate_facts_cmd)


def evaluate_facts_cmd(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(
        "--data", help="Gold facts (GovFacts JSONL, as shared/data/govfacts/dev.jsonl).")],
    errors: Annotated[int, typer.Option(
        "--errors", min=0, help="False positives and misses to list (tables only).")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Import the gold sentences (grouped into their documents) into a scratch store with the configured
    pipeline, then score the stored facts: micro and per-predicate P/R/F1, entity P/R/F1 per class, the
    candidates held back, false positives and misses."""
    from extraction.evaluation import load_gold

    settings: Settings = ctx.find_root().obj
    try:
        gold = load_gold(data)
        with tempfile.TemporaryDirectory(prefix="govkg-evaluate-facts-") as scratch:
            result = _evaluate(settings, gold, Path(scratch), str(data))
    except (ExtractionError, GraphError) as exc:
        fail(str(exc), as_json)
    if as_json:
        print_json(result)
    else:
        _print(result, errors)


def _evaluate(settings: Settings, gold: list[GoldSentence], scratch: Path, data: str) -> FactsEvaluation:
    """Run the evaluation on a store in `scratch`: same pipeline settings, a fresh SQLite file."""
    from extraction.evaluation import evaluate_facts

    local = settings.model_copy(deep=True, update={"data_dir": scratch / "data", "store": "sqlite"})
    local.qa.embed_at_import = False  # sentence vectors play no part in the facts
    services = build_services(local)
    try:
        importer = services.importer()
        result = evaluate_facts(gold, importer, services.ontology, scratch, data=data)
        return result.model_copy(update={"recognizers": services.recognizers,
                                         "relation_extractors": services.relation_extractors})
    finally:
        services.close()


def _print(result: FactsEvaluation, errors: int) -> None:
    from rich.table import Table

    m = result.micro
    console.print(f"[bold]facts[/]: P {m.precision:.3f}  R {m.recall:.3f}  F1 {m.f1:.3f}  "
                  f"({m.true_positives} right of {m.predicted} stored, {m.support} gold; {result.sentences} sentences, "
                  f"{result.documents} documents; recognizers {', '.join(result.recognizers)}; relation extractors "
                  f"{', '.join(result.relation_extractors) or '-'})", highlight=False)
    console.print(_scores_table("per predicate", "predicate", result.per_predicate))
    e = result.entities
    console.print(f"[bold]entities[/]: P {e.micro.precision:.3f}  R {e.micro.recall:.3f}  F1 {e.micro.f1:.3f}; "
                  f"span only: P {e.span_only.precision:.3f}  R {e.span_only.recall:.3f}  F1 {e.span_only.f1:.3f}",
                  highlight=False)
    console.print(_scores_table("per entity class", "class", e.per_class))
    if e.excluded:
        err_console.print(f"not counted: {e.excluded} ({e.note})", highlight=False)
    c = result.candidates
    statuses = ", ".join(f"{n} {status}" for status, n in c.by_status.items())
    console.print(f"[bold]candidates held back[/]: {c.total}{f' ({statuses})' if statuses else ''}; {c.right} would "
                  f"have been right, {c.recovers_missed} would recover a missed gold fact", highlight=False)
    for row in c.rows[:errors]:
        mark = "right" if row.right else "wrong"
        console.print(f"  [{row.status}, {mark}] {row.sentence_id}: {row.subject} —{row.predicate}→ {row.object}: "
                      f"{row.reason}", highlight=False, markup=False)
    table = Table(title=f"errors (first {errors} of each)")
    for column in ("kind", "sentence", "subject", "predicate", "object"):
        table.add_column(column)
    for fp in result.false_positives[:errors]:
        table.add_row("false positive", fp.sentence_id or "-", fp.subject, fp.predicate, fp.object)
    for miss in result.missed[:errors]:
        table.add_row("missed", miss.sentence_id, miss.subject, miss.predicate, miss.object)
    console.print(table)


def _scores_table(title: str, key: str, scores: dict[str, Score]) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for column in (key, "P", "R", "F1", "right", "predicted", "support"):
        table.add_column(column, justify="left" if column == key else "right")
    for name, s in scores.items():
        table.add_row(name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.true_positives),
                      str(s.predicted), str(s.support))
    return table
