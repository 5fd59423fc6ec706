"""The extraction pipeline: segment → recognize → merge → resolve → relate → validate, one document at a time."""
from __future__ import annotations

from collections.abc import Sequence

from extraction import builtin  # noqa: F401  (registers the built-in components)
from extraction.builtin import Resources
from extraction.components import EntityRecognizer, EntityResolver, FactValidator, RelationExtractor, Segmenter
from extraction.records import Document, DocumentGraph, Fact, Mention
from extraction.registry import create


class Pipeline:
    def __init__(
        self,
        segmenter: Segmenter,
        recognizers: Sequence[EntityRecognizer],
        resolver: EntityResolver,
        relation_extractors: Sequence[RelationExtractor],
        validator: FactValidator,
    ) -> None:
        self.segmenter = segmenter
        self.recognizers = list(recognizers)
        self.resolver = resolver
        self.relation_extractors = list(relation_extractors)
        self.validator = validator

    @classmethod
    def from_config(
        cls, segmenter: str, recognizers: Sequence[str], resolver: str, relation_extractors: Sequence[str],
        validator: str, resources: Resources,
    ) -> Pipeline:
        return cls(
            create("segmenter", segmenter, resources),
            [create("recognizer", name, resources) for name in recognizers],
            create("resolver", resolver, resources),
            [create("relation_extractor", name, resources) for name in relation_extractors],
            create("validator", validator, resources),
        )

    def run(self, document: Document) -> DocumentGraph:
        sentences = self.segmenter.run(document)
        mentions = merge_mentions([m for r in self.recognizers for m in r.run(document, sentences)])
        mentions, entities = self.resolver.run(mentions)
        facts: dict[str, Fact] = {}
        for extractor in self.relation_extractors:
            for fact in extractor.run(document, sentences, mentions, entities):
                known = facts.get(fact.id)
                facts[fact.id] = fact if known is None else known.model_copy(update={
                    "confidence": max(known.confidence, fact.confidence),
                    "provenance": (*known.provenance, *fact.provenance),
                })
        kept, candidates = self.validator.run(list(facts.values()), entities)
        return DocumentGraph(
            document=document, sentences=tuple(sentences), mentions=tuple(mentions),
            entities=tuple(entities), facts=tuple(kept), candidates=tuple(candidates),
        )


def merge_mentions(mentions: list[Mention]) -> list[Mention]:
    """One mention per stretch of text: gazetteer-known first, then longer, then more confident."""
    ranked = sorted(
        mentions, key=lambda m: (m.gazetteer_key is None, -(m.end - m.start), -m.confidence, m.start)
    )
    taken: list[Mention] = []
    occupied: list[tuple[int, int]] = []
    for mention in ranked:
        if any(mention.start < end and start < mention.end for start, end in occupied):
            continue
        taken.append(mention)
        occupied.append((mention.start, mention.end))
    return sorted(taken, key=lambda m: m.start)
