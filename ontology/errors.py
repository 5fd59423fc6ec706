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
