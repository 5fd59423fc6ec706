"""The GraphStore contract, run on every store (SQLite and the real Neo4j server)."""
from __future__ import annotations

from pathlib import Path

import pytest

from extraction.pipeline import Pipeline
from extraction.records import (
    Document,
    DocumentGraph,
    Entity,
    Extractor,
    Fact,
    Mention,
    Provenance,
    Sentence,
    document_id,
    entity_id,
    fact_id,
    mention_id,
)
from graph.errors import NotFound
from graph.store import GraphStore

EXTRACTOR = Extractor(name="contract-test", version="1")
DOD = entity_id("agency:DOD")

GRASSLEY = ("I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in order to get "
            "something on drug pricing done, and done properly.")
SCOTT = "Opportunity Zones, a plan spearheaded by Senator Tim Scott of South Carolina as part of our tax cuts."


def doc(text: str, name: str, department: str | None = None) -> Document:
    return Document(id=document_id(text), text=text, title=name.title(), source_path=f"/corpus/{name}",
                    source_name=name, format="txt", department=department, published="2020", labels=("public",))


def run(pipeline: Pipeline, text: str, name: str, department: str | None = None) -> DocumentGraph:
    return pipeline.run(doc(text, name, department))


def hand_graph(text: str, name: str, entities: list[Entity], triples: list[tuple[int, str, int]]) -> DocumentGraph:
    """A graph whose facts all cite the first sentence; entity i is mentioned at a span of its own name."""
    document = doc(text, name)
    sentence = Sentence(document_id=document.id, index=0, start=0, end=len(text), text=text)
    mentions = [
        Mention(id=mention_id(document.id, 0, 1, e.type) + str(i), document_id=document.id, sentence_index=0,
                start=0, end=1, text=text[:1], type=e.type, confidence=0.9, extractor=EXTRACTOR, entity_id=e.id)
        for i, e in enumerate(entities)
    ]
    facts = [
        Fact(id=fact_id(entities[s].id, p, entities[o].id), subject_id=entities[s].id, predicate=p,
             object_id=entities[o].id, confidence=0.8,
             provenance=(Provenance(document_id=document.id, sentence_index=0, subject_start=0, subject_end=1,
                                    object_start=0, object_end=1, confidence=0.8, extractor=EXTRACTOR),))
        for s, p, o in triples
    ]
    return DocumentGraph(document=document, sentences=(sentence,), mentions=tuple(mentions),
                         entities=tuple(entities), facts=tuple(facts))


def counts(store: GraphStore) -> tuple[int, int, int, int, int]:
    s = store.stats()
    return s.documents, s.sentences, s.mentions, s.entities, s.facts


def test_write_is_idempotent(docs_dir: Path, store: GraphStore, pipeline: Pipeline):
    graph = run(pipeline, (docs_dir / "2003_bush_excerpt.txt").read_text(encoding="utf-8"), "2003_bush.txt")
    store.write(graph)
    first = counts(store)
    store.write(graph)
    store.write(graph)
    assert counts(store) == first
    assert first[0] == 1 and first[1] == len(graph.sentences) and first[2] == len(graph.mentions)
    assert first[3] == len(graph.entities)


def test_counts_across_documents(store: GraphStore, pipeline: Pipeline):
    a = run(pipeline, GRASSLEY, "a.txt")
    b = run(pipeline, SCOTT, "b.txt")
    store.write(a)
    store.write(b)
    stats = store.stats()
    assert stats.documents == 2
    assert stats.sentences == len(a.sentences) + len(b.sentences)
    assert stats.mentions == len(a.mentions) + len(b.mentions)
    assert stats.entities == len({e.id for e in (*a.entities, *b.entities)})
    assert stats.facts == 2 and stats.facts_by_predicate == {"represents": 2}
    assert stats.facts_by_extractor == {"patterns": 2}
    assert stats.entities_by_type["Person"] == 2 and stats.entities_by_type["StateOrRegion"] == 2


def test_lookup_with_provenance(store: GraphStore, pipeline: Pipeline):
    graph = run(pipeline, GRASSLEY, "2020_trump.txt", department="Executive Office of the President")
    store.write(graph)
    grassley = next(e for e in graph.entities if e.name == "Chuck Grassley")
    entity = store.get_entity(grassley.id)
    assert (entity.name, entity.type) == ("Chuck Grassley", "Person")
    assert "Charles E. Grassley" in entity.aliases
    facts = store.entity_facts(grassley.id)
    assert len(facts) == 1
    fact = facts[0]
    assert (fact.subject.name, fact.predicate, fact.object.name) == ("Chuck Grassley", "represents", "Iowa")
    prov = fact.provenance[0]
    assert prov.document_title == "2020_Trump.Txt" and prov.document_source == "2020_trump.txt"
    assert prov.sentence == GRASSLEY
    assert GRASSLEY[prov.subject_start : prov.subject_end] == "Chuck Grassley"
    assert GRASSLEY[prov.object_start : prov.object_end] == "Iowa"
    assert prov.extractor.name == "patterns"
    mentions = store.entity_mentions(grassley.id)
    assert [(m.text, m.sentence, m.department) for m in mentions] == [
        ("Chuck Grassley", GRASSLEY, "Executive Office of the President")]
    assert store.entity_mention_count(grassley.id) == 1
    assert store.entity_departments(grassley.id) == ["Executive Office of the President"]
    document = store.get_document(graph.document.id)
    assert document == graph.document
    assert store.has_document(graph.document.id)
    assert store.document_for_source("/corpus/2020_trump.txt") == graph.document.id
    summary = store.list_documents()
    assert [(d.id, d.sentence_count, d.mention_count) for d in summary] == [
        (graph.document.id, len(graph.sentences), len(graph.mentions))]


def test_unknown_ids_raise_not_found(store: GraphStore):
    with pytest.raises(NotFound):
        store.get_entity("ent_missing")
    with pytest.raises(NotFound):
        store.get_document("doc_missing")
    with pytest.raises(NotFound):
        store.delete_document("doc_missing")
    assert not store.has_document("doc_missing")
    assert store.document_for_source("/nowhere") is None
    assert store.entity_facts("ent_missing") == [] and store.entity_mentions("ent_missing") == []


def test_search_ranking(docs_dir: Path, store: GraphStore, pipeline: Pipeline):
    for path in ("2003_bush_excerpt.txt", "2021_biden_excerpt.md"):
        store.write(run(pipeline, (docs_dir / path).read_text(encoding="utf-8"), path))
    hits = store.search_entities("defense", limit=5)
    assert hits[0].id == DOD and hits[0].name == "Department of Defense"
    assert [h.id for h in hits].count(DOD) == 1
    assert store.search_entities("DOD")[0].id == DOD  # acronym
    assert store.search_entities("Defence Departmnt")[0].id == DOD  # typos
    assert store.search_entities("homeland")[0].name == "Department of Homeland Security"
    assert store.search_entities("de")  # short prefixes work too
    assert all(h.type == "Agency" for h in store.search_entities("a", types=["Agency"], limit=50))
    assert store.search_entities("defense", types=["Person"]) == []
    assert store.search_entities("   ") == []


def test_deletion_retracts_only_what_the_document_alone_supported(store: GraphStore, pipeline: Pipeline):
    both = run(pipeline, GRASSLEY, "a.txt")
    again = run(pipeline, GRASSLEY + " Senator Tim Scott of South Carolina agreed.", "b.txt")
    store.write(both)
    store.write(again)
    assert store.stats().facts == 2
    shared = next(f for f in both.facts)
    report = store.delete_document(again.document.id)
    assert (report.facts_removed, report.facts_kept) == (1, 1)
    assert report.entities_removed == 2  # Tim Scott and South Carolina were only in b.txt
    assert report.mentions_removed == len(again.mentions)
    remaining = store.entity_facts(shared.subject_id)
    assert [f.id for f in remaining] == [shared.id]
    assert {p.document_id for p in remaining[0].provenance} == {both.document.id}
    assert not store.has_document(again.document.id)
    assert store.search_entities("Tim Scott", types=["Person"]) == []
    stats = store.stats()
    assert (stats.documents, stats.facts, stats.mentions) == (1, 1, len(both.mentions))
    store.delete_document(both.document.id)
    assert counts(store) == (0, 0, 0, 0, 0)


def test_unicode_names(store: GraphStore):
    people = [Entity(id=entity_id("Person:juan guaidó"), name="Juan Guaidó", type="Person"),
              Entity(id=entity_id("Country:venezuela"), name="República Bolivariana de Venezuela", type="Country",
                     aliases=("Venezuela", "ベネズエラ"))]
    store.write(hand_graph("Juan Guaidó, the legitimate President of Venezuela.", "g.txt", people,
                           [(0, "citizenOf", 1)]))
    assert store.get_entity(people[0].id).name == "Juan Guaidó"
    assert store.search_entities("Guaidó")[0].id == people[0].id
    assert store.search_entities("ベネズエラ")[0].id == people[1].id
    assert set(store.get_entity(people[1].id).aliases) == {"Venezuela", "ベネズエラ"}


def test_very_long_names(store: GraphStore):
    long_name = "Commission on " + " and ".join(f"Federal Program Number {i}" for i in range(200))
    entities = [Entity(id=entity_id("Agency:long"), name=long_name, type="Agency"),
                Entity(id=entity_id("Department:dod"), name="Department of Defense", type="Department")]
    store.write(hand_graph("The commission reports to the Department of Defense.", "long.txt", entities,
                           [(0, "subOrganizationOf", 1)]))
    assert len(long_name) > 4000
    assert store.get_entity(entities[0].id).name == long_name
    assert store.search_entities("Federal Program Number 199")[0].id == entities[0].id


def test_ten_thousand_facts_in_one_import(store: GraphStore):
    entities = [Entity(id=entity_id(f"Person:member {i}"), name=f"Member {i}", type="Person") for i in range(200)]
    entities += [Entity(id=entity_id(f"Committee:{i}"), name=f"Committee {i}", type="Committee") for i in range(50)]
    triples = [(p, "memberOf", 200 + c) for p in range(200) for c in range(50)]
    graph = hand_graph("Members of Congress serve on committees.", "big.txt", entities, triples)
    assert len(graph.facts) == 10_000
    store.write(graph)
    store.write(graph)
    stats = store.stats()
    assert (stats.facts, stats.entities) == (10_000, 250)
    assert len(store.entity_facts(entities[0].id, limit=100)) == 50


def test_candidates_are_kept_queryable_and_retracted(store: GraphStore, pipeline: Pipeline):
    from extraction.records import CandidateFact

    graph = run(pipeline, GRASSLEY, "a.txt")
    fact = graph.facts[0]
    backwards = fact.model_copy(update={"id": fact_id(fact.object_id, "represents", fact.subject_id),
                                        "subject_id": fact.object_id, "object_id": fact.subject_id,
                                        "confidence": 0.3})
    reason = pipeline.validator.run([backwards], list(graph.entities))[1][0].reason
    graph = graph.model_copy(update={"candidates": (CandidateFact(fact=backwards, status="rejected", reason=reason),)})
    store.write(graph)
    store.write(graph)
    held = store.fact_candidates()
    assert len(held) == 1
    assert (held[0].subject.name, held[0].predicate, held[0].object.name) == ("Iowa", "represents", "Chuck Grassley")
    assert held[0].status == "rejected" and "domain of represents" in held[0].reason
    assert held[0].provenance[0].sentence == GRASSLEY
    assert store.fact_candidates(status="low_confidence") == []
    assert store.stats().candidates_by_status == {"rejected": 1}
    assert store.stats().facts == 1  # the valid fact is a fact; the candidate is not
    store.delete_document(graph.document.id)
    assert store.fact_candidates() == [] and store.stats().candidates_by_status == {}


def test_document_graphs_come_back_whole(store: GraphStore, pipeline: Pipeline, tmp_path):
    from graph.sqlite.store import SqliteStore

    a = run(pipeline, GRASSLEY, "a.txt", department="Executive Office of the President")
    b = run(pipeline, GRASSLEY + " Senator Tim Scott of South Carolina agreed.", "b.txt", department="Treasury")
    store.write(a)
    store.write(b)
    back = {g.document.id: g for g in store.iter_document_graphs()}
    assert set(back) == {a.document.id, b.document.id}
    assert back[a.document.id].document == a.document
    assert back[a.document.id].sentences == a.sentences
    assert sorted(m.id for m in back[b.document.id].mentions) == sorted(m.id for m in b.mentions)
    assert {f.id for f in back[b.document.id].facts} == {f.id for f in b.facts}
    assert [g.document.id for g in store.iter_document_graphs(department="Treasury")] == [b.document.id]
    copy = SqliteStore(tmp_path / "copy.sqlite3")  # rebuilding from the graphs gives the same store
    for graph in back.values():
        copy.write(graph)
    expected = store.stats().model_dump(exclude={"store"})
    assert copy.stats().model_dump(exclude={"store"}) == expected
    copy.close()
