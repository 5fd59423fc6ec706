"""Registration of the built-in question-answering components under the names `QaSettings` uses.

Each kind is named as its setting: `qa.analyzer`, `qa.graph_retriever`, `qa.text_retriever`, `qa.generator`,
and `qa.span_source` (each entry of `qa.span_sources`; a name no span source has is a recognizer of the
extraction pipeline, see qa/spans.py). `build_qa_pipeline` (qa/pipeline.py) creates them by name from
a `QaResources`; the generators import their models' libraries only when built.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extraction.registry import create, names, register
from qa.analysis import RulesAnalyzer
from qa.errors import Errors, QaConfigError
from qa.retrieval import FactRetriever, HybridTextRetriever
from qa.spans import PatternSpans, RecognizerSpans, SpacySpans, SpanSource

if TYPE_CHECKING:
    from core.settings import QaSettings
    from graph.store import GraphStore
    from ontology.schema import Ontology
    from qa.embedding import SentenceEmbedder
    from qa.generators.openai_compat import OpenAICompatibleGenerator
    from qa.generators.smollm import SmolLM2Generator


@dataclass
class QaResources:
    """What question-answering factories may use; built once by `build_qa_pipeline`."""

    settings: QaSettings
    store: GraphStore
    ontology: Ontology
    encoder: SentenceEmbedder  # loaded on first use
    fits: Callable[[str | None, list[str]], float]  # how well a type fits the expected answer types
    inverse: Callable[[str], str | None]  # a predicate's inverse, from the ontology
    map_label: Callable[[str], str | None]  # an OntoNotes label → ontology class
    recognizer: Callable[[str], Any]  # a recognizer of the extraction pipeline, by name
    span_sources: list[SpanSource] = field(default_factory=list)  # built first: the analyzer and reader use them

    def encode(self, text: str) -> list[float]:
        row: list[float] = self.encoder.embed_array([text])[0].tolist()
        return row


# -- question analysis ------------------------------------------------------------------------------
@register("qa.analyzer", "rules")
def _rules_analyzer(resources: QaResources) -> RulesAnalyzer:
    return RulesAnalyzer(resources.store, resources.ontology, resources.span_sources)


# -- retrieval ----------------------------------------------------------------------------------------
@register("qa.graph_retriever", "facts")
def _fact_retriever(resources: QaResources) -> FactRetriever:
    return FactRetriever(resources.store, resources.fits, resources.inverse)


def _text_retriever(resources: QaResources, bm25: bool, dense: bool) -> HybridTextRetriever:
    conf = resources.settings
    return HybridTextRetriever(resources.store, resources.encode if dense else None, conf.bm25_candidates,
                               conf.dense_candidates, conf.rrf_k, use_bm25=bm25,
                               warm=resources.encoder.load if dense else None)


@register("qa.text_retriever", "hybrid")
def _hybrid(resources: QaResources) -> HybridTextRetriever:
    """BM25 and dense vectors, fused by reciprocal rank."""
    return _text_retriever(resources, bm25=True, dense=True)


@register("qa.text_retriever", "bm25")
def _bm25(resources: QaResources) -> HybridTextRetriever:
    return _text_retriever(resources, bm25=True, dense=False)


@register("qa.text_retriever", "dense")
def _dense(resources: QaResources) -> HybridTextRetriever:
    return _text_retriever(resources, bm25=False, dense=True)


# -- answer spans ---------------------------------------------------------------------------------------
@register("qa.span_source", "spacy")
def _spacy_spans(resources: QaResources) -> SpacySpans:
    return SpacySpans(resources.map_label)


@register("qa.span_source", "patterns")
def _pattern_spans(resources: QaResources) -> PatternSpans:
    return PatternSpans()


# -- generators ----------------------------------------------------------------------------------------
@register("qa.generator", "smollm2")
def _smollm2(resources: QaResources) -> SmolLM2Generator:
    from qa.generators.smollm import SmolLM2Generator

    conf = resources.settings
    return SmolLM2Generator(conf.smollm_gguf, conf.max_new_tokens, conf.torch_threads)


@register("qa.generator", "openai")
def _openai_compatible(resources: QaResources) -> OpenAICompatibleGenerator:
    from qa.generators.openai_compat import OpenAICompatibleGenerator

    conf = resources.settings.openai
    if not conf.base_url:
        raise QaConfigError(Errors.Q051)
    return OpenAICompatibleGenerator(conf.base_url, conf.model, conf.api_key, conf.timeout_s, conf.max_tokens)


def build_span_sources(chosen: Sequence[str], resources: QaResources) -> list[SpanSource]:
    """The sources `qa.span_sources` names: registered span sources, else recognizers of the extraction
    pipeline (`resources.recognizer` refuses a name the pipeline does not run)."""
    registered = names("qa.span_source")
    return [create("qa.span_source", name, resources) if name in registered
            else RecognizerSpans(resources.recognizer(name.removeprefix("recognizer:"))) for name in chosen]
