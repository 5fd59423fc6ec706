"""`govkg bench explorer`: neighbourhood, path and search latencies over the projection, as the explorer
asks them, for everything or as one department's reader sees the graph."""
from __future__ import annotations

import random
import statistics
import time
from typing import Any

from graph import explorer
from graph.explorer import Filters
from graph.visibility import Scope
from service.components import Services


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
            "max_ms": round(ordered[-1], 2)}


def run_explorer_bench(services: Services, scope: Scope | None, samples: int, seed: int) -> dict[str, Any] | None:
    """The benchmark's JSON, or None when the graph (as `scope` sees it) is empty."""
    started = time.perf_counter()
    projection = services.projections.get(scope)
    build_ms = (time.perf_counter() - started) * 1000
    # allShortestPaths on Neo4j (unfiltered only: a reader's paths run over its own projection)
    finder = explorer.path_finder(services.store, scope)
    rng = random.Random(seed)
    connected = [n for n in projection.graph.nodes if projection.undirected.degree(n) > 0]
    pool = connected or list(projection.graph.nodes)
    if not pool:
        return None
    picks = [rng.choice(pool) for _ in range(samples)]
    names = [projection.graph.nodes[n]["name"] for n in picks]
    timings: dict[str, list[float]] = {"neighbourhood": [], "paths": [], "search": []}
    for index, entity in enumerate(picks):
        t = time.perf_counter()
        explorer.neighbourhood(services.projections.get(scope), entity, 2, Filters(), 200)
        timings["neighbourhood"].append((time.perf_counter() - t) * 1000)
        target = picks[(index + 1) % len(picks)]
        t = time.perf_counter()
        explorer.paths(services.projections.get(scope), entity, target, 4, 3, finder)
        timings["paths"].append((time.perf_counter() - t) * 1000)
        query = names[index][: max(3, len(names[index]) // 2)]
        t = time.perf_counter()
        services.store.search_entities(query, limit=10, scope=scope)
        timings["search"].append((time.perf_counter() - t) * 1000)
    stats = services.store.stats(scope=scope)
    return {
        "store": stats.store, "scope": None if scope is None else {"departments": sorted(scope.departments),
                                                                    "labels": sorted(scope.labels)},
        "entities": stats.entities, "facts": stats.facts, "samples": samples,
        "projection_build_ms": round(build_ms, 1),
        **{name: percentiles(values) for name, values in timings.items()},
    }
