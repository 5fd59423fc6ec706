"""Entity resolution: normalized name + type → one stable entity id.

Gazetteer mentions carry the exact entity key. Other mentions are looked up among the
gazetteer's names, aliases and acronyms (type-compatible only); what stays unknown becomes
an entity keyed by its type and normalized name, the same in every document and department.
Inside a document, short person names and parenthesised acronyms resolve to the full name
used before them (extraction/names.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from extraction.gazetteer.entries import GazetteerEntry
from extraction.names import is_acronym_of, name_tokens, organization_type, parenthesised, short_name_owner
from extraction.records import Entity, Mention, entity_id, normalize_name

TypeCheck = Callable[[str, str], bool]
Canonical = Callable[[str, str], "str | None"]  # (class, surface text) → canonical name, or None

_STATE_OF = re.compile(r"^(?:the\s+)?(?:State|Commonwealth|Republic|Kingdom)\s+of\s+(?:the\s+)?", re.IGNORECASE)


def same_type(a: str, b: str) -> bool:
    return a == b


def no_canonical(cls: str, text: str) -> str | None:
    return None


class AliasResolver:
    def __init__(self, entries: Iterable[GazetteerEntry], compatible: TypeCheck = same_type,
                 canonical: Canonical = no_canonical) -> None:
        self.entries = {e.key: e for e in entries}
        self.compatible = compatible
        self.canonical = canonical
        self.by_name: dict[str, str] = {}
        self.by_acronym: dict[str, str] = {}
        for entry in self.entries.values():
            for name in (entry.name, *entry.aliases):
                self.by_name.setdefault(normalize_name(name), entry.key)
            for acronym in entry.acronyms:
                self.by_acronym.setdefault(acronym, entry.key)

    def run(self, mentions: list[Mention]) -> tuple[list[Mention], list[Entity]]:
        entities: dict[str, Entity] = {}
        resolved: list[Mention] = []
        full_names: dict[str, tuple[str, ...]] = {}  # earlier person entities of this document → name words
        acronyms: dict[str, Mention] = {}  # acronyms defined in parentheses → the mention of the full name
        for mention in sorted(mentions, key=lambda m: m.start):
            mention = self._refine_type(mention)
            key = mention.gazetteer_key or self._lookup(mention)
            if key is not None:
                entry = self.entries[key]
                eid = entity_id(key)
                names = (*entry.aliases, *entry.acronyms, mention.text)
                entity = Entity(id=eid, name=entry.name, type=entry.type,
                                aliases=tuple(dict.fromkeys(n for n in names if n != entry.name)))
                mention = mention.model_copy(update={"entity_id": eid, "type": entry.type, "gazetteer_key": key})
            else:
                mention, entity = self._in_document(mention, resolved, entities, full_names, acronyms)
            entities[entity.id] = _merge(entities.get(entity.id), entity)
            if self.compatible(mention.type, "Person"):
                tokens = name_tokens(entities[entity.id].name)
                if len(tokens) >= 2:
                    full_names[entity.id] = tokens
            resolved.append(mention)
        return resolved, list(entities.values())

    def _in_document(self, mention: Mention, resolved: list[Mention], entities: dict[str, Entity],
                     full_names: dict[str, tuple[str, ...]], acronyms: dict[str, Mention]) -> tuple[Mention, Entity]:
        """A short name or acronym that the document defined before, else an entity of its own."""
        owner: Entity | None = None
        if self.compatible(mention.type, "Person"):
            tokens = name_tokens(mention.text)
            eid = short_name_owner(tokens, full_names) if 0 < len(tokens) < 3 else None
            owner = entities.get(eid) if eid else None
        elif mention.text in acronyms:
            defined = acronyms[mention.text]
            owner = entities.get(defined.entity_id or "")
        elif resolved and is_acronym_of(mention.text, resolved[-1].text) and parenthesised(resolved[-1], mention):
            owner = entities.get(resolved[-1].entity_id or "")
            if owner is not None:
                acronyms[mention.text] = resolved[-1]
        if owner is not None:
            update = {"entity_id": owner.id, "type": owner.type}
            previous = next((m for m in resolved if m.entity_id == owner.id), None)
            if previous is not None and previous.gazetteer_key:
                update["gazetteer_key"] = previous.gazetteer_key
            return mention.model_copy(update=update), Entity(
                id=owner.id, name=owner.name, type=owner.type, aliases=(mention.text,))
        name = self._canonical(mention) or mention.text
        eid = entity_id(f"{mention.type}:{normalize_name(name)}")
        aliases = (mention.text,) if name != mention.text else ()
        return mention.model_copy(update={"entity_id": eid}), Entity(id=eid, name=name, type=mention.type,
                                                                      aliases=aliases)

    def _refine_type(self, mention: Mention) -> Mention:
        if mention.gazetteer_key is None and mention.type == "Organization":
            refined = organization_type(mention.text)
            if refined is not None:
                return mention.model_copy(update={"type": refined})
        return mention

    def _canonical(self, mention: Mention) -> str | None:
        return self.canonical(mention.type, mention.text)

    def _lookup(self, mention: Mention) -> str | None:
        key = self.by_acronym.get(mention.text) or self.by_name.get(normalize_name(mention.text))
        if key is None:
            canonical = self._canonical(mention)  # "U.S." → "United States", "Democrats" → "Democratic Party"
            key = self.by_name.get(normalize_name(canonical)) if canonical else None
        if key is None and self.compatible(mention.type, "Location") and _STATE_OF.match(mention.text):
            key = self.by_name.get(normalize_name(_STATE_OF.sub("", mention.text)))  # "State of Indiana"
        if key is None:
            return None
        return key if self.compatible(self.entries[key].type, mention.type) else None


def _merge(known: Entity | None, new: Entity) -> Entity:
    if known is None:
        return new
    aliases = tuple(dict.fromkeys((*known.aliases, *new.aliases)))
    return known.model_copy(update={"aliases": tuple(a for a in aliases if a != known.name)})
