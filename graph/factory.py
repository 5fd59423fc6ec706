"""Open the store a URL names: `sqlite` (the default file), `sqlite:///path`, `bolt://`, `neo4j://`."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from graph.errors import InvalidStoreUrl
from graph.neo4j.connection import NEO4J_SCHEMES, Neo4jConnection
from graph.store import GraphStore

__all__ = ["NEO4J_SCHEMES", "Neo4jConnection", "open_store", "parse_sqlite_path"]


def parse_sqlite_path(url: str, default: Path) -> Path | None:
    """The file a sqlite URL names, or None when the URL is not a sqlite one."""
    if url in ("sqlite", "sqlite://", "sqlite:///"):
        return default
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") - 1 :]) if url.startswith("sqlite:////") else Path(url[len("sqlite:///") :])
    return None


def open_store(url: str, default_sqlite: Path, neo4j: Neo4jConnection | None = None) -> GraphStore:
    sqlite_path = parse_sqlite_path(url, default_sqlite)
    if sqlite_path is not None:
        from graph.sqlite.store import SqliteStore

        return SqliteStore(sqlite_path)
    scheme = urlparse(url).scheme
    if scheme in NEO4J_SCHEMES:
        if neo4j is None:
            raise InvalidStoreUrl(f"{url}: Neo4j connection settings are missing")
        from graph.neo4j.store import Neo4jStore

        return Neo4jStore.connect(neo4j)
    raise InvalidStoreUrl(
        f"unknown store {url!r}: use 'sqlite', 'sqlite:///path/to/file.db' or a Neo4j URI "
        f"({', '.join(s + '://' for s in NEO4J_SCHEMES)})"
    )
