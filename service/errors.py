"""All error messages of the service layer's read-side use cases (service/queries.py), with codes, and their
exceptions (see core/errors.py); `api/errors.py` maps them to HTTP (422)."""
from __future__ import annotations

from core.errors import Catalogue, GovKGError


class Errors(Catalogue):
    S001 = "unknown type {type!r}; known types: {known}"
    S002 = "the query is empty"


class QueryError(GovKGError):
    """A read request with bad input (an unknown ontology class, an empty query): the caller's to fix."""

    catalogue = Errors
    package = "service"
