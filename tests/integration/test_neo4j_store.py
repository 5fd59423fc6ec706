"""Neo4j-specific behaviour of `graph.neo4j.store.Neo4jStore`, on the real server.

The GraphStore contract itself (shared with SQLite) is in test_store_contract.py; here: the
schema bootstrap, the graph model (labels, typed relationships, provenance), rewrites that
leave the graph unchanged, equivalence with the SQLite store on real text, and the errors
for bad URIs, passwords and unreachable servers.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from extraction.pipeline import Pipeline
from extraction.records import (
    CandidateFact,
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
from graph.errors import InvalidStoreUrl, StoreUnavailable, WriteFailed
from graph.factory import Neo4jConnection
from graph.neo4j.store import Neo4jStore, fuzzy_query, prefix_query, substring_query
from graph.sqlite.store import SqliteStore
from graph.store import GraphStore

pytestmark = pytest.mark.neo4j

FIXTURE_DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "docs"
PROJECT = Path(__file__).resolve().parents[2]
EXTRACTOR = Extractor(name="neo4j-store-test", version="1")

# Real text: the 2020 State of the Union (public domain).
GRASSLEY = ("I have been speaking to Senator Chuck Grassley of Iowa and others in the Congress in order to get "
            "something on drug pricing done, and done properly.")
SCOTT = "Opportunity Zones, a plan spearheaded by Senator Tim Scott of South Carolina as part of our tax cuts."


# -- server and store fixtures ---------------------------------------------------------------
@pytest.fixture(scope="session")
def _neo4j_server_for_store_tests(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    """(bolt URI, user, password) of the real server: the shared `neo4j_server` fixture when
    tests/conftest.py has one, else a local server started here with tools.neo4j_server."""
    try:
        server, status = request.getfixturevalue("neo4j_server")
    except pytest.FixtureLookupError:
        yield from _own_server()
        return
    yield status.bolt_uri, status.user, server.password()


def _own_server() -> Iterator[tuple[str, str, str]]:
    from tools.neo4j_server import Neo4jServer, Neo4jServerConfig

    data_dir = Path(os.environ.get("GOVKG_DATA_DIR") or PROJECT / "var" / "test")
    bolt = int(os.environ.get("GOVKG_NEO4J__BOLT_PORT", "17687"))
    http = int(os.environ.get("GOVKG_NEO4J__HTTP_PORT", "17474"))
    server = Neo4jServer(Neo4jServerConfig(home=(data_dir / "neo4j").resolve(), bolt_port=bolt, http_port=http))
    was_running = server.status().running
    status = server.start()
    yield status.bolt_uri, status.user, server.password()
    if not was_running:
        server.stop()


@pytest.fixture
def conn(_neo4j_server_for_store_tests: tuple[str, str, str]) -> Neo4jConnection:
    """Settings of an empty database."""
    uri, user, password = _neo4j_server_for_store_tests
    with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:
        with driver.session(database="neo4j") as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    return Neo4jConnection(uri=uri, user=user, password=password, database="neo4j", batch_size=50)


@pytest.fixture
def store(conn: Neo4jConnection) -> Iterator[Neo4jStore]:
    opened = Neo4jStore.connect(conn)
    yield opened
    opened.close()


def cypher(store: Neo4jStore, query: str, **params: object) -> list[dict]:
    return [r.data() for r in store._driver.execute_query(query, params, database_=store.database).records]


def graph_shape(store: Neo4jStore) -> dict[str, object]:
    """Every node label and relationship type with its count, and all property values hashed."""
    return {
        "labels": cypher(store, "MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n ORDER BY l"),
        "types": cypher(store, "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY t"),
        "nodes": cypher(store, "MATCH (n) RETURN count(n) AS n"),
        "rels": cypher(store, "MATCH ()-[r]->() RETURN count(r) AS n"),
    }


# -- graphs from real text -------------------------------------------------------------------
def doc(text: str, name: str, department: str | None = None, published: str | None = "2020") -> Document:
    return Document(id=document_id(text), text=text, title=name, source_path=f"/corpus/{name}",
                    source_name=name, format="txt", department=department, published=published)


def run(pipeline: Pipeline, text: str, name: str, department: str | None = None) -> DocumentGraph:
    return pipeline.run(doc(text, name, department))


def with_cooccurrence_facts(graph: DocumentGraph,
                            predicates: tuple[str, ...] = ("memberOf", "locatedIn")) -> DocumentGraph:
    """Add facts between entities mentioned in one sentence, so that retraction has work to do."""
    by_sentence: dict[int, list[Mention]] = {}
    for m in graph.mentions:
        if m.entity_id:
            by_sentence.setdefault(m.sentence_index, []).append(m)
    facts: dict[str, Fact] = {f.id: f for f in graph.facts}
    for index, mentions in sorted(by_sentence.items()):
        for a in mentions:
            for b in mentions:
                if a.entity_id >= b.entity_id:  # type: ignore[operator]
                    continue
                predicate = predicates[(a.start + b.start) % len(predicates)]
                fid = fact_id(a.entity_id, predicate, b.entity_id)  # type: ignore[arg-type]
                confidence = 0.5 + (a.start % 40) / 100
                prov = Provenance(document_id=graph.document.id, sentence_index=index, subject_start=a.start,
                                  subject_end=a.end, object_start=b.start, object_end=b.end,
                                  confidence=confidence, extractor=EXTRACTOR)
                known = facts.get(fid)
                facts[fid] = Fact(
                    id=fid, subject_id=a.entity_id, predicate=predicate, object_id=b.entity_id,  # type: ignore[arg-type]
                    confidence=max(confidence, known.confidence if known else 0.0),
                    provenance=(*(known.provenance if known else ()), prov),
                )
    return graph.model_copy(update={"facts": tuple(facts.values())})


def hand_graph(text: str, name: str, entities: list[Entity], triples: list[tuple[int, str, int]]) -> DocumentGraph:
    document = doc(text, name)
    sentence = Sentence(document_id=document.id, index=0, start=0, end=len(text), text=text)
    mentions = []
    for i, e in enumerate(entities):
        start = text.find(e.name) if e.name in text else 0
        end = start + len(e.name) if e.name in text else 1
        mentions.append(Mention(id=mention_id(document.id, start, end, e.type) + f"_{i}", document_id=document.id,
                                sentence_index=0, start=start, end=end, text=text[start:end], type=e.type,
                                confidence=0.9, extractor=EXTRACTOR, entity_id=e.id))
    facts = [
        Fact(id=fact_id(entities[s].id, p, entities[o].id), subject_id=entities[s].id, predicate=p,
             object_id=entities[o].id, confidence=0.8,
             provenance=(Provenance(document_id=document.id, sentence_index=0, subject_start=mentions[s].start,
                                    subject_end=mentions[s].end, object_start=mentions[o].start,
                                    object_end=mentions[o].end, confidence=0.8, extractor=EXTRACTOR),))
        for s, p, o in triples
    ]
    return DocumentGraph(document=document, sentences=(sentence,), mentions=tuple(mentions),
                         entities=tuple(entities), facts=tuple(facts))


# -- schema ------------------------------------------------------------------------------------
def test_schema_bootstrap_twice_is_a_no_op(conn: Neo4jConnection):
    first = Neo4jStore.connect(conn)
    try:
        constraints = cypher(first, "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type "
                                    "WHERE name STARTS WITH 'govkg_' RETURN * ORDER BY name")
        indexes = cypher(first, "SHOW INDEXES YIELD name, type, state WHERE name STARTS WITH 'govkg_' "
                                "RETURN * ORDER BY name")
        assert first.ensure_schema() == 0  # everything is there already
    finally:
        first.close()
    second = Neo4jStore.connect(conn)  # a second connect bootstraps again: nothing changes
    try:
        assert second.ensure_schema() == 0
        assert cypher(second, "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type "
                              "WHERE name STARTS WITH 'govkg_' RETURN * ORDER BY name") == constraints
        assert cypher(second, "SHOW INDEXES YIELD name, type, state WHERE name STARTS WITH 'govkg_' "
                              "RETURN * ORDER BY name") == indexes
    finally:
        second.close()
    unique = {(c["labelsOrTypes"][0], c["properties"][0]) for c in constraints if c["type"] == "UNIQUENESS"}
    assert unique == {("Document", "id"), ("Sentence", "key"), ("Entity", "id"), ("Fact", "id"),
                      ("Candidate", "key"), ("AuditEvent", "id")}
    kinds = {i["name"]: i["type"] for i in indexes}
    assert kinds["govkg_entity_names"] == "FULLTEXT"
    assert kinds["govkg_document_source"] == kinds["govkg_entity_type"] == "RANGE"
    assert {i["state"] for i in indexes} == {"ONLINE"}


# -- graph model -------------------------------------------------------------------------------
def test_entity_labels_follow_the_ontology_ancestors(store: Neo4jStore, pipeline: Pipeline):
    graph = run(pipeline, (FIXTURE_DOCS / "2003_bush_excerpt.txt").read_text(encoding="utf-8"), "2003_bush.txt")
    store.write(graph)
    dod = entity_id("agency:DOD")
    assert any(e.id == dod for e in graph.entities)
    labels = cypher(store, "MATCH (e:Entity {id: $id}) RETURN e.type AS type, labels(e) AS labels", id=dod)[0]
    assert labels["type"] == "Department"
    assert set(labels["labels"]) == {"Entity", "Department", "GovernmentOrganization", "Organization"}
    # every entity carries its type and the type's ancestors as labels
    for row in cypher(store, "MATCH (e:Entity) RETURN e.type AS type, labels(e) AS labels"):
        assert {"Entity", row["type"]} <= set(row["labels"])
    # the label index answers class queries, ancestors included
    organizations = {r["id"] for r in cypher(store, "MATCH (e:Organization) RETURN e.id AS id")}
    assert dod in organizations


def test_unknown_and_unsafe_types_keep_the_type_but_add_no_odd_label(store: Neo4jStore):
    text = "The Widget Board met the Sentence Office and the Bad Type Unit."
    entities = [Entity(id=entity_id("widget"), name="Widget Board", type="WidgetBoard"),
                Entity(id=entity_id("sentence"), name="Sentence Office", type="Sentence"),  # a structural label
                Entity(id=entity_id("bad"), name="Bad Type Unit", type="Bad Type`) DETACH DELETE n //")]
    store.write(hand_graph(text, "odd.txt", entities, []))
    rows = {r["id"]: set(r["labels"]) for r in cypher(store, "MATCH (e:Entity) RETURN e.id AS id, labels(e) AS labels")}
    assert rows[entities[0].id] == {"Entity", "WidgetBoard"}  # not in the ontology: the type alone
    assert rows[entities[1].id] == {"Entity"}
    assert rows[entities[2].id] == {"Entity"}
    assert cypher(store, "MATCH (s:Sentence) RETURN count(s) AS n") == [{"n": 1}]
    assert store.get_entity(entities[2].id).type == "Bad Type`) DETACH DELETE n //"
    assert store.stats().entities_by_type["Sentence"] == 1


def test_facts_are_typed_relationships_with_provenance(store: Neo4jStore, pipeline: Pipeline):
    graph = run(pipeline, GRASSLEY, "2020_trump.txt", department="Executive Office of the President")
    store.write(graph)
    (fact,) = graph.facts
    assert fact.predicate == "represents"
    rels = cypher(store, """
        MATCH (s:Entity {id: $s})-[r]->(o:Entity {id: $o})
        RETURN type(r) AS type, properties(r) AS props""", s=fact.subject_id, o=fact.object_id)
    assert len(rels) == 1 and rels[0]["type"] == "represents"
    props = rels[0]["props"]
    assert props["id"] == fact.id and props["sources"] == [graph.document.id]
    assert props["confidence"] == pytest.approx(fact.confidence)
    assert props["first_seen"] == props["last_seen"]
    assert "represents" in {r["t"] for r in cypher(store, "CALL db.relationshipTypes() YIELD relationshipType AS t "
                                                          "RETURN t")}
    (prov,) = fact.provenance
    support = cypher(store, """
        MATCH (f:Fact {id: $id})-[p:SUPPORTED_BY]->(s:Sentence)<-[:HAS_SENTENCE]-(d:Document)
        RETURN f.predicate AS predicate, d.id AS doc, s.index AS sentence, properties(p) AS p""", id=fact.id)
    assert len(support) == 1
    assert (support[0]["predicate"], support[0]["doc"], support[0]["sentence"]) == (
        "represents", graph.document.id, prov.sentence_index)
    p = support[0]["p"]
    assert GRASSLEY[p["subject_start"]:p["subject_end"]] == "Chuck Grassley"
    assert GRASSLEY[p["object_start"]:p["object_end"]] == "Iowa"
    assert (p["extractor"], p["extractor_version"]) == (prov.extractor.name, prov.extractor.version)
    mentions = cypher(store, """
        MATCH (:Document {id: $doc})-[:HAS_SENTENCE]->(:Sentence)-[m:MENTIONS]->(e:Entity)
        RETURN m.text AS text, e.name AS name ORDER BY m.start""", doc=graph.document.id)
    assert {"text": "Chuck Grassley", "name": "Chuck Grassley"} in mentions


def test_a_second_document_adds_a_source_and_retraction_removes_it(store: Neo4jStore, pipeline: Pipeline):
    a = run(pipeline, GRASSLEY, "a.txt")
    b = run(pipeline, GRASSLEY + " " + SCOTT, "b.txt")
    store.write(a)
    store.write(b)
    (shared,) = a.facts
    sources = cypher(store, "MATCH ()-[r {id: $id}]->() RETURN r.sources AS s", id=shared.id)
    assert sources == [{"s": sorted([a.document.id, b.document.id])}]
    report = store.delete_document(b.document.id)
    assert (report.facts_removed, report.facts_kept) == (1, 1)
    assert cypher(store, "MATCH ()-[r {id: $id}]->() RETURN r.sources AS s", id=shared.id) == [{"s": [a.document.id]}]
    assert cypher(store, "MATCH (f:Fact {id: $id}) RETURN f.sources AS s", id=shared.id) == [{"s": [a.document.id]}]
    assert cypher(store, "MATCH ()-[r:represents]->() RETURN count(r) AS n") == [{"n": 1}]


def test_rewriting_the_same_graph_changes_nothing(store: Neo4jStore, pipeline: Pipeline):
    text = (FIXTURE_DOCS / "2003_bush_excerpt.txt").read_text(encoding="utf-8")
    graph = with_cooccurrence_facts(run(pipeline, text, "2003_bush.txt"))
    other = with_cooccurrence_facts(run(pipeline, GRASSLEY + " " + SCOTT, "2020.txt"))
    assert len(graph.facts) >= 3
    store.write(other)
    store.write(graph)
    before = graph_shape(store)
    entities = {e.id: store.get_entity(e.id) for e in graph.entities}
    for _ in range(2):
        store.write(graph)
        assert graph_shape(store) == before
    assert {e.id: store.get_entity(e.id) for e in graph.entities} == entities
    # no duplicates of anything that has a key
    for label, key in (("Document", "id"), ("Sentence", "key"), ("Entity", "id"), ("Fact", "id")):
        dupes = cypher(store, f"MATCH (n:{label}) WITH n.{key} AS k, count(*) AS c WHERE c > 1 RETURN k")
        assert dupes == [], label
    assert cypher(store, "MATCH ()-[m:MENTIONS]->() WITH m.id AS k, count(*) AS c WHERE c > 1 RETURN k") == []
    assert cypher(store, "MATCH ()-[r]->() WHERE r.id STARTS WITH 'fact_' "
                         "WITH r.id AS k, count(*) AS c WHERE c > 1 RETURN k") == []


def test_a_changed_rewrite_relabels_and_renames_entities_only_it_named(store: Neo4jStore):
    text = "The Office of Widgets and the Bureau of Gadgets report to the Department of Things."
    widgets = Entity(id=entity_id("widgets"), name="Office of Widgets", type="Agency")
    gadgets = Entity(id=entity_id("gadgets"), name="Bureau of Gadgets", type="Agency", aliases=("BoG",))
    things = Entity(id=entity_id("things"), name="Department of Things", type="Department")
    first = hand_graph(text, "v1.txt", [widgets, gadgets, things],
                       [(0, "subOrganizationOf", 2), (1, "subOrganizationOf", 2)])
    store.write(first)
    renamed = gadgets.model_copy(update={"name": "Gadget Bureau", "aliases": ("GB",)})
    retyped = widgets.model_copy(update={"type": "Committee"})
    second = hand_graph(text, "v1.txt", [retyped, renamed, things], [(0, "subOrganizationOf", 2)])
    assert second.document.id == first.document.id
    store.write(second)
    labels = {r["id"]: set(r["labels"])
              for r in cypher(store, "MATCH (e:Entity) RETURN e.id AS id, labels(e) AS labels")}
    assert labels[widgets.id] == {"Entity", "Committee", "GovernmentOrganization", "Organization"}
    assert store.get_entity(gadgets.id).name == "Gadget Bureau"  # re-created, as SQLite does
    assert store.get_entity(gadgets.id).aliases == ("GB",)
    assert cypher(store, "MATCH ()-[r:subOrganizationOf]->() RETURN count(r) AS n") == [{"n": 1}]
    assert store.stats().facts == 1


def test_invalid_predicates_and_dangling_references_write_nothing(store: Neo4jStore):
    text = "The Office of Widgets reports to the Department of Things."
    entities = [Entity(id=entity_id("widgets"), name="Office of Widgets", type="Agency"),
                Entity(id=entity_id("things"), name="Department of Things", type="Department")]
    with pytest.raises(WriteFailed, match="relationship type"):
        store.write(hand_graph(text, "bad.txt", entities, [(0, "reports to`]->() DETACH DELETE x //", 1)]))
    with pytest.raises(WriteFailed, match="relationship type"):
        store.write(hand_graph(text, "bad.txt", entities, [(0, "MENTIONS", 1)]))
    good = hand_graph(text, "bad.txt", entities, [(0, "subOrganizationOf", 1)])
    dangling = good.model_copy(update={"entities": good.entities[:1],
                                       "mentions": good.mentions[:1]})  # the fact names an entity not written
    with pytest.raises(WriteFailed, match="entity"):
        store.write(dangling)
    assert not store.has_document(good.document.id)
    assert store.stats().model_dump(exclude={"store"}) == {
        "documents": 0, "sentences": 0, "mentions": 0, "entities": 0, "facts": 0,
        "entities_by_type": {}, "facts_by_predicate": {}, "facts_by_extractor": {},
        "candidates_by_status": {}}


def test_unresolved_mentions_are_counted_and_retracted(store: Neo4jStore):
    text = "Somebody at some agency said so."
    document = doc(text, "unresolved.txt")
    graph = DocumentGraph(
        document=document, sentences=(Sentence(document_id=document.id, index=0, start=0, end=len(text), text=text),),
        mentions=(Mention(id=mention_id(document.id, 0, 8, "Person"), document_id=document.id, sentence_index=0,
                          start=0, end=8, text="Somebody", type="Person", confidence=0.4, extractor=EXTRACTOR),),
        entities=(), facts=())
    store.write(graph)
    store.write(graph)
    assert store.stats().mentions == 1 and store.list_documents()[0].mention_count == 1
    assert store.delete_document(document.id).mentions_removed == 1


# -- equivalence with the SQLite store ---------------------------------------------------------
def views(store: GraphStore, entity_ids: list[str], queries: list[tuple[str, list[str] | None]]) -> dict:
    out: dict = {"stats": store.stats().model_dump(exclude={"store"})}
    out["documents"] = [d.model_dump(exclude={"imported_at"}) for d in store.list_documents(limit=1000)]
    out["candidates"] = [c.model_dump() for c in store.fact_candidates(limit=1000)]
    out["graphs"] = [g.model_dump() for g in store.iter_document_graphs()]
    for eid in entity_ids:
        out[eid] = (
            _entity_or_none(store, eid),
            [f.model_dump() for f in store.entity_facts(eid, limit=1000)],
            [m.model_dump() for m in store.entity_mentions(eid, limit=1000)],
            store.entity_mention_count(eid), store.entity_departments(eid),
        )
    for query, types in queries:
        # `matched` can differ where two names of one entity score the same (candidate order)
        out[f"search {query} {types}"] = [h.model_dump(exclude={"matched"})
                                          for h in store.search_entities(query, types, limit=10)]
    return out


def test_same_results_as_the_sqlite_store(store: Neo4jStore, pipeline: Pipeline, tmp_path: Path):
    sqlite = SqliteStore(tmp_path / "same.sqlite3")
    texts = [((FIXTURE_DOCS / "2003_bush_excerpt.txt").read_text(encoding="utf-8"), "2003.txt", "White House"),
             ((FIXTURE_DOCS / "2021_biden_excerpt.md").read_text(encoding="utf-8"), "2021.md", None),
             (GRASSLEY + " " + SCOTT, "2020.txt", "Treasury")]
    graphs = [with_cooccurrence_facts(run(pipeline, t, n, d)) for t, n, d in texts]
    first = graphs[0]
    held = first.facts[0]
    backwards = held.model_copy(update={"id": fact_id(held.object_id, held.predicate, held.subject_id),
                                        "subject_id": held.object_id, "object_id": held.subject_id})
    graphs[0] = first.model_copy(update={"candidates": (CandidateFact(fact=backwards, status="rejected", reason="r"),)})
    changed = graphs[0].model_copy(update={
        # half the facts go; of the others, every second one's provenance changes (a rewrite keeps
        # the provenance rows it repeats and replaces the rest)
        "facts": tuple(f.model_copy(update={
            "confidence": f.confidence / 2,
            "provenance": tuple(p.model_copy(update={"confidence": p.confidence / 2}) for p in f.provenance)
            if i % 2 else f.provenance,
        }) for i, f in enumerate(graphs[0].facts[::2])),
        "entities": tuple(e.model_copy(update={"name": e.name + " II"}) if i == 0 else e
                          for i, e in enumerate(graphs[0].entities)),
        "candidates": (),
    })
    entity_ids = sorted({e.id for g in graphs for e in g.entities})
    queries = [("defense", None), ("Departmnt of Defence", None), ("de", None), ("us", ["Country"]),
               ("senator", None), ("south carolina", None), ("(CIA) AND \"x\" ~*", None), ("ioaw", None)]
    steps = [
        lambda s: [s.write(g) for g in graphs],
        lambda s: s.write(graphs[0]),
        lambda s: s.write(changed),
        lambda s: s.delete_document(graphs[2].document.id),
        lambda s: s.write(graphs[0]),
        lambda s: [s.delete_document(g.document.id) for g in graphs[:2]],
    ]
    try:
        for i, step in enumerate(steps):
            assert step(sqlite) == step(store), f"step {i}"  # deletion reports included
            expected = views(sqlite, entity_ids, queries)
            assert views(store, entity_ids, queries) == expected, f"step {i}"
    finally:
        sqlite.close()


def _entity_or_none(store: GraphStore, eid: str) -> Entity | None:
    from graph.errors import NotFound

    try:
        return store.get_entity(eid)
    except NotFound:
        return None


def test_concurrent_writers_end_where_one_writer_would(store: Neo4jStore, pipeline: Pipeline, tmp_path: Path):
    """Imports run in threads: writes of one document serialize on it, and retractions check
    facts and entities under their locks, so the result is that of some serial order."""
    import threading

    texts = [((FIXTURE_DOCS / "2003_bush_excerpt.txt").read_text(encoding="utf-8"), "2003.txt"),
             ((FIXTURE_DOCS / "2021_biden_excerpt.md").read_text(encoding="utf-8"), "2021.md"),
             (GRASSLEY + " " + SCOTT, "2020.txt"),
             (SCOTT + " " + GRASSLEY, "2020b.txt")]
    graphs = [with_cooccurrence_facts(run(pipeline, t, n)) for t, n in texts]
    sqlite = SqliteStore(tmp_path / "serial.sqlite3")
    failures: list[BaseException] = []

    def threads(*jobs) -> None:
        def guard(job):
            try:
                job()
            except BaseException as exc:
                failures.append(exc)
        started = [threading.Thread(target=guard, args=(job,)) for job in jobs]
        for t in started:
            t.start()
        for t in started:
            t.join()

    try:
        threads(*[lambda order=order: [store.write(g) for g in order]
                  for order in (graphs, graphs[::-1], graphs[1:] + graphs[:1], graphs)])
        for g in graphs:
            sqlite.write(g)
        assert failures == []
        assert store.stats().model_dump(exclude={"store"}) == sqlite.stats().model_dump(exclude={"store"})
        threads(lambda: store.delete_document(graphs[2].document.id),
                lambda: store.delete_document(graphs[3].document.id),
                lambda: store.write(graphs[0]))
        sqlite.delete_document(graphs[2].document.id)
        sqlite.delete_document(graphs[3].document.id)
        assert failures == []
        assert store.stats().model_dump(exclude={"store"}) == sqlite.stats().model_dump(exclude={"store"})
    finally:
        sqlite.close()


def test_a_fact_another_writer_commits_meanwhile_is_merged_not_duplicated(
        store: Neo4jStore, conn: Neo4jConnection, pipeline: Pipeline, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """Facts the store does not hold are created, not merged. Another transaction commits one of
    them between the check and the CREATE: the constraint stops the write, which is rerun merging
    every fact, and the graph ends as if there had been one writer."""
    from graph.neo4j import queries as q

    graph = with_cooccurrence_facts(run(pipeline, GRASSLEY + " " + SCOTT, "2020.txt"))
    target = graph.facts[0]

    class Interleaved(Neo4jStore):
        injected = False

        def _batched_rows(self, tx, cypher_text, rows, /, key="rows", **params):
            found = super()._batched_rows(tx, cypher_text, rows, key=key, **params)
            if cypher_text == q.EXISTING_FACTS and not self.injected:
                self.injected = True  # another writer, its own transaction, committed now
                self._driver.execute_query(
                    "CREATE (:Fact {id: $id, predicate: $p, subject_id: $s, object_id: $o, confidence: $c, "
                    "sources: [], first_seen: '2020-01-01T00:00:00+00:00', last_seen: '2020-01-01T00:00:00+00:00'})",
                    id=target.id, p=target.predicate, s=target.subject_id, o=target.object_id, c=target.confidence,
                    database_=self.database)
            return found

    interleaved = Interleaved.connect(conn)
    sqlite = SqliteStore(tmp_path / "one.sqlite3")
    try:
        with caplog.at_level(logging.INFO, logger="graph.neo4j.store"):
            interleaved.write(graph)
        assert interleaved.injected
        assert "created meanwhile by another writer" in caplog.text
        sqlite.write(graph)
        assert store.stats().model_dump(exclude={"store"}) == sqlite.stats().model_dump(exclude={"store"})
        assert cypher(store, "MATCH (f:Fact {id: $id}) RETURN count(*) AS n", id=target.id) == [{"n": 1}]
        assert cypher(store, "MATCH ()-[r]->() WHERE r.id = $id RETURN count(*) AS n", id=target.id) == [{"n": 1}]
        fact = store.get_fact(target.id)
        assert {(p.document_id, p.sentence_index) for p in fact.provenance} == {
            (p.document_id, p.sentence_index) for p in target.provenance}
    finally:
        interleaved.close()
        sqlite.close()


# -- search ------------------------------------------------------------------------------------
def test_search_escapes_lucene_syntax_and_tolerates_typos(store: Neo4jStore, pipeline: Pipeline):
    store.write(run(pipeline, (FIXTURE_DOCS / "2003_bush_excerpt.txt").read_text(encoding="utf-8"), "2003.txt"))
    for query in ('AND', 'OR NOT', '"', '(', '*', '?', '~', '\\', '/', 'a:b', 'defense~2', '[a TO z]', '+-&&||!{}^'):
        store.search_entities(query)  # no Lucene parse error
    dod = entity_id("agency:DOD")
    assert store.search_entities("Department of Defense")[0].id == dod
    assert store.search_entities("departmnet of defnse")[0].id == dod
    assert store.search_entities("Dept. of Defense")[0].id == dod


def test_lucene_queries_are_built_from_normalized_words():
    assert substring_query("defense") == "*defense* defense*^2 defense^4"
    assert substring_query("partment of def") == '+*partment +of +def* "partment of def"^4'
    assert prefix_query("de") == "+(de* de^4)"
    fuzzy = fuzzy_query("defence")
    assert "defence~2" in fuzzy.split() and "*def*" in fuzzy.split()
    assert len(fuzzy_query(" ".join(f"word{i}" for i in range(100))).split()) <= 48


# -- URIs and errors ---------------------------------------------------------------------------
def test_routing_uri_works(conn: Neo4jConnection, pipeline: Pipeline):
    routed = Neo4jConnection(uri=conn.uri.replace("bolt://", "neo4j://"), user=conn.user, password=conn.password,
                             database=conn.database, batch_size=conn.batch_size)
    assert routed.uri.startswith("neo4j://")
    store = Neo4jStore.connect(routed)
    try:
        graph = run(pipeline, GRASSLEY, "routed.txt")
        store.write(graph)
        assert store.has_document(graph.document.id)
        assert store.entity_facts(graph.facts[0].subject_id)[0].id == graph.facts[0].id
    finally:
        store.close()


def test_wrong_password_is_store_unavailable_with_a_clear_message(conn: Neo4jConnection):
    wrong = Neo4jConnection(uri=conn.uri, user=conn.user, password=conn.password + "-wrong",
                            database=conn.database, batch_size=10)
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore.connect(wrong)
    message = caught.value.message
    assert f"authentication failed for user {conn.user!r} at {conn.uri}" in message
    assert "GOVKG_NEO4J__USER / GOVKG_NEO4J__PASSWORD" in message


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_server_not_listening_is_store_unavailable(scheme: str):
    uri = f"{scheme}://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreUnavailable, match=f"Neo4j at {uri} is unavailable"):
        Neo4jStore.connect(Neo4jConnection(uri=uri, user="neo4j", password="x", database="neo4j", batch_size=10))


def test_a_server_that_goes_away_is_store_unavailable_for_reads_and_writes(pipeline: Pipeline):
    uri = f"bolt://127.0.0.1:{_free_port()}"
    driver = neo4j.GraphDatabase.driver(uri, auth=("neo4j", "x"), max_transaction_retry_time=0)
    store = Neo4jStore(driver, "neo4j", 100, uri=uri)
    try:
        with pytest.raises(StoreUnavailable, match="is unavailable"):
            store.stats()
        with pytest.raises(StoreUnavailable, match="is unavailable"):  # not WriteFailed: retry later
            store.write(run(pipeline, GRASSLEY, "gone.txt"))
    finally:
        store.close()


def test_unknown_database_and_bad_uris(conn: Neo4jConnection):
    missing = Neo4jConnection(uri=conn.uri, user=conn.user, password=conn.password, database="nosuchdb",
                              batch_size=10)
    with pytest.raises(StoreUnavailable, match="no database 'nosuchdb'"):
        Neo4jStore.connect(missing)
    for uri in ("http://127.0.0.1:7474", "bolt://[bad"):
        with pytest.raises(InvalidStoreUrl):
            Neo4jStore.connect(Neo4jConnection(uri=uri, user="neo4j", password="x", database="neo4j", batch_size=10))
