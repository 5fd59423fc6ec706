"""Entity-level evaluation (seqeval, strict IOB2) and inference speed."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from extraction.ner.data import NerExample
from extraction.ner.tagger import NerTagger
from extraction.ner.tags import spans_to_tags


@dataclass
class TypeScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class NerEvaluation:
    precision: float
    recall: float
    f1: float
    per_type: dict[str, TypeScore]
    sentences: int
    words: int
    seconds: float
    words_per_second: float
    unknown_types: dict[str, int] = field(default_factory=dict)  # gold types the model has no label for
    ignored_predicted_types: list[str] = field(default_factory=list)  # model types absent from the data


def evaluate_tagger(tagger: NerTagger, examples: list[NerExample], use_documents: bool = True) -> NerEvaluation:
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    sentences = [list(e.tokens) for e in examples]
    documents = [e.document for e in examples] if use_documents else None
    started = time.perf_counter()
    predicted = tagger.predict(sentences, documents)
    seconds = time.perf_counter() - started
    data_types = set().union(*(e.types for e in examples)) if examples else set()
    model_types = set(tagger.types)
    unknown = Counter(t[2:] for e in examples for t in e.tags if t.startswith("B-") and t[2:] not in model_types)
    ignored = sorted(model_types - data_types)
    gold = [list(e.tags) for e in examples]
    guess = [spans_to_tags(len(e.tokens), [(s.start, s.end, s.type) for s in spans if s.type in data_types])
             for e, spans in zip(examples, predicted, strict=True)]
    report = classification_report(gold, guess, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    micro = report["micro avg"]
    per_type = {k: TypeScore(round(v["precision"], 4), round(v["recall"], 4), round(v["f1-score"], 4),
                             int(v["support"]))
                for k, v in report.items() if not k.endswith(" avg")}
    words = sum(len(s) for s in sentences)
    return NerEvaluation(
        precision=round(micro["precision"], 4), recall=round(micro["recall"], 4), f1=round(micro["f1-score"], 4),
        per_type=per_type, sentences=len(sentences), words=words, seconds=round(seconds, 3),
        words_per_second=round(words / seconds, 1) if seconds > 0 else 0.0,
        unknown_types=dict(unknown), ignored_predicted_types=ignored,
    )
