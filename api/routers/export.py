"""GET /export: the graph as RDF, of the documents the token may see only."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import PrincipalDep, ServicesDep

router = APIRouter(tags=["export"])

MEDIA_TYPES = {"turtle": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples"}


@router.get("/export", response_class=Response, responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}})
def export(
    services: ServicesDep,
    principal: PrincipalDep,
    format: Annotated[Literal["turtle", "jsonld", "nt"], Query()] = "turtle",
    department: Annotated[str | None, Query(max_length=200, description="Only this department's documents.")] = None,
) -> Response:
    """Entities, facts, documents and mentions as RDF (ontology IRIs, PROV-O provenance), from visible
    documents only: a fact carries only visible sources and an entity only the names those documents give."""
    from ontology.rdf_export import count_nodes, export_graph, serialize

    rdf = export_graph(services.store.iter_document_graphs(department=department, scope=principal.scope),
                       services.ontology)
    text = serialize(rdf, format)
    counts = count_nodes(rdf)
    services.audit.record(principal.name, "export", "ok", target=format, department=department,
                          detail=f"documents {counts['documents']}, facts {counts['facts']}, "
                                 f"triples {counts['triples']}")
    return Response(text, media_type=MEDIA_TYPES[format])
