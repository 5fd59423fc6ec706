"""The naive baseline of `govkg bench load`: one fact, one transaction.

Neo4j: one `MERGE` statement per fact in its own managed transaction, on scratch nodes
(`:BenchNaive`, constrained like the real ones, removed afterwards) so the user's graph is
untouched. SQLite: the production write of a one-fact document per transaction, into a scratch
file beside the store.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from extraction.records import Document, DocumentGraph, Entity, Fact, Sentence, document_id

NaiveWrite = Callable[[Fact, Entity, Entity], None]

NAIVE_CONSTRAINT = "CREATE CONSTRAINT bench_naive_id IF NOT EXISTS FOR (n:BenchNaive) REQUIRE n.id IS UNIQUE"
NAIVE_DROP_CONSTRAINT = "DROP CONSTRAINT bench_naive_id IF EXISTS"
NAIVE_MERGE_FACT = """
MERGE (s:BenchNaive {id: $subject_id}) ON CREATE SET s.name = $subject_name, s.type = $subject_type
MERGE (o:BenchNaive {id: $object_id}) ON CREATE SET o.name = $object_name, o.type = $object_type
MERGE (s)-[r:BENCH_FACT {id: $fact_id}]->(o)
ON CREATE SET r.predicate = $predicate, r.confidence = $confidence, r.sources = [$document_id]
"""
NAIVE_CLEANUP = "MATCH (n:BenchNaive) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


@contextmanager
def neo4j_naive_writer(uri: str, user: str, password: str, database: str) -> Iterator[NaiveWrite]:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:
        driver.execute_query(NAIVE_CONSTRAINT, database_=database)

        def write(fact: Fact, subject: Entity, obj: Entity) -> None:
            params = {
                "subject_id": subject.id, "subject_name": subject.name, "subject_type": subject.type,
                "object_id": obj.id, "object_name": obj.name, "object_type": obj.type, "fact_id": fact.id,
                "predicate": fact.predicate, "confidence": fact.confidence,
                "document_id": fact.provenance[0].document_id,
            }
            with driver.session(database=database) as session:
                session.execute_write(lambda tx: tx.run(NAIVE_MERGE_FACT, params).consume())

        try:
            yield write
        finally:
            with driver.session(database=database) as session:
                session.run(NAIVE_CLEANUP).consume()
            driver.execute_query(NAIVE_DROP_CONSTRAINT, database_=database)


@contextmanager
def sqlite_naive_writer() -> Iterator[NaiveWrite]:
    from graph.sqlite.store import SqliteStore

    with tempfile.TemporaryDirectory(prefix="govkg-bench-") as folder:
        scratch = SqliteStore(Path(folder) / "naive.sqlite3")

        def write(fact: Fact, subject: Entity, obj: Entity) -> None:
            text = f"{subject.name} {fact.predicate} {obj.name}"
            doc = Document(id=document_id(text + fact.id), text=text, title=fact.id, source_path=f"naive:{fact.id}",
                           source_name="naive.txt", format="txt")
            prov = fact.provenance[0].model_copy(update={"document_id": doc.id})
            scratch.write(DocumentGraph(
                document=doc, sentences=(Sentence(document_id=doc.id, index=0, start=0, end=len(text), text=text),),
                mentions=(), entities=(subject, obj), facts=(fact.model_copy(update={"provenance": (prov,)}),)))

        try:
            yield write
        finally:
            scratch.close()
