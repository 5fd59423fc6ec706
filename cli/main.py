"""The `govkg` command line (Typer). Every command a script may call takes --json."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.output import console, emit_report, err_console, fail, print_json
from core.settings import Settings, load_settings
from graph.errors import GraphError
from qa.errors import QaError
from service.auth.errors import AuthError
from service.components import Services, build_services

app = typer.Typer(help="GovKG: knowledge graphs from government documents.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
entities_app = typer.Typer(help="Look up entities.", no_args_is_help=True)
documents_app = typer.Typer(help="List, show and delete documents.", no_args_is_help=True)
facts_app = typer.Typer(help="Facts and the candidates held back at write time.", no_args_is_help=True)
app.add_typer(entities_app, name="entities")
app.add_typer(documents_app, name="documents")
app.add_typer(facts_app, name="facts")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
StoreOpt = Annotated[str | None, typer.Option("--store", help="sqlite, sqlite:///file.db or a Neo4j URI.")]


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", help="TOML settings file (else $GOVKG_CONFIG).")] = None,
) -> None:
    try:
        ctx.obj = load_settings(config)
    except (FileNotFoundError, ValueError) as exc:
        fail(f"bad settings: {exc}")


def _services(ctx: typer.Context, store: str | None) -> Services:
    settings: Settings = ctx.obj
    return build_services(settings, store)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    department: Annotated[str | None, typer.Option("--department", "-d", help="Department owning these documents.")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Access label (repeatable).")] = None,
    reextract: Annotated[bool, typer.Option(
        "--reextract", help="Extract again from documents already imported unchanged (after `make models` "
                            "or a pipeline change); they are rewritten in place.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import documents (txt, md, html, pdf, docx, jsonl) into the knowledge graph."""
    from cli.progress import ImportProgressBar

    services = _services(ctx, store)
    try:
        importer = services.importer(department=department, labels=tuple(label or ()), reextract=reextract)
        with ImportProgressBar(err_console, enabled=err_console.is_terminal) as bar:
            report = importer.import_paths(paths, progress=bar)
    except GraphError as exc:
        services.close()
        fail(str(exc), as_json)
    try:  # the import is done: a store that cannot take the audit line (a full disk) still gets its report
        services.audit.record("cli", "import", "ok" if report.ok else "failed",
                              target=", ".join(str(p) for p in paths)[:500], department=department,
                              detail=f"documents {report.documents_ok} ok, {report.documents_failed} failed, "
                                     f"{report.documents_skipped} skipped")
    except GraphError as exc:
        audit_failed = True
        err_console.print(f"[bold red]the audit log could not be written:[/] {exc}", highlight=False)
    else:
        audit_failed = False
    finally:
        services.close()
    emit_report(report, as_json, _print_import_report)
    if audit_failed:
        raise typer.Exit(1)


def _print_import_report(report) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    table = Table(title="import report", show_header=False)
    for key in ("documents_ok", "documents_replaced", "documents_reextracted", "documents_skipped", "documents_failed", "sentences",
                "words", "mentions", "entities", "facts", "facts_rejected", "facts_low_confidence", "elapsed_s", "documents_per_s", "sentences_per_s"):
        table.add_row(key.replace("_", " "), f"{getattr(report, key):,}")
    console.print(table)
    for failure in report.failures:
        where = f"{failure.path}" + (f" [{failure.record}]" if failure.record else "")
        err_console.print(f"[red]failed[/] {where}: {failure.message}", highlight=False)
    if report.aborted:
        err_console.print(f"[bold red]import stopped:[/] {report.aborted}; rerun the same command to finish", highlight=False)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings: 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings: 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (each loads its own models).")] = 1,
    store: StoreOpt = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    from api.app import create_app

    settings: Settings = ctx.obj
    if workers > 1:  # uvicorn starts the workers from an import string; each builds the app from the settings
        from api import asgi

        host, port = host or settings.api.host, port or settings.api.port
        os.environ[asgi.HOST_ENV] = host
        if store:
            os.environ[asgi.STORE_ENV] = store
        config = ctx.find_root().params.get("config")
        if config:
            os.environ["GOVKG_CONFIG"] = str(config)
        err_console.print(f"GovKG API on http://{host}:{port} with {workers} workers (auth: {settings.api.auth})")
        uvicorn.run("api.asgi:create", factory=True, host=host, port=port, workers=workers, log_level="warning")
        return
    services = _services(ctx, store)
    try:
        services.store  # fail now, not at the first request, when the store is unreachable
    except GraphError as exc:
        fail(str(exc))
    if settings.qa.preload:  # load the QA models before listening: the first question must not wait for them
        err_console.print("loading the question-answering models (qa.preload)…")
        try:
            services.qa.warm_up(generative=settings.qa.mode != "extractive")
        except QaError as exc:
            err_console.print(f"[yellow]question answering will fail:[/] {exc}", highlight=False)
    host, port = host or settings.api.host, port or settings.api.port
    try:
        app_ = create_app(services, host)
    except AuthError as exc:
        fail(str(exc))
    err_console.print(f"GovKG API on http://{host}:{port}  (docs: http://{host}:{port}/docs, store: {services.store.name}, "
                      f"auth: {settings.api.auth})")
    uvicorn.run(app_, host=host, port=port, log_level="info")


@app.command()
def stats(ctx: typer.Context, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Counts of documents, sentences, mentions, entities and facts."""
    with _opened(ctx, store, as_json) as services:
        result = services.store.stats()
    if as_json:
        print_json(result)
    else:
        console.print(result.model_dump())


@entities_app.command("search")
def entities_search(
    ctx: typer.Context,
    query: str,
    type: Annotated[str | None, typer.Option("--type", help="Ontology class (subclasses included).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ranked search over entity names and aliases."""
    from service.queries import search_entities

    with _opened(ctx, store, as_json) as services:
        try:
            hits = search_entities(services, query, type, limit)
        except ValueError as exc:
            fail(str(exc), as_json, code=2)
    if as_json:
        print_json(hits)
        return
    for hit in hits:
        console.print(f"{hit.score:.3f}  {hit.id}  [bold]{hit.name}[/] ({hit.type}, {hit.mention_count} mentions)  matched {hit.matched!r}")


@entities_app.command("show")
def entities_show(ctx: typer.Context, entity_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """An entity with its facts and mentions, each with provenance."""
    from service.queries import entity_detail

    with _opened(ctx, store, as_json) as services:
        detail = entity_detail(services, entity_id)
    if as_json:
        print_json(detail)
        return
    console.print(f"[bold]{detail.name}[/] ({detail.type}) {detail.id}")
    console.print(f"aliases: {', '.join(detail.aliases) or '-'}; departments: {', '.join(detail.departments) or '-'}; "
                  f"{detail.mention_count} mentions")
    for fact in detail.facts:
        console.print(f"  {fact.subject.name} —{fact.predicate}→ {fact.object.name} ({fact.confidence:.2f})")
    for mention in detail.mentions[:10]:
        console.print(f"  “{mention.sentence}” — {mention.document_title}", highlight=False)


@documents_app.command("list")
def documents_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Imported documents."""
    with _opened(ctx, store, as_json) as services:
        documents = services.store.list_documents(limit, offset)
    if as_json:
        print_json(documents)
        return
    for doc in documents:
        console.print(f"{doc.id}  {doc.title}  [{doc.department or '-'}] {doc.sentence_count} sentences, {doc.mention_count} mentions")


@documents_app.command("show")
def documents_show(ctx: typer.Context, document_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """One document with its metadata and text."""
    with _opened(ctx, store, as_json) as services:
        document = services.store.get_document(document_id)
    if as_json:
        print_json(document)
    else:
        console.print(f"[bold]{document.title}[/] ({document.id}, {document.source_name}, {document.department or '-'})")
        console.print(document.text, highlight=False)


@documents_app.command("delete")
def documents_delete(ctx: typer.Context, document_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Delete a document and retract the facts only it supported."""
    with _opened(ctx, store, as_json) as services:
        report = services.store.delete_document(document_id)
        services.audit.record("cli", "delete", "ok", target=document_id,
                              detail=f"facts removed {report.facts_removed}, kept {report.facts_kept}")
    if as_json:
        print_json(report)
    else:
        console.print(report.model_dump())


@facts_app.command("show")
def facts_show(ctx: typer.Context, fact_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """A fact with every provenance row."""
    with _opened(ctx, store, as_json) as services:
        fact = services.store.get_fact(fact_id)
    if as_json:
        print_json(fact)
        return
    console.print(f"{fact.subject.name} —{fact.predicate}→ {fact.object.name} ({fact.confidence:.2f}) {fact.id}")
    for prov in fact.provenance:
        console.print(f"  “{prov.sentence}” — {prov.document_title} [{prov.extractor.name} {prov.extractor.version}]",
                      highlight=False)


@facts_app.command("candidates")
def facts_candidates(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="rejected or low_confidence (default: both).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Facts held back at write time: outside the ontology's domain/range, or below the threshold."""
    if status not in (None, "rejected", "low_confidence"):
        fail(f"unknown status {status!r}: use rejected or low_confidence", as_json, code=2)
    with _opened(ctx, store, as_json) as services:
        held = services.store.fact_candidates(status, limit)
    if as_json:
        print_json(held)
        return
    for c in held:
        console.print(f"[{c.status}] {c.subject.name} —{c.predicate}→ {c.object.name} ({c.confidence:.2f}): {c.reason}",
                      highlight=False)


class _opened:
    """Open the services for one command; store errors become a clear message and exit 1."""

    def __init__(self, ctx: typer.Context, store: str | None, as_json: bool) -> None:
        self.services = _services(ctx, store)
        self.as_json = as_json

    def __enter__(self) -> Services:
        return self.services

    def __exit__(self, exc_type, exc, tb) -> bool:  # type: ignore[no-untyped-def]
        self.services.close()
        if isinstance(exc, GraphError):
            fail(str(exc), self.as_json)
        return False


def _mount_neo4j() -> None:
    from cli.neo4j import build_app
    from tools.neo4j_server import Neo4jServerConfig

    def config(ctx: typer.Context) -> Neo4jServerConfig:
        settings: Settings = ctx.find_root().obj
        conf = settings.neo4j
        extra: dict[str, object] = {"jar_cache": conf.jar_cache} if conf.jar_cache else {}
        if conf.version:
            extra["version"] = conf.version
        return Neo4jServerConfig(home=settings.neo4j_home.resolve(), bolt_port=conf.bolt_port,
                                 http_port=conf.http_port, heap=conf.heap, pagecache=conf.pagecache,
                                 user=conf.user, **extra)

    app.add_typer(build_app(config), name="neo4j")


_mount_neo4j()


def _mount_bench() -> None:
    from cli import joint as cli_joint
    from cli import models as cli_models
    from cli import relations as cli_relations
    from cli.bench import bench_app

    app.add_typer(bench_app, name="bench")
    cli_models.register(app, bench_app)
    cli_relations.register(bench_app)
    cli_joint.register()  # `train joint`, `evaluate joint`


_mount_bench()


def _mount_rdf_and_records() -> None:
    from cli import auth as cli_auth
    from cli import facts as cli_facts
    from cli import qa as cli_qa
    from cli import rdf as cli_rdf
    from cli import records as cli_records

    cli_auth.register(app)  # `tokens`, `audit`
    cli_rdf.register(app)
    cli_records.register(app)
    cli_qa.register(app)  # after _mount_bench: adds to the evaluate and bench sub-apps
    cli_facts.register()  # adds `facts` to the evaluate sub-app


_mount_rdf_and_records()


def main() -> None:
    app()
