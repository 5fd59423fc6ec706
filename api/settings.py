"""The one settings object: environment variables `GOVKG_*` plus an optional TOML file.

Built once at the edge (CLI entry point, app factory, test fixture) and passed down; no
module below reads the environment itself.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
    recognizers: list[str] = Field(default_factory=lambda: ["gazetteer"])
    resolver: str = "alias"
    relation_extractors: list[str] = Field(default_factory=lambda: ["patterns"])
    validator: str = "ontology"
    min_fact_confidence: float = Field(0.5, ge=0.0, le=1.0)  # below: kept as a flagged candidate
    gazetteer_dir: Path | None = None  # default: the project's data/gazetteers
    max_sentence_chars: int = 5_000


class ImportSettings(BaseModel):
    max_file_bytes: int = 50 * 1024 * 1024
    max_document_chars: int = 5_000_000
    default_department: str | None = None


class Neo4jSettings(BaseModel):
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str | None = None  # default: the password file of the local server
    database: str = "neo4j"
    batch_size: int = 10_000
    version: str | None = None  # default: the version graph/neo4j_server.py pins
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
    quantize: bool = False  # int8 dynamic quantization of the linear layers
    min_entity_confidence: float = Field(0.5, ge=0.0, le=1.0)  # NER spans below are not mentions


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    max_request_bytes: int = 20 * 1024 * 1024


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
    models: ModelSettings = Field(default_factory=ModelSettings)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "govkg.sqlite3"

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
