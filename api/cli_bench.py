"""`govkg bench ...`: benchmarks that print JSON (speed and memory targets are checked here)."""
from __future__ import annotations

from typing import Annotated

import typer

from api.output import err_console, fail, print_json
from api.services import build_services, default_gazetteer_dir
from graph.errors import GraphError

bench_app = typer.Typer(help="Benchmarks; each prints JSON.", no_args_is_help=True)


@bench_app.command("load")
def bench_load(
    ctx: typer.Context,
    store: Annotated[str, typer.Option("--store", help="Store to load into (sqlite:///file.db or a Neo4j URI).")],
    facts: Annotated[int, typer.Option("--facts", min=1, help="How many distinct facts.")] = 100_000,
    facts_per_document: Annotated[int, typer.Option(min=1, help="Facts per simulated document (one write each).")] = 10_000,
    naive_sample: Annotated[int, typer.Option(min=1, help="Facts written one transaction each.")] = 2_000,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the benchmark documents (department 'Benchmark').")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Write N realistic facts through the production path and a sample through a naive one."""
    from extraction.gazetteer.entries import load_entries
    from graph.bench_load import plan_facts, run_load_bench
    from graph.bench_naive import neo4j_naive_writer, sqlite_naive_writer

    settings = ctx.find_root().obj
    services = build_services(settings, store)
    say = (lambda _: None) if as_json else (lambda m: err_console.print(m, highlight=False))
    try:
        plan = plan_facts(load_entries(settings.pipeline.gazetteer_dir or default_gazetteer_dir()), facts,
                          facts_per_document)
        connection = services.neo4j_connection()
        naive = (neo4j_naive_writer(connection.uri, connection.user, connection.password, connection.database)
                 if connection else sqlite_naive_writer())
        with naive as write:
            result = run_load_bench(services.store, plan, write, naive_sample, progress=say)
        if not keep:
            say("removing the benchmark documents")
            for graph in plan.graphs:
                services.store.delete_document(graph.document.id)
    except (GraphError, ValueError) as exc:
        fail(getattr(exc, "message", str(exc)), as_json)
    finally:
        services.close()
    print_json(result)
