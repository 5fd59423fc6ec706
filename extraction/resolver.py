"""Entity resolution: normalized name + type → one stable entity id.

Gazetteer mentions carry the exact entity key. Other mentions are looked up among the
gazetteer's names, aliases and acronyms (type-compatible only); what stays unknown becomes
an entity keyed by its type and normalized name, the same in every document and department.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from extraction.gazetteer.entries import GazetteerEntry
from extraction.records import Entity, Mention, entity_id, normalize_name

TypeCheck = Callable[[str, str], bool]


def same_type(a: str, b: str) -> bool:
    return a == b


class AliasResolver:
    def __init__(self, entries: Iterable[GazetteerEntry], compatible: TypeCheck = same_type) -> None:
        self.entries = {e.key: e for e in entries}
        self.compatible = compatible
        self.by_name: dict[str, str] = {}
        self.by_acronym: dict[str, str] = {}
        for entry in self.entries.values():
            for name in (entry.name, *entry.aliases):
                self.by_name.setdefault(normalize_name(name), entry.key)
            for acronym in entry.acronyms:
                self.by_acronym.setdefault(acronym, entry.key)

    def run(self, mentions: list[Mention]) -> tuple[list[Mention], list[Entity]]:
        entities: dict[str, Entity] = {}
        resolved = []
        for mention in mentions:
            key = mention.gazetteer_key or self._lookup(mention)
            if key is not None:
                entry = self.entries[key]
                eid = entity_id(key)
                names = (*entry.aliases, *entry.acronyms, mention.text)
                entity = Entity(id=eid, name=entry.name, type=entry.type,
                                aliases=tuple(dict.fromkeys(n for n in names if n != entry.name)))
                mention = mention.model_copy(update={"entity_id": eid, "type": entry.type, "gazetteer_key": key})
            else:
                eid = entity_id(f"{mention.type}:{normalize_name(mention.text)}")
                entity = Entity(id=eid, name=mention.text, type=mention.type)
                mention = mention.model_copy(update={"entity_id": eid})
            entities[eid] = _merge(entities.get(eid), entity)
            resolved.append(mention)
        return resolved, list(entities.values())

    def _lookup(self, mention: Mention) -> str | None:
        key = self.by_acronym.get(mention.text) or self.by_name.get(normalize_name(mention.text))
        if key is None:
            return None
        return key if self.compatible(self.entries[key].type, mention.type) else None


def _merge(known: Entity | None, new: Entity) -> Entity:
    if known is None:
        return new
    aliases = tuple(dict.fromkeys((*known.aliases, *new.aliases)))
    return known.model_copy(update={"aliases": tuple(a for a in aliases if a != known.name)})
