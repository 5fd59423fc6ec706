"""Exceptions raised by the graph package. `api/` maps them to HTTP in one place."""
from __future__ import annotations


class GraphError(Exception):
    """Base class for every error raised by a graph store or the Neo4j server manager."""

    code = "G000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message


class StoreUnavailable(GraphError):
    """The store cannot be reached (server down, wrong credentials, unreadable file)."""

    code = "G001"


class NotFound(GraphError):
    """An id that the store does not hold."""

    code = "G002"


class InvalidStoreUrl(GraphError):
    """A --store URL or setting that names no known store."""

    code = "G003"


class WriteFailed(GraphError):
    """A write that did not commit; nothing of it was kept."""

    code = "G004"


class Neo4jServerError(GraphError):
    """The local Neo4j server could not be provisioned, started or stopped."""

    code = "G010"
