"""`govkg train re`, `govkg evaluate re` and `govkg bench extract`: the relation model and the
end-to-end extraction benchmark (NER + relations over a corpus)."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from cli.models import (
    DeviceOpt,
    FormatOpt,
    JsonOpt,
    ThreadsOpt,
    _fractions,
    _scheme_from_path,
    _TrainingBar,
    evaluate_app,
    train_app,
)
from cli.output import err_console, fail, print_json
from extraction.errors import ExtractionError
from tools.bench.api_load import cpu_name

WindowOpt = Annotated[int, typer.Option(min=0, help="Re-DocRED: pairs may reach this many sentences further.")]


def register(bench_app: typer.Typer) -> None:
    train_app.command("re")(train_re_cmd)
    evaluate_app.command("re")(evaluate_re_cmd)
    bench_app.command("extract")(bench_extract)


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


def train_re_cmd(
    ctx: typer.Context,
    train: Annotated[Path, typer.Option("--train", help="Training data (CoNLL04-style JSONL or Re-DocRED JSON).")],
    out: Annotated[Path, typer.Option("--out", help="Model folder to write.")],
    dev: Annotated[Path | None, typer.Option("--dev", help="Dev data: early stopping and calibration.")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Local HF model folder or hub name "
                                                "(default: the packaged all-MiniLM-L6-v2).")] = None,
    epochs: Annotated[int, typer.Option(min=1)] = 14,
    lr: Annotated[float, typer.Option(help="Encoder learning rate.")] = 2e-4,
    head_lr: Annotated[float, typer.Option(help="Learning rate of the new layers (shape embedding, pair head).")] = 3e-3,
    batch_size: Annotated[int, typer.Option(min=1, help="Texts per step.")] = 16,
    max_length: Annotated[int, typer.Option(min=16, help="Word pieces per text, markers included.")] = 256,
    seed: Annotated[int, typer.Option()] = 13,
    patience: Annotated[int, typer.Option(min=1, help="Epochs without a better dev F1 before stopping "
                                          "(default: never, at the default epochs).")] = 14,
    window: WindowOpt = 0,
    relations: Annotated[str | None, typer.Option(help="Labels to learn: comma list, `all`, or `mapped` "
                                                     "(default for Re-DocRED: those the ontology maps).")] = None,
    label_scheme: Annotated[str, typer.Option(help="Ontology mapping scheme (conll04, redocred, …).")] = "",
    max_examples: Annotated[int | None, typer.Option(min=1, help="Use only the first N training texts.")] = None,
    split: Annotated[str | None, typer.Option(help="Cut --train by document into train,dev[,test] fractions.")] = None,
    ner_model: Annotated[Path | None, typer.Option("--ner-model", help="Also score the held-out part "
                                                      "end to end with this NER model.")] = None,
    data_format: FormatOpt = "auto",
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Fine-tune the relation classifier (typed entity markers); writes the folder and model_card.json."""
    from extraction.ner.data import split_dataset
    from extraction.ner.model import packaged_encoder
    from extraction.relations.data import load_relation_dataset
    from extraction.relations.train import RelationTrainArgs, train_re

    settings = ctx.find_root().obj
    scheme = label_scheme or _scheme_from_path(train)
    try:
        keep = _keep(relations, data_format, train, scheme)
        train_data = load_relation_dataset(train, data_format, window=window, keep=keep)
        dev_data = load_relation_dataset(dev, data_format, window=window, keep=keep) if dev else None
        test_data = None
        if split:
            parts = split_dataset(train_data, _fractions(split), seed)  # type: ignore[arg-type]
            train_data, dev_data, test_data = parts[0], parts[1], (parts[2] if len(parts) > 2 else None)
        args = RelationTrainArgs(
            out=out, base=base or str(packaged_encoder()), epochs=epochs, lr=lr, shape_lr=head_lr,
            batch_size=batch_size, max_length=max_length, seed=seed, patience=patience, label_scheme=scheme,
            window=window, threads=threads or settings.models.threads, max_train_examples=max_examples,
            ner_model=str(ner_model) if ner_model else None, device=device,
        )
        with _TrainingBar(enabled=not as_json) as bar:
            result = train_re(args, train_data, dev_data, test_data, on_step=bar.step,  # type: ignore[arg-type]
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


def evaluate_re_cmd(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="Relation model folder (from `govkg train re`).")],
    data: Annotated[Path, typer.Option("--data", help="Labelled data (CoNLL04-style JSONL or Re-DocRED JSON).")],
    ner_model: Annotated[Path | None, typer.Option("--ner-model", help="NER model folder: also score end to "
                                                      "end with predicted entities (strict).")] = None,
    quantize: Annotated[bool, typer.Option("--quantize", help="int8 dynamic quantization of both models.")] = False,
    data_format: FormatOpt = "auto",
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Relation P/R/F1 (micro, macro, per relation) with gold entities and, with --ner-model, end to end."""
    import torch

    from extraction.ner.tagger import NerTagger
    from extraction.relations.data import load_relation_dataset
    from extraction.relations.evaluate import (
        evaluate_end_to_end,
        evaluate_gold_entities,
    )
    from extraction.relations.predictor import RelationPredictor

    torch.set_num_threads(threads or ctx.find_root().obj.models.threads)
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


def bench_extract(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option("--data", help="A folder (or file) of documents, e.g. ../shared/data/sotu.")],
    ner_model: Annotated[Path | None, typer.Option("--ner-model", help="Default: models.ner_model.")] = None,
    re_model: Annotated[Path | None, typer.Option(
        "--re-model", help="Add the typed-marker relation model ('transformer') from this folder.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N files.")] = None,
    threads: ThreadsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Extraction end to end over a corpus (segment → recognize → resolve → relations → validate, no store),
    twice over the same documents in one run, taking turns per document: without relation extractors ("ner")
    and with the configured ones ("ner_re"); words/s of each and their ratio, facts, peak memory. Recognizers as configured
    (the gazetteer, the government rules and the NER model once built); --ner-model forces the NER model."""
    import resource

    import torch

    from extraction.importer import collect_files
    from extraction.loaders import load_file
    from extraction.records import Document, document_id
    from service.components import build_services
    from tools.bench.throughput import compare

    settings = ctx.find_root().obj.model_copy(deep=True)
    if ner_model:
        settings.models.ner_model = ner_model
    full = build_services(settings)
    if ner_model and "transformer" not in full.recognizers:
        settings.pipeline.recognizers = [*full.recognizers, "transformer"]
    if re_model:
        settings.models.re_model = re_model
        settings.pipeline.relation_extractors = [*(e for e in full.relation_extractors if e != "transformer"),
                                                 "transformer"]
    full = build_services(settings)
    bare_settings = settings.model_copy(deep=True)
    bare_settings.pipeline.recognizers = full.recognizers
    bare_settings.pipeline.relation_extractors = []
    bare = build_services(bare_settings)
    files, _ = collect_files([data])
    files = files[:limit] if limit else files
    documents = []
    for path in files:
        for loaded in load_file(path, settings.imports.max_file_bytes):
            if not isinstance(loaded, ExtractionError):
                documents.append(Document(id=document_id(loaded.text), text=loaded.text, title=path.stem,
                                          source_path=str(path), source_name=path.name, format=loaded.format))
    if not documents:
        fail(f"no documents under {data}", as_json)
    try:
        torch.set_num_threads(threads or settings.models.threads)
        ner, ner_re = compare([("ner", bare.pipeline), ("ner_re", full.pipeline)], documents,
                              progress=None if as_json else err_console.print)
    except ExtractionError as exc:
        fail(str(exc), as_json)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_json({
        "data": str(data), "documents": len(documents), "ner": ner, "ner_re": ner_re,
        "ratio": round(ner_re.words_per_second / ner.words_per_second, 3) if ner.words_per_second else 0.0,
        "peak_memory_mib": round(peak_mib, 1), "threads": threads or settings.models.threads,
        "quantize": settings.models.quantize, "recognizers": full.recognizers,
        "relation_extractors": full.relation_extractors, "cpu": cpu_name(),
    })


