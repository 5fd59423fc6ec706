from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import ServicesDep
from api.queries import EntityDetail, entity_detail, search_entities
from graph.store import EntityHit

router = APIRouter(prefix="/entities", tags=["entities"])


@router.get("", response_model=list[EntityHit])
def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Name, alias or acronym; prefix and typos ok.")],
    type: Annotated[str | None, Query(description="Ontology class; its subclasses are included.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[EntityHit]:
    try:
        return search_entities(services, q, type, limit)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.get("/{entity_id}", response_model=EntityDetail)
def detail(
    services: ServicesDep,
    entity_id: Annotated[str, Path(min_length=1, max_length=200)],
    facts: Annotated[int, Query(ge=0, le=1000)] = 200,
    mentions: Annotated[int, Query(ge=0, le=1000)] = 200,
) -> EntityDetail:
    return entity_detail(services, entity_id, facts, mentions)
