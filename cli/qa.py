"""`govkg ask`, `govkg evaluate qa` and `govkg bench qa`: question answering from the command line.

`register(app)` adds `ask` to the root app, `qa` to the `evaluate` sub-app (cli/models.py)
and to the `bench` sub-app (cli/bench.py); the settings are the root context's object.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.output import console, err_console, fail, print_json
from graph.errors import GraphError
from graph.visibility import Scope
from qa.errors import QaError
from service.components import Services, build_services

if TYPE_CHECKING:
    from qa.evaluation import QaEvaluation
    from qa.models import AskResponse

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
StoreOpt = Annotated[str | None, typer.Option("--store", help="sqlite, sqlite:///file.db or a Neo4j URI.")]
ModeOpt = Annotated[str | None, typer.Option("--mode", help="auto, extractive or generative (default: settings).")]
DepartmentOpt = Annotated[str | None, typer.Option(
    "--department", "-d", help="Answer only from documents this department may see.")]
QuestionsOpt = Annotated[Path, typer.Option("--questions", help="JSONL questions (id, question, answers, kind, "
                                                                "document, evidence), as shared/data/qa/dev.jsonl.")]


def register(app: typer.Typer) -> None:
    from cli.bench import bench_app
    from cli.models import evaluate_app

    app.command("ask")(ask_cmd)
    evaluate_app.command("qa")(evaluate_qa_cmd)
    bench_app.command("qa")(bench_qa_cmd)


def department_view(department: str | None) -> Scope | None:
    """`--department D`: what D sees (its own documents, public ones, those shared with it); else all."""
    return Scope.of([department]) if department else None


def _mode(services: Services, mode: str | None) -> str:
    return mode or services.settings.qa.mode


def ask_cmd(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    store: StoreOpt = None,
    department: DepartmentOpt = None,
    mode: ModeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the graph and the documents, with citations (or abstain)."""
    services = build_services(ctx.find_root().obj, store)
    try:
        chosen = _mode(services, mode)
        services.qa.warm_up(generative=chosen != "extractive")  # one question: load what it needs first
        response = services.qa.ask(question, department_view(department), chosen)  # type: ignore[arg-type]
        services.audit.record("cli", "ask", "ok", department=department, detail=services.audit.question(question))
    except (GraphError, QaError) as exc:
        fail(str(exc), as_json)
    finally:
        services.close()
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


def evaluate_qa_cmd(
    ctx: typer.Context,
    questions: QuestionsOpt,
    store: StoreOpt = None,
    mode: ModeOpt = None,
    department: DepartmentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer accuracy (normalized match, token F1), citation accuracy, abstention precision/recall per
    kind, and latency p50/p95 per stage."""
    from qa.evaluation import evaluate, load_questions

    services = build_services(ctx.find_root().obj, store)
    try:
        items = load_questions(questions)
        chosen = _mode(services, mode)
        services.qa.warm_up(generative=chosen != "extractive")
        with _progress(len(items), "answering", not as_json) as advance:
            view = department_view(department)
            result = evaluate(items, lambda q: services.qa.ask(q, view, chosen),  # type: ignore[arg-type]
                              services.store, chosen, progress=lambda _: advance())
    except (GraphError, QaError) as exc:
        fail(str(exc), as_json)
    finally:
        services.close()
    if as_json:
        print_json(result)
    else:
        _print_evaluation(result)


def _print_evaluation(result: QaEvaluation) -> None:
    from rich.table import Table

    console.print(f"answerable right with a correct citation: {result.right_with_citation}/{result.answerable}"
                  f"  (right: {result.answered_right}, exact: {result.exact}, mean F1 {result.mean_f1:.2f})")
    console.print(f"unanswerable abstained: {result.abstained_unanswerable}/{result.unanswerable}  (precision "
                  f"{result.abstention_precision:.2f}, recall {result.abstention_recall:.2f})")
    table = Table("kind", "questions", "right", "right+cited", "abstained", "mean F1")
    for kind, k in result.by_kind.items():
        table.add_row(kind, str(k.questions), str(k.answered_right), str(k.right_with_citation), str(k.abstained),
                      f"{k.mean_f1:.2f}")
    console.print(table)
    latency = Table("stage", "p50 ms", "p95 ms", "max ms")
    for stage, lat in result.latency.items():
        latency.add_row(stage, f"{lat.p50_ms:,.1f}", f"{lat.p95_ms:,.1f}", f"{lat.max_ms:,.1f}")
    console.print(latency)


def bench_qa_cmd(
    ctx: typer.Context,
    questions: QuestionsOpt,
    store: StoreOpt = None,
    mode: ModeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Latencies alone: model loading at start-up (as `govkg serve` does before it listens), the first
    question after it, then every question, p50/p95 per stage, in milliseconds."""
    from qa.evaluation import latency, load_questions

    services = build_services(ctx.find_root().obj, store)
    try:
        items = load_questions(questions)
        chosen = _mode(services, mode)
        t = time.perf_counter()
        services.qa.warm_up(generative=chosen != "extractive")  # as `govkg serve` does before it listens
        startup_ms = (time.perf_counter() - t) * 1000
        timings: dict[str, list[float]] = {}
        walls = []
        with _progress(len(items), "asking", not as_json) as advance:
            for item in items:
                t = time.perf_counter()
                response = services.qa.ask(item.question, None, chosen)  # type: ignore[arg-type]
                walls.append((time.perf_counter() - t) * 1000)
                for stage, ms in response.timings_ms.items():
                    timings.setdefault(stage, []).append(ms)
                advance()
        rest = walls[1:] or walls
    except (GraphError, QaError) as exc:
        fail(str(exc), as_json)
    finally:
        services.close()
    import statistics

    result = {
        "mode": chosen, "store": services.store_url, "questions": len(items),
        "startup_ms": round(startup_ms, 1),
        "first_question_ms": round(walls[0], 1),
        "others_p50_ms": round(statistics.median(rest), 1),
        "first_minus_others_p50_ms": round(walls[0] - statistics.median(rest), 1),
        "wall": latency(walls).model_dump(),
        "stages": {stage: latency(values).model_dump() for stage, values in sorted(timings.items())},
    }
    print_json(result)


class _progress:
    """A rich progress bar on a terminal (stderr), nothing otherwise."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=err_console, disable=not (enabled and err_console.is_terminal))
        self.total = total

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.progress.start()
        task = self.progress.add_task("qa", total=self.total)
        return lambda: self.progress.update(task, advance=1)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
