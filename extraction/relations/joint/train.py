"""Training the joint head: the NER model encodes every sentence once (frozen), then only the head learns.

Re-DocRED is cut by document with the NER model's own split (fractions and seed read from its card),
so the documents it held out stay held out; the State of the Union addresses are cut by document
(`sotu_dev_fraction` for dev). The head trains for `epochs` over the pre-computed pair features
(AdamW, soft targets for pairs with two predicates); the epoch with the best dev micro F1 is kept, a
temperature is fitted on dev, and the held-out Re-DocRED part is scored per predicate.

With `train` (and `dev`), labelled sentences (CoNLL04-style JSONL) replace Re-DocRED and the documents: the
head learns the data's own relation labels over its entities, and dev is also scored end to end with the NER
model's entities, strict (`evaluate.score_labelled`), as a benchmark.
"""
from __future__ import annotations

import glob
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from extraction.errors import DataError, Errors
from extraction.modeling.cards import hyperparameters, model_version, read_card, write_card
from extraction.modeling.datasets import file_sha256, parse_part, split_by_document
from extraction.modeling.fit import fit, linear_decay, prepare_run
from extraction.relations.data import RelationExample
from extraction.relations.evaluate import RelationEvaluation
from extraction.relations.joint.data import (
    PairSentence,
    RecordFacts,
    WeakOptions,
    count_sources,
    labelled_sentences,
    pipeline_sentences,
    redocred_sentences,
)
from extraction.relations.joint.evaluate import (
    JointEvaluation,
    JointPredictor,
    ScoredPairs,
    confidence_calibration,
    decide,
    entity_classes,
    evaluate_sentences,
    pair_table,
    score_labelled,
)
from extraction.relations.joint.model import (
    COARSE,
    FINE,
    NO_RELATION,
    JointConfig,
    JointPairHead,
    class_key,
    head_logits,
    ontology_is_a,
    save_joint,
)

if TYPE_CHECKING:
    from extraction.pipeline import Pipeline

PROJECT = Path(__file__).resolve().parents[3]
DEFAULT_REDOCRED = PROJECT / "data" / "redocred" / "dev.json"
DEFAULT_GAZETTEERS = PROJECT / "data" / "gazetteers"


@dataclass
class JointTrainArgs:
    out: Path = field(metadata={"help": "Model folder to write."})
    ner_model: Path = field(metadata={
        "help": "The NER model whose encodings the head reads (default: models.ner_model, else models/ner)."})
    redocred: Path | None = field(default=DEFAULT_REDOCRED, metadata={
        "help": "Re-DocRED JSON (cut with the NER model's split)."})
    sotu: list[str] = field(default_factory=list, metadata={  # files or glob patterns of documents for the rule layer
        "help": "Documents (files or glob patterns, repeatable) the rule layer and the records label "
                "(default: data/samples/*.txt)."})
    gazetteer_dir: Path | None = None  # the records and the gazetteer (default: data/gazetteers)
    epochs: int = field(default=40, metadata={"min": 1})
    lr: float = field(default=1e-3, metadata={"help": "Learning rate of the head."})
    batch_size: int = field(default=256, metadata={"min": 1, "help": "Pairs per step."})
    weight_decay: float = 0.01
    dropout: float = field(default=0.2, metadata={"help": "Dropout of the head."})
    mlp_hidden: int = field(default=256, metadata={"min": 8, "help": "Hidden width of the head."})
    fine_dropout: float = 0.15  # a fine class (Country, …) seen as its coarse class only: Re-DocRED knows no better
    seed: int = 13
    threads: int | None = None
    quantize: bool = field(default=True, metadata={  # encode as the pipeline runs the NER model
        "help": "Encode with the int8 NER model, as the pipeline runs it with models.quantize (the default; "
                "with --train: fp32 unless --quantize)."})
    negatives_per_positive: int = 3
    negatives_per_unlabelled_sentence: int = 1
    sotu_dev_fraction: float = 0.1
    max_redocred_documents: int | None = field(default=None, metadata={  # for quick runs and tests
        "option": "--max-documents", "min": 1, "help": "Only the first N Re-DocRED documents."})
    max_pairs_per_sentence: int = 64
    batch_size_encoder: int = 64
    # labelled sentences instead of Re-DocRED and the documents (a benchmark: CoNLL04-style JSONL); the head
    # learns the data's own relation labels over its entities, dev selects the epoch and fits the temperature
    train: Path | None = field(default=None, metadata={
        "help": "Labelled sentences (CoNLL04-style JSONL) instead of Re-DocRED and the documents: the head learns "
                "their own relation labels (a benchmark; use a NER model of the same label scheme)."})
    dev: Path | None = field(default=None, metadata={
        "help": "With --train: dev sentences (epoch selection, temperature, and scored end to end with the NER "
                "model)."})
    label_scheme: str = field(default="", metadata={
        "help": "With --train: the ontology mapping of its entity types (conll04, …; default: the NER model's)."})


@dataclass
class JointEpoch:
    epoch: int
    loss: float
    seconds: float
    dev_f1: float | None


@dataclass
class JointTrainResult:
    out: Path
    labels: list[str]
    epochs: list[JointEpoch]
    best_epoch: int
    dev: JointEvaluation | None
    test: JointEvaluation | None
    calibration: dict[str, object]
    sources: dict[str, object]
    seconds: float
    timings: dict[str, float]
    dev_end_to_end: RelationEvaluation | None = None  # with `train`: dev with the NER model's entities, strict
    dev_gold_entities: RelationEvaluation | None = None  # the same scoring with the gold entities


Say = Callable[[str], None]


def ner_split(ner_model: Path) -> tuple[tuple[float, ...], int]:
    """The document split and seed the NER model was trained with (its card), else 0.7/0.1/0.2, seed 13."""
    card = read_card(ner_model)
    bounds: list[float] = []
    seed = 13
    for part in ("train", "dev", "test"):
        info = (card.get("data") or {}).get(part) or {}
        found = parse_part(str(info.get("part", "")))
        if found:
            bounds.append(found[1])
            seed = found[2]
    if len(bounds) == 3 and abs(bounds[-1] - 1.0) < 1e-6:
        return (bounds[0], round(bounds[1] - bounds[0], 6), round(1.0 - bounds[1], 6)), seed
    return (0.7, 0.1, 0.2), seed


def sotu_files(patterns: list[str]) -> list[Path]:
    files: list[Path] = []
    for pattern in patterns:
        matched = sorted(glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
        files += [Path(p) for p in matched if Path(p).is_file()]
    return list(dict.fromkeys(files))


Labeler = Callable[["JointTrainArgs"], "tuple[Pipeline, list[str]]"]  # the rule layer's pipeline, its recognizers


def train_joint(args: JointTrainArgs, say: Say | None = None,
                on_epoch: Callable[[JointEpoch], None] | None = None,
                labeler: Labeler | None = None) -> JointTrainResult:
    """Train the head. `labeler` builds the production pipeline (with the rule layer) that labels the
    `args.sotu` documents; it is needed only when there are such documents (service.components has one)."""
    from extraction.ner.encodings import encoding_cache
    from extraction.ner.tagger import NerTagger
    from ontology.schema import load_ontology

    say = say or (lambda _: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    prepare_run(args.seed, args.threads)
    ontology = load_ontology()

    is_a = ontology_is_a(ontology)

    tagger = NerTagger.from_folder(args.ner_model, quantize=args.quantize, batch_size=args.batch_size_encoder)
    ner_version = tagger.version
    fractions, split_seed = ner_split(args.ner_model)
    ner_card = read_card(args.ner_model)

    # Re-DocRED, with the NER model's document split
    train: list[PairSentence] = []
    dev: list[PairSentence] = []
    test: list[PairSentence] = []
    data_info: dict[str, object] = {}
    labelled = _labelled_data(args, tagger, data_info, timings, say) if args.train is not None else None
    if labelled is not None:
        train, dev = labelled.train_sentences, labelled.dev_sentences
    elif args.redocred is not None:
        clock = time.perf_counter()
        found, dropped = redocred_sentences(Path(args.redocred), ontology.map_entity_label, ontology.map_relation_label,
                                            args.max_redocred_documents)
        parts = split_by_document(found, fractions, split_seed)
        train += parts[0]
        dev += parts[1]
        test += parts[2] if len(parts) > 2 else []
        say(f"Re-DocRED: {len(found)} sentences with 2+ entities; encoding them with the NER model")
        _encode(tagger, found)
        ner_train = ((ner_card.get("data") or {}).get("train") or {}).get("sha256")
        sha = file_sha256(Path(args.redocred))
        data_info["redocred"] = {
            "path": str(args.redocred), "sha256": sha, "split": list(fractions), "split_seed": split_seed,
            "same_file_as_ner_training": ner_train == sha if ner_train else None,
            "documents": len({s.document for s in found}),
            "dropped_pairs": dict(dropped),
        }
        timings["redocred_encoding_seconds"] = round(time.perf_counter() - clock, 1)

    # the rule layer and the records over the addresses, through the production pipeline
    files = sotu_files(args.sotu) if labelled is None else []
    if files:
        clock = time.perf_counter()
        records = RecordFacts(args.gazetteer_dir or DEFAULT_GAZETTEERS)
        cache = encoding_cache(ner_version)  # the pipeline's NER tagger of this version now keeps its encodings
        if labeler is None:
            raise DataError(Errors.E079)
        pipeline, recognizers = labeler(args)
        say(f"rule layer over {len(files)} documents (recognizers: {', '.join(recognizers)}; relations: patterns)")
        found = pipeline_sentences(
            pipeline, files, records,
            WeakOptions(args.negatives_per_positive, args.negatives_per_unlabelled_sentence, args.seed),
            encodings=cache.get, on_document=lambda path, n: say(f"  {path.name}: {n} sentences"))
        missing = [s for s in found if s.encoding is None]
        _encode(tagger, missing)
        held_out = split_by_document(found, (1.0 - args.sotu_dev_fraction, args.sotu_dev_fraction), args.seed)
        train += held_out[0]
        dev += held_out[1]
        data_info["sotu"] = {
            "files": len(files), "first": files[0].name, "last": files[-1].name,
            "recognizers": recognizers, "relation_extractor": "patterns",
            "dev_fraction": args.sotu_dev_fraction, "encoded_from_cache": len(found) - len(missing),
            "encoded_again": len(missing),
        }
        data_info["records"] = records.describe()
        timings["pipeline_seconds"] = round(time.perf_counter() - clock, 1)
    if not any(p.predicates for s in train for p in s.pairs):
        raise DataError(Errors.E062, path=args.train or args.redocred or "the documents",
                        reason="no labelled pairs to learn from")

    labels = [NO_RELATION] + sorted({p for s in train for pair in s.pairs for p in pair.predicates})
    type_pairs = sorted({(class_key(s.classes[pair.subject], is_a), class_key(s.classes[pair.object], is_a))
                         for s in train for pair in s.pairs if pair.predicates})
    config = JointConfig(labels=labels, hidden_size=tagger.hidden_size, ner_version=ner_version,
                         ner_label_scheme=tagger.config.label_scheme, mlp_hidden=args.mlp_hidden,
                         dropout=args.dropout, type_pairs=[list(p) for p in type_pairs],
                         max_pairs_per_sentence=args.max_pairs_per_sentence)
    allowed = set(type_pairs)
    train_table = pair_table(train, labels, is_a, allowed)
    dev_table = pair_table(dev, labels, is_a, allowed) if dev else None
    say(f"training the head on {len(train_table.owners)} pairs ({len(labels) - 1} predicates), "
        f"dev {len(dev_table.owners) if dev_table else 0} pairs")
    clock = time.perf_counter()
    head = JointPairHead(config)
    history, best_epoch = _fit(head, config, args, train_table, dev_table, dev, is_a, on_epoch)
    timings["head_seconds"] = round(time.perf_counter() - clock, 1)

    calibration: dict[str, object] = {}
    best_dev = None
    if dev_table is not None and len(dev_table.owners):
        from extraction.relations.calibration import calibration_report, fit_temperature

        logits = head_logits(head, dev_table.features, dev_table.classes, dev_table.distances)
        gold = torch.as_tensor(dev_table.targets.argmax(axis=1))
        config.temperature = fit_temperature(logits, gold)
        calibration = {"temperature": config.temperature, "fitted_on": "dev",
                       "before": {**calibration_report(logits, gold, 1.0),
                                  **confidence_calibration(logits, dev_table, 1.0)},
                       "after": {**calibration_report(logits, gold, config.temperature),
                                 **confidence_calibration(logits, dev_table, config.temperature)}}
        best_dev = evaluate_sentences(head, config, dev, is_a, dev_table)
    tested = evaluate_sentences(head, config, test, is_a) if test else None
    dev_gold = dev_end_to_end = None
    if labelled is not None and labelled.dev_examples:
        clock = time.perf_counter()
        say(f"scoring dev end to end (strict) with the NER model's entities ({len(labelled.dev_examples)} sentences)")
        dev_gold, dev_end_to_end = score_labelled(
            JointPredictor(head, config, tagger, labelled.entity_class, is_a), labelled.dev_examples)
        timings["dev_end_to_end_seconds"] = round(time.perf_counter() - clock, 1)
    seconds = round(time.perf_counter() - started, 1)
    if labelled is not None:
        config.version = model_version(f"joint-{labelled.scheme}", file_sha256(Path(args.train)), args.seed)  # type: ignore[arg-type]
        config.extra = {"label_scheme": labelled.scheme, "relation_labels": "the data's own",
                        "quantized_encoder": args.quantize, "coarse_classes": list(COARSE), "fine_classes": list(FINE)}
    else:
        config.version = model_version("joint", file_sha256(Path(args.redocred)) if args.redocred else "0" * 8,
                                       args.seed)
        config.extra = {"split": list(fractions), "split_seed": split_seed, "quantized_encoder": args.quantize,
                        "coarse_classes": list(COARSE), "fine_classes": list(FINE)}
    save_joint(head, config, Path(args.out))
    sources = {"train": count_sources(train), "dev": count_sources(dev), "test": count_sources(test)}
    end_to_end = {"dev_gold_entities": asdict(dev_gold) if dev_gold else None,
                  "dev_end_to_end": asdict(dev_end_to_end) if dev_end_to_end else None} if labelled else {}
    _write_card(args, config, data_info, sources, history, best_epoch, best_dev, tested, calibration, seconds,
                timings, ner_card, end_to_end)
    return JointTrainResult(Path(args.out), labels, history, best_epoch, best_dev, tested, calibration, sources,
                            seconds, timings, dev_end_to_end, dev_gold)


@dataclass
class _Labelled:
    scheme: str
    entity_class: Callable[[str], str]
    train_sentences: list[PairSentence]
    dev_sentences: list[PairSentence]
    dev_examples: list[RelationExample]


def _labelled_data(args: JointTrainArgs, tagger, data_info: dict[str, object], timings: dict[str, float],  # type: ignore[no-untyped-def]
                   say: Say) -> _Labelled:
    """Labelled sentences (CoNLL04-style JSONL) of `args.train` and `args.dev`, encoded with the NER model;
    the data and its counts go to `data_info` (the card's `data`)."""
    from extraction.relations.data import load_relation_dataset

    assert args.train is not None
    scheme = args.label_scheme or tagger.config.label_scheme
    entity_class = entity_classes(scheme, args.train)
    parts = {"train": load_relation_dataset(args.train, "jsonl")}
    if args.dev is not None:
        parts["dev"] = load_relation_dataset(args.dev, "jsonl", keep=set(parts["train"].relations))
    clock = time.perf_counter()
    sentences = {part: labelled_sentences(dataset.examples, entity_class, source=scheme or "labelled")
                 for part, dataset in parts.items()}
    counts = ", ".join(f"{part} {len(found)} sentences" for part, found in sentences.items())
    say(f"{scheme or 'labelled'} data: {counts}; encoding them with the NER model")
    for found in sentences.values():
        _encode(tagger, found)
    timings["encoding_seconds"] = round(time.perf_counter() - clock, 1)
    ner_train = ((read_card(args.ner_model).get("data") or {}).get("train") or {}).get("sha256")
    data_info[scheme or "labelled"] = {
        "label_scheme": scheme, "entity_classes": {t: entity_class(t) for t in sorted(
            {kind for d in parts.values() for e in d.examples for _, _, kind in e.entities})},
        **{part: {"path": dataset.path, "sha256": dataset.sha256, "sentences": len(dataset.examples),
                  "words": dataset.words, "entities": _entity_counts(dataset.examples),
                  "relations": dataset.relations, "pairs": sum(len(s.pairs) for s in sentences[part]),
                  "same_file_as_ner_training": ner_train == dataset.sha256 if ner_train else None}
           for part, dataset in parts.items()},
    }
    return _Labelled(scheme, entity_class, sentences["train"], sentences.get("dev", []),
                     parts["dev"].examples if "dev" in parts else [])


def _entity_counts(examples: list[RelationExample]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        for _, _, kind in example.entities:
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def _encode(tagger, sentences: list[PairSentence]) -> None:  # type: ignore[no-untyped-def]
    todo = [s for s in sentences if s.encoding is None]
    for start in range(0, len(todo), 512):
        chunk = todo[start:start + 512]
        for sentence, encoding in zip(chunk, tagger.word_encodings([list(s.words) for s in chunk],
                                                                   [s.document for s in chunk]), strict=True):
            sentence.encoding = encoding


def _fit(head: JointPairHead, config: JointConfig, args: JointTrainArgs, train: ScoredPairs,
         dev: ScoredPairs | None, dev_sentences: list[PairSentence], is_a, on_epoch) -> tuple[list[JointEpoch], int]:  # type: ignore[no-untyped-def]
    features = torch.as_tensor(train.features)
    classes = torch.as_tensor(train.classes)
    distances = torch.as_tensor(train.distances)
    targets = torch.as_tensor(train.targets)
    unspecified = FINE.index("unspecified")
    refinable = torch.as_tensor(np.isin(train.classes[:, [1, 3]], [FINE.index(f) for f in FINE
                                                                    if f not in ("none", "unspecified")]))
    optimizer = torch.optim.AdamW(head.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps = max(1, (len(features) + args.batch_size - 1) // args.batch_size) * args.epochs
    generator = torch.Generator().manual_seed(args.seed)

    def batches() -> list[torch.Tensor]:
        order = torch.randperm(len(features), generator=generator)
        return [order[start:start + args.batch_size] for start in range(0, len(order), args.batch_size)]

    def step(rows: torch.Tensor) -> torch.Tensor:
        batch_classes = classes[rows].clone()
        if args.fine_dropout > 0:
            drop = (torch.rand((len(rows), 2), generator=generator) < args.fine_dropout) & refinable[rows]
            batch_classes[:, [1, 3]] = torch.where(drop, torch.full_like(drop, unspecified, dtype=torch.long),
                                                   batch_classes[:, [1, 3]])
        logits = head(features[rows], batch_classes, distances[rows])
        return torch.nn.functional.cross_entropy(logits, targets[rows])

    return fit(head, optimizer, linear_decay(steps), epochs=args.epochs, batches=batches, step=step,
               evaluate=lambda: _micro_f1(head, dev) if dev is not None and len(dev.owners) else None, score=float,
               make_result=lambda end, dev_f1: JointEpoch(end.epoch, round(end.mean_loss, 4), round(end.seconds, 2),
                                                          dev_f1),
               on_epoch=on_epoch)


def _micro_f1(head: JointPairHead, table: ScoredPairs) -> float:
    """Pair-level micro F1 of the facts the pipeline would keep (confidence ≥ 0.5, temperature 1)."""
    logits = head_logits(head, table.features, table.classes, table.distances)
    found = decide(logits, table.allowed)
    correct = sum(1 for row, label, _ in found if table.targets[row, label] > 0)
    gold = int((table.targets[:, 1:] > 0).sum())
    p = correct / len(found) if found else 0.0
    r = correct / gold if gold else 0.0
    return round(float(2 * p * r / (p + r)), 4) if p + r else 0.0


def _write_card(args, config, data_info, sources, history, best_epoch, best_dev, tested, calibration,  # type: ignore[no-untyped-def]
                seconds, timings, ner_card, end_to_end=None) -> None:
    write_card(
        Path(args.out), kind="joint-relation", base=None, data=data_info, seconds=seconds,
        ner_model={"path": str(args.ner_model), "version": config.ner_version,
                   "base_model": ner_card.get("base_model"), "encoder": "frozen (the NER model's own)"},
        version=config.version,
        labels=config.labels,
        type_pairs=config.type_pairs,
        sources=sources,
        hyperparameters=hyperparameters(args),
        history=[asdict(h) for h in history],
        best_epoch=best_epoch,
        metrics={"dev": asdict(best_dev) if best_dev else None,
                 "test_gold_entities": asdict(tested) if tested else None,
                 "calibration": calibration, **(end_to_end or {})},
        timings=timings,
    )
