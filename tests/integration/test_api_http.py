"""The HTTP API over real HTTP (uvicorn on loopback), on a small real corpus, on both stores."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import load_settings
from extraction.records import entity_id
from service.components import Services

DOD = entity_id("agency:DOD")
CORPUS = ["2003_bush_excerpt.txt", "2021_biden_excerpt.md", "1989_bush_excerpt.html", "2020_trump_excerpt.docx"]


@pytest.fixture
def client(services_on_each_store, serve_api, bearer, docs_dir: Path, tmp_path: Path) -> Iterator[httpx.Client]:
    settings = load_settings(data_dir=tmp_path / "data")
    settings.api.max_request_bytes = 200_000
    services: Services = services_on_each_store(settings)
    importer = services.importer(department="Executive Office of the President", labels=("public",))
    report = importer.import_paths([docs_dir / name for name in CORPUS])
    assert report.documents_ok == len(CORPUS)
    importer2 = services.importer(department="Department of Justice")
    assert importer2.import_paths([docs_dir / "2020_trump_latin1.txt"]).documents_ok == 1
    with serve_api(services) as base, httpx.Client(base_url=base, timeout=30, headers=bearer(services)) as http:
        yield http
    services.close()


def test_health_and_stats(client: httpx.Client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["store_ok"] is True
    stats = client.get("/stats").json()
    assert (stats["documents"], stats["entities"], stats["facts"]) == (5, 11, 1)
    assert stats["facts_by_predicate"] == {"represents": 1}


def test_search_finds_one_department_of_defense(client: httpx.Client):
    hits = client.get("/entities", params={"q": "defense"}).json()
    assert hits[0]["id"] == DOD and hits[0]["name"] == "Department of Defense"
    assert [h["id"] for h in hits].count(DOD) == 1
    assert "DOD" in hits[0]["aliases"] and "Defense Department" in hits[0]["aliases"]
    typed = client.get("/entities", params={"q": "defense", "type": "GovernmentOrganization"}).json()
    assert typed[0]["id"] == DOD  # subclasses included
    assert client.get("/entities", params={"q": "defense", "type": "Person"}).json() == []


def test_entity_detail_with_provenance_and_departments(client: httpx.Client):
    detail = client.get(f"/entities/{DOD}").json()
    assert detail["name"] == "Department of Defense" and detail["type"] == "Department"
    assert detail["type_ancestors"][:3] == ["Department", "GovernmentOrganization", "Organization"]
    assert {m["text"] for m in detail["mentions"]} == {"Department of Defense", "Defense Department"}
    assert detail["departments"] == ["Department of Justice", "Executive Office of the President"]
    for mention in detail["mentions"]:
        assert mention["text"] in mention["sentence"] and mention["document_title"]
    grassley = client.get("/entities", params={"q": "Chuck Grassley"}).json()[0]
    facts = client.get(f"/entities/{grassley['id']}").json()["facts"]
    assert facts[0]["predicate"] == "represents" and facts[0]["object"]["name"] == "Iowa"
    provenance = facts[0]["provenance"][0]
    assert provenance["document_title"] == "State of the Union 2020 (excerpt)"
    assert "Senator Chuck Grassley of Iowa" in provenance["sentence"]


def test_documents(client: httpx.Client):
    listed = client.get("/documents").json()
    assert len(listed) == 5
    one = client.get(f"/documents/{listed[0]['id']}").json()
    assert one["id"] == listed[0]["id"] and one["text"]


def test_errors_are_json(client: httpx.Client):
    missing = client.get("/entities/ent_missing")
    assert missing.status_code == 404 and "ent_missing" in missing.json()["error"]["message"]
    assert client.get("/documents/doc_missing").status_code == 404
    bad = client.get("/entities", params={"q": "defense", "limit": 0})
    assert bad.status_code == 422 and "limit" in bad.json()["error"]["message"]
    no_query = client.get("/entities")
    assert no_query.status_code == 422 and "q" in no_query.json()["error"]["message"]
    unknown_type = client.get("/entities", params={"q": "defense", "type": "Spaceship"})
    assert unknown_type.status_code == 422 and "unknown type" in unknown_type.json()["error"]["message"]
    assert client.get("/nowhere").status_code == 404


def test_upload_import_skip_and_reject(client: httpx.Client, docs_dir: Path, bad_dir: Path):
    pdf = (docs_dir / "2017_trump_excerpt.pdf").read_bytes()
    created = client.post("/documents", files={"file": ("2017_trump_excerpt.pdf", pdf, "application/pdf")},
                          data={"department": "Department of Homeland Security", "labels": ["public"]})
    assert created.status_code == 201, created.text
    assert created.json()["documents_ok"] == 1
    again = client.post("/documents", files={"file": ("2017_trump_excerpt.pdf", pdf, "application/pdf")})
    assert again.status_code == 200 and again.json()["documents_skipped"] == 1
    stats = client.get("/stats").json()
    redone = client.post("/documents", files={"file": ("2017_trump_excerpt.pdf", pdf, "application/pdf")},
                         data={"reextract": "true"})
    assert redone.status_code == 200 and redone.json()["documents_reextracted"] == 1
    assert redone.json()["documents"][0]["status"] == "reextracted"
    assert client.get("/stats").json() == stats  # same pipeline: the same graph, rewritten in place
    shown = client.get(f"/documents/{created.json()['documents'][0]['id']}").json()
    assert shown["department"] == "Department of Homeland Security" and shown["labels"] == ["public"]
    corrupt = client.post("/documents", files={"file": ("corrupt.pdf", (bad_dir / "corrupt.pdf").read_bytes())})
    assert corrupt.status_code == 422 and corrupt.json()["failures"][0]["code"] == "E007"
    too_big = client.post("/documents", files={"file": ("big.txt", b"The Congress. " * 20_000)})
    assert too_big.status_code == 413 and "limit" in too_big.json()["error"]["message"]
    hits = client.get("/entities", params={"q": "Homeland Security"}).json()
    assert hits[0]["name"] == "Department of Homeland Security"
    assert client.get("/stats").json()["documents"] == 6


def test_openapi_docs(client: httpx.Client):
    spec = client.get("/openapi.json").json()
    assert {"/health", "/entities", "/entities/{entity_id}", "/documents", "/documents/{document_id}",
            "/stats"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
