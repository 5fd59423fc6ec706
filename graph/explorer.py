"""Explorer queries over the projection: neighbourhoods, shortest paths, central entities,
communities; results in Cytoscape.js elements format."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice

import networkx as nx
from pydantic import BaseModel

from graph.errors import Errors, NotFound
from graph.projection import Projection
from graph.store import GraphStore, shortest_paths_of
from graph.visibility import Scope


class NodeData(BaseModel):
    id: str
    label: str
    type: str
    degree: int
    departments: list[str]


class EdgeData(BaseModel):
    id: str
    source: str
    target: str
    predicate: str
    confidence: float
    support: int


class Node(BaseModel):
    data: NodeData


class Edge(BaseModel):
    data: EdgeData


class Elements(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False


class PathResult(BaseModel):
    nodes: list[str]  # entity ids from source to target
    edges: list[EdgeData]  # for each hop, the facts linking the two entities (either direction)


class Paths(BaseModel):
    source: str
    target: str
    paths: list[PathResult]
    elements: Elements


class CentralEntity(BaseModel):
    id: str
    name: str
    type: str
    score: float
    degree: int


class Community(BaseModel):
    id: int
    size: int
    members: list[CentralEntity]  # the most central members first


PathFinder = Callable[[str, str, int, int], list[list[str]]]


def path_finder(store: GraphStore, scope: Scope | None) -> PathFinder | None:
    """The store's own shortest-path search (the SHORTEST_PATHS feature: Neo4j's allShortestPaths) for the
    unscoped graph; None under a scope or on a store without the feature: `paths` then searches the projection
    with networkx (a scope's projection holds only what it may see, so no path runs through an invisible fact)."""
    store_paths = shortest_paths_of(store) if scope is None else None
    return store_paths.shortest_paths if store_paths is not None else None


@dataclass(frozen=True)
class Filters:
    types: frozenset[str] | None = None  # node classes allowed (subclasses expanded by the caller)
    predicates: frozenset[str] | None = None
    departments: frozenset[str] | None = None
    min_confidence: float = 0.0

    def edge_ok(self, data: dict) -> bool:
        return data["confidence"] >= self.min_confidence and (
            self.predicates is None or data["predicate"] in self.predicates)

    def node_ok(self, data: dict) -> bool:
        if self.types is not None and data.get("type") not in self.types:
            return False
        return self.departments is None or bool(self.departments & set(data.get("departments") or ()))


def _node(projection: Projection, node_id: str) -> Node:
    data = projection.graph.nodes[node_id]
    return Node(data=NodeData(id=node_id, label=data["name"], type=data["type"],
                              degree=projection.undirected.degree(node_id), departments=data["departments"]))


def _edge(source: str, target: str, key: str, data: dict) -> EdgeData:
    return EdgeData(id=key, source=source, target=target, predicate=data["predicate"],
                    confidence=data["confidence"], support=data["support"])


def _incident(projection: Projection, node_id: str) -> Iterable[tuple[str, str, str, dict]]:
    yield from projection.graph.out_edges(node_id, keys=True, data=True)
    yield from projection.graph.in_edges(node_id, keys=True, data=True)


def require(projection: Projection, entity_id: str) -> None:
    if entity_id not in projection.graph:
        raise NotFound(Errors.G002, kind="entity", id=entity_id)


def neighbourhood(projection: Projection, entity_id: str, depth: int, filters: Filters, limit: int) -> Elements:
    """Entities within `depth` hops; when over `limit` edges, the most confident, best supported first."""
    require(projection, entity_id)
    seen = {entity_id}
    frontier = [entity_id]
    edges: dict[str, EdgeData] = {}
    for _ in range(depth):
        next_frontier = []
        for node in frontier:
            for source, target, key, data in _incident(projection, node):
                other = target if source == node else source
                if not filters.edge_ok(data):
                    continue
                if not (other == entity_id or filters.node_ok(projection.graph.nodes[other])):
                    continue
                edges[key] = _edge(source, target, key, data)
                if other not in seen:
                    seen.add(other)
                    next_frontier.append(other)
        frontier = next_frontier
    ranked = sorted(edges.values(), key=lambda e: (-e.confidence, -e.support, e.id))
    kept = ranked[:limit]
    nodes = {entity_id} | {e.source for e in kept} | {e.target for e in kept}
    return Elements(nodes=[_node(projection, n) for n in sorted(nodes, key=lambda n: (n != entity_id, n))],
                    edges=[Edge(data=e) for e in kept], truncated=len(ranked) > limit)


def paths(projection: Projection, source: str, target: str, max_length: int, k: int,
          finder: PathFinder | None = None) -> Paths:
    """Up to k shortest paths (hops ≤ max_length), each hop with every fact linking its two entities.

    `finder` is the store's own shortest-path search when it has one (`path_finder`);
    otherwise networkx searches the projection."""
    require(projection, source)
    require(projection, target)
    found: list[list[str]] = []
    if finder is not None:
        found = [p for p in finder(source, target, max_length, k) if all(n in projection.graph for n in p)]
    elif source == target:
        found = [[source]]
    else:
        try:
            found = list(islice(nx.all_shortest_paths(projection.undirected, source, target), k))
        except nx.NetworkXNoPath:
            found = []
        found = [p for p in found if len(p) - 1 <= max_length]
    results, nodes, all_edges = [], set(), {}
    for path in found:
        hops = []
        for a, b in zip(path, path[1:], strict=False):
            for u, v in ((a, b), (b, a)):
                for key, data in (projection.graph.get_edge_data(u, v) or {}).items():
                    edge = _edge(u, v, key, data)
                    hops.append(edge)
                    all_edges[key] = edge
        nodes.update(path)
        results.append(PathResult(nodes=path, edges=hops))
    elements = Elements(nodes=[_node(projection, n) for n in sorted(nodes)],
                        edges=[Edge(data=e) for e in all_edges.values()])
    return Paths(source=source, target=target, paths=results, elements=elements)


def central(projection: Projection, types: frozenset[str] | None, limit: int) -> list[CentralEntity]:
    scores = projection.pagerank
    graph = projection.graph
    ranked = sorted((n for n in graph.nodes if types is None or graph.nodes[n]["type"] in types),
                    key=lambda n: (-scores.get(n, 0.0), -graph.nodes[n]["mention_count"], n))
    return [_central(projection, n) for n in ranked[:limit]]


def _central(projection: Projection, node_id: str) -> CentralEntity:
    data = projection.graph.nodes[node_id]
    return CentralEntity(id=node_id, name=data["name"], type=data["type"],
                         score=round(projection.pagerank.get(node_id, 0.0), 6),
                         degree=projection.undirected.degree(node_id))


def communities(projection: Projection, limit: int, members: int) -> list[Community]:
    out = []
    for index, community in enumerate(projection.communities[:limit]):
        ranked = sorted(community, key=lambda n: (-projection.pagerank.get(n, 0.0), n))[:members]
        out.append(Community(id=index, size=len(community), members=[_central(projection, n) for n in ranked]))
    return out
