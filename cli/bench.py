"""`govkg bench …`: every benchmark, each printing JSON (speed and memory targets are checked here). The
measuring lives in tools/bench/, extraction/ and qa/; these commands read their options and print."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, cast

import typer

from cli.app import (
    DataFormatOpt,
    JsonOnlyOpt,
    JsonOpt,
    ModeOpt,
    QuestionsOpt,
    StoreOpt,
    ThreadsOpt,
    bench_app,
    opened,
    settings_of,
    use_threads,
)
from cli.output import err_console, fail, print_json
from extraction.errors import ExtractionError
from qa.errors import QaError
from service.components import default_gazetteer_dir


@bench_app.command("load")
def bench_load(
    ctx: typer.Context,
    store: Annotated[str, typer.Option("--store", help="Store to load into (sqlite:///file.db or a Neo4j URI).")],
    facts: Annotated[int, typer.Option("--facts", min=1, help="How many distinct facts.")] = 100_000,
    facts_per_document: Annotated[int, typer.Option(min=1, help="Facts per simulated document (one write each).")]
    = 10_000,
    naive_sample: Annotated[int, typer.Option(min=1, help="Facts written one transaction each.")] = 2_000,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the benchmark documents (department 'Benchmark').")]
    = False,
    ceiling: Annotated[bool, typer.Option("--ceiling", help="Neo4j: also time the lightest graph model (bare typed "
                                          "relationships, 1 and 2 writers) on the same facts.")] = False,
    as_json: JsonOnlyOpt = False,
) -> None:
    """Write N realistic facts through the production path and a sample through a naive one."""
    from extraction.gazetteer.entries import load_entries
    from tools.bench.load import plan_facts, run_load_bench
    from tools.bench.naive import neo4j_naive_writer, sqlite_naive_writer

    settings = settings_of(ctx)
    say = _say(as_json)
    with opened(ctx, store, as_json, errors=(ValueError,)) as services:
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
    as_json: JsonOnlyOpt = False,
) -> None:
    """Neighbourhood (depth 2, limit 200), path and search latencies, p50/p95, in milliseconds; with
    --department, as that department's reader sees the graph (see also `bench access`, over HTTP)."""
    from graph.visibility import Scope
    from tools.bench.explorer import run_explorer_bench

    scope = Scope.of(department, label or ()) if department else None
    with opened(ctx, store, as_json) as services:
        result = run_explorer_bench(services, scope, samples, seed)
    if result is None:
        fail("the graph is empty: import documents first", as_json)
    print_json(result)


@bench_app.command("access")
def bench_access(
    ctx: typer.Context,
    department: Annotated[list[str], typer.Option("--department", "-d", help="The reader token's department(s).")],
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Labels the reader holds.")] = None,
    store: Annotated[str | None, typer.Option("--store", help="Store to query (default: settings).")] = None,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds of the request mix (each request as both tokens).")] = 100,
    lookup_names: Annotated[int, typer.Option(min=1, max=1000, help="Names in each POST /entities/lookup.")] = 100,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 7,
    as_json: JsonOnlyOpt = False,
) -> None:
    """Filtered (a department reader's token) against unfiltered (an admin token) reads over real HTTP, taking
    turns: p50/p95 per endpoint and their ratio, and the token check alone."""
    from tools.bench.access import run_access_bench

    with opened(ctx, store, as_json, errors=(ValueError, RuntimeError)) as services:
        result = run_access_bench(services, department, label or [], rounds, lookup_names, seed, _say(as_json))
    print_json(result)


@bench_app.command("api")
def bench_api(
    ctx: typer.Context,
    rate: Annotated[float, typer.Option("--rate", help="Requests per second (open loop, at most 2,000).")] = 200,
    duration: Annotated[float, typer.Option("--duration", help="Seconds of load (at most 600).")] = 30,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Server worker processes.")] = 2,
    ask_users: Annotated[int, typer.Option(min=0, max=32, help="Concurrent /ask users after the load (0: none).")]
    = 5,
    ask_questions: Annotated[Path | None, typer.Option(help="JSONL questions for /ask (default: the shipped QA "
                                                                 "fixture questions, or generated ones).")] = None,
    ask_count: Annotated[int, typer.Option(min=1, max=1000, help="How many /ask questions in all.")] = 20,
    store: Annotated[str | None, typer.Option("--store", help="Store to serve (default: settings).")] = None,
    mix: Annotated[str, typer.Option(help="Request kinds and weights: search (GET /entities?q=), entity "
                                          "(GET /entities/{id}), neighbourhood.")]
    = "search=0.5,entity=0.3,neighbourhood=0.2",
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 7,
    as_json: JsonOnlyOpt = False,
) -> None:
    """Load on the HTTP API over loopback: search / entity detail / neighbourhood at --rate for --duration
    (p50/p95/p99, errors), then /ask with concurrent users (p95)."""
    import json

    from tools.bench.api_load import parse_mix, run_api_bench

    with opened(ctx, store, as_json, errors=(ValueError, RuntimeError, OSError)) as services:
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
                               str(config) if config else None, seed, _say(as_json), parse_mix(mix))
    print_json(result)


@bench_app.command("ner")
def bench_ner(
    ctx: typer.Context,
    model: Annotated[Path, typer.Option("--model", help="Model folder.")],
    data: Annotated[Path, typer.Option("--data", help="Labelled data to time and score on.")],
    data_format: DataFormatOpt = "auto",
    threads: ThreadsOpt = None,
    as_json: JsonOnlyOpt = False,
) -> None:
    """F1 and words/s of the fp32 model and of its int8 dynamic quantization, side by side."""
    from extraction.ner.data import load_dataset
    from extraction.ner.evaluate import evaluate_tagger
    from extraction.ner.tagger import NerTagger

    count = use_threads(ctx, threads)
    try:
        examples = load_dataset(data, data_format).examples
        fp32, int8 = (evaluate_tagger(NerTagger.from_folder(model, quantize=quantize), examples)
                      for quantize in (False, True))
    except ExtractionError as exc:
        fail(str(exc), as_json)
    print_json({
        "model": str(model), "data": str(data), "words": fp32.words,
        "fp32": {"f1": fp32.f1, "words_per_second": fp32.words_per_second, "seconds": fp32.seconds},
        "int8": {"f1": int8.f1, "words_per_second": int8.words_per_second, "seconds": int8.seconds},
        "int8_f1_delta_points": round((int8.f1 - fp32.f1) * 100, 2),
        "threads": count,
    })


@bench_app.command("extract")
def bench_extract(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option("--data", help="A folder (or file) of documents, e.g. ../shared/data/sotu.")],
    ner_model: Annotated[Path | None, typer.Option("--ner-model", help="Default: models.ner_model.")] = None,
    re_model: Annotated[Path | None, typer.Option(
        "--re-model", help="Add the typed-marker relation model ('transformer') from this folder.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N files.")] = None,
    threads: ThreadsOpt = None,
    as_json: JsonOnlyOpt = False,
) -> None:
    """Extraction end to end over a corpus (segment → recognize → resolve → relations → validate, no store),
    twice over the same documents in one run, taking turns per document: without relation extractors ("ner")
    and with the configured ones ("ner_re"); words/s of each and their ratio, facts, peak memory.
    Recognizers as configured (the gazetteer, the government rules and the NER model once built);
    --ner-model forces the NER model."""
    import resource

    from extraction.importer import collect_files
    from extraction.loaders import load_file
    from extraction.records import Document, document_id
    from service.components import build_services
    from tools.bench.api_load import cpu_name
    from tools.bench.throughput import compare

    settings = settings_of(ctx).model_copy(deep=True)
    if ner_model:
        settings.models.ner_model = ner_model
    configured = build_services(settings)  # only to read the configured recognizers and relation extractors
    if ner_model and "transformer" not in configured.recognizers:
        settings.pipeline.recognizers = [*configured.recognizers, "transformer"]
    if re_model:
        settings.models.re_model = re_model
        settings.pipeline.relation_extractors = [*(e for e in configured.relation_extractors if e != "transformer"),
                                                 "transformer"]
    files, _ = collect_files([data])
    files = files[:limit] if limit else files
    documents = []
    for path in files:
        for loaded in load_file(path, settings.imports.max_file_bytes):
            if not isinstance(loaded, ExtractionError):
                documents.append(Document(id=document_id(loaded.text), text=loaded.text, title=path.stem,
                                          source_path=str(path), source_name=path.name, format=loaded.format))
    if not documents:
        fail(f"no documents under {data}", as_json)
    with opened(ctx, as_json=as_json, errors=(ExtractionError,), settings=settings) as full:
        bare_settings = settings.model_copy(deep=True)
        bare_settings.pipeline.recognizers = full.recognizers
        bare_settings.pipeline.relation_extractors = []
        with opened(ctx, as_json=as_json, errors=(ExtractionError,), settings=bare_settings) as bare:
            count = use_threads(ctx, threads)
            ner, ner_re = compare([("ner", bare.pipeline), ("ner_re", full.pipeline)], documents,
                                  progress=None if as_json else err_console.print)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_json({
        "data": str(data), "documents": len(documents), "ner": ner, "ner_re": ner_re,
        "ratio": round(ner_re.words_per_second / ner.words_per_second, 3) if ner.words_per_second else 0.0,
        "peak_memory_mib": round(peak_mib, 1), "threads": count,
        "quantize": settings.models.quantize, "recognizers": full.recognizers,
        "relation_extractors": full.relation_extractors, "cpu": cpu_name(),
    })


@bench_app.command("qa")
def bench_qa(
    ctx: typer.Context,
    questions: QuestionsOpt,
    store: StoreOpt = None,
    mode: ModeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Latencies alone: model loading at start-up (as `govkg serve` does before it listens), the first
    question after it, then every question, p50/p95 per stage, in milliseconds."""
    from cli.progress import CountingBar
    from qa.evaluation import load_questions
    from qa.models import Mode
    from tools.bench.qa import run_qa_bench

    with opened(ctx, store, as_json, errors=(QaError,)) as services:
        items = load_questions(questions)
        with CountingBar(len(items), "asking", not as_json) as advance:
            chosen = cast(Mode, mode or services.settings.qa.mode)  # QaPipeline.ask checks it (Q010)
            result = run_qa_bench(services, items, chosen, advance)
    print_json(result)


def _say(as_json: bool) -> Callable[[str], None]:
    """Progress lines on stderr, or none with --json."""
    return (lambda _: None) if as_json else (lambda message: err_console.print(message, highlight=False))
