"""Graph-explorer queries: neighbourhoods, paths, central entities, communities."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import ScopeDep, ServicesDep
from graph import explorer
from graph.explorer import CentralEntity, Community, Elements, Filters, Paths
from service.queries import expand_type

router = APIRouter(prefix="/graph", tags=["graph explorer"])


def _csv(value: str | None) -> frozenset[str] | None:
    items = frozenset(v.strip() for v in (value or "").split(",") if v.strip())
    return items or None


def _types(services, value: str | None) -> frozenset[str] | None:  # type: ignore[no-untyped-def]
    names = _csv(value)
    if names is None:
        return None
    return frozenset(t for name in names for t in expand_type(services, name))  # QueryError (S001): a 422


@router.get("/neighbourhood/{entity_id}", response_model=Elements)
def neighbourhood(
    services: ServicesDep,
    scope: ScopeDep,
    entity_id: Annotated[str, Path(min_length=1, max_length=200)],
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
    types: Annotated[str | None, Query(description="Comma-separated ontology classes (subclasses included).")] = None,
    predicates: Annotated[str | None, Query(description="Comma-separated predicates.")] = None,
    departments: Annotated[str | None, Query(description="Comma-separated departments.")] = None,
    min_confidence: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> Elements:
    """Cytoscape.js elements around an entity; `truncated` says when `limit` cut edges
    (highest-confidence, best-supported edges are kept first)."""
    filters = Filters(types=_types(services, types), predicates=_csv(predicates), departments=_csv(departments),
                      min_confidence=min_confidence)
    return explorer.neighbourhood(services.projections.get(scope), entity_id, depth, filters, limit)


@router.get("/paths", response_model=Paths)
def paths(
    services: ServicesDep,
    scope: ScopeDep,
    source: Annotated[str, Query(min_length=1, max_length=200)],
    target: Annotated[str, Query(min_length=1, max_length=200)],
    max_length: Annotated[int, Query(ge=1, le=8)] = 4,
    k: Annotated[int, Query(ge=1, le=20)] = 3,
) -> Paths:
    """Up to k shortest paths between two entities, each hop with the facts that link it
    (Cypher allShortestPaths on Neo4j for admins, networkx over the token's visible projection otherwise:
    no path runs through a fact it may not see)."""
    finder = explorer.path_finder(services.store, scope)
    return explorer.paths(services.projections.get(scope), source, target, max_length, k, finder)


@router.get("/central", response_model=list[CentralEntity])
def central(
    services: ServicesDep,
    scope: ScopeDep,
    type: Annotated[str | None, Query(description="Ontology class (subclasses included).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[CentralEntity]:
    """Most central entities (PageRank over the fact graph, cached until the store changes)."""
    return explorer.central(services.projections.get(scope), _types(services, type), limit)


@router.get("/communities", response_model=list[Community])
def communities(
    services: ServicesDep,
    scope: ScopeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    members: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Community]:
    """Communities of the fact graph (Louvain, seeded), largest first, most central members first."""
    return explorer.communities(services.projections.get(scope), limit, members)
