"""Scores of the joint head on labelled sentences (gold entities): micro, macro and per-predicate P/R/F1.

A gold fact is (subject span, object span, predicate) after the ontology mapping; a pair with two mapped
predicates holds two gold facts. A predicted fact is what the pipeline would store: a predicate whose
confidence (`predicate_confidences`) reaches the threshold (pipeline.min_fact_confidence, 0.5). Pairs
whose type combination never held a relation in training are `no_relation` without asking the head, as
in the pipeline.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from extraction.relations.evaluate import RelationScores, score_facts
from extraction.relations.joint.data import PairSentence
from extraction.relations.joint.model import (
    JointConfig,
    JointPairHead,
    class_ids,
    class_key,
    head_logits,
    predicate_confidences,
    sentence_rows,
)


@dataclass
class JointEvaluation:
    scores: RelationScores
    sentences: int
    pairs: int
    words: int
    seconds: float
    calibration: dict[str, float | int] = field(default_factory=dict)
    threshold: float = 0.5  # facts: predicates whose confidence reaches it


@dataclass
class ScoredPairs:
    """Every labelled pair of some sentences: features, targets, and which sentence each came from."""

    features: np.ndarray
    classes: np.ndarray
    distances: np.ndarray
    targets: np.ndarray  # [N, labels] probabilities (soft when a pair has two predicates)
    allowed: np.ndarray  # [N] bool: type combination seen with a relation in training
    owners: list[tuple[int, int, int]]  # (sentence, subject mention, object mention)


def pair_table(sentences: Sequence[PairSentence], labels: Sequence[str], is_a: Callable[[str, str], bool],
               type_pairs: set[tuple[str, str]] | None = None) -> ScoredPairs:
    """All labelled pairs of encoded sentences as arrays (predicates the labels lack count as no_relation)."""
    index = {label: i for i, label in enumerate(labels)}
    features, classes, distances, targets, allowed, owners = [], [], [], [], [], []
    for number, sentence in enumerate(sentences):
        if sentence.encoding is None or not sentence.pairs:
            continue
        ids = [class_ids(c, is_a) for c in sentence.classes]
        keys = [class_key(c, is_a) for c in sentence.classes]
        pairs = [(p.subject, p.object) for p in sentence.pairs]
        f, c, d = sentence_rows(sentence.encoding, sentence.spans, ids, pairs)
        features.append(f)
        classes.append(c)
        distances.append(d)
        for pair in sentence.pairs:
            row = np.zeros(len(labels), dtype=np.float32)
            known = [index[p] for p in pair.predicates if p in index]
            row[known or [0]] = 1.0 / len(known or [0])
            targets.append(row)
            allowed.append(type_pairs is None or (keys[pair.subject], keys[pair.object]) in type_pairs)
            owners.append((number, pair.subject, pair.object))
    hidden = next((s.encoding.shape[1] for s in sentences if s.encoding is not None), 0)
    return ScoredPairs(
        features=np.concatenate(features) if features else np.zeros((0, 3 * hidden), dtype=np.float32),
        classes=np.concatenate(classes) if classes else np.zeros((0, 4), dtype=np.int64),
        distances=np.concatenate(distances) if distances else np.zeros(0, dtype=np.int64),
        targets=np.stack(targets) if targets else np.zeros((0, len(labels)), dtype=np.float32),
        allowed=np.array(allowed, dtype=bool), owners=owners)


def decide(logits: torch.Tensor, allowed: np.ndarray, temperature: float = 1.0,
           threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """(pair row, label index, confidence) of every predicate whose confidence (`predicate_confidences`)
    reaches `threshold`, for the pairs whose type combination is allowed."""
    confidences = predicate_confidences(logits, temperature)
    rows, columns = np.nonzero((confidences >= threshold) & allowed[:, None]) if len(confidences) else ([], [])
    return [(int(r), int(c) + 1, float(confidences[r, c])) for r, c in zip(rows, columns, strict=True)]


def confidence_calibration(logits: torch.Tensor, table: ScoredPairs, temperature: float,
                           floor: float = 0.1) -> dict[str, float | int]:
    """ECE of the confidences the pipeline writes (every allowed predicate at or above `floor`, right when
    the predicate is one of the pair's gold predicates)."""
    from extraction.relations.calibration import ECE_BINS, expected_calibration_error

    found = decide(logits, table.allowed, temperature, threshold=floor)
    confidences = [c for _, _, c in found]
    correct = [bool(table.targets[r, k] > 0) for r, k, _ in found]
    return {"ece_written_confidences": expected_calibration_error(confidences, correct),
            "written": len(found), "floor": floor, "bins": ECE_BINS}


def evaluate_sentences(head: JointPairHead, config: JointConfig, sentences: Sequence[PairSentence],
                       is_a: Callable[[str, str], bool], table: ScoredPairs | None = None,
                       threshold: float = 0.5) -> JointEvaluation:
    """Facts are the predicates whose confidence reaches `threshold` (pipeline.min_fact_confidence)."""
    from extraction.relations.calibration import calibration_report

    started = time.perf_counter()
    table = table or pair_table(sentences, config.labels, is_a, {tuple(p) for p in config.type_pairs})  # type: ignore[misc]
    logits = head_logits(head, table.features, table.classes, table.distances)
    found_rows = decide(logits, table.allowed, config.temperature, threshold)
    seconds = time.perf_counter() - started
    gold: list[set] = [set() for _ in sentences]  # type: ignore[type-arg]
    found: list[set] = [set() for _ in sentences]  # type: ignore[type-arg]
    for number, sentence in enumerate(sentences):
        for pair in sentence.pairs:
            for predicate in pair.predicates:
                gold[number].add((sentence.spans[pair.subject], sentence.spans[pair.object], predicate))
    for row, label, _ in found_rows:
        number, subject, obj = table.owners[row]
        spans = sentences[number].spans
        found[number].add((spans[subject], spans[obj], config.labels[label]))
    scores = score_facts(gold, found)
    calibration: dict[str, float | int] = {}
    if len(logits):
        hard = torch.as_tensor(table.targets.argmax(axis=1))
        calibration = {**calibration_report(logits, hard, config.temperature),
                       **confidence_calibration(logits, table, config.temperature)}
    return JointEvaluation(
        scores=scores, sentences=len(sentences), pairs=len(table.owners),
        words=sum(len(s.words) for s in sentences), seconds=round(seconds, 3), calibration=calibration,
        threshold=threshold)


def evaluate_held_out(model: Path, ner_model: Path, data: Path, part: str = "test",
                      quantize: bool | None = None) -> tuple[JointEvaluation, dict[str, object]]:
    """Scores on a part of Re-DocRED cut as in training (the NER model's document split), gold entities:
    the evaluation, and what was evaluated (versions, split, sentences)."""
    from extraction.modeling.datasets import split_by_document
    from extraction.ner.tagger import NerTagger
    from extraction.relations.joint.data import redocred_sentences
    from extraction.relations.joint.model import (
        load_joint,
        ner_version_of,
        ontology_is_a,
    )
    from ontology.schema import load_ontology

    head, config = load_joint(model, ner_version_of(ner_model))
    ontology = load_ontology()

    is_a = ontology_is_a(ontology)

    split = tuple(config.extra.get("split") or (0.7, 0.1, 0.2))  # type: ignore[arg-type]
    seed = int(config.extra.get("split_seed", 13))  # type: ignore[call-overload]
    sentences, _ = redocred_sentences(Path(data), ontology.map_entity_label, ontology.map_relation_label)
    parts = split_by_document(sentences, split, seed)
    chosen = parts[{"train": 0, "dev": 1, "test": 2}[part]]
    if quantize is None:
        quantize = bool(config.extra.get("quantized_encoder", False))
    tagger = NerTagger.from_folder(ner_model, quantize=quantize)
    started = time.perf_counter()
    encodings = tagger.word_encodings([list(s.words) for s in chosen], [s.document for s in chosen])
    encoding_seconds = time.perf_counter() - started
    for sentence, encoding in zip(chosen, encodings, strict=True):
        sentence.encoding = encoding
    evaluation = evaluate_sentences(head, config, chosen, is_a)
    info: dict[str, object] = {
        "model": str(model), "model_version": config.version, "ner_model": str(ner_model),
        "ner_version": config.ner_version, "data": str(data), "part": part, "split": list(split), "split_seed": seed,
        "documents": len({s.document for s in chosen}), "quantized_encoder": quantize,
        "encoding_seconds": round(encoding_seconds, 2),
        "head_words_per_second": round(evaluation.words / evaluation.seconds, 1) if evaluation.seconds else 0.0,
        "excluded_pairs": "pairs whose only Re-DocRED labels map to no predicate are left out (as in training)",
    }
    return evaluation, info
