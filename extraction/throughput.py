"""Extraction throughput: one pipeline over documents, timed per document (for `govkg bench extract`)."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel

from extraction.pipeline import Pipeline
from extraction.records import Document


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


def measure(pipeline: Pipeline, documents: Sequence[Document], label: str,
            progress: Callable[[str], object] | None = None) -> Throughput:
    """Run the pipeline over the documents; the first document also warms it up and is run again."""
    loading = time.perf_counter()
    pipeline.run(documents[0])  # loads models, builds matchers: not counted
    load_seconds = time.perf_counter() - loading
    words = sentences = mentions = facts = candidates = 0
    by_extractor: dict[str, int] = {}
    seconds = 0.0
    for document in documents:
        started = time.perf_counter()
        graph = pipeline.run(document)
        seconds += time.perf_counter() - started
        words += document.word_count
        sentences += len(graph.sentences)
        mentions += len(graph.mentions)
        facts += len(graph.facts)
        candidates += sum(1 for c in graph.candidates if c.status == "low_confidence")
        for fact in graph.facts:
            for name in {p.extractor.name for p in fact.provenance}:
                by_extractor[name] = by_extractor.get(name, 0) + 1
        if progress is not None:
            progress(f"{label}: {words:,} words, {facts} facts, {seconds:.0f} s")
    return Throughput(
        pipeline=label, relation_extractors=[e.name for e in pipeline.relation_extractors],
        documents=len(documents), words=words, sentences=sentences, mentions=mentions, facts=facts,
        facts_by_extractor=dict(sorted(by_extractor.items())), low_confidence_candidates=candidates,
        seconds=round(seconds, 2), words_per_second=round(words / seconds, 1) if seconds else 0.0,
        facts_per_1000_words=round(1000 * facts / words, 2) if words else 0.0, model_load_seconds=round(load_seconds, 2),
    )
