"""What `govkg evaluate facts` reports: typed models, printed as JSON or as tables."""
from __future__ import annotations

from pydantic import BaseModel, Field


class Score(BaseModel):
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    support: int  # gold items


def score(true_positives: int, predicted: int, support: int) -> Score:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4),
                 true_positives=true_positives, predicted=predicted, support=support)


class StoredFactRow(BaseModel):
    """A stored fact (or held-back candidate) as attributed to one gold sentence."""

    sentence_id: str | None  # None: its provenance lies in no gold sentence
    fact_id: str
    subject: str
    subject_type: str
    subject_aliases: list[str]
    predicate: str
    object: str
    object_type: str
    object_aliases: list[str]
    confidence: float
    extractors: list[str]  # "name version" of the extractors whose provenance lands in the sentence


class GoldFactRow(BaseModel):
    sentence_id: str
    subject: str
    predicate: str
    object: str
    evidence: str


class CandidateRow(StoredFactRow):
    status: str  # "rejected" or "low_confidence"
    reason: str
    right: bool  # it states a gold fact of its sentence
    recovers_missed: bool  # it states a gold fact that no stored fact matched


class CandidateSummary(BaseModel):
    total: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)
    right: int = 0
    recovers_missed: int = 0
    rows: list[CandidateRow] = Field(default_factory=list)


class EntityEvaluation(BaseModel):
    micro: Score  # span and type (a stored subclass of the gold type counts)
    span_only: Score  # span only, any type
    per_class: dict[str, Score]
    excluded: dict[str, int]  # stored Position/Date mentions on no gold span: not counted
    note: str


class FactsEvaluation(BaseModel):
    data: str
    documents: int
    sentences: int
    recognizers: list[str] = Field(default_factory=list)
    relation_extractors: list[str] = Field(default_factory=list)
    import_seconds: float = 0.0
    micro: Score
    per_predicate: dict[str, Score]
    entities: EntityEvaluation
    candidates: CandidateSummary
    correct: list[StoredFactRow]
    false_positives: list[StoredFactRow]
    missed: list[GoldFactRow]
