"""Score the production import path on gold facts: gold sentences → documents → the importer →
a scratch store → the stored facts, candidates and mentions read back → precision, recall, F1.

The caller builds the importer (and so the pipeline exactly as the settings configure it) on a
scratch store; nothing here knows about settings or the API.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from extraction.errors import DataError, Errors
from extraction.evaluation.entities import Span, class_mapper, score_entities
from extraction.evaluation.gold import (
    GoldDocument,
    GoldEntity,
    GoldFact,
    GoldSentence,
    group_documents,
    write_documents,
)
from extraction.evaluation.matching import Argument, canonical_predicate, coreferent_texts, fact_matches, match_once
from extraction.evaluation.report import (
    CandidateRow,
    CandidateSummary,
    FactsEvaluation,
    GoldFactRow,
    StoredFactRow,
    score,
)
from extraction.records import DocumentGraph, Fact, Provenance
from graph.errors import NotFound
from ontology.errors import OntologyError

if TYPE_CHECKING:
    from extraction.importer import Importer, ImportReport
    from graph.store import GraphStore
    from ontology.schema import Ontology

DOCUMENTS_FILE = "govfacts-documents.jsonl"


@dataclass(frozen=True)
class Predicates:
    """What the ontology says about predicates that matching needs."""

    inverse: dict[str, str]
    symmetric: frozenset[str]

    @classmethod
    def from_ontology(cls, ontology: Ontology) -> Predicates:
        return cls(inverse={p.name: p.inverse for p in ontology.predicates() if p.inverse},
                   symmetric=frozenset(p.name for p in ontology.predicates() if p.symmetric))


@dataclass(frozen=True)
class Prediction:
    """A stored fact or candidate attributed to one gold sentence (index into its document)."""

    sentence: int | None
    predicate: str
    subject: Argument
    object: Argument
    row: StoredFactRow
    status: str = "fact"
    reason: str = ""


def evaluate_facts(sentences: list[GoldSentence], importer: Importer, ontology: Ontology, workdir: Path,
                   data: str = "") -> FactsEvaluation:
    """Import the gold sentences through `importer` (whose store must be empty scratch) and score them."""
    documents = group_documents(sentences)
    path = write_documents(documents, workdir / DOCUMENTS_FILE)
    started = time.perf_counter()
    _check_import(importer.import_paths([path]), len(documents))
    seconds = time.perf_counter() - started
    graphs = {_record_key(g): g for g in importer.store.iter_document_graphs()}
    scorer = _Scorer(ontology, {f.predicate for s in sentences for f in s.facts})
    for document in documents:
        if document.key not in graphs:
            raise DataError(Errors.E076, reason=f"document {document.key} ({document.source}) is not in the store")
        scorer.add(document, graphs[document.key], importer.store)
    return scorer.result(data, len(documents), len(sentences), round(seconds, 2))


def _check_import(report: ImportReport, expected: int) -> None:
    if report.aborted:
        raise DataError(Errors.E076, reason=report.aborted)
    if report.failures:
        failure = report.failures[0]
        raise DataError(Errors.E076, reason=f"{failure.record or failure.path}: {failure.message}")
    if report.documents_ok != expected:
        raise DataError(Errors.E076, reason=f"{report.documents_ok} of {expected} documents imported "
                                            f"({report.documents_skipped} skipped: is the store a fresh one?)")


def _record_key(graph: DocumentGraph) -> str:
    return graph.document.source_path.rsplit("#", 1)[-1]


def locate(text: str, sentences: Iterable[GoldSentence]) -> list[tuple[int, int]]:
    """Each sentence's (start, end) in the stored document text, found in order."""
    ranges: list[tuple[int, int]] = []
    cursor = 0
    for sentence in sentences:
        start = text.find(sentence.text, cursor)
        if start < 0:
            raise DataError(Errors.E077, sentence=sentence.id)
        cursor = start + len(sentence.text)
        ranges.append((start, cursor))
    return ranges


def sentence_at(ranges: list[tuple[int, int]], start: int, end: int) -> int | None:
    """The index of the sentence range that holds the span [start, end), if any."""
    return next((i for i, (s, e) in enumerate(ranges) if s <= start and end <= e), None)


class _Scorer:
    def __init__(self, ontology: Ontology, gold_predicates: set[str]) -> None:
        self.predicates = Predicates.from_ontology(ontology)
        self.gold_predicates = frozenset(gold_predicates)
        self.class_of = class_mapper(ontology.ancestors)
        self.is_a = _safe_is_a(ontology)
        self.true_positives: Counter[str] = Counter()
        self.predicted: Counter[str] = Counter()
        self.support: Counter[str] = Counter()
        self.correct: list[StoredFactRow] = []
        self.false_positives: list[StoredFactRow] = []
        self.missed: list[GoldFactRow] = []
        self.candidates: list[CandidateRow] = []
        self.gold_spans: list[Span] = []
        self.stored_spans: list[Span] = []
        self.offset = 0  # documents' spans are laid end to end for the entity scores

    # -- one document ------------------------------------------------------------------------
    def add(self, document: GoldDocument, graph: DocumentGraph, store: GraphStore) -> None:
        ranges = locate(graph.document.text, document.sentences)
        arguments = _Arguments(graph, store)
        facts = [p for f in graph.facts for p in self._attribute(f, ranges, document, arguments)]
        candidates = [p for c in graph.candidates
                      for p in self._attribute(c.fact, ranges, document, arguments, c.status, c.reason)]
        for index, sentence in enumerate(document.sentences):
            texts = self._argument_texts(sentence, ranges[index][0], graph)
            self._score_sentence(sentence, [p for p in facts if p.sentence == index],
                                 [p for p in candidates if p.sentence == index], texts)
        for prediction in facts:
            if prediction.sentence is None:  # lies in no gold sentence: still a prediction, never right
                self._false_positive(prediction)
        for candidate in candidates:
            if candidate.sentence is None:
                self.candidates.append(_candidate_row(candidate, right=False, recovers_missed=False))
        for index, sentence in enumerate(document.sentences):
            base = self.offset + ranges[index][0]
            self.gold_spans += [Span(base + e.start, base + e.end, e.type) for e in sentence.entities]
        self.stored_spans += [Span(self.offset + m.start, self.offset + m.end, m.type) for m in graph.mentions]
        self.offset += len(graph.document.text) + 1

    def _attribute(self, fact: Fact, ranges: list[tuple[int, int]], document: GoldDocument, arguments: _Arguments,
                   status: str = "fact", reason: str = "") -> list[Prediction]:
        """The fact once per gold sentence its provenance lands in."""
        by_sentence: dict[int | None, list[Provenance]] = {}
        for prov in fact.provenance:
            index = sentence_at(ranges, min(prov.subject_start, prov.object_start),
                                max(prov.subject_end, prov.object_end))
            by_sentence.setdefault(index, []).append(prov)
        subject, obj = arguments.get(fact.subject_id), arguments.get(fact.object_id)
        predictions = []
        for index, provs in by_sentence.items():
            row = StoredFactRow(
                sentence_id=document.sentences[index].id if index is not None else None, fact_id=fact.id,
                subject=subject.name, subject_type=subject.type, subject_aliases=list(subject.aliases),
                predicate=fact.predicate, object=obj.name, object_type=obj.type, object_aliases=list(obj.aliases),
                confidence=round(max(p.confidence for p in provs), 4),
                extractors=sorted({f"{p.extractor.name} {p.extractor.version}" for p in provs}),
            )
            predictions.append(Prediction(index, fact.predicate, subject, obj, row, status, reason))
        return predictions

    def _argument_texts(self, sentence: GoldSentence, base: int,
                        graph: DocumentGraph) -> dict[str, set[str]]:
        """For each gold argument text of the sentence, the texts it may be matched by."""
        def resolved(entity: GoldEntity) -> set[str]:
            start, end = base + entity.start, base + entity.end
            return {m.entity_id for m in graph.mentions if m.entity_id and m.start < end and start < m.end}

        def same_entity(a: GoldEntity, b: GoldEntity) -> bool:
            return not resolved(a).isdisjoint(resolved(b))

        texts: dict[str, set[str]] = {}
        for entity in sentence.entities:
            if entity.text not in texts:  # a fact attaches to the first mention with its text
                texts[entity.text] = coreferent_texts(entity, sentence.entities, same_entity)
        return texts

    def _matches(self, prediction: Prediction, gold: GoldFact, texts: dict[str, set[str]]) -> bool:
        return fact_matches(prediction.predicate, prediction.subject, prediction.object, gold,
                            texts.get(gold.subject, {gold.subject}), texts.get(gold.object, {gold.object}),
                            self.predicates.inverse, self.predicates.symmetric)

    def _score_sentence(self, sentence: GoldSentence, facts: list[Prediction], candidates: list[Prediction],
                        texts: dict[str, set[str]]) -> None:
        golds = list(sentence.facts)
        matched = match_once(facts, golds, lambda p, g: self._matches(p, g, texts))
        for gold in golds:
            self.support[gold.predicate] += 1
        for i, prediction in enumerate(facts):
            if i in matched:
                gold_predicate = golds[matched[i]].predicate
                self.true_positives[gold_predicate] += 1
                self.predicted[gold_predicate] += 1
                self.correct.append(prediction.row)
            else:
                self._false_positive(prediction)
        found = set(matched.values())
        for j, gold in enumerate(golds):
            if j not in found:
                self.missed.append(GoldFactRow(sentence_id=sentence.id, subject=gold.subject,
                                               predicate=gold.predicate, object=gold.object, evidence=gold.evidence))
        for candidate in candidates:
            hits = [j for j, gold in enumerate(golds) if self._matches(candidate, gold, texts)]
            self.candidates.append(_candidate_row(candidate, right=bool(hits),
                                                  recovers_missed=any(j not in found for j in hits)))

    def _false_positive(self, prediction: Prediction) -> None:
        self.predicted[canonical_predicate(prediction.predicate, self.gold_predicates,
                                           self.predicates.inverse)] += 1
        self.false_positives.append(prediction.row)

    # -- the report --------------------------------------------------------------------------
    def result(self, data: str, documents: int, sentences: int, seconds: float) -> FactsEvaluation:
        names = sorted(set(self.support) | set(self.predicted))
        statuses = Counter(c.status for c in self.candidates)
        return FactsEvaluation(
            data=data, documents=documents, sentences=sentences, import_seconds=seconds,
            micro=score(sum(self.true_positives.values()), sum(self.predicted.values()), sum(self.support.values())),
            per_predicate={n: score(self.true_positives[n], self.predicted[n], self.support[n]) for n in names},
            entities=score_entities(self.gold_spans, self.stored_spans, self.is_a, self.class_of),
            candidates=CandidateSummary(
                total=len(self.candidates), by_status=dict(sorted(statuses.items())),
                right=sum(c.right for c in self.candidates),
                recovers_missed=sum(c.recovers_missed for c in self.candidates), rows=self.candidates,
            ),
            correct=self.correct, false_positives=self.false_positives, missed=self.missed,
        )


def _candidate_row(candidate: Prediction, right: bool, recovers_missed: bool) -> CandidateRow:
    return CandidateRow(**candidate.row.model_dump(), status=candidate.status, reason=candidate.reason,
                        right=right, recovers_missed=recovers_missed)


class _Arguments:
    """The entities of a document's facts and candidates, with every stored name."""

    def __init__(self, graph: DocumentGraph, store: GraphStore) -> None:
        self.known = {e.id: Argument(id=e.id, name=e.name, type=e.type, aliases=e.aliases) for e in graph.entities}
        self.store = store

    def get(self, entity_id: str) -> Argument:
        if entity_id not in self.known:
            try:
                entity = self.store.get_entity(entity_id)
                self.known[entity_id] = Argument(id=entity.id, name=entity.name, type=entity.type,
                                                 aliases=entity.aliases)
            except NotFound:  # a candidate's entity that no mention or fact keeps
                self.known[entity_id] = Argument(id=entity_id, name=entity_id, type="Entity")
        return self.known[entity_id]


def _safe_is_a(ontology: Ontology) -> Callable[[str, str], bool]:
    def is_a(child: str, parent: str) -> bool:
        try:
            return ontology.is_subclass(child, parent)
        except OntologyError:
            return child == parent

    return is_a
