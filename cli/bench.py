"""`govkg bench ...`: benchmarks that print JSON (speed and memory targets are checked here)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.output import err_console, fail, print_json
from graph.errors import GraphError
from service.components import build_services, default_gazetteer_dir

bench_app = typer.Typer(help="Benchmarks; each prints JSON.", no_args_is_help=True)


@bench_app.command("load")
def bench_load(
    ctx: typer.Context,
    store: Annotated[str, typer.Option("--store", help="Store to load into (sqlite:///file.db or a Neo4j URI).")],
    facts: Annotated[int, typer.Option("--facts", min=1, help="How many distinct facts.")] = 100_000,
    facts_per_document: Annotated[int, typer.Option(min=1, help="Facts per simulated document (one write each).")] = 10_000,
    naive_sample: Annotated[int, typer.Option(min=1, help="Facts written one transaction each.")] = 2_000,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the benchmark documents (department 'Benchmark').")] = False,
    ceiling: Annotated[bool, typer.Option("--ceiling", help="Neo4j: also time the lightest graph model (bare typed "
                                          "relationships, 1 and 2 writers) on the same facts.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Write N realistic facts through the production path and a sample through a naive one."""
    from extraction.gazetteer.entries import load_entries
    from tools.bench.load import plan_facts, run_load_bench
    from tools.bench.naive import neo4j_naive_writer, sqlite_naive_writer

    settings = ctx.find_root().obj
    services = build_services(settings, store)
    say = (lambda _: None) if as_json else (lambda m: err_console.print(m, highlight=False))
    report: dict[str, object] = {}
    try:
        connection = services.neo4j_connection()
        if ceiling and connection is None:
            fail("--ceiling measures a Neo4j server: give a bolt:// or neo4j:// --store", as_json)
        plan = plan_facts(load_entries(settings.pipeline.gazetteer_dir or default_gazetteer_dir()), facts,
                          facts_per_document)
        naive = (neo4j_naive_writer(connection.uri, connection.user, connection.password, connection.database)
                 if connection else sqlite_naive_writer())
        with naive as write:
            report = run_load_bench(services.store, plan, write, naive_sample, progress=say).model_dump()
        if not keep:
            say("removing the benchmark documents")
            for graph in plan.graphs:
                services.store.delete_document(graph.document.id)
        if ceiling and connection is not None:
            import neo4j

            from tools.bench.ceiling import measure_write_ceiling

            with neo4j.GraphDatabase.driver(connection.uri, auth=(connection.user, connection.password)) as driver:
                report["ceiling"] = measure_write_ceiling(driver, connection.database, plan, connection.batch_size,
                                                          progress=say).model_dump()
    except (GraphError, ValueError) as exc:
        fail(str(exc), as_json)
    finally:
        services.close()
    print_json(report)


@bench_app.command("explorer")
def bench_explorer(
    ctx: typer.Context,
    store: Annotated[str | None, typer.Option("--store", help="Store to query (default: settings).")] = None,
    samples: Annotated[int, typer.Option(min=1, help="Entities sampled from the graph.")] = 200,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 7,
    department: Annotated[list[str] | None, typer.Option(
        "--department", "-d", help="Read as a reader of these departments (the visibility filter on).")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Labels that reader holds.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Neighbourhood (depth 2, limit 200), path and search latencies, p50/p95, in milliseconds; with
    --department, as that department's reader sees the graph (see also `bench access`, over HTTP)."""
    import random
    import statistics
    import time

    from graph import explorer
    from graph.explorer import Filters
    from graph.visibility import Scope

    scope = Scope.of(department, label or ()) if department else None
    services = build_services(ctx.find_root().obj, store)
    try:
        started = time.perf_counter()
        projection = services.projections.get(scope)
        build_ms = (time.perf_counter() - started) * 1000
        # allShortestPaths on Neo4j (unfiltered only: a reader's paths run over its own projection)
        finder = getattr(services.store, "shortest_paths", None) if scope is None else None
        rng = random.Random(seed)
        connected = [n for n in projection.graph.nodes if projection.undirected.degree(n) > 0]
        pool = connected or list(projection.graph.nodes)
        if not pool:
            fail("the graph is empty: import documents first", as_json)
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
    except GraphError as exc:
        fail(str(exc), as_json)
    finally:
        services.close()

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {"p50_ms": round(statistics.median(ordered), 2),
                "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
                "max_ms": round(ordered[-1], 2)}

    print_json({
        "store": stats.store, "scope": None if scope is None else {"departments": sorted(scope.departments),
                                                                    "labels": sorted(scope.labels)},
        "entities": stats.entities, "facts": stats.facts, "samples": samples,
        "projection_build_ms": round(build_ms, 1),
        **{name: summary(values) for name, values in timings.items()},
    })


@bench_app.command("access")
def bench_access(
    ctx: typer.Context,
    department: Annotated[list[str], typer.Option("--department", "-d", help="The reader token's department(s).")],
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Labels the reader holds.")] = None,
    store: Annotated[str | None, typer.Option("--store", help="Store to query (default: settings).")] = None,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds of the request mix (each request as both tokens).")] = 100,
    lookup_names: Annotated[int, typer.Option(min=1, max=1000, help="Names in each POST /entities/lookup.")] = 100,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Filtered (a department reader's token) against unfiltered (an admin token) reads over real HTTP, taking
    turns: p50/p95 per endpoint and their ratio, and the token check alone."""
    from tools.bench.access import run_access_bench

    services = build_services(ctx.find_root().obj, store)
    say = (lambda _: None) if as_json else (lambda m: err_console.print(m, highlight=False))
    try:
        result = run_access_bench(services, department, label or [], rounds, lookup_names, seed, say)
    except (GraphError, ValueError, RuntimeError) as exc:
        fail(str(exc), as_json)
    finally:
        services.close()
    print_json(result)


@bench_app.command("api")
def bench_api(
    ctx: typer.Context,
    rate: Annotated[float, typer.Option("--rate", help="Requests per second (open loop, at most 2,000).")] = 200,
    duration: Annotated[float, typer.Option("--duration", help="Seconds of load (at most 600).")] = 30,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Server worker processes.")] = 2,
    ask_users: Annotated[int, typer.Option(min=0, max=32, help="Concurrent /ask users after the load (0: none).")] = 5,
    ask_questions: Annotated[Path | None, typer.Option(help="JSONL questions for /ask (default: the shipped QA "
                                                                 "fixture questions, or generated ones).")] = None,
    ask_count: Annotated[int, typer.Option(min=1, max=1000, help="How many /ask questions in all.")] = 20,
    store: Annotated[str | None, typer.Option("--store", help="Store to serve (default: settings).")] = None,
    mix: Annotated[str, typer.Option(help="Request kinds and weights: search (GET /entities?q=), entity "
                                          "(GET /entities/{id}), neighbourhood.")] = "search=0.5,entity=0.3,neighbourhood=0.2",
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Load on the HTTP API over loopback: search / entity detail / neighbourhood at --rate for --duration
    (p50/p95/p99, errors), then /ask with concurrent users (p95)."""
    import json

    from tools.bench.api_load import parse_mix, run_api_bench

    services = build_services(ctx.find_root().obj, store)
    say = (lambda _: None) if as_json else (lambda m: err_console.print(m, highlight=False))
    try:
        questions: list[str] = []
        if ask_questions is not None:
            lines = ask_questions.read_text(encoding="utf-8").splitlines()
            questions = [json.loads(line)["question"] for line in lines if line.strip()]
        else:
            names = sorted(i.name for i in services.store.entity_infos(None).values()
                           if i.type in ("Person", "Agency", "Department") and i.mention_count > 1)
            questions = [f"Who is {n}?" if n[:1].isupper() else f"What is {n}?" for n in names]
        questions = (questions * (ask_count // max(1, len(questions)) + 1))[:ask_count] if questions else []
        config = ctx.find_root().params.get("config")
        result = run_api_bench(services, rate, duration, workers, ask_users, questions, store,
                               str(config) if config else None, seed, say, parse_mix(mix))
    except (GraphError, ValueError, RuntimeError, OSError) as exc:
        fail(str(exc), as_json)
    finally:
        services.close()
    print_json(result)
