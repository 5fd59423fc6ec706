"""How to reach a Neo4j server: the URL schemes that name one and the connection settings."""
from __future__ import annotations

from dataclasses import dataclass

NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class Neo4jConnection:
    uri: str
    user: str
    password: str
    database: str
    batch_size: int
