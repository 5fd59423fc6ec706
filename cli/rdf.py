"""`govkg export`, `govkg import-rdf` and `govkg validate-rdf`: the graph as RDF and back."""
from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from cli.app import JsonOpt, StoreOpt, app, opened
from cli.output import console, err_console, fail, print_json
from ontology.errors import OntologyError, RdfFormatError


class RdfFormat(str, Enum):
    turtle = "turtle"
    jsonld = "jsonld"
    nt = "nt"


FormatOpt = Annotated[RdfFormat | None, typer.Option(
    "--format", "-f", help="turtle, jsonld or nt (default: from the file suffix, else turtle).")]


def _error(exc: Exception) -> str:
    if isinstance(exc, OntologyError):
        return str(exc)  # "[O010] ..." keeps the code
    return getattr(exc, "message", None) or str(exc)


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    format: FormatOpt = None,
    department: Annotated[str | None, typer.Option(
        "--department", "-d", help="Only this department's documents.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the graph as RDF (ontology IRIs, PROV-O provenance): entities, facts, documents, mentions."""
    from ontology.rdf_export import count_nodes, export_graph, format_for, serialize

    if format is not None:
        fmt = format.value
    else:
        try:
            fmt = format_for(str(out)) if out is not None else "turtle"
        except RdfFormatError:
            fmt = "turtle"
    started = time.perf_counter()
    with opened(ctx, store, as_json, errors=(OntologyError,), describe=_error) as services:
        rdf = export_graph(services.store.iter_document_graphs(department=department), services.ontology)
        text = serialize(rdf, fmt)
        counts = count_nodes(rdf)
        services.audit.record("cli", "export", "ok", target=fmt, department=department,
                              detail=f"documents {counts['documents']}, facts {counts['facts']}, "
                                     f"triples {counts['triples']}")
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {out}: {exc}", as_json)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    summary = {**count_nodes(rdf), "format": fmt, "department": department,
               "out": str(out) if out is not None else None, "elapsed_s": round(time.perf_counter() - started, 3)}
    if department is not None and summary["documents"] == 0:
        err_console.print(f"[yellow]warning:[/] no documents in department {department!r}", highlight=False)
    if out is not None and as_json:
        print_json(summary)
    elif out is not None:
        console.print(f"wrote {summary['triples']:,} triples ({summary['documents']} documents, "
                      f"{summary['entities']} entities, {summary['facts']} facts, {summary['candidates']} candidates) "
                      f"as {fmt} to {out} in {summary['elapsed_s']} s", highlight=False)
    else:  # stdout holds the RDF; the summary goes to stderr
        err_console.print(f"exported {summary['triples']:,} triples ({summary['documents']} documents, "
                          f"{summary['entities']} entities, {summary['facts']} facts) as {fmt} "
                          f"in {summary['elapsed_s']} s", highlight=False)


@app.command("import-rdf")
def import_rdf_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An export: .ttl, .jsonld/.json or .nt.")],
    format: FormatOpt = None,
    merge: Annotated[bool, typer.Option("--merge", help="Add to a store that already holds documents.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load an RDF export into the store (an empty one unless --merge)."""
    from ontology.rdf_import import graphs_from_rdf, load_rdf

    started = time.perf_counter()
    with opened(ctx, store, as_json, errors=(OntologyError,), describe=_error) as services:
        before = services.store.stats()
        if not merge and (before.documents or before.entities):
            fail(f"the store ({services.store.name}) is not empty: it holds {before.documents} documents and "
                 f"{before.entities} entities. import-rdf fills an empty store; pass --merge to add these "
                 f"documents to it (a document with the same id is replaced), or name an empty store with "
                 f"--store sqlite:///new.db", as_json)
        rdf = load_rdf(file, format.value if format is not None else None)
        graphs = graphs_from_rdf(rdf, services.ontology)
        for graph in graphs:
            services.store.write(graph)
        after = services.store.stats()
    result = {
        "file": str(file),
        "triples": len(rdf),
        "documents": len(graphs),
        "sentences": sum(len(g.sentences) for g in graphs),
        "mentions": sum(len(g.mentions) for g in graphs),
        "entities": len({e.id for g in graphs for e in g.entities}),
        "facts": len({f.id for g in graphs for f in g.facts}),
        "candidates": sum(len(g.candidates) for g in graphs),
        "merged": merge,
        "store": after.model_dump(mode="json"),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    if as_json:
        print_json(result)
        return
    console.print(f"imported {result['documents']} documents, {result['sentences']:,} sentences, "
                  f"{result['mentions']:,} mentions, {result['entities']} entities, {result['facts']} facts and "
                  f"{result['candidates']} candidate facts from {file} ({result['triples']:,} triples) "
                  f"in {result['elapsed_s']} s", highlight=False)
    console.print(f"store now: {after.documents} documents, {after.sentences:,} sentences, {after.mentions:,} "
                  f"mentions, {after.entities} entities, {after.facts} facts", highlight=False)


@app.command("validate-rdf")
def validate_rdf_cmd(
    file: Annotated[Path, typer.Argument(help="An export: .ttl, .jsonld/.json or .nt.")],
    format: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate an RDF export with pySHACL (ontology/shapes.ttl, the ontology, the export vocabulary)."""
    from ontology.rdf_export import validate_export
    from ontology.rdf_import import load_rdf

    started = time.perf_counter()
    try:
        rdf = load_rdf(file, format.value if format is not None else None)
        report = validate_export(rdf)
    except OntologyError as exc:
        fail(_error(exc), as_json)
    result = {"file": str(file), "triples": len(rdf), "conforms": report.conforms,
              "violations": report.violations, "elapsed_s": round(time.perf_counter() - started, 3)}
    if as_json:
        print_json(result)
    elif report.conforms:
        console.print(f"{file} conforms to the GovKG shapes ({result['triples']:,} triples, "
                      f"{result['elapsed_s']} s)", highlight=False)
    else:
        console.print(f"{file} does not conform: {len(report.violations)} violations", highlight=False)
        for line in report.violations:
            console.print(f"  {line}", highlight=False)
    if not report.conforms:
        raise typer.Exit(1)
