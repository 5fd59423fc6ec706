"""Extraction throughput: one pipeline over documents, timed per document (for `govkg bench extract`)."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel

from extraction.pipeline import Pipeline
from extraction.records import Document, DocumentGraph


class Throughput(BaseModel):
    pipeline: str  # what was measured ("ner": no relation extractors; "ner_re": as configured)
    relation_extractors: list[str]
    documents: int
    words: int
    sentences: int
    mentions: int
    facts: int
    facts_by_extractor: dict[str, int]
    low_confidence_candidates: int
    seconds: float
    words_per_second: float
    facts_per_1000_words: float
    model_load_seconds: float


class _Tally:
    def __init__(self) -> None:
        self.words = self.sentences = self.mentions = self.facts = self.candidates = 0
        self.seconds = 0.0
        self.by_extractor: dict[str, int] = {}

    def add(self, document: Document, graph: DocumentGraph, seconds: float) -> None:
        self.seconds += seconds
        self.words += document.word_count
        self.sentences += len(graph.sentences)
        self.mentions += len(graph.mentions)
        self.facts += len(graph.facts)
        self.candidates += sum(1 for c in graph.candidates if c.status == "low_confidence")
        for fact in graph.facts:
            for name in {p.extractor.name for p in fact.provenance}:
                self.by_extractor[name] = self.by_extractor.get(name, 0) + 1

    def figures(self, label: str, pipeline: Pipeline, documents: int, load_seconds: float) -> Throughput:
        return Throughput(
            pipeline=label, relation_extractors=[e.name for e in pipeline.relation_extractors],
            documents=documents, words=self.words, sentences=self.sentences, mentions=self.mentions,
            facts=self.facts, facts_by_extractor=dict(sorted(self.by_extractor.items())),
            low_confidence_candidates=self.candidates, seconds=round(self.seconds, 2),
            words_per_second=round(self.words / self.seconds, 1) if self.seconds else 0.0,
            facts_per_1000_words=round(1000 * self.facts / self.words, 2) if self.words else 0.0,
            model_load_seconds=round(load_seconds, 2),
        )


def compare(pipelines: Sequence[tuple[str, Pipeline]], documents: Sequence[Document],
            progress: Callable[[str], object] | None = None) -> list[Throughput]:
    """Run each pipeline over every document, taking turns per document (the order rotating), so that
    all of them see the same machine load; the first document warms each one up (models, matchers) and is
    run again."""
    loads = []
    for _, pipeline in pipelines:
        started = time.perf_counter()
        pipeline.run(documents[0])
        loads.append(time.perf_counter() - started)
    tallies = [_Tally() for _ in pipelines]
    for n, document in enumerate(documents):
        order = list(range(len(pipelines)))
        order = order[n % len(order):] + order[: n % len(order)]
        for k in order:
            started = time.perf_counter()
            graph = pipelines[k][1].run(document)
            tallies[k].add(document, graph, time.perf_counter() - started)
        if progress is not None:
            progress(f"{n + 1}/{len(documents)} documents, {tallies[0].words:,} words")
    return [t.figures(label, p, len(documents), load)
            for t, (label, p), load in zip(tallies, pipelines, loads, strict=True)]
