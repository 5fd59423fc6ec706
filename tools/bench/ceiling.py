"""The write ceiling of `govkg bench load --ceiling` (Neo4j only): how fast the server takes the
lightest graph models the load target could be met with, measured on the same facts.

The lightest model is the issue's own minimum: one typed relationship per fact between existing
entity nodes, carrying `id, confidence, sources, first_seen, last_seen`, its id under a uniqueness
constraint, and nothing else: no `:Fact` node, no provenance, no documents, sentences, mentions or
entity upserts. It is timed three ways: created (nothing checks for an existing fact, so this is
not idempotent), merged on its id (what an idempotent loader must do), and created with the
provenance rows as parallel list properties (the lightest model that keeps provenance). Each is
written the way the production path writes: `UNWIND` batches of `batch_size` rows, one managed
write transaction per batch, with one writer and with two concurrent writers. Anything the
production path adds can only be slower.

It runs on scratch labels (`:BenchCeiling` nodes, `:BENCH_CEILING` relationships, their own
constraints), removed afterwards, so the user's graph is untouched.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import neo4j
from pydantic import BaseModel

from graph.errors import Errors, WriteFailed
from tools.bench.load import Plan

CEILING_NODE_CONSTRAINT = (
    "CREATE CONSTRAINT bench_ceiling_node_id IF NOT EXISTS FOR (n:BenchCeiling) REQUIRE n.id IS UNIQUE"
)
CEILING_REL_CONSTRAINT = (
    "CREATE CONSTRAINT bench_ceiling_rel_id IF NOT EXISTS FOR ()-[r:BENCH_CEILING]-() REQUIRE r.id IS UNIQUE"
)
CEILING_DROP_CONSTRAINTS = ("DROP CONSTRAINT bench_ceiling_rel_id IF EXISTS",
                            "DROP CONSTRAINT bench_ceiling_node_id IF EXISTS")
CEILING_AWAIT_INDEXES = "CALL db.awaitIndexes(300)"
CEILING_CREATE_NODES = "UNWIND $ids AS id CREATE (:BenchCeiling {id: id})"
# every variant starts from the two entity nodes, found by their constrained ids
_CEILING_ENDPOINTS = """
UNWIND $rows AS row
MATCH (s:BenchCeiling {id: row.subject_id}) USING INDEX SEEK s:BenchCeiling(id)
MATCH (o:BenchCeiling {id: row.object_id}) USING INDEX SEEK o:BenchCeiling(id)
"""
CEILING_CREATE_FACTS = _CEILING_ENDPOINTS + """CREATE (s)-[:BENCH_CEILING {id: row.id, confidence: row.confidence,
                           sources: row.sources, first_seen: $now, last_seen: $now}]->(o)
RETURN count(*) AS n
"""
# the same plus each fact's provenance as parallel lists on the relationship: the lightest model
# that still keeps the sentence, spans, confidence and extractor of every supporting mention
CEILING_CREATE_FACTS_WITH_PROVENANCE = _CEILING_ENDPOINTS + """CREATE (s)-[:BENCH_CEILING {id: row.id,
                           confidence: row.confidence, sources: row.sources, first_seen: $now, last_seen: $now,
                           p_document_id: [p IN row.provenance | p.document_id],
                           p_sentence_index: [p IN row.provenance | p.sentence_index],
                           p_subject_start: [p IN row.provenance | p.subject_start],
                           p_subject_end: [p IN row.provenance | p.subject_end],
                           p_object_start: [p IN row.provenance | p.object_start],
                           p_object_end: [p IN row.provenance | p.object_end],
                           p_confidence: [p IN row.provenance | p.confidence],
                           p_extractor: [p IN row.provenance | p.extractor],
                           p_extractor_version: [p IN row.provenance | p.extractor_version]}]->(o)
RETURN count(*) AS n
"""
# the bare model written idempotently, as a loader must write it (a re-import adds nothing)
CEILING_MERGE_FACTS = _CEILING_ENDPOINTS + """MERGE (s)-[r:BENCH_CEILING {id: row.id}]->(o)
ON CREATE SET r.confidence = row.confidence, r.sources = row.sources, r.first_seen = $now, r.last_seen = $now
RETURN count(*) AS n
"""
CEILING_MODELS = {
    "typed_relationship": CEILING_CREATE_FACTS,
    "typed_relationship_merged": CEILING_MERGE_FACTS,
    "typed_relationship_with_provenance": CEILING_CREATE_FACTS_WITH_PROVENANCE,
}
CEILING_MODEL_DESCRIPTIONS = {
    "typed_relationship": "one typed relationship per fact {id, confidence, sources, first_seen, last_seen}, "
                          "unique id; no fact node, provenance, documents, sentences or mentions",
    "typed_relationship_merged": "the same relationship written with MERGE on its id (idempotent)",
    "typed_relationship_with_provenance": "the same created, plus the provenance rows as 9 parallel list properties",
}
CEILING_DELETE_FACTS = "MATCH ()-[r:BENCH_CEILING]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS"
CEILING_DELETE_NODES = "MATCH (n:BenchCeiling) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
CEILING_COUNT = "MATCH ()-[r:BENCH_CEILING]->() RETURN count(r) AS n"


class CeilingRun(BaseModel):
    model: str
    writers: int
    seconds: float
    facts_per_s: float


class WriteCeiling(BaseModel):
    models: dict[str, str]
    facts: int
    batch_size: int
    runs: list[CeilingRun]


def fact_rows(plan: Plan) -> list[dict[str, Any]]:
    return [{"id": f.id, "subject_id": f.subject_id, "object_id": f.object_id, "confidence": f.confidence,
             "sources": sorted({p.document_id for p in f.provenance}),
             "provenance": [{"document_id": p.document_id, "sentence_index": p.sentence_index,
                             "subject_start": p.subject_start, "subject_end": p.subject_end,
                             "object_start": p.object_start, "object_end": p.object_end,
                             "confidence": p.confidence, "extractor": p.extractor.name,
                             "extractor_version": p.extractor.version} for p in f.provenance]}
            for f, _, _ in plan.facts]


def measure_write_ceiling(driver: Any, database: str, plan: Plan, batch_size: int,
                          writers: Sequence[int] = (1, 2),
                          progress: Callable[[str], None] = lambda _: None) -> WriteCeiling:
    """Time each model's writes once per writer count, after one untimed batch per model; the scratch
    relationships are removed before each run and everything scratch at the end, also on failure."""
    rows = fact_rows(plan)
    batches = [rows[i : i + batch_size] for i in range(0, len(rows), batch_size)]
    node_ids = sorted({r["subject_id"] for r in rows} | {r["object_id"] for r in rows})
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def run(cypher: str, **params: Any) -> None:
        with driver.session(database=database) as session:
            session.run(cypher, params).consume()

    def write(cypher: str, batch: list[dict[str, Any]]) -> None:
        def work(tx: Any) -> int:
            return int(tx.run(cypher, rows=batch, now=now).single()["n"])

        with driver.session(database=database) as session:
            made = session.execute_write(work)
        if made != len(batch):
            raise WriteFailed(Errors.G060, made=made, wanted=len(batch))

    results: list[CeilingRun] = []
    try:
        run(CEILING_NODE_CONSTRAINT)
        run(CEILING_REL_CONSTRAINT)
        run(CEILING_AWAIT_INDEXES)
        run(CEILING_DELETE_FACTS)
        run(CEILING_DELETE_NODES)
        run(CEILING_CREATE_NODES, ids=node_ids)
        for model, cypher in CEILING_MODELS.items():
            run(CEILING_DELETE_FACTS)
            if batches:  # untimed: the query's plan and the JIT warm up on one batch
                write(cypher, batches[0])
            for count in writers:
                run(CEILING_DELETE_FACTS)
                progress(f"write ceiling: {len(rows)} facts as {model}, {count} writer(s)")
                seconds = _timed_writes(lambda batch, cypher=cypher: write(cypher, batch), batches, count)
                with driver.session(database=database) as session:
                    stored = session.run(CEILING_COUNT).single()["n"]
                if stored != len(rows):
                    raise WriteFailed(Errors.G061, stored=stored, wanted=len(rows))
                results.append(CeilingRun(model=model, writers=count, seconds=round(seconds, 3),
                                          facts_per_s=round(len(rows) / seconds, 1) if seconds > 0 else 0.0))
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
        raise WriteFailed(Errors.G062, reason=exc) from exc
    finally:
        try:
            for cypher in (CEILING_DELETE_FACTS, CEILING_DELETE_NODES, *CEILING_DROP_CONSTRAINTS):
                run(cypher)
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
            progress(f"could not remove the scratch graph (:BenchCeiling, :BENCH_CEILING): {exc}")
    return WriteCeiling(models=CEILING_MODEL_DESCRIPTIONS, facts=len(rows), batch_size=batch_size, runs=results)


def _timed_writes(write: Callable[[list[dict[str, Any]]], None], batches: list[list[dict[str, Any]]],
                  writers: int) -> float:
    pending = iter(batches)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        while not errors:
            with lock:
                batch = next(pending, None)
            if batch is None:
                return
            try:
                write(batch)
            except BaseException as exc:  # surfaced below, after the other writers stop
                errors.append(exc)

    threads = [threading.Thread(target=worker, name=f"ceiling-writer-{i}") for i in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return seconds
