"""Scores of the joint head on labelled sentences (gold entities): micro, macro and per-predicate P/R/F1.

A gold fact is (subject span, object span, predicate) after the ontology mapping; a pair with two mapped
predicates holds two gold facts. A predicted fact is what the pipeline would store: a predicate whose
confidence (`predicate_confidences`) reaches the threshold (pipeline.min_fact_confidence, 0.5). Pairs
whose type combination never held a relation in training are `no_relation` without asking the head, as
in the pipeline.

Labelled sentences with typed entities (CoNLL04-style JSONL, a head trained with `train_joint(train=…)`)
are scored as `govkg evaluate re` scores them (`extraction.relations.evaluate`): with gold entities, and
end to end with the NER model's entities, strict (both spans, both entity types and the relation exact).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from extraction.relations.data import RelationExample
from extraction.relations.evaluate import (
    RelationEvaluation,
    RelationScores,
    score_facts,
)
from extraction.relations.joint.data import PairSentence, labelled_sentences
from extraction.relations.joint.model import (
    JointConfig,
    JointPairHead,
    class_ids,
    class_key,
    head_logits,
    predicate_confidences,
    sentence_rows,
)
from extraction.relations.predictor import PredictedRelation


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


# -- labelled sentences (CoNLL04): gold entities and end to end, strict ----------------------------------
class JointPredictor:
    """The joint head behind the predictor interface of `extraction.relations.evaluate`: `predict(examples)`
    gives each example's relations among its entities (gold or the NER model's). The word encodings are
    the NER tagger's: from its version's cache when the tagger already ran on the sentence, else computed
    here. A relation is a label whose confidence reaches `threshold` for a pair whose type combination held
    a relation in training (as `evaluate_sentences` decides)."""

    def __init__(self, head: JointPairHead, config: JointConfig, tagger, entity_class: Callable[[str], str],  # type: ignore[no-untyped-def]
                 is_a: Callable[[str, str], bool], threshold: float = 0.5) -> None:
        self.head = head.eval()
        self.config = config
        self.tagger = tagger
        self.entity_class = entity_class
        self.is_a = is_a
        self.threshold = threshold
        self.encoded_here = 0  # sentences the cache lacked

    def encodings(self, examples: Sequence[RelationExample]) -> list[np.ndarray]:
        from extraction.ner.encodings import open_cache

        cache = open_cache(self.tagger.version)
        found = [cache.get(e.tokens) if cache is not None else None for e in examples]
        missing = [i for i, encoding in enumerate(found) if encoding is None]
        if missing:
            computed = self.tagger.word_encodings([list(examples[i].tokens) for i in missing],
                                                  [examples[i].document for i in missing])
            for i, encoding in zip(missing, computed, strict=True):
                found[i] = encoding
            self.encoded_here += len(missing)
        return found  # type: ignore[return-value]

    def predict(self, examples: Sequence[RelationExample]) -> list[list[PredictedRelation]]:
        sentences = labelled_sentences(examples, self.entity_class)
        for sentence, encoding in zip(sentences, self.encodings(examples), strict=True):
            sentence.encoding = encoding
        table = pair_table(sentences, self.config.labels, self.is_a, {tuple(p) for p in self.config.type_pairs})  # type: ignore[misc]
        logits = head_logits(self.head, table.features, table.classes, table.distances)
        out: list[list[PredictedRelation]] = [[] for _ in examples]
        for row, label, confidence in decide(logits, table.allowed, self.config.temperature, self.threshold):
            number, subject, obj = table.owners[row]
            out[number].append(PredictedRelation(subject, obj, self.config.labels[label], round(confidence, 4)))
        return out


def entity_classes(scheme: str, path: Path | str = "") -> Callable[[str], str]:
    """The ontology class of each entity type of a label scheme ("" when it maps to none); E078 for a
    scheme the ontology has no entity mapping for."""
    from extraction.errors import DataError, Errors
    from ontology.schema import load_ontology

    ontology = load_ontology()
    if scheme.casefold() not in ontology.entity_schemes():
        raise DataError(Errors.E078, path=path, scheme=scheme, known=", ".join(ontology.entity_schemes()))
    return lambda kind: ontology.map_entity_label(scheme, kind) or ""


def score_labelled(predictor: JointPredictor, examples: Sequence[RelationExample]
                   ) -> tuple[RelationEvaluation, RelationEvaluation]:
    """(gold entities, end to end) scores of labelled sentences, the NER tagger's entities strict (both
    spans, both entity types and the relation exact): the scoring of `govkg evaluate re`. The tagger runs
    once per sentence: its encodings go through its version's cache to the head."""
    from extraction.ner.encodings import close_cache, encoding_cache, open_cache
    from extraction.relations.evaluate import (
        evaluate_end_to_end,
        evaluate_given_entities,
    )

    version = predictor.tagger.version
    opened = open_cache(version) is None
    encoding_cache(version, max_words=sum(len(e.tokens) for e in examples) + 1)
    try:
        end_to_end = evaluate_end_to_end(predictor, predictor.tagger, examples)  # type: ignore[arg-type]
        gold = evaluate_given_entities(predictor, examples)
    finally:
        if opened:
            close_cache(version)
    return gold, end_to_end


def evaluate_labelled(model: Path, ner_model: Path, data: Path, quantize: bool | None = None,
                      threshold: float = 0.5) -> tuple[RelationEvaluation, RelationEvaluation, dict[str, object]]:
    """CoNLL04-style JSONL scored whole with the head of `model` over the NER model's encodings: gold
    entities and end to end (strict), and what was evaluated (versions, data, the NER model's entity
    types). E055 when the NER model predicts none of the data's entity types."""
    from extraction.errors import DataError, Errors
    from extraction.ner.tagger import NerTagger
    from extraction.relations.data import load_relation_dataset
    from extraction.relations.joint.model import (
        load_joint,
        ner_version_of,
        ontology_is_a,
    )
    from ontology.schema import load_ontology

    head, config = load_joint(model, ner_version_of(ner_model))
    scheme = str(config.extra.get("label_scheme") or config.ner_label_scheme)
    dataset = load_relation_dataset(data, "jsonl", keep=config.labels[1:])
    if quantize is None:
        quantize = bool(config.extra.get("quantized_encoder", False))
    tagger = NerTagger.from_folder(ner_model, quantize=quantize)
    data_types = sorted({kind for e in dataset.examples for _, _, kind in e.entities})
    if not set(data_types) & set(tagger.types):
        raise DataError(Errors.E055, path=data, data=", ".join(data_types), model=", ".join(tagger.types))
    predictor = JointPredictor(head, config, tagger, entity_classes(scheme, data), ontology_is_a(load_ontology()),
                               threshold)
    gold, end_to_end = score_labelled(predictor, dataset.examples)
    info: dict[str, object] = {
        "model": str(model), "model_version": config.version, "ner_model": str(ner_model),
        "ner_version": config.ner_version, "data": str(data), "sha256": dataset.sha256,
        "sentences": len(dataset.examples), "relations": dataset.relations, "label_scheme": scheme,
        "entity_types": {"data": data_types, "ner_model": tagger.types}, "quantized_encoder": quantize,
        "threshold": threshold, "temperature": config.temperature,
        "matching": "strict: both spans, both entity types and the relation exact",
    }
    return gold, end_to_end, info
