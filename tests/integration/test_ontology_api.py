"""GET /ontology over real HTTP: every class with its ancestors, every predicate with domain and range."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ontology import load_ontology
from service.components import Services

NAMESPACE = "https://govkg.org/ontology#"


@pytest.fixture
def http(services: Services, serve_api, bearer) -> Iterator[httpx.Client]:
    """The real app on a loopback port."""
    with serve_api(services) as base, httpx.Client(base_url=base, timeout=30, headers=bearer(services)) as client:
        yield client


def test_get_ontology_lists_classes_with_their_ancestors(http: httpx.Client):
    response = http.get("/ontology")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["namespace"] == NAMESPACE
    classes = {c["name"]: c for c in body["classes"]}
    assert set(classes) == {c.name for c in load_ontology().classes()} and len(classes) == 24
    agency = classes["Agency"]
    assert agency["iri"] == NAMESPACE + "Agency"
    assert agency["ancestors"] == ["Agency", "GovernmentOrganization", "Organization", "Entity"]
    assert agency["parents"] == ["GovernmentOrganization"]
    assert agency["label"] == "agency" and agency["comment"]
    assert classes["Entity"]["ancestors"] == ["Entity"] and classes["Entity"]["parents"] == []
    for cls in body["classes"]:
        assert cls["ancestors"][0] == cls["name"] and cls["ancestors"][-1] == "Entity"
        assert set(cls["parents"]) <= set(cls["ancestors"])
    assert [c["name"] for c in body["classes"]] == sorted(classes)


def test_get_ontology_lists_predicates_with_domain_range_and_inverse(http: httpx.Client):
    body = http.get("/ontology").json()
    predicates = {p["name"]: p for p in body["predicates"]}
    assert set(predicates) == {p.name for p in load_ontology().predicates()}
    represents = predicates["represents"]
    assert represents["iri"] == NAMESPACE + "represents"
    assert represents["domain"] == ["Person"]
    assert "StateOrRegion" in represents["range"] and set(represents["range"]) <= {"StateOrRegion", "Country"}
    assert "senator from" in represents["alt_labels"]
    assert predicates["headOf"]["inverse"] == "hasHead" and predicates["hasHead"]["inverse"] == "headOf"
    assert predicates["headOf"]["symmetric"] is False
    symmetric = [p for p in body["predicates"] if p["symmetric"]]
    assert symmetric and all(p["inverse"] == p["name"] for p in symmetric)
    assert predicates["memberOf"]["wikidata"][0] == "P463"
    assert set(predicates["memberOf"]) == {"name", "iri", "label", "alt_labels", "comment", "domain", "range",
                                           "inverse", "symmetric", "wikidata"}


def test_ontology_is_in_the_openapi_schema(http: httpx.Client):
    schema = http.get("/openapi.json").json()
    operation = schema["paths"]["/ontology"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/OntologyView")
    assert {"namespace", "classes", "predicates"} <= set(schema["components"]["schemas"]["OntologyView"]["properties"])
