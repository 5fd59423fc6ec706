"""The extractive reader: picks the answer from retrieved facts and sentences.

Graph answers: the far endpoint of a fact about a linked entity whose predicate was asked and
whose type fits. Text answers: candidate spans (from the span sources) in the fused sentences,
scored by answer-type match, how many question words the sentence holds, how close the span
sits to them, and the sentence's retrieval rank; the same answer found in several sentences
gains a little. Spans the question itself contains are never answers.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from extraction.records import normalize_name
from graph.store import FactView, SentenceHit
from qa.models import Analysis, Answer, Citation, Evidence, FactEvidence, Span, Triple
from qa.retrieval import stem
from qa.spans import SpanSource

READER_NAME = "extractive-reader"
READER_VERSION = "1"
_TOKEN = re.compile(r"[\w'’]+")


@dataclass
class Candidate:
    text: str
    type: str | None
    score: float
    sentence: SentenceHit
    sentences: list[SentenceHit] = field(default_factory=list)


class ExtractiveReader:
    name = f"{READER_NAME}/{READER_VERSION}"

    def __init__(self, span_sources: Sequence[SpanSource], fits: Callable[[str | None, list[str]], float],
                 inverse: Callable[[str], str | None]) -> None:
        self.span_sources = list(span_sources)
        self.fits = fits
        self.inverse = inverse

    # -- entry point ------------------------------------------------------------------------
    def read(self, analysis: Analysis, evidence: Evidence) -> Answer:
        graph = self._graph_answer(analysis, evidence.facts, evidence.preferred_documents)
        ranked = self.candidates(analysis, evidence)
        text = self._text_answer(ranked)
        best = ranked[0].score if ranked else 0.0
        alternatives = [c.text for c in ranked if c.score >= 0.8 * best][:3]  # what a generator may answer
        if graph is not None and (text is None or graph.confidence >= text.confidence - 0.05):
            graph.alternatives = [graph.text, *alternatives]
            return graph
        if text is not None:
            text.alternatives = alternatives
            return text
        return Answer(text="", confidence=0.0, generator=self.name, abstained=True,
                      reason="no candidate of the expected answer type in the evidence")

    # -- facts -------------------------------------------------------------------------------
    def _graph_answer(self, analysis: Analysis, facts: list[FactEvidence],
                      year_documents: list[str] | None = None) -> Answer | None:
        if analysis.wants_acronym:
            return None
        # a question about a year ("… asked in 2007 …") is answered directly only by a fact that a
        # document of that year states; an older fact of the same predicate is another time's answer
        in_year = set(year_documents) if year_documents else None
        asked = set(analysis.predicates) | {inv for p in analysis.predicates if (inv := self.inverse(p))}
        for item in facts:
            fact = item.fact
            if fact.predicate not in asked:
                continue
            if item.score < 0.5:
                break
            if in_year is not None and not any(p.document_id in in_year for p in fact.provenance):
                continue
            other = fact.object if item.answer_side == "object" else fact.subject
            if analysis.answer_types and self.fits(other.type, analysis.answer_types) <= 0:
                continue
            if normalize_name(other.name) in normalize_name(analysis.question):
                continue
            # another fact of the same predicate about the same entity that scores as well: ambiguous
            rivals = [f for f in facts if f is not item and f.fact.predicate == fact.predicate
                      and f.answer_side == item.answer_side and f.score >= item.score - 1e-6]
            confidence = min(1.0, item.score + 0.2) * (0.6 if rivals else 1.0)
            return Answer(text=other.name, confidence=round(confidence, 4), generator=self.name,
                          citations=fact_citations(fact), used_entities=[other.id], used_facts=[fact])
        return None

    # -- sentences ---------------------------------------------------------------------------
    def candidates(self, analysis: Analysis, evidence: Evidence) -> list[Candidate]:
        question_norm = " " + normalize_name(analysis.question) + " "
        mention_norms = [normalize_name(link.text) for link in analysis.links]
        entity_norms = {normalize_name(link.entity.name) for link in analysis.links}
        weights = {stem(k): evidence.weights.get(k, 1.0) for k in analysis.keywords}
        total_weight = sum(weights.values()) or 1.0
        top_weight = max(weights.values(), default=1.0) or 1.0
        # passages: each retrieved sentence, and the sentence after the best ones read together with it
        passages: list[tuple[int, SentenceHit, SentenceHit | None]] = []
        for rank, hit in enumerate(evidence.sentences):
            passages.append((rank, hit, None))
            for neighbour in evidence.neighbours.get((hit.document_id, hit.sentence_index), []):
                passages.append((rank, neighbour, hit))
        per_passage = self._spans([hit for _, hit, _ in passages])
        prepared = []
        for _rank, hit, before in passages:
            tokens = [(m.start(), m.end(), stem(m.group()), False) for m in _TOKEN.finditer(hit.sentence)]
            if before is not None:  # the retrieved sentence's words count too, before or after the neighbour's
                context = [(-1, -1, stem(m.group()), True) for m in _TOKEN.finditer(before.sentence)]
                tokens = context + tokens if before.sentence_index < hit.sentence_index else tokens + context
            present = {t[2] for t in tokens}
            overlap = sum(w for k, w in weights.items() if k in present) / total_weight
            text = hit.sentence if before is None else f"{before.sentence} {hit.sentence}"
            if analysis.phrases and any(p in text for p in analysis.phrases):
                overlap = min(1.0, overlap + 0.2)  # a constraint of the question (a date range) stated as asked
            prepared.append((tokens, overlap))
        best_overlap = max((o for _, o in prepared), default=0.0) or 1.0
        preferred = set(evidence.preferred_documents) if evidence.preferred_documents else None
        found: dict[str, Candidate] = {}
        for (rank, hit, before), spans, (tokens, overlap) in zip(passages, per_passage, prepared, strict=True):
            matched = [(i, weights[t[2]]) for i, t in enumerate(tokens) if t[2] in weights]
            rank_score = 1.0 / (1.0 + 0.25 * rank)
            relative = overlap / best_overlap
            for span in _merge_spans(spans):
                norm = normalize_name(span.text)
                if not norm or f" {norm} " in question_norm:
                    continue
                if norm in entity_norms or any(
                        n and (norm in n or (len(n.split()) > 1 and f" {n} " in f" {norm} ")) for n in mention_norms):
                    continue  # a question entity (or part of its name) is not its own answer
                fit = self._fit(analysis, span)
                if fit <= 0:
                    continue
                inside = [i for i, t in enumerate(tokens) if not t[3] and t[1] > span.start and t[0] < span.end]
                if not inside:
                    continue
                first, last = inside[0], inside[-1]
                proximity = 0.0
                for i, weight in matched:
                    if first <= i <= last:
                        continue
                    distance = first - i if i < first else i - last
                    proximity = max(proximity, (weight / top_weight) / (1.0 + max(0, distance - 1) / 3.0))
                score = fit * relative * (0.5 * overlap + 0.3 * proximity + 0.2 * rank_score)
                if before is not None:
                    score *= 0.85
                if preferred is not None and hit.document_id not in preferred:
                    score *= 0.6
                known = found.get(norm)
                if known is None:
                    found[norm] = Candidate(span.text, span.type, score, hit, [hit])
                else:
                    if hit not in known.sentences:
                        known.sentences.append(hit)
                    if score > known.score:
                        known.text, known.type, known.score, known.sentence = span.text, span.type, score, hit
        for candidate in found.values():  # the same answer in several sentences gains a little
            candidate.score = min(1.0, candidate.score * (1.0 + 0.05 * min(3, len(candidate.sentences) - 1)))
        return sorted(found.values(), key=lambda c: (-c.score, c.text))

    def _fit(self, analysis: Analysis, span: Span) -> float:
        if analysis.wants_acronym:
            return 1.0 if span.type == "Acronym" else 0.0
        if span.type == "Acronym":
            return 0.0
        if not analysis.answer_types:
            return 0.6 if span.type is not None else 0.4
        if span.type is None:
            return 0.35
        return self.fits(span.type, analysis.answer_types)

    def _text_answer(self, ranked: list[Candidate]) -> Answer | None:
        if not ranked:
            return None
        best = ranked[0]
        margin = best.score - (ranked[1].score if len(ranked) > 1 else 0.0)
        confidence = min(1.0, best.score * (0.85 + min(0.15, margin)))
        return Answer(text=best.text, confidence=round(confidence, 4), generator=self.name,
                      citations=[sentence_citation(best.sentence)])

    def _spans(self, sentences: list[SentenceHit]) -> list[list[Span]]:
        texts = [s.sentence for s in sentences]
        out: list[list[Span]] = [[] for _ in texts]
        for source in self.span_sources:
            many = getattr(source, "spans_many", None)  # a source that reads sentences in batches (spaCy)
            results = many(texts) if many is not None else [source.spans(t) for t in texts]
            for bucket, spans in zip(out, results, strict=True):
                bucket.extend(spans)
        return out


def _merge_spans(spans: list[Span]) -> list[Span]:
    """One span per stretch of text and type; an untyped span only where no source typed that stretch."""
    typed = {(s.start, s.end) for s in spans if s.type is not None}
    by_key: dict[tuple[int, int, str | None], Span] = {}
    for span in spans:
        if span.type is None and (span.start, span.end) in typed:
            continue
        by_key.setdefault((span.start, span.end, span.type), span)
    return list(by_key.values())


def sentence_citation(hit: SentenceHit) -> Citation:
    return Citation(document_id=hit.document_id, document_title=hit.document_title, document_source=hit.document_source,
                    sentence=hit.sentence, start=hit.start, end=hit.end)


def fact_citations(fact: FactView, limit: int = 3) -> list[Citation]:
    triple = Triple(subject=fact.subject.name, predicate=fact.predicate, object=fact.object.name)
    return [Citation(fact_id=fact.id, triple=triple, document_id=p.document_id, document_title=p.document_title,
                     document_source=p.document_source, sentence=p.sentence, start=p.sentence_start,
                     end=p.sentence_end) for p in fact.provenance[:limit]]
