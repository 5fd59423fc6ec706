"""Explorer endpoints over real HTTP on a small real corpus, on both stores."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import load_settings

# a real sentence (2020 address) and short sentences in the same pattern naming real senators
SENTENCES = {
    "grassley.txt": "I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in order to "
                    "get something on drug pricing done, and done properly.",
    "ernst.txt": "We thank Senator Joni Ernst of Iowa for her service.",
    "scott.txt": "Opportunity Zones, a plan spearheaded by Senator Tim Scott of South Carolina.",
}


@pytest.fixture
def client(services_on_each_store, serve_api, bearer, docs_dir: Path, tmp_path: Path) -> Iterator[httpx.Client]:
    services = services_on_each_store(load_settings(data_dir=tmp_path / "data"))
    for index, (name, text) in enumerate(SENTENCES.items()):
        (tmp_path / name).write_text(text, encoding="utf-8")
        department = "Senate Office" if index % 2 else "Executive Office of the President"
        services.importer(department=department).import_paths([tmp_path / name])
    services.importer(department="Executive Office of the President").import_paths(
        [docs_dir / "2003_bush_excerpt.txt", docs_dir / "2021_biden_excerpt.md"])
    with serve_api(services) as base, httpx.Client(base_url=base, timeout=30, headers=bearer(services)) as http:
        yield http
    services.close()


def entity(client: httpx.Client, name: str) -> str:
    return client.get("/entities", params={"q": name, "limit": 1}).json()[0]["id"]


def test_neighbourhood_elements(client: httpx.Client):
    grassley = entity(client, "Chuck Grassley")
    one = client.get(f"/graph/neighbourhood/{grassley}", params={"depth": 1}).json()
    assert [n["data"]["label"] for n in one["nodes"]] == ["Chuck Grassley", "Iowa"]
    assert one["edges"][0]["data"]["predicate"] == "represents" and one["truncated"] is False
    two = client.get(f"/graph/neighbourhood/{grassley}", params={"depth": 2}).json()
    labels = {n["data"]["label"] for n in two["nodes"]}
    assert labels == {"Chuck Grassley", "Iowa", "Joni Ernst"}
    iowa = next(n["data"] for n in two["nodes"] if n["data"]["label"] == "Iowa")
    assert iowa["degree"] == 2 and iowa["type"] == "StateOrRegion"
    assert sorted(iowa["departments"]) == ["Executive Office of the President", "Senate Office"]
    cut = client.get(f"/graph/neighbourhood/{grassley}", params={"depth": 2, "limit": 1}).json()
    assert cut["truncated"] is True and len(cut["edges"]) == 1
    people_only = client.get(f"/graph/neighbourhood/{grassley}", params={"depth": 2, "types": "Person"}).json()
    assert people_only["edges"] == []  # Iowa is filtered out, so nothing connects
    by_department = client.get(f"/graph/neighbourhood/{grassley}",
                               params={"depth": 2, "departments": "Nowhere"}).json()
    assert by_department["edges"] == []
    assert client.get("/graph/neighbourhood/ent_missing").status_code == 404
    assert client.get(f"/graph/neighbourhood/{grassley}", params={"depth": 4}).status_code == 422
    assert client.get(f"/graph/neighbourhood/{grassley}", params={"types": "Spaceship"}).status_code == 422


def test_paths(client: httpx.Client):
    grassley, ernst, scott = (entity(client, n) for n in ("Chuck Grassley", "Joni Ernst", "Tim Scott"))
    found = client.get("/graph/paths", params={"source": grassley, "target": ernst}).json()
    assert len(found["paths"]) == 1
    path = found["paths"][0]
    assert len(path["nodes"]) == 3 and [e["predicate"] for e in path["edges"]] == ["represents", "represents"]
    assert {n["data"]["label"] for n in found["elements"]["nodes"]} == {"Chuck Grassley", "Iowa", "Joni Ernst"}
    assert client.get("/graph/paths", params={"source": grassley, "target": scott}).json()["paths"] == []
    short = client.get("/graph/paths", params={"source": grassley, "target": ernst, "max_length": 1}).json()
    assert short["paths"] == []


def test_central_and_communities(client: httpx.Client):
    central = client.get("/graph/central", params={"limit": 2}).json()
    assert central[0]["name"] == "Iowa" and central[0]["degree"] == 2
    people = client.get("/graph/central", params={"type": "Person"}).json()
    assert {p["name"] for p in people} >= {"Chuck Grassley", "Joni Ernst", "Tim Scott"}
    communities = client.get("/graph/communities").json()
    assert [c["size"] for c in communities] == [3, 2]
    assert {m["name"] for m in communities[0]["members"]} == {"Chuck Grassley", "Iowa", "Joni Ernst"}


def test_fact_and_annotated_document(client: httpx.Client):
    grassley = entity(client, "Chuck Grassley")
    fact_id = client.get(f"/entities/{grassley}").json()["facts"][0]["id"]
    fact = client.get(f"/facts/{fact_id}").json()
    assert fact["subject"]["name"] == "Chuck Grassley" and fact["object"]["name"] == "Iowa"
    prov = fact["provenance"][0]
    assert prov["sentence"] == SENTENCES["grassley.txt"] and prov["extractor"]["name"] == "patterns"
    assert client.get("/facts/fact_missing").status_code == 404
    annotated = client.get(f"/documents/{prov['document_id']}/annotated").json()
    text = annotated["document"]["text"]
    assert {m["text"] for m in annotated["mentions"]} == {"Chuck Grassley", "Iowa", "Congress"}
    for mention in annotated["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert [(text[f["subject_start"] : f["subject_end"]], f["predicate"], text[f["object_start"] : f["object_end"]])
            for f in annotated["facts"]] == [("Chuck Grassley", "represents", "Iowa")]
    assert client.get("/documents/doc_missing/annotated").status_code == 404


def test_candidates_endpoint(client: httpx.Client):
    assert client.get("/facts/candidates").json() == []
    assert client.get("/facts/candidates", params={"status": "bogus"}).status_code == 422
