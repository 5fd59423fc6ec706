"""The GovKG ontology as plain Python data.

`load_ontology()` parses `ontology/govkg.ttl` and the mapping tables in `ontology/mappings/`
once (the result is cached) and returns an `Ontology` that answers every question from
precomputed dictionaries: no SPARQL or graph access happens at query time.

Names are local names ("Agency", "memberOf"); the public methods also accept full IRIs
and `gov:`-prefixed names.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ontology.errors import Errors, OntologyError, UnknownClass, UnknownLabel, UnknownPredicate, UnknownTerm

NAMESPACE = "https://govkg.org/ontology#"
GOV = Namespace(NAMESPACE)
TOP_CLASS = "Entity"
WIKIDATA_PROPERTY_PREFIX = "http://www.wikidata.org/prop/direct/"

ONTOLOGY_DIR = Path(__file__).resolve().parent
DEFAULT_PATH = ONTOLOGY_DIR / "govkg.ttl"
DEFAULT_MAPPINGS_DIR = ONTOLOGY_DIR / "mappings"
ENTITY_LABELS_FILE = "entity_labels.tsv"
RELATION_LABELS_FILE = "relation_labels.tsv"

_T = TypeVar("_T")


class OntologyClass(BaseModel):
    """An OWL class of the ontology."""

    model_config = ConfigDict(frozen=True)

    name: str
    iri: str
    label: str
    alt_labels: list[str]
    comment: str
    parents: list[str]


class OntologyPredicate(BaseModel):
    """An object property of the ontology. `domain`/`range` are class names, unions flattened."""

    model_config = ConfigDict(frozen=True)

    name: str
    iri: str
    label: str
    alt_labels: list[str]
    comment: str
    domain: list[str]
    range: list[str]
    inverse: str | None  # a symmetric property is its own inverse
    symmetric: bool
    transitive: bool
    parents: list[str]  # direct super-properties
    wikidata: list[str]  # Wikidata property ids ("P463"), exact matches first


@dataclass(frozen=True)
class _Phrase:
    text: str
    predicate: str
    pattern: re.Pattern[str]


class Ontology:
    """Read-only view of the ontology and its label mapping tables."""

    namespace: str = NAMESPACE

    def __init__(
        self,
        classes: Iterable[OntologyClass],
        predicates: Iterable[OntologyPredicate],
        entity_labels: dict[str, dict[str, str | None]],
        relation_labels: dict[str, dict[str, tuple[str, bool] | None]],
    ) -> None:
        self._classes = {c.name: c for c in sorted(classes, key=lambda c: c.name)}
        self._predicates = {p.name: p for p in sorted(predicates, key=lambda p: p.name)}
        self._check_references()
        self._ancestors = {name: self._linearize(name) for name in self._classes}
        self._entity_labels = entity_labels
        self._relation_labels = relation_labels
        self._phrases = self._compile_phrases()
        self._check_mappings()

    # -- terms ---------------------------------------------------------------

    def classes(self) -> list[OntologyClass]:
        return list(self._classes.values())

    def predicates(self) -> list[OntologyPredicate]:
        return list(self._predicates.values())

    def get_class(self, name: str) -> OntologyClass:
        local = self._local(name)
        if local not in self._classes:
            raise UnknownClass(Errors.O001, name=name)
        return self._classes[local]

    def get_predicate(self, name: str) -> OntologyPredicate:
        local = self._local(name)
        if local not in self._predicates:
            raise UnknownPredicate(Errors.O002, name=name)
        return self._predicates[local]

    def has_class(self, name: str) -> bool:
        return self._local(name) in self._classes

    def has_predicate(self, name: str) -> bool:
        return self._local(name) in self._predicates

    def iri(self, name: str) -> str:
        local = self._local(name)
        if local in self._classes or local in self._predicates:
            return self.namespace + local
        raise UnknownTerm(Errors.O004, name=name)

    # -- class hierarchy -----------------------------------------------------

    def ancestors(self, cls: str) -> list[str]:
        """`cls` itself, then its superclasses up to the top, most specific first."""
        return list(self._ancestors[self.get_class(cls).name])

    def is_subclass(self, child: str, parent: str) -> bool:
        """True when `child` is `parent` or one of its subclasses."""
        return self.get_class(parent).name in self._ancestors[self.get_class(child).name]

    def compatible(self, a: str, b: str) -> bool:
        """True when one class is a subclass of the other (so one entity may have both)."""
        return self.is_subclass(a, b) or self.is_subclass(b, a)

    def most_specific(self, types: Iterable[str]) -> str:
        """The most specific of several types of one entity.

        Types that are not ontology classes are ignored. When the known types do not form a
        single chain (e.g. Agency and Court), the first known type given is returned; when
        none is known, the first type given.
        """
        given = list(types)
        if not given:
            raise ValueError("most_specific() needs at least one type")
        known = [self._local(t) for t in given if self.has_class(t)]
        if not known:
            return given[0]
        best = max(known, key=lambda name: len(self._ancestors[name]))
        if all(other in self._ancestors[best] for other in known):
            return best
        return known[0]

    # -- domain and range ----------------------------------------------------

    def check_fact(
        self, subject_type: str, predicate: str, object_type: str, *, lenient: bool = False
    ) -> str | None:
        """None when the triple respects the predicate's domain and range, else the reason.

        A type fits when it is a subclass of one of the allowed classes. The top class and
        unknown types never fit a constrained domain or range. With `lenient=True`, a type
        that is a superclass of an allowed class (e.g. Location where Country is required,
        as coarse NER types are) also fits; the top class still does not.
        """
        if not self.has_predicate(predicate):
            return f"unknown predicate {predicate!r}"
        pred = self._predicates[self._local(predicate)]
        for role, given, allowed, where in (
            ("subject", subject_type, pred.domain, "domain"),
            ("object", object_type, pred.range, "range"),
        ):
            if not self._fits(given, allowed, lenient):
                return f"{role} type {given} is outside the {where} of {pred.name} ({' or '.join(allowed)})"
        return None

    def _fits(self, given: str, allowed: list[str], lenient: bool) -> bool:
        if not allowed:
            return True
        if not self.has_class(given):
            return False
        chain = self._ancestors[self._local(given)]
        if any(cls in chain for cls in allowed):
            return True
        if lenient and chain[0] != TOP_CLASS:
            return any(chain[0] in self._ancestors[cls] for cls in allowed)
        return False

    # -- label mappings ------------------------------------------------------

    def map_entity_label(self, scheme: str, label: str) -> str | None:
        """The class for a model/dataset entity label; None when the label maps to nothing."""
        return self._lookup(self._entity_labels, scheme, label)

    def map_relation_label(self, scheme: str, label: str) -> tuple[str, bool] | None:
        """(predicate, inverted) for a relation label; `inverted` means swap head and tail."""
        return self._lookup(self._relation_labels, scheme, label)

    def entity_schemes(self) -> list[str]:
        return sorted(self._entity_labels)

    def relation_schemes(self) -> list[str]:
        return sorted(self._relation_labels)

    @staticmethod
    def _lookup(tables: dict[str, dict[str, _T]], scheme: str, label: str) -> _T | None:
        table = tables.get(scheme.casefold())
        if table is None:
            raise UnknownLabel(Errors.O003, scheme=scheme, known=", ".join(sorted(tables)))
        return table.get(label.casefold())

    # -- phrases -------------------------------------------------------------

    def predicate_by_phrase(self, text: str) -> list[str]:
        """Predicates whose label or an alt label occurs in `text`, longest phrase first.

        Matching is case-insensitive on word boundaries, and whitespace in a phrase matches
        any run of whitespace. An occurrence that lies inside a longer phrase already matched
        does not count ("head of government" yields headOfGovernment, not also headOf).
        """
        taken: list[tuple[int, int]] = []
        found: list[str] = []
        for phrase in self._phrases:
            for match in phrase.pattern.finditer(text):
                start, end = match.span()
                if any(s <= start and end <= e for s, e in taken):
                    continue
                taken.append((start, end))
                if phrase.predicate not in found:
                    found.append(phrase.predicate)
        return found

    def _compile_phrases(self) -> list[_Phrase]:
        phrases = {}
        for pred in self._predicates.values():
            for text in [pred.label, *pred.alt_labels]:
                key = " ".join(text.casefold().split())
                phrases.setdefault((key, pred.name), key)
        ordered = sorted(phrases, key=lambda kp: (-len(kp[0]), kp[0], kp[1]))
        return [
            _Phrase(key, name, re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, key.split())) + r"(?!\w)", re.I))
            for key, name in ordered
        ]

    # -- helpers -------------------------------------------------------------

    def _local(self, name: str) -> str:
        if name.startswith(self.namespace):
            return name[len(self.namespace):]
        if name.startswith("gov:"):
            return name[4:]
        return name

    def _linearize(self, name: str) -> list[str]:
        """Breadth-first walk up the hierarchy, so nearer superclasses come first."""
        order = [name]
        frontier = [name]
        while frontier:
            nxt = []
            for cls in frontier:
                for parent in self._classes[cls].parents:
                    if parent not in order:
                        order.append(parent)
                        nxt.append(parent)
            frontier = nxt
        return order

    def _check_references(self) -> None:
        """Every class or property named inside the ontology must be declared in it."""
        for cls in self._classes.values():
            for parent in cls.parents:
                if parent not in self._classes:
                    raise OntologyError(Errors.O032, name=cls.name, parent=parent)
        for pred in self._predicates.values():
            for name in [*pred.domain, *pred.range]:
                if name not in self._classes:
                    raise OntologyError(Errors.O033, name=pred.name, cls=name)
            for name in [*pred.parents, *([pred.inverse] if pred.inverse else [])]:
                if name not in self._predicates:
                    raise OntologyError(Errors.O034, name=pred.name, prop=name)

    def _check_mappings(self) -> None:
        for scheme, entity_table in self._entity_labels.items():
            for label, cls in entity_table.items():
                if cls is not None and cls not in self._classes:
                    raise OntologyError(Errors.O035, scheme=scheme, label=label, cls=cls)
        for scheme, relation_table in self._relation_labels.items():
            for label, target in relation_table.items():
                if target is not None and target[0] not in self._predicates:
                    raise OntologyError(Errors.O036, scheme=scheme, label=label, predicate=target[0])


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load_ontology(path: Path | None = None) -> Ontology:
    """The ontology at `path` (default `ontology/govkg.ttl`), parsed once and cached.

    Mapping tables are read from a `mappings/` folder beside the ontology file, or from
    the package's own `ontology/mappings/` when there is none.
    """
    return _load(Path(path).resolve() if path is not None else DEFAULT_PATH)


@lru_cache(maxsize=8)
def _load(path: Path) -> Ontology:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise OntologyError(Errors.O030, path=path) from exc
    except Exception as exc:  # rdflib raises several parser-specific types
        raise OntologyError(Errors.O031, path=path, reason=exc) from exc
    mappings = path.parent / "mappings"
    if not mappings.is_dir():
        mappings = DEFAULT_MAPPINGS_DIR
    return Ontology(
        classes=_read_classes(graph),
        predicates=_read_predicates(graph),
        entity_labels=_read_entity_labels(mappings / ENTITY_LABELS_FILE),
        relation_labels=_read_relation_labels(mappings / RELATION_LABELS_FILE),
    )


def _gov_name(node: Node) -> str | None:
    return str(node)[len(NAMESPACE):] if isinstance(node, URIRef) and str(node).startswith(NAMESPACE) else None


def _texts(graph: Graph, node: Node, prop: URIRef) -> list[str]:
    """English (or untagged) literal values, sorted."""
    return sorted(
        str(v) for v in graph.objects(node, prop) if isinstance(v, Literal) and v.language in (None, "en")
    )


def _text(graph: Graph, node: Node, prop: URIRef) -> str:
    values = _texts(graph, node, prop)
    return values[0] if values else ""


def _class_names(graph: Graph, node: Node) -> list[str]:
    """Class names denoted by `node`: a gov: class, or a union of classes (flattened)."""
    name = _gov_name(node)
    if name is not None:
        return [name]
    names: list[str] = []
    for union in graph.objects(node, OWL.unionOf):
        for member in Collection(graph, union):
            names.extend(n for n in _class_names(graph, member) if n not in names)
    return names


def _read_classes(graph: Graph) -> list[OntologyClass]:
    classes = []
    for node in set(graph.subjects(RDF.type, OWL.Class)):
        name = _gov_name(node)
        if name is None:
            continue
        parents = sorted(p for p in map(_gov_name, graph.objects(node, RDFS.subClassOf)) if p)
        classes.append(OntologyClass(
            name=name, iri=str(node), label=_text(graph, node, RDFS.label) or name,
            alt_labels=_texts(graph, node, SKOS.altLabel), comment=_text(graph, node, RDFS.comment),
            parents=parents,
        ))
    return classes


def _read_predicates(graph: Graph) -> list[OntologyPredicate]:
    nodes = {n: name for n in graph.subjects(RDF.type, OWL.ObjectProperty) if (name := _gov_name(n))}
    inverse: dict[str, str] = {}
    for a, b in graph.subject_objects(OWL.inverseOf):  # stated once per pair, read both ways
        name_a, name_b = _gov_name(a), _gov_name(b)
        if name_a and name_b:
            inverse[name_a], inverse[name_b] = name_b, name_a

    def inherited(node: Node, prop: URIRef) -> list[str]:
        """The property's own domain/range, else the nearest super-property's."""
        own = [c for v in graph.objects(node, prop) for c in _class_names(graph, v)]
        if own:
            return own
        for parent in graph.objects(node, RDFS.subPropertyOf):
            if found := inherited(parent, prop):
                return found
        return []

    predicates = []
    for node, name in nodes.items():
        symmetric = (node, RDF.type, OWL.SymmetricProperty) in graph
        matches = [*graph.objects(node, SKOS.exactMatch), *graph.objects(node, SKOS.closeMatch),
                   *graph.objects(node, OWL.equivalentProperty)]
        wikidata = list(dict.fromkeys(
            str(m)[len(WIKIDATA_PROPERTY_PREFIX):] for m in matches if str(m).startswith(WIKIDATA_PROPERTY_PREFIX)
        ))
        predicates.append(OntologyPredicate(
            name=name, iri=str(node), label=_text(graph, node, RDFS.label) or name,
            alt_labels=_texts(graph, node, SKOS.altLabel), comment=_text(graph, node, RDFS.comment),
            domain=inherited(node, RDFS.domain), range=inherited(node, RDFS.range),
            inverse=name if symmetric else inverse.get(name), symmetric=symmetric,
            transitive=(node, RDF.type, OWL.TransitiveProperty) in graph,
            parents=sorted(p for p in map(_gov_name, graph.objects(node, RDFS.subPropertyOf)) if p),
            wikidata=wikidata,
        ))
    return predicates


def _read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if tuple(reader.fieldnames or ()) != columns:
                raise OntologyError(Errors.O038, file=path.name, expected=columns, found=reader.fieldnames)
            return [{k: (row[k] or "").strip() for k in columns} for row in reader]
    except FileNotFoundError as exc:
        raise OntologyError(Errors.O037, path=path) from exc


def _add(tables: dict[str, dict[str, _T]], path: Path, row: dict[str, str], value: _T) -> None:
    table = tables.setdefault(row["scheme"].casefold(), {})
    key = row["label"].casefold()
    if not row["scheme"] or not key:
        raise OntologyError(Errors.O039, file=path.name, row=row)
    if key in table:
        raise OntologyError(Errors.O040, file=path.name, scheme=row["scheme"], label=row["label"])
    table[key] = value


def _read_entity_labels(path: Path) -> dict[str, dict[str, str | None]]:
    tables: dict[str, dict[str, str | None]] = {}
    for row in _read_tsv(path, ("scheme", "label", "class")):
        _add(tables, path, row, row["class"] or None)
    return tables


def _read_relation_labels(path: Path) -> dict[str, dict[str, tuple[str, bool] | None]]:
    tables: dict[str, dict[str, tuple[str, bool] | None]] = {}
    for row in _read_tsv(path, ("scheme", "label", "predicate", "inverted")):
        flag = row["inverted"].casefold()
        if flag not in ("true", "false"):
            raise OntologyError(Errors.O041, file=path.name, value=row["inverted"])
        _add(tables, path, row, (row["predicate"], flag == "true") if row["predicate"] else None)
    return tables
