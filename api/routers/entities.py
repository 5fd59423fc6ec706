from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import ScopeDep, ServicesDep
from graph.store import EntityHit
from service.queries import (
    EntityDetail,
    LookupName,
    LookupResult,
    entity_detail,
    lookup_entities,
    search_entities,
)

router = APIRouter(prefix="/entities", tags=["entities"])


@router.get("", response_model=list[EntityHit])
def search(
    services: ServicesDep,
    scope: ScopeDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Name, alias or acronym; prefix and typos ok.")],
    type: Annotated[str | None, Query(description="Ontology class; its subclasses are included.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[EntityHit]:
    """Search and autocomplete over the names the token may see."""
    return search_entities(services, q, type, limit, scope)  # QueryError (S001, S002): a 422


class LookupRequest(BaseModel):
    names: list[LookupName] = Field(min_length=1, max_length=1000)
    limit: int = Field(3, ge=1, le=20, description="Best matches per name.")


@router.post("/lookup", response_model=list[LookupResult])
def lookup(body: LookupRequest, services: ServicesDep, scope: ScopeDep) -> list[LookupResult]:
    """Up to 1,000 names (optionally typed): for each, the best visible matches with scores and the
    departments that know each one (only those whose documents the token may see), in the order given."""
    return lookup_entities(services, body.names, body.limit, scope)  # QueryError (S001): a 422


@router.get("/{entity_id}", response_model=EntityDetail)
def detail(
    services: ServicesDep,
    scope: ScopeDep,
    entity_id: Annotated[str, Path(min_length=1, max_length=200)],
    facts: Annotated[int, Query(ge=0, le=1000)] = 200,
    mentions: Annotated[int, Query(ge=0, le=1000)] = 200,
) -> EntityDetail:
    """404 also for an entity the token may not see."""
    return entity_detail(services, entity_id, facts, mentions, scope)
