"""Open the store a URL names: `sqlite` (the default file), `sqlite:///path`, `bolt://`, `neo4j://`.

The stores register here by URL scheme (kind "store", extraction/registry.py): "sqlite", and each Neo4j
scheme ("bolt", "neo4j", "bolt+s", ...); `open_store` builds the one a URL's scheme names.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from extraction.registry import create, names, register
from graph.errors import Errors, InvalidStoreUrl
from graph.neo4j.connection import NEO4J_SCHEMES, Neo4jConnection
from graph.store import GraphStore

__all__ = ["NEO4J_SCHEMES", "Neo4jConnection", "StoreResources", "open_store", "parse_sqlite_path", "store_scheme"]


@dataclass(frozen=True)
class StoreResources:
    """What a store factory may use: the URL, the default SQLite file, the Neo4j connection settings."""

    url: str
    default_sqlite: Path
    neo4j: Neo4jConnection | None = None


def parse_sqlite_path(url: str, default: Path) -> Path | None:
    """The file a sqlite URL names, or None when the URL is not a sqlite one."""
    if url in ("sqlite", "sqlite://", "sqlite:///"):
        return default
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") - 1 :]) if url.startswith("sqlite:////") else Path(url[len("sqlite:///") :])
    return None


def store_scheme(url: str) -> str:
    """The name of the store a URL names: its scheme ("sqlite" for the bare `sqlite`)."""
    return "sqlite" if url == "sqlite" else urlparse(url).scheme


def open_store(url: str, default_sqlite: Path, neo4j: Neo4jConnection | None = None) -> GraphStore:
    scheme = store_scheme(url)
    if scheme not in names("store"):
        raise _unknown_store(url)
    return create("store", scheme, StoreResources(url, default_sqlite, neo4j))


def _unknown_store(url: str) -> InvalidStoreUrl:
    return InvalidStoreUrl(Errors.G003, url=url, schemes=", ".join(s + "://" for s in NEO4J_SCHEMES))


@register("store", "sqlite")
def _sqlite_store(resources: StoreResources) -> GraphStore:
    path = parse_sqlite_path(resources.url, resources.default_sqlite)
    if path is None:  # "sqlite:" but not a file path ("sqlite://host/...")
        raise _unknown_store(resources.url)
    from graph.sqlite.store import SqliteStore

    return SqliteStore(path)


def _neo4j_store(resources: StoreResources) -> GraphStore:
    if resources.neo4j is None:
        raise InvalidStoreUrl(Errors.G040, url=resources.url)
    from graph.neo4j.store import Neo4jStore

    return Neo4jStore.connect(resources.neo4j)


for _scheme in NEO4J_SCHEMES:
    register("store", _scheme)(_neo4j_store)
