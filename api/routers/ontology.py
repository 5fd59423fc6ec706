"""GET /ontology: the classes and predicates of the ontology, for clients that build queries or forms."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from api.deps import ServicesDep

router = APIRouter(tags=["ontology"])


class ClassView(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    iri: str
    label: str
    alt_labels: list[str]
    comment: str
    parents: list[str]  # direct superclasses
    ancestors: list[str]  # the class itself, then its superclasses up to Entity, nearest first


class PredicateView(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    iri: str
    label: str
    alt_labels: list[str]
    comment: str
    domain: list[str]  # class names; a subject of any subclass fits
    range: list[str]
    inverse: str | None  # a symmetric predicate is its own inverse
    symmetric: bool
    wikidata: list[str]  # Wikidata property ids, exact matches first


class OntologyView(BaseModel):
    model_config = ConfigDict(frozen=True)

    namespace: str
    classes: list[ClassView]
    predicates: list[PredicateView]


@router.get("/ontology", response_model=OntologyView)
def get_ontology(services: ServicesDep) -> OntologyView:
    """Every class (with its ancestors) and every predicate (domain, range, inverse), sorted by name."""
    onto = services.ontology
    return OntologyView(
        namespace=onto.namespace,
        classes=[
            ClassView(name=c.name, iri=c.iri, label=c.label, alt_labels=c.alt_labels, comment=c.comment,
                      parents=c.parents, ancestors=onto.ancestors(c.name))
            for c in onto.classes()
        ],
        predicates=[
            PredicateView(name=p.name, iri=p.iri, label=p.label, alt_labels=p.alt_labels, comment=p.comment,
                          domain=p.domain, range=p.range, inverse=p.inverse, symmetric=p.symmetric,
                          wikidata=p.wikidata)
            for p in onto.predicates()
        ],
    )
