"""The graph as networkx sees it: entities as nodes, facts as edges, built from any GraphStore
and cached until the store changes (imports, deletions); serves neighbourhoods, paths,
centrality and communities the same way on both stores."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import networkx as nx

from graph.store import EntityInfo, FactEdge, GraphStore
from graph.visibility import Scope


@dataclass
class Projection:
    version: tuple[int, ...]
    graph: nx.MultiDiGraph  # nodes: entity id → {name, type, departments, mention_count}; edges keyed by fact id
    _undirected: nx.Graph | None = field(default=None, repr=False)
    _pagerank: dict[str, float] | None = field(default=None, repr=False)
    _communities: list[set[str]] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def undirected(self) -> nx.Graph:
        """One edge per connected pair, weighted by the best confidence times support."""
        with self._lock:
            if self._undirected is None:
                simple = nx.Graph()
                simple.add_nodes_from(self.graph.nodes(data=True))
                for source, target, data in self.graph.edges(data=True):
                    weight = data["confidence"] * data["support"]
                    if simple.has_edge(source, target):
                        simple[source][target]["weight"] += weight
                    else:
                        simple.add_edge(source, target, weight=weight)
                self._undirected = simple
            return self._undirected

    @property
    def pagerank(self) -> dict[str, float]:
        if self._pagerank is None:
            graph = self.undirected
            self._pagerank = nx.pagerank(graph, weight="weight") if graph.number_of_edges() else {
                n: 1.0 / max(1, graph.number_of_nodes()) for n in graph.nodes}
        return self._pagerank

    @property
    def communities(self) -> list[set[str]]:
        if self._communities is None:
            graph = self.undirected
            connected = graph.subgraph(n for n in graph.nodes if graph.degree(n) > 0)
            found = (nx.community.louvain_communities(connected, weight="weight", seed=42)
                     if connected.number_of_edges() else [])
            self._communities = sorted(found, key=lambda c: (-len(c), min(c)))
        return self._communities


def build_projection(store: GraphStore, version: tuple[int, ...], scope: Scope | None = None) -> Projection:
    """The projection of what `scope` may see (everything when None): no edge of an invisible fact, so no
    path runs through one, and names, counts and departments from visible documents only."""
    graph = nx.MultiDiGraph()
    infos: dict[str, EntityInfo] = store.entity_infos(None, scope=scope)
    for info in infos.values():
        graph.add_node(info.id, name=info.name, type=info.type, departments=info.departments,
                       mention_count=info.mention_count)
    edge: FactEdge
    for edge in store.fact_edges(scope=scope):
        graph.add_edge(edge.subject_id, edge.object_id, key=edge.id, predicate=edge.predicate,
                       confidence=edge.confidence, support=edge.support)
    return Projection(version=version, graph=graph)


class ProjectionCache:
    """One projection per visibility scope (the `max_scopes` most recently used), each rebuilt when the
    store's counts change (a cheap query per request)."""

    def __init__(self, store: GraphStore, max_scopes: int = 32) -> None:
        self.store = store
        self.max_scopes = max_scopes
        self._cached: OrderedDict[str, Projection] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, scope: Scope | None = None) -> Projection:
        stats = self.store.stats()
        version = (stats.documents, stats.entities, stats.facts, stats.mentions)
        key = "*" if scope is None else scope.key
        with self._lock:
            current = self._cached.get(key)
            if current is None or current.version != version:
                current = build_projection(self.store, version, scope)
                self._cached[key] = current
            self._cached.move_to_end(key)
            while len(self._cached) > self.max_scopes:
                self._cached.popitem(last=False)
            return current
