"""Exceptions raised by the ontology package."""
from __future__ import annotations


class OntologyError(Exception):
    """Base class for ontology errors."""

    code = "O000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message


class UnknownClass(OntologyError):
    code = "O001"


class UnknownPredicate(OntologyError):
    code = "O002"


class UnknownLabel(OntologyError):
    """A model label that no mapping table maps."""

    code = "O003"


class UnknownTerm(UnknownClass, UnknownPredicate):
    """A name that is neither a class nor a predicate (catchable as either)."""

    code = "O004"


class ReasonerError(OntologyError):
    """The OWL reasoner could not run (no Java, HermiT failure)."""

    code = "O005"


class RdfFormatError(OntologyError):
    """An RDF file that cannot be parsed (or whose format cannot be told); says where, when known."""

    code = "O010"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


class RdfContentError(OntologyError):
    """RDF that parses but is not a GovKG export (a node lacks a required property, a bad value)."""

    code = "O011"
