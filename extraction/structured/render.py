"""One record → its sentence, the entities it names and the facts it states."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extraction.errors import Errors, RecordError
from extraction.records import Entity, entity_id
from extraction.structured.mapping import CompiledMapping, Condition, Iterating, ListSpec
from extraction.structured.templates import (
    Missing,
    NotInMap,
    NotScalar,
    Placeholder,
    Template,
    is_missing,
    lookup,
    render,
)

if TYPE_CHECKING:  # the gazetteer package imports spaCy
    from extraction.gazetteer.entries import GazetteerEntry

Variables = dict[str, Any]


@dataclass(frozen=True)
class ResolvedEntity:
    key: str
    entity: Entity
    in_gazetteer: bool

    def names(self) -> list[str]:
        return [self.entity.name, *self.entity.aliases]


@dataclass
class RenderedRecord:
    key: str
    sentence: str
    entities: dict[str, ResolvedEntity] = field(default_factory=dict)  # by key, in reference order
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # (subject key, predicate, object key)


class RecordRenderer:
    def __init__(self, compiled: CompiledMapping, gazetteer: Mapping[str, GazetteerEntry], file_name: str) -> None:
        self.compiled = compiled
        self.mapping = compiled.mapping
        self.gazetteer = gazetteer
        self.file_name = file_name

    # -- public ------------------------------------------------------------------------------
    def base_variables(self, index: int, key: str | None = None) -> Variables:
        variables: Variables = {"$index": index, "$file": self.file_name, "$mapping": self.mapping.name}
        if key is not None:
            variables["$key"] = key
        return variables

    def title(self) -> str:
        return self._text(self.mapping.title, {}, self.base_variables(0), "(title)")

    def record_key(self, record: Any, index: int) -> str:
        return self._text(self.mapping.records.key, record, self.base_variables(index), f"#{index}")

    def accepts(self, record: Any, index: int, key: str) -> bool:
        """The records' `when` conditions."""
        return self._all(self.mapping.records.when, record, self.base_variables(index, key), key)

    def render(self, record: Any, index: int, key: str) -> RenderedRecord:
        """Raises RecordError (E046–E049) when the record cannot be rendered."""
        out = RenderedRecord(key=key, sentence="")
        variables = self.base_variables(index, key)
        out.sentence = self._sentence(record, variables, out)
        seen: set[tuple[str, str, str]] = set()
        for fact in self.mapping.facts:
            for scope in self._scopes(fact, record, variables, key):
                subject = self._endpoint(fact.subject, record, scope, out)
                obj = self._endpoint(fact.object, record, scope, out)
                triple = (subject.key, fact.predicate, obj.key)
                if triple not in seen:
                    seen.add(triple)
                    out.facts.append(triple)
        return out

    # -- entities ----------------------------------------------------------------------------
    def resolve(self, ident: str, record: Any, variables: Variables, key: str) -> ResolvedEntity:
        template = self.mapping.entities[ident]
        rendered: list[str] = []
        first_error: tuple[Exception, str] | None = None
        for source in template.key:
            try:
                rendered.append(self._render(source, record, variables))
            except (Missing, NotInMap, NotScalar) as exc:
                first_error = first_error or (exc, source)
        if not rendered:
            assert first_error is not None
            raise self._record_error(first_error[0], first_error[1], key)
        chosen = next((k for k in rendered if k in self.gazetteer), rendered[0])
        entry = self.gazetteer.get(chosen)
        if entry is not None:
            aliases = tuple(dict.fromkeys(a for a in (*entry.aliases, *entry.acronyms) if a != entry.name))
            return ResolvedEntity(chosen, Entity(id=entity_id(chosen), name=entry.name, type=entry.type,
                                                 aliases=aliases), True)
        name = self._first(template.name, record, variables, key)
        aliases_out = []
        for source in template.aliases:
            try:
                alias = self._render(source, record, variables).strip()
            except (Missing, NotInMap, NotScalar):
                continue
            if alias and alias != name and alias not in aliases_out:
                aliases_out.append(alias)
        return ResolvedEntity(chosen, Entity(id=entity_id(chosen), name=name, type=template.type,
                                             aliases=tuple(aliases_out)), False)

    def _use(self, ident: str, record: Any, variables: Variables, out: RenderedRecord) -> ResolvedEntity:
        resolved = self.resolve(ident, record, variables, out.key)
        return out.entities.setdefault(resolved.key, resolved)

    def _endpoint(self, source: str, record: Any, variables: Variables, out: RenderedRecord) -> ResolvedEntity:
        if re.fullmatch(r"@[\w-]+", source):
            return self._use(source[1:], record, variables, out)
        key = self._text(source, record, variables, out.key)
        if key in out.entities:
            return out.entities[key]
        entry = self.gazetteer.get(key)
        if entry is None:
            raise RecordError(Errors.E049, record=out.key, key=key)
        aliases = tuple(dict.fromkeys(a for a in (*entry.aliases, *entry.acronyms) if a != entry.name))
        entity = Entity(id=entity_id(key), name=entry.name, type=entry.type, aliases=aliases)
        resolved = ResolvedEntity(key, entity, True)
        return out.entities.setdefault(key, resolved)

    # -- sentence ----------------------------------------------------------------------------
    def _sentence(self, record: Any, variables: Variables, out: RenderedRecord) -> str:
        spec = self.mapping.sentence
        for variant in spec.all_variants():
            if self._all(variant.when, record, variables, out.key):
                text = self._text(variant.template, record, variables, out.key,
                                  entity=lambda p, v=variables: self._entity_text(p, record, v, out),
                                  lists=lambda name: self._list(spec.lists[name], record, variables, out))
                return " ".join(text.split())
        raise RecordError(Errors.E048, record=out.key, reason="no sentence variant applies (add one without `when`)")

    def _entity_text(self, placeholder: Placeholder, record: Any, variables: Variables, out: RenderedRecord) -> str:
        resolved = self._use(placeholder.target, record, variables, out)
        return _attribute(resolved, placeholder.attr)

    def _list(self, spec: ListSpec, record: Any, variables: Variables, out: RenderedRecord) -> str:
        items: list[str] = []
        for scope in self._scopes(spec, record, variables, out.key):
            text = self._text(spec.item, record, scope, out.key,
                              entity=lambda p, v=scope: self._entity_text(p, record, v, out))
            if text and not (spec.unique and text in items):
                items.append(text)
        if not items:
            return spec.empty
        if spec.last_join is not None and len(items) > 1:
            joined = spec.join.join(items[:-1]) + spec.last_join + items[-1]
        else:
            joined = spec.join.join(items)
        return spec.before + joined + spec.after

    # -- iteration and conditions ------------------------------------------------------------
    def _scopes(self, spec: Iterating, record: Any, variables: Variables, key: str) -> Iterator[Variables]:
        if spec.for_each is None:
            if self._all(spec.when, record, variables, key):
                yield variables
            return
        value = lookup(spec.for_each.split("."), record, variables)
        if is_missing(value):
            return
        if not isinstance(value, list):
            raise RecordError(Errors.E048, record=key,
                              reason=f"for_each {spec.for_each!r} holds a {type(value).__name__}, not a list")
        count = len(value)
        for index, item in enumerate(value):
            scope = {**variables, spec.as_: item, "$index": index}
            if self._all(spec.when, record, scope, key, (index, count)):
                yield scope

    def _all(self, conditions: list[Condition], record: Any, variables: Variables, key: str,
             position: tuple[int, int] | None = None) -> bool:
        return all(self._holds(c, record, variables, key, position) for c in conditions)

    def _holds(self, condition: Condition, record: Any, variables: Variables, key: str,
               position: tuple[int, int] | None) -> bool:
        if condition.position is not None:
            if position is None:
                return False
            index, count = position
            return {"first": index == 0, "last": index == count - 1,
                    "not_first": index != 0, "not_last": index != count - 1}[condition.position]
        value = self._maybe(condition.value or "", record, variables, key)
        if condition.exists is not None:
            return (value is not None) == condition.exists
        if condition.not_in is not None:
            return value is None or value not in condition.not_in
        if value is None:
            return False
        if condition.equals is not None:
            return value == self._maybe(condition.equals, record, variables, key)
        if condition.in_ is not None:
            return value in condition.in_
        if condition.matches is not None:
            return re.fullmatch(condition.matches, value) is not None
        return (value in self.gazetteer) == bool(condition.in_gazetteer)

    def _maybe(self, source: str, record: Any, variables: Variables, key: str) -> str | None:
        """A condition's value: None when it does not render (a missing field, say)."""
        try:
            return self._render(source, record, variables,
                                entity=lambda p: _attribute(self.resolve(p.target, record, variables, key), p.attr))
        except (Missing, NotInMap, NotScalar, RecordError):
            return None

    # -- rendering with record errors ---------------------------------------------------------
    def _render(self, source: str, record: Any, variables: Variables, entity: Any = None, lists: Any = None) -> str:
        template: Template = self.compiled.template(source)
        return render(template, record, variables, self.mapping.maps, entity=entity, lists=lists)

    def _text(self, source: str, record: Any, variables: Variables, key: str, entity: Any = None,
              lists: Any = None) -> str:
        try:
            return self._render(source, record, variables, entity=entity, lists=lists)
        except (Missing, NotInMap, NotScalar) as exc:
            raise self._record_error(exc, source, key) from exc

    def _first(self, sources: list[str], record: Any, variables: Variables, key: str) -> str:
        first_error: tuple[Exception, str] | None = None
        for source in sources:
            try:
                text = self._render(source, record, variables).strip()
            except (Missing, NotInMap, NotScalar) as exc:
                first_error = first_error or (exc, source)
                continue
            if text:
                return text
        if first_error is None:
            raise RecordError(Errors.E048, record=key, reason=f"name templates {sources!r} render empty")
        raise self._record_error(first_error[0], first_error[1], key)

    @staticmethod
    def _record_error(exc: Exception, source: str, key: str) -> RecordError:
        if isinstance(exc, Missing):
            return RecordError(Errors.E046, record=key, path=exc.path, template=source)
        if isinstance(exc, NotInMap):
            return RecordError(Errors.E047, record=key, value=exc.value, template=source, map=exc.map_name)
        if isinstance(exc, NotScalar):
            return RecordError(Errors.E048, record=key,
                               reason=f"the value at {exc.path!r} (template {source!r}) is a {exc.kind}, not text")
        return RecordError(Errors.E048, record=key, reason=str(exc))


def _attribute(resolved: ResolvedEntity, attr: str) -> str:
    if attr == "type":
        return resolved.entity.type
    if attr == "key":
        return resolved.key
    return resolved.entity.name
