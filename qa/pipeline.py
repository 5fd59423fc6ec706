"""The question-answering pipeline: analysis → graph and text retrieval → answer → check → abstention.

Each stage is a component chosen by name in `QaSettings` from the component registry (kinds `qa.analyzer`,
`qa.graph_retriever`, `qa.text_retriever`, `qa.span_source`, `qa.generator`; the built-ins in qa/builtin.py);
`build_qa_pipeline` assembles them from its explicit inputs (settings, store, ontology, recognizers, encoder).
Models (encoder, spaCy, SmolLM2) load once, lazily or in the background (`warm_up`), behind locks.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from extraction.registry import create, names
from graph.explorer import Edge, EdgeData, Elements, Node, NodeData
from graph.store import FactView, GraphStore
from graph.visibility import Scope as Visibility
from qa.builtin import QaResources, build_span_sources
from qa.check import CheckResult, attribute, check_answer, is_one_of
from qa.errors import BadQuestion, Errors, QaConfigError, QaError
from qa.generators.base import TextGenerator, number_evidence
from qa.models import Analysis, Answer, AskResponse, Citation, Evidence, Mode
from qa.reader import ExtractiveReader, fact_citations, sentence_citation
from qa.retrieval import DocumentScopes, GraphRetriever, IdfCache, Scope, TextRetriever

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core.settings import QaSettings
    from ontology.schema import Ontology
    from qa.embedding import SentenceEmbedder

MODES = ("auto", "extractive", "generative")


class QuestionAnalyzer(Protocol):
    """`qa.analyzer`: what a question asks (answer types, predicates, linked entities, keywords)."""

    name: str

    def analyze(self, question: str, access: Visibility | None = None) -> Analysis: ...


@dataclass
class QaPipeline:
    store: GraphStore
    settings: QaSettings
    analyzer: QuestionAnalyzer
    facts: GraphRetriever
    text: TextRetriever
    reader: ExtractiveReader
    generator_factory: Callable[[], TextGenerator]
    scopes: DocumentScopes
    idf: IdfCache
    warmers: list[Callable[[], Any]] = field(default_factory=list)
    _generator: TextGenerator | None = None
    _generator_lock: threading.Lock = field(default_factory=threading.Lock)

    # -- models ------------------------------------------------------------------------------
    @property
    def generator(self) -> TextGenerator:
        with self._generator_lock:
            if self._generator is None:
                self._generator = self.generator_factory()
            return self._generator

    def generator_ready(self) -> bool:
        return self._generator is not None and bool(getattr(self._generator, "loaded", False))

    def warm_up(self, generative: bool = True) -> None:
        """Load every model now (the encoder, spaCy, and the generator unless told not to)."""
        for warm in self.warmers:
            warm()
        if generative:
            self.generator.load()

    # -- asking ------------------------------------------------------------------------------
    def ask(self, question: str, access: Visibility | None = None, mode: Mode | None = None) -> AskResponse:
        """Answer from what `access` may see (everything when None): linked entities, facts, sentences,
        citations and suggestions all come from visible documents."""
        mode = mode or self.settings.mode  # type: ignore[assignment]
        if mode not in MODES:
            raise BadQuestion(Errors.Q010, mode=mode, modes=", ".join(MODES))
        question = " ".join(question.split())
        if not question:
            raise BadQuestion(Errors.Q001)
        if len(question) > self.settings.max_question_chars:
            raise BadQuestion(Errors.Q011, limit=self.settings.max_question_chars)
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = round((now - clock) * 1000, 1)
            clock = now

        analysis = self.analyzer.analyze(question, access)
        lap("analysis")
        scope = self.text_scope(analysis, access)
        facts, considered = self.facts.retrieve(analysis, scope)
        lap("graph_retrieval")
        sentences, scores = self.text.retrieve(analysis, scope, self.settings.evidence_sentences)
        lap("text_retrieval")
        evidence = Evidence(facts=facts, sentences=sentences, sentence_scores=scores, facts_considered=considered,
                            weights=self.weights(analysis.keywords), preferred_documents=scope.preferred)
        best = sentences[: self.settings.neighbour_sentences]
        keys = [(h.document_id, h.sentence_index + step) for h in best for step in (-1, 1)
                if h.sentence_index + step >= 0]
        anchors = {(h.document_id, h.sentence_index) for h in best}
        for hit in self.store.get_sentences(keys, scope=access):  # a retrieved sentence may also be read as a neighbour
            for step in (-1, 1):
                anchor = (hit.document_id, hit.sentence_index - step)
                if anchor in anchors:
                    evidence.neighbours.setdefault(anchor, []).append(hit)
        answer = self.reader.read(analysis, evidence)
        lap("reader")
        answer = self._abstain_if_weak(analysis, answer)
        use_generator = mode == "generative" or (mode == "auto" and self.generator_ready())
        if use_generator and not answer.abstained:
            answer = self._generate(analysis, evidence, answer)
            lap("generation")
        timings["total"] = round(sum(timings.values()), 1)
        return self._response(analysis, evidence, answer, timings, mode)

    def weights(self, keywords: list[str]) -> dict[str, float]:
        return self.idf.weights(keywords)

    def text_scope(self, analysis: Analysis, access: Visibility | None) -> Scope:
        return self.scopes.scope(access, analysis.years)

    def _abstain_if_weak(self, analysis: Analysis, answer: Answer) -> Answer:
        if answer.abstained:
            return answer
        if answer.confidence < self.settings.min_confidence:
            return Answer(text="", confidence=answer.confidence, generator=answer.generator, abstained=True,
                          reason=f"weak evidence (confidence {answer.confidence:.2f} < "
                                 f"{self.settings.min_confidence:.2f})")
        return answer

    def _generate(self, analysis: Analysis, evidence: Evidence, extractive: Answer) -> Answer:
        numbered = number_evidence(analysis, evidence)
        generator = self.generator
        generated = generator.generate(analysis.question, numbered)
        if not generated.cited:  # small models often leave the citation out: cite what states the answer
            generated.cited = attribute(generated.text, numbered.texts)
        result = check_answer(generated.text, generated.cited, numbered.texts, analysis.question)
        if result.ok and extractive.alternatives and not is_one_of(generated.text, extractive.alternatives):
            result = CheckResult(False, "not an answer of the expected type that the evidence supports")
        if not result.ok:
            return Answer(text=extractive.text, confidence=extractive.confidence, generator=extractive.generator,
                          citations=extractive.citations, used_entities=extractive.used_entities,
                          used_facts=extractive.used_facts,
                          reason=f"the generated answer {generated.text!r} failed the evidence check "
                                 f"({result.reason}); extractive answer given")
        citations = [c for n in generated.cited for c in numbered.citations[n]]
        used_facts = [f for f in extractive.used_facts if any(c.fact_id == f.id for c in citations)]
        return Answer(text=generated.text, confidence=extractive.confidence, generator=generator.name,
                      citations=citations, used_facts=used_facts, used_entities=extractive.used_entities)

    # -- response ----------------------------------------------------------------------------
    def _response(self, analysis: Analysis, evidence: Evidence, answer: Answer, timings: dict[str, float],
                  mode: Mode) -> AskResponse:
        suggestions: list[Citation] = []
        if answer.abstained:
            for item in evidence.facts[:3]:
                suggestions += fact_citations(item.fact, limit=1)
            if not suggestions:
                suggestions = [sentence_citation(h) for h in evidence.sentences[:3]]
        used = answer.used_facts if not answer.abstained else [f.fact for f in evidence.facts[:3]]
        return AskResponse(
            question=analysis.question, answer="" if answer.abstained else answer.text, abstained=answer.abstained,
            confidence=round(max(0.0, min(1.0, answer.confidence)), 4), generator=answer.generator,
            citations=[] if answer.abstained else answer.citations,
            entities=[link.entity for link in analysis.links],
            subgraph=subgraph(analysis, used), timings_ms=timings, mode=mode,
            answer_type=analysis.answer_type, predicates=analysis.predicates, suggestions=suggestions,
            reason=answer.reason,
        )


def subgraph(analysis: Analysis, facts: list[FactView]) -> Elements:
    nodes: dict[str, NodeData] = {}
    for link in analysis.links:
        nodes[link.entity.id] = NodeData(id=link.entity.id, label=link.entity.name, type=link.entity.type,
                                         degree=0, departments=[])
    edges = []
    for fact in facts:
        for end in (fact.subject, fact.object):
            nodes.setdefault(end.id, NodeData(id=end.id, label=end.name, type=end.type, degree=0, departments=[]))
        edges.append(EdgeData(id=fact.id, source=fact.subject.id, target=fact.object.id, predicate=fact.predicate,
                              confidence=fact.confidence, support=len(fact.provenance)))
    for edge in edges:
        nodes[edge.source].degree += 1
        nodes[edge.target].degree += 1
    return Elements(nodes=[Node(data=n) for n in nodes.values()], edges=[Edge(data=e) for e in edges])


# -- assembly from settings -----------------------------------------------------------------------
def build_qa_pipeline(settings: QaSettings, store: GraphStore, ontology: Ontology,
                      recognizers: Callable[[], Sequence[Any]], encoder: SentenceEmbedder) -> QaPipeline:
    """The pipeline from its inputs: `recognizers` gives the extraction pipeline's recognizers (built only
    when a span source needs one), `encoder` the sentence encoder (loaded on first use)."""

    def fits(candidate: str | None, expected: list[str]) -> float:
        """1 for the preferred type (or a subclass), 0.8 for another accepted one, 0.5 for a coarser
        class of it (a generic NER label), 0 otherwise."""
        if candidate is None or not expected:
            return 0.0
        for i, cls in enumerate(expected):
            if candidate == cls or _is_a(ontology, candidate, cls):
                return 1.0 if i == 0 else 0.8
        for cls in expected:
            if candidate not in ("Entity",) and _is_a(ontology, cls, candidate):
                return 0.7
        return 0.0

    def inverse(predicate: str) -> str | None:
        try:
            return ontology.get_predicate(predicate).inverse
        except QaError:
            return None
        except Exception:
            return None

    def recognizer(name: str) -> Any:
        """A recognizer of the extraction pipeline (gazetteer, the NER model once built), by name."""
        for candidate in recognizers():
            if getattr(candidate, "name", None) == name:
                return candidate
        known = ", ".join(getattr(r, "name", "?") for r in recognizers())
        raise QaConfigError(Errors.Q050, name=name, known=known, sources=", ".join(names("qa.span_source")))

    def map_label(label: str) -> str | None:
        return ontology.map_entity_label("ontonotes", label)

    chosen = {"qa.analyzer": settings.analyzer, "qa.graph_retriever": settings.graph_retriever,
              "qa.text_retriever": settings.text_retriever, "qa.generator": settings.generator}
    for kind, name in chosen.items():  # every name now, though the generator is built on first use
        check_name(kind, name)
    resources = QaResources(settings=settings, store=store, ontology=ontology, encoder=encoder, fits=fits,
                            inverse=inverse, map_label=map_label, recognizer=recognizer)
    sources = resources.span_sources = build_span_sources(settings.span_sources, resources)
    analyzer: QuestionAnalyzer = create_component("qa.analyzer", settings.analyzer, resources)
    facts: GraphRetriever = create_component("qa.graph_retriever", settings.graph_retriever, resources)
    text: TextRetriever = create_component("qa.text_retriever", settings.text_retriever, resources)
    reader = ExtractiveReader(sources, fits, inverse)

    def make_generator() -> TextGenerator:
        return create_component("qa.generator", settings.generator, resources)

    warmers: list[Callable[[], Any]] = [lambda: analyzer.analyze("Who leads the Department of Energy?")]
    for component in (text, *sources):  # the encoder of dense retrieval, spaCy
        load = getattr(component, "load", None)
        if load is not None:
            warmers.append(load)
    return QaPipeline(store=store, settings=settings, analyzer=analyzer, facts=facts, text=text, reader=reader,
                      generator_factory=make_generator, scopes=DocumentScopes(store), idf=IdfCache(store),
                      warmers=warmers)


def check_name(kind: str, name: str) -> None:
    """QaConfigError (Q005) unless `name` is registered under `kind` (a `qa.*` setting of the same name)."""
    known = names(kind)
    if name not in known:
        raise QaConfigError(Errors.Q005, kind=kind, name=name, known=", ".join(known) or "none")


def create_component(kind: str, name: str, resources: QaResources) -> Any:
    """The question-answering component registered as `name` under `kind`, built from `resources`."""
    check_name(kind, name)
    return create(kind, name, resources)


def _is_a(ontology: Any, child: str, parent: str) -> bool:
    try:
        return ontology.is_subclass(child, parent)
    except Exception:
        return child == parent
