"""Read-side use cases shared by the CLI and the HTTP API."""
from __future__ import annotations

from pydantic import BaseModel

from api.services import Services
from graph.store import EntityHit, FactView, MentionView
from ontology.errors import OntologyError

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
    """The class and all its subclasses; ValueError for a class the ontology does not know."""
    onto = services.ontology
    if not onto.has_class(type_name):
        known = ", ".join(sorted(c.name for c in onto.classes()))
        raise ValueError(f"unknown type {type_name!r}; known types: {known}")
    return sorted(c.name for c in onto.classes() if onto.is_subclass(c.name, type_name))


def search_entities(services: Services, query: str, type_name: str | None, limit: int) -> list[EntityHit]:
    if not query.strip():
        raise ValueError("the query is empty")
    types = expand_type(services, type_name) if type_name else None
    return services.store.search_entities(query, types=types, limit=limit)


def entity_detail(services: Services, entity_id: str, facts: int = MAX_FACTS, mentions: int = MAX_MENTIONS) -> EntityDetail:
    store = services.store
    entity = store.get_entity(entity_id)  # NotFound for unknown ids
    try:
        ancestors = services.ontology.ancestors(entity.type)
    except OntologyError:  # a type the ontology does not know yet
        ancestors = [entity.type]
    return EntityDetail(
        id=entity.id, name=entity.name, type=entity.type, type_ancestors=ancestors,
        aliases=list(entity.aliases), mention_count=store.entity_mention_count(entity_id),
        departments=store.entity_departments(entity_id),
        facts=store.entity_facts(entity_id, facts), mentions=store.entity_mentions(entity_id, mentions),
    )
