"""`govkg bench access`: the cost of access control, measured over real HTTP in one run.

The same requests go to the running app with an admin token (no visibility filter) and with a department
reader's token (the filter inside every query), taking turns request by request so both see the same
machine state. Reported: p50/p95 per endpoint for each, the p95 ratio filtered/unfiltered, and the token
check alone (microseconds).
"""
from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import httpx
from pydantic import BaseModel

from service.auth.principal import Role
from service.components import Services
from tools.local_server import serve_app


class Latency(BaseModel):
    p50_ms: float
    p95_ms: float


class EndpointTiming(BaseModel):
    endpoint: str
    requests: int
    unfiltered: Latency
    filtered: Latency
    p95_ratio: float  # filtered / unfiltered


class AccessBench(BaseModel):
    store: str
    reader_departments: list[str]
    reader_labels: list[str]
    documents_visible: int
    documents_total: int
    rounds: int
    lookup_names: int
    token_check_us: float  # one bearer-token check, mean over 10,000
    endpoints: list[EndpointTiming]
    worst_p95_ratio: float


def _latency(values: list[float]) -> Latency:
    ordered = sorted(values)
    return Latency(p50_ms=round(statistics.median(ordered), 2),
                   p95_ms=round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2))


def run_access_bench(services: Services, departments: list[str], labels: list[str], rounds: int, lookup_names: int,
                     seed: int, progress: Callable[[str], None]) -> AccessBench:
    """Temporary tokens (an admin and a reader of `departments`) are created for the run and revoked after."""
    from api.app import create_app

    store = services.store
    tokens = services.tokens
    admin = tokens.create("bench-access-admin", [], [], Role.admin, expires_days=1)
    reader = tokens.create("bench-access-reader", departments, labels, Role.reader, expires_days=1)
    try:
        t = time.perf_counter()
        for _ in range(10_000):
            tokens.verify(reader.token)
        token_us = (time.perf_counter() - t) / 10_000 * 1e6
        scope = tokens.verify(reader.token).scope
        visible_docs = len(store.list_documents(limit=1_000_000, scope=scope))
        total_docs = len(store.list_documents(limit=1_000_000))
        rng = random.Random(seed)
        projection = services.projections.get(scope)  # entities the reader may see: both sides can ask for them
        pool = (sorted(n for n in projection.graph.nodes if projection.undirected.degree(n) > 0)
                or sorted(projection.graph.nodes))
        if not pool:
            raise ValueError(f"the reader of {departments} sees no entity: import documents or choose a department")
        names = [projection.graph.nodes[n]["name"] for n in pool]

        def prefix(name: str) -> str:  # the first half of a name, at least 3 characters
            return name[:max(3, len(name) // 2)]

        batch = [{"name": rng.choice(names)} for _ in range(lookup_names)]
        requests: list[tuple[str, Callable[[int], tuple[str, str, dict | None]]]] = [
            ("GET /entities?q=", lambda i: ("GET", "/entities", {"q": prefix(names[i % len(names)])})),
            ("GET /entities/{id}", lambda i: ("GET", f"/entities/{pool[i % len(pool)]}", None)),
            ("GET /graph/neighbourhood (depth 2)",
             lambda i: ("GET", f"/graph/neighbourhood/{pool[i % len(pool)]}", {"depth": 2})),
            ("GET /graph/paths",
             lambda i: ("GET", "/graph/paths", {"source": pool[i % len(pool)],
                                                "target": pool[(i * 7 + 3) % len(pool)]})),
            ("GET /stats", lambda i: ("GET", "/stats", None)),
            ("GET /documents", lambda i: ("GET", "/documents", None)),
            (f"POST /entities/lookup ({lookup_names} names)", lambda i: ("POST", "/entities/lookup", None)),
        ]
        timings: dict[str, dict[str, list[float]]] = {name: {"admin": [], "reader": []} for name, _ in requests}
        with serve_app(create_app(services)) as base, httpx.Client(base_url=base, timeout=120) as http:
            headers = {"admin": {"Authorization": f"Bearer {admin.token}"},
                       "reader": {"Authorization": f"Bearer {reader.token}"}}
            for who in ("admin", "reader"):  # warm both projections and caches before timing
                http.get("/graph/central", headers=headers[who]).raise_for_status()
            for round_ in range(rounds):
                for name, make in requests:
                    method, path, params = make(rng.randrange(1_000_000))
                    order = ("admin", "reader") if round_ % 2 == 0 else ("reader", "admin")
                    for who in order:
                        t = time.perf_counter()
                        if method == "POST":
                            response = http.post(path, json={"names": batch}, headers=headers[who])
                        else:
                            response = http.get(path, params=params, headers=headers[who])
                        elapsed = (time.perf_counter() - t) * 1000
                        if response.status_code not in (200, 404):
                            raise RuntimeError(f"{name} as {who}: HTTP {response.status_code} {response.text[:200]}")
                        timings[name][who].append(elapsed)
                if (round_ + 1) % 10 == 0:
                    progress(f"round {round_ + 1}/{rounds}")
    finally:
        tokens.revoke(admin.info.id)
        tokens.revoke(reader.info.id)
    endpoints = []
    for name, by in timings.items():
        unfiltered, filtered = _latency(by["admin"]), _latency(by["reader"])
        endpoints.append(EndpointTiming(endpoint=name, requests=len(by["admin"]), unfiltered=unfiltered,
                                        filtered=filtered,
                                        p95_ratio=round(filtered.p95_ms / max(unfiltered.p95_ms, 1e-6), 2)))
    return AccessBench(store=store.name, reader_departments=departments, reader_labels=labels,
                       documents_visible=visible_docs, documents_total=total_docs, rounds=rounds,
                       lookup_names=lookup_names, token_check_us=round(token_us, 1), endpoints=endpoints,
                       worst_p95_ratio=max(e.p95_ratio for e in endpoints))
