"""POST /ask over real HTTP on a small real corpus (State of the Union excerpts), on both stores:
extractive answers with citations, a graph answer citing its fact, abstention with suggestions,
the department filter, bad requests. Sentence vectors are computed at import (hybrid retrieval)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import load_settings
from service.components import Services

PUBLIC = ["1992_george_bush_r_excerpt.txt", "1993_william_j_clinton_d_excerpt.txt",
          "2019_donald_j_trump_r_excerpt.txt", "2020_donald_j_trump_r_excerpt.txt"]
JUSTICE_ONLY = "1996_william_j_clinton_d_excerpt.txt"


@pytest.fixture(scope="module")
def client(services_on_each_store, serve_api, bearer, fixtures_dir: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("ask") / "data")
    settings.qa.embed_at_import = True
    services: Services = services_on_each_store(settings)
    qa = fixtures_dir / "qa"
    report = services.importer(department="Executive Office of the President", labels=("public",)).import_paths(
        [qa / name for name in PUBLIC])
    assert report.documents_ok == len(PUBLIC) and not report.failures
    assert services.importer(department="Department of Justice").import_paths([qa / JUSTICE_ONLY]).documents_ok == 1
    with serve_api(services) as base, httpx.Client(base_url=base, timeout=60, headers=bearer(services)) as http:
        yield http
    services.close()


def ask(client: httpx.Client, question: str, **extra: object) -> dict:
    response = client.post("/ask", json={"question": question, "mode": "extractive", **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_extractive_answer_cites_the_sentence_it_comes_from(client: httpx.Client) -> None:
    body = ask(client, "Which act did President Clinton compliment the Congress for passing in his 1993 address?")
    assert body["answer"] == "Family and Medical Leave Act" and body["abstained"] is False
    assert 0 < body["confidence"] <= 1 and body["generator"].startswith("extractive-reader/")
    assert body["answer_type"] == "Act" and body["mode"] == "extractive"
    citation = body["citations"][0]
    assert citation["document_source"] == "1993_william_j_clinton_d_excerpt.txt"
    assert "Family and Medical Leave Act" in citation["sentence"] and citation["fact_id"] is None
    # start/end are the sentence's offsets in its document
    text = client.get(f"/documents/{citation['document_id']}").json()["text"]
    assert text[citation["start"]:citation["end"]] == citation["sentence"]
    assert set(body["timings_ms"]) >= {"analysis", "graph_retrieval", "text_retrieval", "reader", "total"}
    assert set(body["subgraph"]) >= {"nodes", "edges"}


def test_a_graph_answer_cites_its_fact_and_the_subgraph_holds_it(client: httpx.Client) -> None:
    body = ask(client, "Which state does Senator Chuck Grassley represent?")
    assert body["answer"] == "Iowa" and body["predicates"][0] == "represents"
    assert [e["name"] for e in body["entities"]] == ["Chuck Grassley"]
    citation = body["citations"][0]
    assert citation["fact_id"].startswith("fact_")
    assert citation["triple"] == {"subject": "Chuck Grassley", "predicate": "represents", "object": "Iowa"}
    assert "Senator Chuck Grassley of Iowa" in citation["sentence"]
    assert citation["document_source"] == "2020_donald_j_trump_r_excerpt.txt"
    edges = body["subgraph"]["edges"]
    assert [e["data"]["id"] for e in edges] == [citation["fact_id"]]
    assert {n["data"]["label"] for n in body["subgraph"]["nodes"]} == {"Chuck Grassley", "Iowa"}
    assert client.get(f"/facts/{citation['fact_id']}").status_code == 200


def test_it_abstains_when_the_sources_do_not_say(client: httpx.Client) -> None:
    body = ask(client, "Who was the Secretary of Defense who recommended the defense cuts in 1992?")
    assert body["abstained"] is True and body["answer"] == "" and body["citations"] == []
    assert body["reason"]
    assert client.post("/ask", json={"question": "Who founded the Zebulon Quackenbush Society in 1823?",
                                     "mode": "extractive"}).json()["abstained"] is True


def test_the_department_filter_hides_documents_a_department_may_not_see(client: httpx.Client) -> None:
    question = "Whom did President Clinton nominate as America's new drug czar in 1996?"
    seen = ask(client, question, department="Department of Justice")
    assert "McCaffrey" in seen["answer"]
    assert seen["citations"][0]["document_source"] == JUSTICE_ONLY
    hidden = ask(client, question, department="Department of Energy")
    assert all(c["document_source"] != JUSTICE_ONLY for c in hidden["citations"] + hidden["suggestions"])
    assert "McCaffrey" not in hidden["answer"]


def test_bad_requests_are_422(client: httpx.Client) -> None:
    assert client.post("/ask", json={"question": ""}).status_code == 422
    assert client.post("/ask", json={"question": "Who?", "mode": "poetic"}).status_code == 422
    assert client.post("/ask", json={}).status_code == 422
    spaces = client.post("/ask", json={"question": "   "})
    assert spaces.status_code == 422 and spaces.json()["error"]["code"] == "Q001"


def test_the_explorer_shows_the_ask_box(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert "post" in spec["paths"]["/ask"]
