"""The one way to choose a component: every kind (extraction, loaders, stores, question answering) registers
by name in extraction/registry.py and is built by the name its settings give."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import extraction.builtin  # noqa: F401  (registers the extraction components)
import qa.builtin  # noqa: F401  (registers the question-answering components)
from core.settings import Settings
from extraction.errors import ConfigError, LoaderError
from extraction.loaders import (
    DEFAULT_LIMITS,
    LoadedText,
    LoadLimits,
    is_supported,
    load_bytes,
    loaders_by_suffix,
    supported_suffixes,
)
from extraction.loaders.pdf import PdfLoader
from extraction.registry import KINDS, create, names, register, unregister
from graph.errors import InvalidStoreUrl
from graph.factory import open_store
from qa.analysis import RulesAnalyzer
from qa.errors import QaConfigError
from qa.generators.base import Generated, NumberedEvidence
from qa.retrieval import FactRetriever, HybridTextRetriever
from qa.spans import PatternSpans
from service.components import build_services

BUILT_INS = {
    "segmenter": ["spacy"],
    "recognizer": ["gazetteer", "government", "transformer"],
    "resolver": ["alias"],
    "relation_extractor": ["joint", "patterns", "transformer"],
    "validator": ["ontology"],
    "loader": ["docx", "html", "jsonl", "md", "pdf", "txt"],
    "store": ["bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc", "sqlite"],
    "qa.analyzer": ["rules"],
    "qa.graph_retriever": ["facts"],
    "qa.text_retriever": ["bm25", "dense", "hybrid"],
    "qa.span_source": ["patterns", "spacy"],
    "qa.generator": ["openai", "smollm2"],
}
BUILT_IN_SUFFIXES = {".docx", ".htm", ".html", ".jsonl", ".markdown", ".md", ".ndjson", ".pdf", ".text", ".txt",
                     ".xhtml"}


@contextmanager
def registered(kind: str, name: str, factory: Callable[[Any], Any]) -> Iterator[None]:
    """`factory` registered as `name` for the test, and forgotten after it."""
    assert name not in names(kind)
    register(kind, name)(factory)
    try:
        yield
    finally:
        unregister(kind, name)
    assert name not in names(kind)


def qa_settings(settings: Settings, **chosen: object) -> Settings:
    """Settings whose QA pipeline needs no model: pattern spans only, BM25 only, plus `chosen`."""
    settings.qa.span_sources = ["patterns"]
    settings.qa.text_retriever = "bm25"
    for key, value in chosen.items():
        setattr(settings.qa, key, value)
    return settings


# -- what is registered ---------------------------------------------------------------------------
def test_every_kind_lists_its_built_ins() -> None:
    assert set(KINDS) == set(BUILT_INS)
    for kind, expected in BUILT_INS.items():
        assert names(kind) == expected, kind


def test_a_kind_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown component kind 'qa.reader'; kinds: segmenter, "):
        register("qa.reader", "mine")
    with pytest.raises(ValueError, match="unknown component kind 'loaders'"):
        names("loaders")


def test_the_built_in_qa_components_are_built_from_the_default_settings(settings: Settings) -> None:
    settings.qa.span_sources = ["patterns"]  # the default "gazetteer" would build the extraction pipeline
    services = build_services(settings)
    try:
        qa = services.qa
        assert isinstance(qa.analyzer, RulesAnalyzer) and isinstance(qa.facts, FactRetriever)
        assert isinstance(qa.text, HybridTextRetriever) and qa.text.name == "hybrid"
        assert qa.text.encode is not None and qa.text.use_bm25
        assert [type(s) for s in qa.reader.span_sources] == [PatternSpans]
        assert qa.analyzer.span_sources == qa.reader.span_sources
    finally:
        services.close()


@pytest.mark.parametrize(("name", "bm25", "dense"), [("hybrid", True, True), ("bm25", True, False),
                                                     ("dense", False, True)])
def test_each_text_retriever_by_its_name(settings: Settings, name: str, bm25: bool, dense: bool) -> None:
    services = build_services(qa_settings(settings, text_retriever=name))
    try:
        text = services.qa.text
        assert isinstance(text, HybridTextRetriever) and text.name == name
        assert text.use_bm25 is bm25 and (text.encode is not None) is dense and (text.warm is not None) is dense
    finally:
        services.close()


# -- a component registered elsewhere is chosen by its name in the settings ------------------------------
class EchoGenerator:
    name = "echo/1"
    loaded = True

    def load(self) -> EchoGenerator:
        return self

    def generate(self, question: str, evidence: NumberedEvidence) -> Generated:
        return Generated(text=question, cited=[], raw=question)


class RecordingTextRetriever:
    """Finds no sentence, and remembers what it was asked."""

    name = "recording"

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def retrieve(self, analysis: Any, scope: Any, limit: int) -> tuple[list[Any], list[float]]:
        self.asked.append((analysis.question, limit))
        return [], []


class UpperSpans:
    name = "upper"

    def spans(self, text: str) -> list[Any]:
        return []


def test_registered_qa_components_are_chosen_by_name_from_the_settings(settings: Settings) -> None:
    retriever = RecordingTextRetriever()
    built: list[Any] = []

    def make_generator(resources: Any) -> EchoGenerator:
        built.append(resources.settings)
        return EchoGenerator()

    with (registered("qa.generator", "echo", make_generator),
          registered("qa.text_retriever", "recording", lambda resources: retriever),
          registered("qa.span_source", "upper", lambda resources: UpperSpans())):
        services = build_services(qa_settings(settings, generator="echo", text_retriever="recording",
                                              span_sources=["upper", "patterns"]))
        try:
            qa = services.qa
            assert qa.text is retriever
            assert [type(s) for s in qa.reader.span_sources] == [UpperSpans, PatternSpans]
            assert built == []  # the generator is built on first use
            assert isinstance(qa.generator, EchoGenerator) and built == [settings.qa]
            response = qa.ask("Who leads the Department of Energy?", mode="extractive")
            assert retriever.asked == [("Who leads the Department of Energy?", settings.qa.evidence_sentences)]
            assert response.abstained
        finally:
            services.close()


def test_a_registered_store_is_opened_by_its_url_scheme(settings: Settings, tmp_path: Path) -> None:
    opened: list[Any] = []

    def memory_store(resources: Any) -> object:
        opened.append((resources.url, resources.default_sqlite, resources.neo4j))
        return opened

    with registered("store", "memory", memory_store):
        assert open_store("memory://scratch", tmp_path / "x.db") is opened
        assert opened == [("memory://scratch", tmp_path / "x.db", None)]
        settings.store = "memory://from-settings"
        assert build_services(settings).store is opened and opened[-1][0] == "memory://from-settings"
    with pytest.raises(InvalidStoreUrl, match="unknown store 'memory://scratch'"):
        open_store("memory://scratch", tmp_path / "x.db")


def test_a_registered_loader_reads_the_suffixes_it_declares() -> None:
    class CsvLoader:
        format = "csv"
        suffixes = (".csv", ".tsv")

        def load(self, data: bytes, name: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[Any]:
            return [LoadedText(text=data.decode().replace(",", " "), format=self.format)]

    with registered("loader", "csv", lambda resources: CsvLoader()):
        assert isinstance(loaders_by_suffix()[".csv"], CsvLoader) and is_supported(Path("A.TSV"))
        assert set(supported_suffixes()) == BUILT_IN_SUFFIXES | {".csv", ".tsv"}
        (loaded,) = load_bytes(b"Energy,Secretary", "table.csv", 1000)
        assert isinstance(loaded, LoadedText) and loaded.text == "Energy Secretary" and loaded.format == "csv"
    assert not is_supported(Path("table.csv"))
    with pytest.raises(LoaderError, match=r"^\[E001\] unsupported file type '\.csv'; supported: \.docx, "):
        load_bytes(b"Energy,Secretary", "table.csv", 1000)


# -- finding a loader by suffix ------------------------------------------------------------------------
def test_each_suffix_finds_the_loader_registered_for_it() -> None:
    by_suffix = loaders_by_suffix()
    assert set(by_suffix) == BUILT_IN_SUFFIXES == set(supported_suffixes())
    assert isinstance(by_suffix[".pdf"], PdfLoader)
    for name in names("loader"):  # a suffix belongs to one loader: its format's
        loader = create("loader", name, None)
        assert loader.format == name
        assert all(by_suffix[suffix].format == name for suffix in loader.suffixes)
    assert is_supported(Path("Report.PDF")) and not is_supported(Path("report.pdf.gz"))


# -- unknown names: each package's coded error, with the known names ---------------------------------------
def test_an_unknown_extraction_component_is_e020_with_the_known_names() -> None:
    with pytest.raises(ConfigError) as caught:
        create("recognizer", "crystal-ball", None)
    assert str(caught.value) == ("[E020] no registered recognizer component named 'crystal-ball'; "
                                 "known: gazetteer, government, transformer")


@pytest.mark.parametrize(("setting", "message"), [
    ("analyzer", "[Q005] unknown qa.analyzer 'nope'; known: rules"),
    ("graph_retriever", "[Q005] unknown qa.graph_retriever 'nope'; known: facts"),
    ("text_retriever", "[Q005] unknown qa.text_retriever 'nope'; known: bm25, dense, hybrid"),
    ("generator", "[Q005] unknown qa.generator 'nope'; known: openai, smollm2"),
])
def test_an_unknown_qa_component_is_refused_when_the_pipeline_is_built(settings: Settings, setting: str,
                                                                       message: str) -> None:
    services = build_services(qa_settings(settings, **{setting: "nope"}))
    try:
        with pytest.raises(QaConfigError) as caught:
            services.qa  # noqa: B018
        assert str(caught.value) == message
    finally:
        services.close()


def test_an_unknown_span_source_names_the_sources_and_the_recognizers(settings: Settings) -> None:
    settings.pipeline.recognizers = ["gazetteer"]
    services = build_services(qa_settings(settings, span_sources=["patterns", "crystal-ball"]))
    try:
        with pytest.raises(QaConfigError) as caught:
            services.qa  # noqa: B018
        assert str(caught.value) == ("[Q050] qa.span_sources names recognizer 'crystal-ball', which the extraction "
                                     "pipeline does not run (pipeline.recognizers: gazetteer; "
                                     "span sources: patterns, spacy)")
    finally:
        services.close()


def test_the_openai_generator_needs_its_base_url(settings: Settings) -> None:
    services = build_services(qa_settings(settings, generator="openai"))
    try:
        qa = services.qa  # the name is known: the pipeline is built, the generator only when used
        with pytest.raises(QaConfigError, match=r"qa.generator is 'openai' but qa.openai.base_url is not set"):
            qa.generator  # noqa: B018
    finally:
        services.close()


@pytest.mark.parametrize("url", ["mysql://x", "sqlite://host/x", "SQLITE:///x", ""])
def test_an_unknown_store_url_is_g003_with_the_known_schemes(url: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidStoreUrl) as caught:
        open_store(url, tmp_path / "x.db")
    assert str(caught.value) == (
        f"[G003] unknown store {url!r}: use 'sqlite', 'sqlite:///path/to/file.db' or a Neo4j URI "
        "(bolt://, bolt+s://, bolt+ssc://, neo4j://, neo4j+s://, neo4j+ssc://)")


def test_a_neo4j_url_without_connection_settings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidStoreUrl, match=r"^\[G040\] bolt://127.0.0.1:1: Neo4j connection settings are missing$"):
        open_store("bolt://127.0.0.1:1", tmp_path / "x.db")
