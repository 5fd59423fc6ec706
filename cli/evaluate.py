"""`govkg evaluate ner|re|joint|qa|facts`: the models, question answering and the whole import path scored on
labelled data."""
from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.app import (
    DataFormatOpt,
    DepartmentOpt,
    DeviceOpt,
    JsonOnlyOpt,
    JsonOpt,
    ModeOpt,
    QuestionsOpt,
    StoreOpt,
    ThreadsOpt,
    default_ner_model,
    department_view,
    evaluate_app,
    opened,
    settings_of,
    use_threads,
)
from cli.output import console, err_console, fail, print_json
from cli.progress import CountingBar
from extraction.errors import ExtractionError
from qa.errors import QaError

if TYPE_CHECKING:
    from rich.table import Table

    from extraction.evaluation import FactsEvaluation
    from extraction.evaluation.report import Score
    from qa.evaluation import QaEvaluation

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_REDOCRED = PROJECT / "data" / "redocred" / "dev.json"


@evaluate_app.command("ner")
def evaluate_ner_cmd(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="Model folder (from `govkg train ner`).")],
    data: Annotated[Path, typer.Option("--data", help="Labelled data (CoNLL, JSONL spans or Re-DocRED JSON).")],
    quantize: Annotated[bool, typer.Option("--quantize", help="int8 dynamic quantization.")] = False,
    constrained: Annotated[bool, typer.Option("--constrained/--argmax",
                                              help="IOB2-constrained Viterbi decoding or plain argmax.")] = True,
    data_format: DataFormatOpt = "auto",
    threads: ThreadsOpt = None,
    as_json: JsonOnlyOpt = False,
) -> None:
    """Entity-level micro and per-type precision/recall/F1 (seqeval, strict IOB2) and words/s."""
    from extraction.ner.data import load_dataset
    from extraction.ner.evaluate import evaluate_tagger
    from extraction.ner.tagger import NerTagger

    use_threads(ctx, threads)
    try:
        dataset = load_dataset(data, data_format)
        tagger = NerTagger.from_folder(model, quantize=quantize, constrained=constrained)
        evaluation = evaluate_tagger(tagger, dataset.examples)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    if as_json:
        print_json(asdict(evaluation))
        return
    err_console.print(f"F1 {evaluation.f1:.4f}  P {evaluation.precision:.4f}  R {evaluation.recall:.4f}  "
                      f"({evaluation.words:,} words, {evaluation.words_per_second:,.0f} words/s)")
    for name, score in evaluation.per_type.items():
        err_console.print(f"  {name:<8} F1 {score.f1:.4f}  P {score.precision:.4f}  R {score.recall:.4f}  "
                          f"n={score.support}")
    if evaluation.unknown_types:
        err_console.print(f"types the model does not know (counted as misses): {evaluation.unknown_types}")


@evaluate_app.command("re")
def evaluate_re_cmd(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="Relation model folder (from `govkg train re`).")],
    data: Annotated[Path, typer.Option("--data", help="Labelled data (CoNLL04-style JSONL or Re-DocRED JSON).")],
    ner_model: Annotated[Path | None, typer.Option("--ner-model", help="NER model folder: also score end to "
                                                      "end with predicted entities (strict).")] = None,
    quantize: Annotated[bool, typer.Option("--quantize", help="int8 dynamic quantization of both models.")] = False,
    data_format: DataFormatOpt = "auto",
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    as_json: JsonOnlyOpt = False,
) -> None:
    """Relation P/R/F1 (micro, macro, per relation) with gold entities and, with --ner-model, end to end."""
    from extraction.ner.tagger import NerTagger
    from extraction.relations.data import load_relation_dataset
    from extraction.relations.evaluate import evaluate_end_to_end, evaluate_gold_entities
    from extraction.relations.predictor import RelationPredictor

    use_threads(ctx, threads)
    try:
        predictor = RelationPredictor.from_folder(model, quantize=quantize, device=device)
        labels = predictor.labels[1:]
        dataset = load_relation_dataset(data, data_format, window=predictor.config.window, keep=labels)
        result: dict[str, object] = {"model": str(model), "data": str(data), "model_version": predictor.version,
                                     "gold_entities": asdict(evaluate_gold_entities(predictor, dataset.examples))}
        if ner_model is not None:
            tagger = NerTagger.from_folder(ner_model, quantize=quantize, device=device)
            result["ner_model"] = str(ner_model)
            result["end_to_end"] = asdict(evaluate_end_to_end(predictor, tagger, dataset.examples))
    except ExtractionError as exc:
        fail(str(exc), as_json)
    if as_json:
        print_json(result)
        return
    for mode in ("gold_entities", "end_to_end"):
        if mode in result:
            scores = result[mode]["scores"]  # type: ignore[index]
            err_console.print(f"{mode}: micro F1 {scores['f1']:.4f} (P {scores['precision']:.4f}, "
                              f"R {scores['recall']:.4f}), macro F1 {scores['macro_f1']:.4f}")
            for name, score in scores["per_relation"].items():
                err_console.print(f"  {name:<12} F1 {score['f1']:.4f}  P {score['precision']:.4f}  "
                                  f"R {score['recall']:.4f}  n={score['support']}")


@evaluate_app.command("joint")
def evaluate_joint_cmd(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="Joint model folder (from `govkg train joint`).")],
    ner_model: Annotated[Path | None, typer.Option("--ner-model", help="The NER model it was trained on "
                                                      "(default: models.ner_model, else models/ner).")] = None,
    data: Annotated[Path, typer.Option("--data", help="Re-DocRED JSON: its held-out part is scored; or labelled "
                                       "sentences (CoNLL04-style .jsonl, for a head trained with --train): all "
                                       "scored, with gold entities and end to end (strict).")] = DEFAULT_REDOCRED,
    quantize: Annotated[bool | None, typer.Option("--quantize/--no-quantize", help="Encode with the int8 NER "
                                                  "model (default: as the head was trained).")] = None,
    threads: ThreadsOpt = None,
    as_json: JsonOnlyOpt = False,
) -> None:
    """Per-predicate P/R/F1 on the held-out Re-DocRED part (gold entities, the NER model's document split), or on
    labelled sentences (.jsonl) with gold entities and end to end with the NER model's entities, strict."""
    from extraction.modeling.datasets import guess_format
    from extraction.relations.joint.evaluate import evaluate_held_out, evaluate_labelled

    use_threads(ctx, threads)
    if guess_format(data) == "jsonl":
        try:
            gold, end_to_end, about = evaluate_labelled(model, default_ner_model(ctx, ner_model), data, quantize)
        except ExtractionError as exc:
            fail(str(exc), as_json)
        if as_json:
            print_json({**about, "gold_entities": asdict(gold), "end_to_end": asdict(end_to_end)})
            return
        entities = end_to_end.entities
        err_console.print(f"{data} ({about['sentences']} sentences); NER entity F1 {entities['f1']:.4f} "
                          f"(P {entities['precision']:.4f}, R {entities['recall']:.4f})")
        for mode, scored in (("gold_entities", gold), ("end_to_end", end_to_end)):
            err_console.print(f"{mode}: micro F1 {scored.scores.f1:.4f} (P {scored.scores.precision:.4f}, "
                              f"R {scored.scores.recall:.4f}), macro F1 {scored.scores.macro_f1:.4f}")
            for name, score in scored.scores.per_relation.items():
                err_console.print(f"  {name:<12} F1 {score.f1:.4f}  P {score.precision:.4f}  "
                                  f"R {score.recall:.4f}  n={score.support}")
        return
    try:
        evaluation, info = evaluate_held_out(model, default_ner_model(ctx, ner_model), data, quantize=quantize)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    result = {**info, "gold_entities": asdict(evaluation)}
    if as_json:
        print_json(result)
        return
    scores = evaluation.scores
    err_console.print(f"held-out Re-DocRED ({evaluation.sentences} sentences): micro F1 {scores.f1:.4f} "
                      f"(P {scores.precision:.4f}, R {scores.recall:.4f}), macro F1 {scores.macro_f1:.4f}")
    for name, score in scores.per_relation.items():
        err_console.print(f"  {name:<18} F1 {score.f1:.4f}  P {score.precision:.4f}  R {score.recall:.4f}  "
                          f"n={score.support}")


@evaluate_app.command("qa")
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

    with opened(ctx, store, as_json, errors=(QaError,)) as services:
        items = load_questions(questions)
        chosen = mode or services.settings.qa.mode
        services.qa.warm_up(generative=chosen != "extractive")
        with CountingBar(len(items), "answering", not as_json) as advance:
            view = department_view(department)
            result = evaluate(items, lambda q: services.qa.ask(q, view, chosen),  # type: ignore[arg-type]
                              services.store, chosen, progress=lambda _: advance())
    if as_json:
        print_json(result)
    else:
        _print_qa_evaluation(result)


def _print_qa_evaluation(result: QaEvaluation) -> None:
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


@evaluate_app.command("facts")
def evaluate_facts_cmd(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(
        "--data", help="Gold facts (GovFacts JSONL, as shared/data/govfacts/dev.jsonl).")],
    errors: Annotated[int, typer.Option(
        "--errors", min=0, help="False positives and misses to list (tables only).")] = 20,
    as_json: JsonOnlyOpt = False,
) -> None:
    """Import the gold sentences (grouped into their documents) into a scratch store with the configured
    pipeline, then score the stored facts: micro and per-predicate P/R/F1, entity P/R/F1 per class, the
    candidates held back, false positives and misses."""
    from extraction.evaluation import evaluate_facts, load_gold

    try:
        gold = load_gold(data)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    with tempfile.TemporaryDirectory(prefix="govkg-evaluate-facts-") as name:
        scratch = Path(name)  # same pipeline settings, a fresh SQLite file: the user's store is never touched
        local = settings_of(ctx).model_copy(deep=True, update={"data_dir": scratch / "data", "store": "sqlite"})
        local.qa.embed_at_import = False  # sentence vectors play no part in the facts
        with opened(ctx, as_json=as_json, errors=(ExtractionError,), settings=local) as services:
            result = evaluate_facts(gold, services.importer(), services.ontology, scratch, data=str(data))
            result = result.model_copy(update={"recognizers": services.recognizers,
                                               "relation_extractors": services.relation_extractors})
    if as_json:
        print_json(result)
    else:
        _print_facts_evaluation(result, errors)


def _print_facts_evaluation(result: FactsEvaluation, errors: int) -> None:
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
