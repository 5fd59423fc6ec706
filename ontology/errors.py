"""All error messages of the ontology package, with codes, and its exceptions (see core/errors.py)."""
from __future__ import annotations

from core.errors import Catalogue, GovKGError


class Errors(Catalogue):
    # names the ontology does not know, the reasoner
    O001 = "unknown class {name!r}"
    O002 = "unknown predicate {name!r}"
    O003 = "unknown label scheme {scheme!r} (known: {known})"
    O004 = "{name!r} is neither a class nor a predicate of the ontology"
    O005 = "HermiT could not run (is Java installed?): {reason}"
    O006 = "entity {id} ({name!r}) has type {type!r}, which is not an ontology class"
    O007 = "fact {id} has predicate {predicate!r}, which is not an ontology predicate"
    # RDF files that do not parse (O010, O012-O016) or are not a GovKG export (O011, O020-O029)
    O010 = "{name} is not valid {format}: {reason}"
    O011 = "{node}: missing {prop}"
    O012 = "no such file: {path}"
    O013 = "{path} is not UTF-8 text (byte {byte})"
    O014 = "cannot read {path}: {reason}"
    O015 = "unknown RDF format {format!r} (use one of: {known})"
    O016 = ("cannot tell the RDF format of {path} from its suffix {suffix!r}: use .ttl, .jsonld/.json or .nt, "
            "or give the format")
    O020 = "{node}: gov:metadata is not JSON: {reason}"
    O021 = "{node}: a candidate fact IRI must be {base}<document>/<fact>"
    O022 = "{node}: an entity needs a gov: type"
    O023 = "{node}: expected one {prop}, found {count}"
    O024 = "{node}: {prop} must be a literal, found {value}"
    O025 = "{node}: {prop} must be an integer, found {value!r}"
    O026 = "{node}: {prop} must be a number, found {value!r}"
    O027 = "expected an IRI {base}<id>, found {node}"
    O028 = "{owner}: expected a gov: term, found {node}"
    O029 = "{node}: {problems}"
    # the ontology file and its mapping tables
    O030 = "ontology file not found: {path}"
    O031 = "cannot parse ontology {path}: {reason}"
    O032 = "class {name} has undeclared superclass {parent!r}"
    O033 = "predicate {name} names undeclared class {cls!r}"
    O034 = "predicate {name} names undeclared property {prop!r}"
    O035 = "entity mapping {scheme}/{label} names unknown class {cls!r}"
    O036 = "relation mapping {scheme}/{label} names unknown predicate {predicate!r}"
    O037 = "mapping table not found: {path}"
    O038 = "{file}: expected columns {expected}, found {found}"
    O039 = "{file}: empty scheme or label in {row}"
    O040 = "{file}: label {scheme}/{label} is mapped twice"
    O041 = "{file}: inverted must be true or false, got {value!r}"
    O042 = "{what} not found: {path}"


class OntologyError(GovKGError):
    """Base class for ontology errors."""

    catalogue = Errors
    package = "ontology"


class UnknownClass(OntologyError):
    """A name that is not a class of the ontology."""


class UnknownPredicate(OntologyError):
    """A name that is not a predicate (object property) of the ontology."""


class UnknownLabel(OntologyError):
    """A model label that no mapping table maps."""


class UnknownTerm(UnknownClass, UnknownPredicate):
    """A name that is neither a class nor a predicate (catchable as either)."""


class ReasonerError(OntologyError):
    """The OWL reasoner could not run (no Java, HermiT failure)."""


class RdfFormatError(OntologyError):
    """An RDF file that cannot be parsed (or whose format cannot be told); says where, when known."""

    def __init__(self, error: Errors, *, path: str | None = None, line: int | None = None,
                 column: int | None = None, **kwargs: object) -> None:
        super().__init__(error, path=path, **kwargs)
        self.path = path
        self.line = line
        self.column = column


class RdfContentError(OntologyError):
    """RDF that parses but is not a GovKG export (a node lacks a required property, a bad value)."""
