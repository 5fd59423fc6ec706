"""Typed records that cross every boundary: loaders → pipeline → stores → API."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SPACE = re.compile(r"\s+")


def _digest(text: str, size: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


def normalize_text(text: str) -> str:
    """NFC, unified line ends, trailing spaces stripped: what a document id is computed from."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def normalize_name(name: str) -> str:
    """Case- and punctuation-insensitive key for names and aliases."""
    name = unicodedata.normalize("NFKC", name).casefold()
    name = name.replace("’", "'").replace("&", " and ")
    name = re.sub(r"'s\b", "", name)
    name = re.sub(r"[^\w\s]", " ", name)
    name = _SPACE.sub(" ", name).strip()
    if name.startswith("the "):
        name = name[4:]
    return name


def document_id(text: str) -> str:
    return "doc_" + _digest(_SPACE.sub(" ", normalize_text(text)), 20)


def entity_id(key: str) -> str:
    return "ent_" + _digest(key)


def fact_id(subject_id: str, predicate: str, object_id: str) -> str:
    return "fact_" + _digest(f"{subject_id}|{predicate}|{object_id}")


def mention_id(doc_id: str, start: int, end: int, entity_type: str) -> str:
    return "men_" + _digest(f"{doc_id}|{start}|{end}|{entity_type}")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Extractor(Record):
    """Who produced a mention or fact: component name and version (model version for models)."""

    name: str
    version: str


class Document(Record):
    id: str
    text: str
    title: str
    source_path: str
    source_name: str
    format: str
    department: str | None = None
    published: str | None = None  # ISO 8601, possibly partial: "2001", "2001-02", "2001-02-27"
    labels: tuple[str, ...] = ()
    metadata: dict[str, str] = Field(default_factory=dict)

    @field_validator("published")
    @classmethod
    def _check_published(cls, value: str | None) -> str | None:
        if value is not None and not _PARTIAL_DATE.match(value):
            raise ValueError(f"published must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        return value

    @property
    def word_count(self) -> int:
        return len(self.text.split())


class Sentence(Record):
    document_id: str
    index: int
    start: int  # character offsets in the document text
    end: int
    text: str


class Mention(Record):
    id: str
    document_id: str
    sentence_index: int
    start: int  # character offsets in the document text
    end: int
    text: str
    type: str  # an ontology class name
    confidence: float = Field(ge=0.0, le=1.0)
    extractor: Extractor
    entity_id: str | None = None
    gazetteer_key: str | None = None  # set by rule layers that know the exact entity


class Entity(Record):
    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()


class Provenance(Record):
    document_id: str
    sentence_index: int
    subject_start: int
    subject_end: int
    object_start: int
    object_end: int
    confidence: float = Field(ge=0.0, le=1.0)
    extractor: Extractor


class Fact(Record):
    id: str
    subject_id: str
    predicate: str  # an ontology property name
    object_id: str
    confidence: float = Field(ge=0.0, le=1.0)
    provenance: tuple[Provenance, ...]


class CandidateFact(Record):
    """A fact that was extracted but not stored as a fact: kept, flagged with the reason, queryable."""

    fact: Fact
    status: str  # "rejected" (violates the ontology) or "low_confidence" (below the threshold)
    reason: str


class DocumentGraph(Record):
    """Everything one document contributes to the graph; a store writes it in one transaction."""

    document: Document
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    candidates: tuple[CandidateFact, ...] = ()
