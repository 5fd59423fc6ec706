"""Records mappings: YAML files that say how the records of a data file become a graph.

A mapping turns each record of a YAML/JSON/CSV/TSV file into one English sentence, the
entities it names and the facts it states. The whole file becomes one document whose text is
the sentences, one a line, so citations and question answering can quote a record.

    name: legislators                       # the mapping's name (default: the file's stem)
    description: Members of the 119th Congress
    title: "Congress legislators ({$file})" # document title; {$file} is the file name
    format: yaml                            # yaml | json | csv | tsv (default: the suffix)
    default_file: ../gazetteers/legislators-current.yaml   # for --all-shipped; relative to
                                            # the mapping file
    records:
      path: ""                              # dotted path to the record list ("" = top level)
      items: false                          # true: the path holds a mapping; each key/value
                                            # pair is a record {key: ..., value: ...}
      key: "{id.bioguide}"                  # the record key (default "{$index}")
      when: [...]                           # only records meeting these conditions
    maps:                                   # lookup tables for the `map:NAME` filter
      parties: {Democrat: "institution:democratic party", "*": "party:%s"}
    entities:                               # entity templates, by id
      legislator:
        key: "person:{id.bioguide}"         # or a list of alternatives: the first that
                                            # renders and is a gazetteer key wins, else the
                                            # first that renders
        name: ["{name.official_full}", "{name.first} {name.last}"]   # first that renders
        type: Person                        # an ontology class
        aliases: ["{name.first} {name.last}"]   # aliases that do not render are left out
    facts:
      - subject: "@legislator"              # an entity template, or a key template
        predicate: represents               # an ontology predicate
        object: "@state"
        for_each: terms                     # optional: once per item of this list...
        as: term                            # ...bound to this name (default `item`)
        when: [{position: last}]            # ...meeting these conditions
    sentence:
      template: "{@legislator} represents {@state}: {#terms}."   # or `variants:` below
      variants:                             # the first whose `when` holds is used
        - {when: [{value: "{terms.-1.type}", equals: sen}], template: "..."}
        - {template: "..."}
      lists:                                # `{#name}` in a sentence template
        terms: {for_each: terms, as: item, when: [...], item: "{item.start}", join: ", ",
                last_join: " and ", before: "", after: "", empty: "", unique: false}

Templates: see `extraction.structured.templates` (`{dotted.path|filter}`, `{@entity}`,
`{#list}`). A `sentence` may also be a plain string (one template).

Conditions (`when`, a condition or a list of conditions that must all hold):
`{value: TEMPLATE, equals: TEMPLATE}`, `{value: ..., in: [..]}`, `{value: ..., not_in: [..]}`,
`{value: ..., exists: true|false}`, `{value: ..., matches: REGEX}` (full match),
`{value: ..., in_gazetteer: true|false}` (the value is a gazetteer key), and
`{position: first|last|not_first|not_last}` (inside a `for_each`). A value that does not
render (a missing field) fails every test except `exists: false` and `not_in`.

Entities: a gazetteer key (`person:<bioguide>`, `state:<code>`, `committee:<thomas id>`,
`agency:<ACRONYM>`, `institution:<normalized name>`) yields the gazetteer's entity, with its
name, type and aliases, whatever the template says: "Nancy Pelosi" in a speech and in her
legislator record are one entity. Other keys yield an entity from the template. Entities
are emitted where a fact or the sentence references them; every template must be used.
Mentions are the occurrences of an entity's name or aliases in its record's sentence (longest
first, no overlaps); a fact's provenance spans its subject's and object's first mentions, or
the whole sentence for an entity the sentence does not name: name them all (`{@id}`).

Errors: a mapping that cannot be read (E040, E041) or is invalid (E042, E043) stops its
import; a record that cannot be rendered (E046 missing field, E047 value not in a map,
E048 bad value, E049 unknown fact endpoint) is reported and skipped, the rest imports.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from extraction.errors import Errors, MappingError
from extraction.structured.templates import Template, TemplateError, parse_template

SHIPPED_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "mappings"
FORMATS = ("yaml", "json", "csv", "tsv")
SUFFIX_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}
_ID = re.compile(r"^[A-Za-z_][\w-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Condition(_Model):
    value: str | None = None
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    exists: bool | None = None
    matches: str | None = None
    in_gazetteer: bool | None = None
    position: Literal["first", "last", "not_first", "not_last"] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [name for name in ("equals", "in_", "not_in", "exists", "matches", "in_gazetteer")
                 if getattr(self, name) is not None]
        if self.position is not None:
            if self.value is not None or tests:
                raise ValueError("a `position` condition takes no value and no other test")
            return self
        if self.value is None:
            raise ValueError("a condition needs `value` (a template) or `position`")
        if len(tests) != 1:
            raise ValueError("a condition needs exactly one test of equals, in, not_in, exists, matches, "
                             f"in_gazetteer (got {', '.join(t.rstrip('_') for t in tests) or 'none'})")
        if self.matches is not None:
            try:
                re.compile(self.matches)
            except re.error as exc:
                raise ValueError(f"bad regular expression {self.matches!r}: {exc}") from exc
        return self


Conditions = list[Condition]


class Iterating(_Model):
    """A part that may repeat over a list (`for_each`, `as`) and is filtered by `when`."""

    for_each: str | None = None
    as_: str = Field(default="item", alias="as")
    when: Conditions = Field(default_factory=list)

    _when_list = field_validator("when", mode="before")(_as_list)

    @field_validator("as_")
    @classmethod
    def _check_as(cls, value: str) -> str:
        if not _ID.match(value) or value.startswith("$"):
            raise ValueError(f"loop variable {value!r} is not a plain name")
        return value

    @field_validator("for_each")
    @classmethod
    def _check_path(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\$?[\w-]+(\.[\w-]+)*", value):
            raise ValueError(f"for_each {value!r} is not a dotted path")
        return value


class RecordsSpec(_Model):
    path: str = ""
    items: bool = False
    key: str = "{$index}"
    when: Conditions = Field(default_factory=list)

    _when_list = field_validator("when", mode="before")(_as_list)


class EntityTemplate(_Model):
    key: list[str]
    name: list[str]
    type: str
    aliases: list[str] = Field(default_factory=list)

    _lists = field_validator("key", "name", mode="before")(_as_list)

    @field_validator("key", "name")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("needs at least one template")
        return value


class FactTemplate(Iterating):
    subject: str
    predicate: str
    object: str


class ListSpec(Iterating):
    for_each: str  # type: ignore[assignment]
    item: str
    join: str = ", "
    last_join: str | None = None
    before: str = ""
    after: str = ""
    empty: str = ""
    unique: bool = False


class SentenceVariant(_Model):
    template: str
    when: Conditions = Field(default_factory=list)

    _when_list = field_validator("when", mode="before")(_as_list)


class SentenceSpec(_Model):
    template: str | None = None
    variants: list[SentenceVariant] = Field(default_factory=list)
    lists: dict[str, ListSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _template_or_variants(self) -> SentenceSpec:
        if (self.template is None) == (not self.variants):
            raise ValueError("a sentence needs exactly one of `template` and `variants`")
        return self

    def all_variants(self) -> list[SentenceVariant]:
        return self.variants or [SentenceVariant(template=self.template or "")]


class Mapping(_Model):
    name: str
    description: str = ""
    title: str = "{$mapping} ({$file})"
    format: Literal["yaml", "json", "csv", "tsv"] | None = None
    default_file: str | None = None
    records: RecordsSpec = Field(default_factory=RecordsSpec)
    maps: dict[str, dict[str, str]] = Field(default_factory=dict)
    entities: dict[str, EntityTemplate]
    facts: list[FactTemplate] = Field(default_factory=list)
    sentence: SentenceSpec

    @field_validator("sentence", mode="before")
    @classmethod
    def _sentence_string(cls, value: Any) -> Any:
        return {"template": value} if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"mapping name {value!r} must be a plain name (letters, digits, _ and -)")
        return value

    @field_validator("entities")
    @classmethod
    def _check_entities(cls, value: dict[str, EntityTemplate]) -> dict[str, EntityTemplate]:
        if not value:
            raise ValueError("a mapping needs at least one entity template")
        for ident in value:
            if not _ID.match(ident):
                raise ValueError(f"entity template id {ident!r} must be a plain name")
        return value

    @property
    def digest(self) -> str:
        """Hash of the mapping's content (not its comments): part of the extractor version."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]


# -- compiled mapping: templates parsed, references checked -------------------------------------
class CompiledMapping:
    """A validated mapping with every template parsed once."""

    def __init__(self, mapping: Mapping, path: Path | None = None) -> None:
        self.mapping = mapping
        self.path = path
        self.where = str(path) if path else mapping.name
        self._cache: dict[str, Template] = {}
        self._check()

    @property
    def name(self) -> str:
        return self.mapping.name

    def template(self, source: str) -> Template:
        compiled = self._cache.get(source)
        if compiled is None:
            compiled = self._cache[source] = parse_template(source)
        return compiled

    @property
    def default_file(self) -> Path | None:
        if self.mapping.default_file is None:
            return None
        base = self.path.parent if self.path else SHIPPED_DIR
        return (base / self.mapping.default_file).resolve()

    def validate_ontology(self, has_class: Callable[[str], bool], has_predicate: Callable[[str], bool]) -> None:
        """Entity types must be ontology classes and predicates ontology predicates (E042)."""
        for ident, entity in self.mapping.entities.items():
            if not has_class(entity.type):
                self._invalid(f"entity template {ident!r}: type {entity.type!r} is not an ontology class")
        for number, fact in enumerate(self.mapping.facts, 1):
            if not has_predicate(fact.predicate):
                self._invalid(f"fact {number}: predicate {fact.predicate!r} is not an ontology predicate")

    def _invalid(self, reason: str) -> None:
        raise MappingError(Errors.E042, path=self.where, reason=reason)

    def _parse(self, source: str, *, entities: bool, lists: bool) -> Template:
        try:
            template = self.template(source)
        except TemplateError as exc:
            raise MappingError(Errors.E043, path=self.where, template=source, reason=str(exc)) from exc
        known_lists = self.mapping.sentence.lists
        for part in template.placeholders():
            if part.kind == "entity":
                if not entities:
                    raise MappingError(Errors.E043, path=self.where, template=source,
                                       reason=f"entity references ({{@{part.target}}}) are not allowed here")
                if part.target not in self.mapping.entities:
                    raise MappingError(Errors.E043, path=self.where, template=source,
                                       reason=f"no entity template {part.target!r}; defined: "
                                              f"{', '.join(self.mapping.entities)}")
                self._used.add(part.target)
            elif part.kind == "list":
                if not lists:
                    raise MappingError(Errors.E043, path=self.where, template=source,
                                       reason=f"list references ({{#{part.target}}}) are only allowed in sentences")
                if part.target not in known_lists:
                    raise MappingError(Errors.E043, path=self.where, template=source,
                                       reason=f"no sentence list {part.target!r}; defined: "
                                              f"{', '.join(known_lists) or 'none'}")
            for name, arg in part.filters:
                if name == "map" and arg not in self.mapping.maps:
                    raise MappingError(Errors.E043, path=self.where, template=source,
                                       reason=f"no map {arg!r}; defined: {', '.join(self.mapping.maps) or 'none'}")
        return template

    def _conditions(self, conditions: list[Condition]) -> None:
        for condition in conditions:
            for source in (condition.value, condition.equals):
                if source is not None:
                    self._parse(source, entities=True, lists=False)

    def _check(self) -> None:
        m = self.mapping
        self._used: set[str] = set()
        title = self._parse(m.title, entities=False, lists=False)
        if any(not p.target.startswith("$") for p in title.placeholders()):
            raise MappingError(Errors.E043, path=self.where, template=m.title,
                               reason="a title may use only {$file} and {$mapping}, not record fields")
        self._parse(m.records.key, entities=False, lists=False)
        self._conditions(m.records.when)
        for entity in m.entities.values():
            for source in (*entity.key, *entity.name, *entity.aliases):
                self._parse(source, entities=False, lists=False)
        for fact in m.facts:
            for endpoint in (fact.subject, fact.object):
                if re.fullmatch(r"@[\w-]+", endpoint):
                    ref = endpoint[1:]
                    if ref not in m.entities:
                        raise MappingError(Errors.E043, path=self.where, template=endpoint,
                                           reason=f"no entity template {ref!r}; defined: {', '.join(m.entities)}")
                    self._used.add(ref)
                else:
                    self._parse(endpoint, entities=False, lists=False)
            self._conditions(fact.when)
            if fact.for_each is None and any(c.position for c in fact.when):
                self._invalid(f"fact {fact.predicate}: a `position` condition needs `for_each`")
        for variant in m.sentence.all_variants():
            self._parse(variant.template, entities=True, lists=True)
            self._conditions(variant.when)
        for spec in m.sentence.lists.values():
            self._parse(spec.item, entities=True, lists=False)
            self._conditions(spec.when)
        unused = [ident for ident in m.entities if ident not in self._used]
        if unused:
            self._invalid(f"entity template(s) {', '.join(map(repr, unused))} never used by a fact or the sentence")


# -- loading -----------------------------------------------------------------------------------
def shipped_mappings(folder: Path = SHIPPED_DIR) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def resolve_mapping_path(name_or_path: str, folder: Path = SHIPPED_DIR) -> Path:
    """A mapping file by path, else a shipped mapping by name (E040 when neither)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    for candidate in (folder / name_or_path, folder / f"{name_or_path}.yaml", folder / f"{name_or_path}.yml"):
        if candidate.is_file():
            return candidate
    known = ", ".join(p.stem for p in shipped_mappings(folder)) or "none"
    raise MappingError(Errors.E040, name=name_or_path, known=known)


def load_mapping(name_or_path: str | Path, folder: Path = SHIPPED_DIR) -> CompiledMapping:
    """Read, validate and compile a mapping (MappingError with code E040–E043)."""
    path = resolve_mapping_path(str(name_or_path), folder)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(Errors.E041, path=str(path), reason=str(exc)) from exc
    except yaml.YAMLError as exc:
        raise MappingError(Errors.E041, path=str(path), reason=f"invalid YAML: {_one_line(exc)}") from exc
    if not isinstance(raw, dict):
        raise MappingError(Errors.E041, path=str(path), reason=f"expected a YAML mapping, got {type(raw).__name__}")
    return compile_mapping({"name": path.stem, **raw}, path)


def compile_mapping(raw: dict[str, Any], path: Path | None = None) -> CompiledMapping:
    where = str(path) if path else str(raw.get("name", "<mapping>"))
    try:
        mapping = Mapping.model_validate(raw)
    except ValidationError as exc:
        raise MappingError(Errors.E042, path=where, reason=_pydantic_reason(exc)) from exc
    return CompiledMapping(mapping, path)


def _pydantic_reason(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "(top)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        problems.append(f"{location}: {message}")
    return "; ".join(problems)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
