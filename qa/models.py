"""Typed records at the boundaries of question answering: request, response, evidence, answers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from graph.explorer import Elements
from graph.store import FactView, SentenceHit

Mode = Literal["auto", "extractive", "generative"]


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=4000)
    # narrows the evidence to what this department sees (one of the token's departments; any for admins)
    department: str | None = Field(None, min_length=1, max_length=200)
    mode: Mode = "auto"


class Triple(BaseModel):
    subject: str
    predicate: str
    object: str


class Citation(BaseModel):
    fact_id: str | None = None
    triple: Triple | None = None
    document_id: str
    document_title: str
    document_source: str  # the file name as imported
    sentence: str
    start: int  # the sentence's character offsets in its document
    end: int


class LinkedEntity(BaseModel):
    id: str
    name: str
    type: str


class AskResponse(BaseModel):
    question: str
    answer: str  # empty when abstained
    abstained: bool
    confidence: float = Field(ge=0.0, le=1.0)
    generator: str  # name and version of what wrote the answer
    citations: list[Citation]
    entities: list[LinkedEntity]
    subgraph: Elements  # the nodes and edges used, in the explorer's element format
    timings_ms: dict[str, float]
    mode: Mode
    answer_type: str | None = None
    predicates: list[str] = Field(default_factory=list)
    suggestions: list[Citation] = Field(default_factory=list)  # closest related facts when abstained
    reason: str | None = None  # why it abstained, or why the generated answer was replaced


# -- inside the pipeline ---------------------------------------------------------------------
@dataclass(frozen=True)
class EntityLink:
    """A question mention linked to a graph entity."""

    entity: LinkedEntity
    text: str  # as written in the question
    start: int
    end: int
    score: float


@dataclass
class Analysis:
    question: str
    wh: str | None  # who, whom, which, what, when, where, how ...
    answer_types: list[str]  # ontology classes an answer may have, preferred first; [] = any
    predicates: list[str]  # ontology predicates the question asks about
    links: list[EntityLink]
    years: list[int]
    keywords: list[str]  # content words (lower case) for retrieval and matching
    wants_acronym: bool = False
    phrases: list[str] = field(default_factory=list)  # constraints as sources write them (ISO dates, ranges)

    @property
    def answer_type(self) -> str | None:
        return self.answer_types[0] if self.answer_types else None


@dataclass
class FactEvidence:
    fact: FactView
    answer_side: str  # "subject" or "object": the endpoint that would answer the question
    score: float


@dataclass
class Evidence:
    """What retrieval hands to the answer stage: facts and fused sentences, numbered from 1."""

    facts: list[FactEvidence]
    sentences: list[SentenceHit]
    sentence_scores: list[float]  # fused (RRF) score per sentence
    facts_considered: int = 0
    neighbours: dict[tuple[str, int], list[SentenceHit]] = field(default_factory=dict)  # of the best sentences
    weights: dict[str, float] = field(default_factory=dict)  # question keyword → weight (inverse frequency)
    preferred_documents: list[str] | None = None  # the documents of the question's years


@dataclass
class Span:
    """An answer candidate in a sentence: offsets within the sentence text."""

    start: int
    end: int
    text: str
    type: str | None  # ontology class, None when unknown
    source: str


@dataclass
class Answer:
    """What a generator returns before the check."""

    text: str
    confidence: float
    generator: str
    citations: list[Citation] = field(default_factory=list)
    used_entities: list[str] = field(default_factory=list)  # entity ids used (graph answers)
    used_facts: list[FactView] = field(default_factory=list)
    abstained: bool = False
    reason: str | None = None
    alternatives: list[str] = field(default_factory=list)  # answers of the expected type the evidence supports
