"""`govkg train joint` and `govkg evaluate joint`: the relation pair head over the NER model's encodings."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from api.cli_models import JsonOpt, ThreadsOpt, evaluate_app, train_app
from api.output import err_console, fail, print_json
from extraction.errors import ExtractionError

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SOTU = str(PROJECT / "data" / "samples" / "*.txt")
DEFAULT_REDOCRED = PROJECT / "data" / "redocred" / "dev.json"


def register() -> None:
    train_app.command("joint")(train_joint_cmd)
    evaluate_app.command("joint")(evaluate_joint_cmd)


def _ner_model(ctx: typer.Context, given: Path | None) -> Path:
    if given is not None:
        return given
    from api.services import default_models_dir

    return ctx.find_root().obj.models.ner_model or default_models_dir() / "ner"


def train_joint_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Model folder to write.")],
    ner_model: Annotated[Path | None, typer.Option("--ner-model", help="The NER model whose encodings the head "
                                                      "reads (default: models.ner_model, else models/ner).")] = None,
    sotu: Annotated[list[str] | None, typer.Option("--sotu", help="Documents (files or glob patterns, repeatable) "
                                                      "the rule layer and the records label (default: "
                                                      "data/samples/*.txt).")] = None,
    redocred: Annotated[Path | None, typer.Option("--redocred", help="Re-DocRED JSON (cut with the NER model's "
                                                  "split; default: data/redocred/dev.json).")] = None,
    train: Annotated[Path | None, typer.Option("--train", help="Labelled sentences (CoNLL04-style JSONL) instead "
                                               "of Re-DocRED and the documents: the head learns their own relation "
                                               "labels (a benchmark; use a NER model of the same label scheme).")] = None,
    dev: Annotated[Path | None, typer.Option("--dev", help="With --train: dev sentences (epoch selection, "
                                             "temperature, and scored end to end with the NER model).")] = None,
    label_scheme: Annotated[str, typer.Option(help="With --train: the ontology mapping of its entity types "
                                              "(conll04, …; default: the NER model's).")] = "",
    epochs: Annotated[int, typer.Option(min=1)] = 40,
    lr: Annotated[float, typer.Option(help="Learning rate of the head.")] = 1e-3,
    batch_size: Annotated[int, typer.Option(min=1, help="Pairs per step.")] = 256,
    dropout: Annotated[float, typer.Option(min=0.0, max=0.9, help="Dropout of the head.")] = 0.2,
    mlp_hidden: Annotated[int, typer.Option(min=8, help="Hidden width of the head.")] = 256,
    seed: Annotated[int, typer.Option()] = 13,
    quantize: Annotated[bool | None, typer.Option("--quantize/--no-quantize", help="Encode with the int8 NER model, "
                                                  "as the pipeline runs it with models.quantize (the default; "
                                                  "with --train: fp32 unless --quantize).")] = None,
    max_documents: Annotated[int | None, typer.Option(min=1, help="Only the first N Re-DocRED documents.")] = None,
    threads: ThreadsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Train the joint relation head (frozen NER encoder); writes joint_config.json, weights and model_card.json."""
    from extraction.relations.joint.train import JointTrainArgs, train_joint

    settings = ctx.find_root().obj
    if train is not None and (sotu or redocred or max_documents):
        fail("--train replaces Re-DocRED and the documents: drop --sotu, --redocred and --max-documents", as_json)
    if train is None and (dev is not None or label_scheme):
        fail("--dev and --label-scheme go with --train", as_json)
    args = JointTrainArgs(
        out=out, ner_model=_ner_model(ctx, ner_model), redocred=None if train else redocred or DEFAULT_REDOCRED,
        sotu=[] if train else list(sotu or [DEFAULT_SOTU]),
        gazetteer_dir=settings.pipeline.gazetteer_dir, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
        dropout=dropout, mlp_hidden=mlp_hidden, threads=threads or settings.models.threads,
        quantize=quantize if quantize is not None else train is None, max_redocred_documents=max_documents,
        train=train, dev=dev, label_scheme=label_scheme,
    )
    say = (lambda _: None) if as_json else (lambda message: err_console.print(message, highlight=False))
    try:
        result = train_joint(args, say=say, on_epoch=None if as_json else lambda e: say(
            f"epoch {e.epoch}: loss {e.loss:.4f}{f', dev F1 {e.dev_f1:.4f}' if e.dev_f1 is not None else ''}"))
    except ExtractionError as exc:
        fail(str(exc), as_json)
    summary = {
        "out": str(result.out), "labels": result.labels, "best_epoch": result.best_epoch,
        "training_seconds": result.seconds, "timings": result.timings, "sources": result.sources,
        "calibration": result.calibration,
        "dev": asdict(result.dev) if result.dev else None,
        "test": asdict(result.test) if result.test else None,
    }
    if train is not None:
        summary["dev_gold_entities"] = asdict(result.dev_gold_entities) if result.dev_gold_entities else None
        summary["dev_end_to_end"] = asdict(result.dev_end_to_end) if result.dev_end_to_end else None
    if as_json:
        print_json(summary)
        return
    if result.dev_end_to_end is not None and result.dev_gold_entities is not None:
        err_console.print(f"dev relation micro F1: gold entities {result.dev_gold_entities.scores.f1:.4f}, end to end "
                          f"(strict) {result.dev_end_to_end.scores.f1:.4f} (NER entity F1 "
                          f"{result.dev_end_to_end.entities['f1']:.4f})")
    test = result.test.scores if result.test else None
    err_console.print(f"model written to {result.out} (best epoch {result.best_epoch}, {result.seconds:.0f} s"
                      f"{f'; held-out Re-DocRED micro F1 {test.f1:.4f}' if test else ''})")


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
    as_json: JsonOpt = False,
) -> None:
    """Per-predicate P/R/F1 on the held-out Re-DocRED part (gold entities, the NER model's document split), or on
    labelled sentences (.jsonl) with gold entities and end to end with the NER model's entities, strict."""
    import torch

    from extraction.ner.data import guess_format
    from extraction.relations.joint.evaluate import evaluate_held_out, evaluate_labelled

    torch.set_num_threads(threads or ctx.find_root().obj.models.threads)
    if guess_format(data) == "jsonl":
        try:
            gold, end_to_end, info = evaluate_labelled(model, _ner_model(ctx, ner_model), data, quantize)
        except ExtractionError as exc:
            fail(str(exc), as_json)
        result = {**info, "gold_entities": asdict(gold), "end_to_end": asdict(end_to_end)}
        if as_json:
            print_json(result)
            return
        entities = end_to_end.entities
        err_console.print(f"{data} ({info['sentences']} sentences); NER entity F1 {entities['f1']:.4f} "
                          f"(P {entities['precision']:.4f}, R {entities['recall']:.4f})")
        for mode, evaluation in (("gold_entities", gold), ("end_to_end", end_to_end)):
            scores = evaluation.scores
            err_console.print(f"{mode}: micro F1 {scores.f1:.4f} (P {scores.precision:.4f}, R {scores.recall:.4f}), "
                              f"macro F1 {scores.macro_f1:.4f}")
            for name, score in scores.per_relation.items():
                err_console.print(f"  {name:<12} F1 {score.f1:.4f}  P {score.precision:.4f}  R {score.recall:.4f}  "
                                  f"n={score.support}")
        return
    try:
        evaluation, info = evaluate_held_out(model, _ner_model(ctx, ner_model), data, quantize=quantize)
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
