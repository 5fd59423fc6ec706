"""The extraction pipeline: segment → recognize → merge → resolve → relate → validate, one document at a time."""
from __future__ import annotations

import re
from collections.abc import Sequence

from extraction import builtin  # noqa: F401  (registers the built-in components)
from extraction.builtin import Resources
from extraction.components import EntityRecognizer, EntityResolver, FactValidator, RelationExtractor, Segmenter
from extraction.names import HONORIFIC
from extraction.records import Document, DocumentGraph, Fact, Mention, fact_id, mention_id
from extraction.registry import create


class Pipeline:
    def __init__(
        self,
        segmenter: Segmenter,
        recognizers: Sequence[EntityRecognizer],
        resolver: EntityResolver,
        relation_extractors: Sequence[RelationExtractor],
        validator: FactValidator,
        symmetric: frozenset[str] = frozenset(),
    ) -> None:
        self.symmetric = symmetric  # predicates stated once, from the lower entity id (relativeOf)
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
            resources.symmetric,
        )

    def run(self, document: Document) -> DocumentGraph:
        sentences = self.segmenter.run(document)
        found = [m for r in self.recognizers for m in r.run(document, sentences)]
        mentions = merge_mentions(tidy_person_spans(document.text, found))
        mentions, entities = self.resolver.run(mentions)
        facts: dict[str, Fact] = {}
        for extractor in self.relation_extractors:
            for fact in extractor.run(document, sentences, mentions, entities):
                if fact.predicate in self.symmetric and fact.object_id < fact.subject_id:
                    fact = _swapped(fact)
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


def _swapped(fact: Fact) -> Fact:
    """A symmetric fact stated from its other end: one fact, whichever way a sentence put it."""
    return fact.model_copy(update={
        "id": fact_id(fact.object_id, fact.predicate, fact.subject_id),
        "subject_id": fact.object_id, "object_id": fact.subject_id,
        "provenance": tuple(p.model_copy(update={
            "subject_start": p.object_start, "subject_end": p.object_end,
            "object_start": p.subject_start, "object_end": p.subject_end}) for p in fact.provenance),
    })


_NAME_SUFFIX = re.compile(r"^,?\s(?:Jr|Sr)\.|^,?\s(?:II|III|IV)\b")


def tidy_person_spans(text: str, mentions: list[Mention]) -> list[Mention]:
    """A model's person span without the title a rule layer found at its start ("Senators Warner" →
    "Warner") or an honorific ("Ms. Bianchi" → "Bianchi"), and with its name suffix ("Joseph R. Biden" + ", Jr.")."""
    titles = [m for m in mentions if m.type == "Position"]
    out: list[Mention] = []
    for mention in mentions:
        if mention.type == "Person" and mention.gazetteer_key is None:
            start, end = mention.start, mention.end
            for title in titles:
                if title.start == start and title.end < end:
                    start = title.end
            honorific = HONORIFIC.match(text[start:end])
            if honorific and start + honorific.end() < end:
                start += honorific.end()
            while start < end and text[start].isspace():
                start += 1
            if (start, end) != (mention.start, mention.end):
                mention = mention.model_copy(update={
                    "start": start, "text": text[start:end],
                    "id": mention_id(mention.document_id, start, end, mention.type)})
        if mention.type == "Person":
            suffix = _NAME_SUFFIX.match(text[mention.end : mention.end + 6])
            if suffix:
                end = mention.end + suffix.end()
                mention = mention.model_copy(update={
                    "end": end, "text": text[mention.start : end],
                    "id": mention_id(mention.document_id, mention.start, end, mention.type)})
        out.append(mention)
    return out


def merge_mentions(mentions: list[Mention]) -> list[Mention]:
    """One mention per stretch of text: the rule layers first (the gazetteer, which knows the exact entity,
    and the government rules, which know titles, measures and places), then longer, then more confident."""
    ranked = sorted(mentions, key=lambda m: (
        m.gazetteer_key is None and m.extractor.name != "government", -(m.end - m.start), -m.confidence, m.start))
    taken: list[Mention] = []
    occupied: list[tuple[int, int]] = []
    for mention in ranked:
        if any(mention.start < end and start < mention.end for start, end in occupied):
            continue
        taken.append(mention)
        occupied.append((mention.start, mention.end))
    return sorted(taken, key=lambda m: m.start)
