"""The fine-tuned relation model as a pipeline relation extractor: mentions → entity pairs → facts.

Every ordered pair of resolved mentions in a sentence (or, for a model trained with a window, in
the sentence and the next `window` ones) is classified. A pair becomes a fact when its most
probable class is a relation, or when its best relation still reaches `min_candidate_confidence`;
its confidence is the calibrated probability. The validator then decides: at or above
`pipeline.min_fact_confidence` it is a fact, below it a flagged low-confidence candidate.
Labels map to ontology predicates through `ontology/mappings/relation_labels.tsv` (with
`inverted`: subject and object swap); labels that map to nothing are not written.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from extraction.records import Document, Entity, Extractor, Fact, Mention, Provenance, Sentence, fact_id
from extraction.relations.data import RelationExample
from extraction.relations.model import UNKNOWN_TYPE
from extraction.relations.predictor import RelationPredictor

EntityMap = Callable[[str, str], "str | None"]  # (scheme, label) → ontology class
RelationMap = Callable[[str, str], "tuple[str, bool] | None"]  # (scheme, label) → (predicate, inverted)


class TransformerRelationExtractor:
    name = "relations"

    def __init__(self, predictor: RelationPredictor, map_entity: EntityMap, map_relation: RelationMap,
                 is_a: Callable[[str, str], bool], min_candidate_confidence: float = 0.1) -> None:
        import spacy

        self.predictor = predictor
        self.tokenizer = spacy.blank("en").tokenizer
        self.is_a = is_a
        self.min_candidate_confidence = min_candidate_confidence
        config = predictor.config
        scheme = config.label_scheme
        self.classes = {t: (map_entity(scheme, t) if scheme else t) for t in config.entity_types if t != UNKNOWN_TYPE}
        self.predicates = {label: (map_relation(scheme, label) if scheme else (label, False))
                           for label in config.labels[1:]}
        self.window = config.window
        self.extractor = Extractor(name=self.name, version=predictor.version)
        self._types: dict[str, str] = {}

    @classmethod
    def from_folder(cls, folder: Path, map_entity: EntityMap, map_relation: RelationMap,
                    is_a: Callable[[str, str], bool], *, min_candidate_confidence: float = 0.1,
                    quantize: bool = False, batch_size: int = 32) -> TransformerRelationExtractor:
        return cls(RelationPredictor.from_folder(folder, quantize=quantize, batch_size=batch_size),
                   map_entity, map_relation, is_a, min_candidate_confidence)

    def model_type(self, ontology_class: str) -> str:
        """The model's entity type of an ontology class (Agency → ORG); the unknown marker if none."""
        if ontology_class not in self._types:
            fitting = [t for t, c in self.classes.items() if c and self.is_a(ontology_class, c)]
            self._types[ontology_class] = fitting[0] if fitting else UNKNOWN_TYPE
        return self._types[ontology_class]

    def run(self, document: Document, sentences: list[Sentence], mentions: list[Mention],
            entities: list[Entity]) -> list[Fact]:
        per_sentence: dict[int, list[Mention]] = {}
        for mention in mentions:
            if mention.entity_id is not None:
                per_sentence.setdefault(mention.sentence_index, []).append(mention)
        by_index = {s.index: s for s in sentences}
        examples: list[RelationExample] = []
        owners: list[tuple[int, list[Mention]]] = []
        for sentence in sentences:
            if not per_sentence.get(sentence.index):
                continue
            window = [by_index[i] for i in range(sentence.index, sentence.index + self.window + 1) if i in by_index]
            inside = [m for s in window for m in per_sentence.get(s.index, [])]
            if len(inside) < 2:
                continue
            example = self._example(document, window, inside)
            if example is not None:
                examples.append(example)
                owners.append((sentence.index, inside))
        facts = []
        for (sentence_index, inside), found in zip(owners, self.predictor.predict(
                examples, min_confidence=self.min_candidate_confidence), strict=True):
            for relation in found:
                mapped = self.predicates.get(relation.label)
                if mapped is None:
                    continue
                predicate, inverted = mapped
                subject, obj = inside[relation.head], inside[relation.tail]
                if inverted:
                    subject, obj = obj, subject
                if subject.entity_id == obj.entity_id:
                    continue
                assert subject.entity_id is not None and obj.entity_id is not None
                provenance = Provenance(
                    document_id=document.id, sentence_index=sentence_index,
                    subject_start=subject.start, subject_end=subject.end,
                    object_start=obj.start, object_end=obj.end,
                    confidence=relation.confidence, extractor=self.extractor,
                )
                facts.append(Fact(id=fact_id(subject.entity_id, predicate, obj.entity_id),
                                  subject_id=subject.entity_id, predicate=predicate, object_id=obj.entity_id,
                                  confidence=relation.confidence, provenance=(provenance,)))
        return facts

    def _example(self, document: Document, window: list[Sentence], inside: list[Mention]) -> RelationExample | None:
        words: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        first_end = 0
        for position, sentence in enumerate(window):
            for token in self.tokenizer(sentence.text):
                if token.is_space:
                    continue
                words.append(token.text)
                starts.append(sentence.start + token.idx)
                ends.append(sentence.start + token.idx + len(token.text))
            if position == 0:
                first_end = len(words)
        spans = []
        for mention in inside:
            covered = [i for i in range(len(words)) if starts[i] < mention.end and mention.start < ends[i]]
            if not covered:
                return None
            spans.append((covered[0], covered[-1] + 1, self.model_type(mention.type)))
        return RelationExample(tuple(words), tuple(spans), (), document.id, None,
                               first_end if self.window else 0)
