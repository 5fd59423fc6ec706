"""Facts with all their provenance, and the candidates held back at write time."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.deps import ScopeDep, StoreDep
from graph.store import CandidateView, FactView

router = APIRouter(prefix="/facts", tags=["facts"])


@router.get("/candidates", response_model=list[CandidateView])
def candidates(
    store: StoreDep,
    scope: ScopeDep,
    status: Annotated[Literal["rejected", "low_confidence"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[CandidateView]:
    """Facts not stored as facts: outside the ontology's domain/range, or below the confidence threshold."""
    return store.fact_candidates(status, limit, offset, scope=scope)


@router.get("/{fact_id}", response_model=FactView)
def get_fact(store: StoreDep, scope: ScopeDep, fact_id: Annotated[str, Path(min_length=1, max_length=200)]) -> FactView:
    """A fact with every provenance row the token may see: document, sentence, both argument spans, confidence,
    extractor (404 when it may see none)."""
    return store.get_fact(fact_id, scope=scope)
