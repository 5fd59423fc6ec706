"""`govkg train ner|re|joint`: fine-tuning the models.

Each command's options are the fields of its argument dataclass (`options_from`, cli/app.py): their names,
types, defaults and help texts live there once. Those modules import torch, so this one is loaded only when
`govkg train` is used (`deferred_app`, cli/app.py).
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.app import (
    DataFormatOpt,
    DeviceOpt,
    JsonOnlyOpt,
    ThreadsOpt,
    default_ner_model,
    options_from,
    settings_of,
    train_app,
)
from cli.output import err_console, fail, print_json
from cli.progress import TrainingBar
from extraction.errors import ExtractionError
from extraction.ner.train import NerTrainArgs
from extraction.relations.joint.train import JointTrainArgs
from extraction.relations.train import RelationTrainArgs

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SOTU = str(PROJECT / "data" / "samples" / "*.txt")
SHARED = {"threads": ThreadsOpt, "device": DeviceOpt}


@train_app.command("ner")
@options_from(NerTrainArgs, skip=("warmup", "weight_decay"), optional=("base",), shared=SHARED)
def train_ner_cmd(
    ctx: typer.Context,
    train: Annotated[Path, typer.Option("--train", help="Training data (CoNLL columns, JSONL spans, Re-DocRED JSON).")],
    dev: Annotated[Path | None, typer.Option("--dev", help="Dev data: early stopping on its entity F1.")] = None,
    *,
    args: dict[str, Any],
    split: Annotated[str | None, typer.Option(help="Cut --train by document into train,dev[,test] fractions, "
                                                 "e.g. 0.7,0.1,0.2 (dev replaces --dev; test is scored at the end).")]
    = None,
    data_format: DataFormatOpt = "auto",
    as_json: JsonOnlyOpt = False,
) -> None:
    """Fine-tune a token-classification model; writes weights, tokenizer, labels and model_card.json."""
    from extraction.modeling.datasets import split_dataset
    from extraction.modeling.encoder import packaged_encoder
    from extraction.ner.data import load_dataset
    from extraction.ner.train import train_ner

    try:
        train_data = load_dataset(train, data_format)
        dev_data = load_dataset(dev, data_format) if dev else None
        test_data = None
        if split:
            parts = split_dataset(train_data, _fractions(split), args["seed"])
            train_data, dev_data, test_data = parts[0], parts[1], (parts[2] if len(parts) > 2 else None)
        config = NerTrainArgs(**{**args, "base": args["base"] or str(packaged_encoder()),
                                 "label_scheme": args["label_scheme"] or _scheme_from_path(train),
                                 "threads": args["threads"] or settings_of(ctx).models.threads})
        with TrainingBar(enabled=not as_json) as bar:
            result = train_ner(config, train_data, dev_data, test_data, on_step=bar.step, on_epoch=bar.epoch)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    summary = {
        "out": str(result.out), "labels": result.labels, "best_epoch": result.best_epoch,
        "training_seconds": result.seconds,
        "epochs": [{"epoch": e.epoch, "loss": e.loss, "seconds": e.seconds, "dev_f1": e.dev.f1 if e.dev else None}
                   for e in result.epochs],
        "dev": asdict(result.best_dev) if result.best_dev else None,
        "test": asdict(result.test) if result.test else None,
    }
    if as_json:
        print_json(summary)
    else:
        err_console.print(f"model written to {result.out} (best epoch {result.best_epoch}, "
                          f"dev F1 {result.best_dev.f1 if result.best_dev else 'n/a'}, {result.seconds:.0f} s)")


@train_app.command("re")
@options_from(RelationTrainArgs, skip=("warmup", "weight_decay", "shape_features"), optional=("base",),
              types={"ner_model": Path | None}, shared=SHARED)
def train_re_cmd(
    ctx: typer.Context,
    train: Annotated[Path, typer.Option("--train", help="Training data (CoNLL04-style JSONL or Re-DocRED JSON).")],
    dev: Annotated[Path | None, typer.Option("--dev", help="Dev data: early stopping and calibration.")] = None,
    *,
    args: dict[str, Any],
    relations: Annotated[str | None, typer.Option(help="Labels to learn: comma list, `all`, or `mapped` "
                                                     "(default for Re-DocRED: those the ontology maps).")] = None,
    split: Annotated[str | None, typer.Option(help="Cut --train by document into train,dev[,test] fractions.")] = None,
    data_format: DataFormatOpt = "auto",
    as_json: JsonOnlyOpt = False,
) -> None:
    """Fine-tune the relation classifier (typed entity markers); writes the folder and model_card.json."""
    from extraction.modeling.datasets import split_dataset
    from extraction.modeling.encoder import packaged_encoder
    from extraction.relations.data import load_relation_dataset
    from extraction.relations.train import train_re

    scheme = args["label_scheme"] or _scheme_from_path(train)
    window = args["window"]
    try:
        keep = _keep(relations, data_format, train, scheme)
        train_data = load_relation_dataset(train, data_format, window=window, keep=keep)
        dev_data = load_relation_dataset(dev, data_format, window=window, keep=keep) if dev else None
        test_data = None
        if split:
            parts = split_dataset(train_data, _fractions(split), args["seed"])
            train_data, dev_data, test_data = parts[0], parts[1], (parts[2] if len(parts) > 2 else None)
        config = RelationTrainArgs(**{**args, "base": args["base"] or str(packaged_encoder()), "label_scheme": scheme,
                                      "threads": args["threads"] or settings_of(ctx).models.threads,
                                      "ner_model": str(args["ner_model"]) if args["ner_model"] else None})
        with TrainingBar(enabled=not as_json) as bar:
            result = train_re(config, train_data, dev_data, test_data, on_step=bar.step,
                              on_epoch=lambda e: err_console.print(
                                  f"epoch {e.epoch}: loss {e.loss:.4f}"
                                  f"{f', dev F1 {e.dev.scores.f1:.4f}' if e.dev else ''} ({e.seconds:.0f} s)")
                              if not as_json else None)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    summary = {
        "out": str(result.out), "labels": result.labels, "best_epoch": result.best_epoch,
        "training_seconds": result.seconds,
        "epochs": [{"epoch": e.epoch, "loss": e.loss, "seconds": e.seconds,
                    "dev_f1": e.dev.scores.f1 if e.dev else None} for e in result.epochs],
        "dev": asdict(result.best_dev) if result.best_dev else None, "calibration": result.calibration,
        "test": asdict(result.test) if result.test else None,
        "test_end_to_end": asdict(result.test_end_to_end) if result.test_end_to_end else None,
    }
    if as_json:
        print_json(summary)
    else:
        err_console.print(f"model written to {result.out} (best epoch {result.best_epoch}, dev F1 "
                          f"{result.best_dev.scores.f1 if result.best_dev else 'n/a'}, {result.seconds:.0f} s)")


@train_app.command("joint")
@options_from(JointTrainArgs, optional=("ner_model", "sotu"), shared={"threads": ThreadsOpt},
              skip=("gazetteer_dir", "weight_decay", "fine_dropout", "negatives_per_positive",
                    "negatives_per_unlabelled_sentence", "sotu_dev_fraction", "max_pairs_per_sentence",
                    "batch_size_encoder"))
def train_joint_cmd(ctx: typer.Context, *, args: dict[str, Any], as_json: JsonOnlyOpt = False) -> None:
    """Train the joint relation head (frozen NER encoder); writes joint_config.json, weights and model_card.json."""
    from extraction.relations.joint.train import train_joint
    from service.components import build_labelling_pipeline

    settings = settings_of(ctx)
    given = {name for name in ("sotu", "redocred", "max_redocred_documents", "quantize")
             if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"}  # given on the command line
    labelled = args["train"] is not None
    if labelled and given - {"quantize"}:
        fail("--train replaces Re-DocRED and the documents: drop --sotu, --redocred and --max-documents", as_json)
    if not labelled and (args["dev"] is not None or args["label_scheme"]):
        fail("--dev and --label-scheme go with --train", as_json)
    config = JointTrainArgs(**{**args, "ner_model": default_ner_model(ctx, args["ner_model"]),
                               "sotu": [] if labelled else list(args["sotu"] or [DEFAULT_SOTU]),
                               "redocred": None if labelled else args["redocred"],
                               # labelled data: fp32 encodings unless --quantize is given
                               "quantize": args["quantize"] if not labelled or "quantize" in given else False,
                               "gazetteer_dir": settings.pipeline.gazetteer_dir,
                               "threads": args["threads"] or settings.models.threads})
    say = (lambda _: None) if as_json else (lambda message: err_console.print(message, highlight=False))
    try:
        result = train_joint(config, say=say, on_epoch=None if as_json else lambda e: say(
            f"epoch {e.epoch}: loss {e.loss:.4f}{f', dev F1 {e.dev_f1:.4f}' if e.dev_f1 is not None else ''}"),
            labeler=build_labelling_pipeline)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    summary = {
        "out": str(result.out), "labels": result.labels, "best_epoch": result.best_epoch,
        "training_seconds": result.seconds, "timings": result.timings, "sources": result.sources,
        "calibration": result.calibration,
        "dev": asdict(result.dev) if result.dev else None,
        "test": asdict(result.test) if result.test else None,
    }
    if labelled:
        summary["dev_gold_entities"] = asdict(result.dev_gold_entities) if result.dev_gold_entities else None
        summary["dev_end_to_end"] = asdict(result.dev_end_to_end) if result.dev_end_to_end else None
    if as_json:
        print_json(summary)
        return
    if result.dev_end_to_end is not None and result.dev_gold_entities is not None:
        err_console.print(f"dev relation micro F1: gold entities {result.dev_gold_entities.scores.f1:.4f}, end to "
                          f"end (strict) {result.dev_end_to_end.scores.f1:.4f} (NER entity F1 "
                          f"{result.dev_end_to_end.entities['f1']:.4f})")
    test = result.test.scores if result.test else None
    err_console.print(f"model written to {result.out} (best epoch {result.best_epoch}, {result.seconds:.0f} s"
                      f"{f'; held-out Re-DocRED micro F1 {test.f1:.4f}' if test else ''})")


def _fractions(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise typer.BadParameter(f"expected fractions like 0.7,0.1,0.2, got {text!r}", param_hint="--split") from None


def _scheme_from_path(path: Path) -> str:
    name = str(path).lower()
    for scheme in ("conll2003", "conll04", "redocred"):
        if scheme in name:
            return scheme
    return ""


def _keep(relations: str | None, data_format: str, train: Path, scheme: str) -> list[str] | None:
    """The relation labels to learn: a list, `all`, or (`mapped`, the default for Re-DocRED) those the
    ontology maps to a predicate, in the order of `ontology/mappings/relation_labels.tsv`."""
    if relations and relations not in ("all", "mapped"):
        return [r.strip() for r in relations.split(",") if r.strip()]
    redocred = data_format == "redocred" or (data_format == "auto" and train.suffix.lower() == ".json")
    if relations == "mapped" or (relations is None and redocred):
        import csv

        from ontology.schema import DEFAULT_MAPPINGS_DIR, RELATION_LABELS_FILE

        with (DEFAULT_MAPPINGS_DIR / RELATION_LABELS_FILE).open(encoding="utf-8") as handle:
            return [row["label"] for row in csv.DictReader(handle, delimiter="\t")
                    if row["scheme"].casefold() == (scheme or "redocred").casefold() and row["predicate"]]
    return None
