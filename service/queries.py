"""Read-side use cases shared by the CLI and the HTTP API."""
from __future__ import annotations

from pydantic import BaseModel, Field

from graph.store import EntityHit, FactView, MentionView
from graph.visibility import Scope
from ontology.errors import OntologyError
from service.components import Services
from service.errors import Errors, QueryError

MAX_FACTS = 200
MAX_MENTIONS = 200


class EntityDetail(BaseModel):
    id: str
    name: str
    type: str
    type_ancestors: list[str]
    aliases: list[str]
    mention_count: int
    departments: list[str]  # which departments' documents mention it
    facts: list[FactView]
    mentions: list[MentionView]


def expand_type(services: Services, type_name: str) -> list[str]:
    """The class and all its subclasses; QueryError (S001) for a class the ontology does not know."""
    onto = services.ontology
    if not onto.has_class(type_name):
        known = ", ".join(sorted(c.name for c in onto.classes()))
        raise QueryError(Errors.S001, type=type_name, known=known)
    return sorted(c.name for c in onto.classes() if onto.is_subclass(c.name, type_name))


def search_entities(services: Services, query: str, type_name: str | None, limit: int,
                    scope: Scope | None = None) -> list[EntityHit]:
    if not query.strip():
        raise QueryError(Errors.S002)
    types = expand_type(services, type_name) if type_name else None
    return services.store.search_entities(query, types=types, limit=limit, scope=scope)


def entity_detail(services: Services, entity_id: str, facts: int = MAX_FACTS, mentions: int = MAX_MENTIONS,
                  scope: Scope | None = None) -> EntityDetail:
    """What the scope may see of an entity (NotFound for unknown or invisible ids)."""
    store = services.store
    entity = store.get_entity(entity_id, scope=scope)
    try:
        ancestors = services.ontology.ancestors(entity.type)
    except OntologyError:  # a type the ontology does not know yet
        ancestors = [entity.type]
    return EntityDetail(
        id=entity.id, name=entity.name, type=entity.type, type_ancestors=ancestors,
        aliases=list(entity.aliases), mention_count=store.entity_mention_count(entity_id, scope=scope),
        departments=store.entity_departments(entity_id, scope=scope),
        facts=store.entity_facts(entity_id, facts, scope=scope),
        mentions=store.entity_mentions(entity_id, mentions, scope=scope),
    )


class LookupName(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    types: list[str] | None = Field(None, max_length=20, description="Ontology classes (subclasses included).")


class LookupMatch(BaseModel):
    id: str
    name: str
    type: str
    matched: str
    score: float
    departments: list[str]  # departments whose visible documents know the entity


class LookupResult(BaseModel):
    name: str
    matches: list[LookupMatch]


def lookup_entities(services: Services, names: list[LookupName], limit: int, scope: Scope | None) -> list[LookupResult]:
    """For each name, its best visible matches with scores and the departments (visible to the scope) that
    know each: the batch call a department reconciles its records with. QueryError for an unknown type."""
    store = services.store
    expanded: dict[str, list[str]] = {}
    departments: dict[str, list[str]] = {}
    results = []
    for item in names:
        types: list[str] | None = None
        if item.types:
            types = sorted({t for name in item.types for t in expanded.setdefault(name, expand_type(services, name))})
        hits = store.search_entities(item.name, types=types, limit=limit, scope=scope) if item.name.strip() else []
        matches = []
        for hit in hits:
            if hit.id not in departments:
                departments[hit.id] = store.entity_departments(hit.id, scope=scope)
            matches.append(LookupMatch(id=hit.id, name=hit.name, type=hit.type, matched=hit.matched,
                                       score=hit.score, departments=departments[hit.id]))
        results.append(LookupResult(name=item.name, matches=matches))
    return results
