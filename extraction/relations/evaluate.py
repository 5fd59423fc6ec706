"""Relation scores: with gold entities, and end to end with predicted entities (strict matching).

A predicted fact is (head span, head type, tail span, tail type, relation). Strict end-to-end
matching counts it only when both spans, both entity types and the relation are all right.
Micro scores pool every fact; macro F1 is the mean of the per-relation F1 over the relations of the
gold data.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from extraction.relations.data import RelationExample, Span
from extraction.relations.predictor import PredictedRelation, RelationPredictor

Fact = tuple[Span, Span, str]


@dataclass
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass
class RelationScores:
    precision: float
    recall: float
    f1: float
    macro_f1: float
    per_relation: dict[str, LabelScore]
    gold: int
    predicted: int
    correct: int


@dataclass
class RelationEvaluation:
    mode: str  # "gold_entities" or "end_to_end"
    scores: RelationScores
    examples: int
    words: int
    seconds: float
    words_per_second: float
    truncated_pairs: int = 0
    entities: dict[str, float] = field(default_factory=dict)  # end to end: NER P/R/F1 on the same texts
    calibration: dict[str, float | int] = field(default_factory=dict)  # gold entities: ECE with the model's T


def _prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def score_facts(gold: Sequence[set[Fact]], predicted: Sequence[set[Fact]]) -> RelationScores:
    """Exact-match scores of predicted against gold facts, text by text."""
    counts: dict[str, list[int]] = {}  # label → [correct, predicted, gold]
    for wanted, found in zip(gold, predicted, strict=True):
        for fact in wanted:
            counts.setdefault(fact[2], [0, 0, 0])[2] += 1
        for fact in found:
            entry = counts.setdefault(fact[2], [0, 0, 0])
            entry[1] += 1
            entry[0] += fact in wanted
    per_relation = {}
    for label, (correct, n_predicted, n_gold) in sorted(counts.items()):
        p, r, f = _prf(correct, n_predicted, n_gold)
        per_relation[label] = LabelScore(p, r, f, n_gold, n_predicted)
    correct, n_predicted, n_gold = (sum(c[i] for c in counts.values()) for i in range(3))
    p, r, f = _prf(correct, n_predicted, n_gold)
    in_gold = [s.f1 for s in per_relation.values() if s.support]
    macro = round(sum(in_gold) / len(in_gold), 4) if in_gold else 0.0
    return RelationScores(p, r, f, macro, per_relation, n_gold, n_predicted, correct)


def predicted_facts(example: RelationExample, relations: list[PredictedRelation]) -> set[Fact]:
    return {(example.entities[p.head], example.entities[p.tail], p.label) for p in relations}


def evaluate_gold_entities(predictor: RelationPredictor, examples: Sequence[RelationExample]) -> RelationEvaluation:
    import torch

    from extraction.relations.calibration import calibration_report

    started = time.perf_counter()
    scored = predictor.logits(examples, with_labels=True)
    predictions = [predictor.decide(encoded, logits) for encoded, logits in scored]
    seconds = time.perf_counter() - started
    scores = score_facts([e.facts() for e in examples],
                         [predicted_facts(e, p) for e, p in zip(examples, predictions, strict=True)])
    evaluation = _evaluation("gold_entities", scores, examples, seconds, sum(e.truncated for e, _ in scored))
    if scored:
        logits = torch.cat([logits for _, logits in scored])
        gold = torch.tensor([label for encoded, _ in scored for label in encoded.labels], dtype=torch.long)
        evaluation.calibration = calibration_report(logits, gold, predictor.config.temperature)
    return evaluation


def evaluate_given_entities(predictor, examples: Sequence[RelationExample]) -> RelationEvaluation:  # type: ignore[no-untyped-def]
    """Relations `predictor.predict(examples)` finds among the gold entities, matched as end to end: for a
    predictor without the marker model's logits (the joint head)."""
    started = time.perf_counter()
    predictions = predictor.predict(examples)
    seconds = time.perf_counter() - started
    scores = score_facts([e.facts() for e in examples],
                         [predicted_facts(e, p) for e, p in zip(examples, predictions, strict=True)])
    return _evaluation("gold_entities", scores, examples, seconds, 0)


def evaluate_end_to_end(predictor: RelationPredictor, tagger, examples: Sequence[RelationExample]  # type: ignore[no-untyped-def]
                        ) -> RelationEvaluation:
    """Entities from the NER tagger, relations between them, facts matched strictly against gold."""
    started = time.perf_counter()
    spans = tagger.predict([list(e.tokens) for e in examples], [e.document for e in examples])
    tagged = [e.with_entities(tuple((s.start, s.end, s.type) for s in found))
              for e, found in zip(examples, spans, strict=True)]
    predictions = predictor.predict(tagged)
    seconds = time.perf_counter() - started
    scores = score_facts([e.facts() for e in examples],
                         [predicted_facts(e, p) for e, p in zip(tagged, predictions, strict=True)])
    gold_entities = sum(len(set(e.entities)) for e in examples)
    found_entities = sum(len(set(e.entities)) for e in tagged)
    right = sum(len(set(e.entities) & set(t.entities)) for e, t in zip(examples, tagged, strict=True))
    p, r, f = _prf(right, found_entities, gold_entities)
    evaluation = _evaluation("end_to_end", scores, examples, seconds, 0)
    evaluation.entities = {"precision": p, "recall": r, "f1": f, "gold": gold_entities, "predicted": found_entities}
    return evaluation


def _evaluation(mode: str, scores: RelationScores, examples: Sequence[RelationExample], seconds: float,
                truncated: int) -> RelationEvaluation:
    words = sum(len(e.tokens) for e in examples)
    return RelationEvaluation(mode, scores, len(examples), words, round(seconds, 3),
                              round(words / seconds, 1) if seconds > 0 else 0.0, truncated)
