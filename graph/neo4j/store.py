"""The server store: Neo4j 5 over Bolt (`bolt://`) or routing (`neo4j://`) URIs.

Graph model (the Cypher lives in `graph/neo4j/queries.py`):

    (:Document {id, title, source_path, ..., text, imported_at})
        -[:HAS_SENTENCE]->(:Sentence {key: "<document id>:<index>", document_id, index, start, end, text})
    (:Sentence)-[:MENTIONS {id, document_id, sentence_index, start, end, text, type, confidence,
                            extractor, extractor_version}]->(:Entity)
    (:Sentence)-[:MENTIONS_UNRESOLVED {...}]->(the same :Sentence)   # entity_id None
    (:Entity:<Class>:<ancestor classes> {id, name, type, names, norms, aliases})
    (:Entity)-[:<predicate> {id, confidence, sources, first_seen, last_seen}]->(:Entity)
    (:Fact {id, predicate, subject_id, object_id, confidence, sources, first_seen, last_seen})
        -[:SUPPORTED_BY {document_id, sentence_index, subject_start, subject_end, object_start,
                         object_end, confidence, extractor, extractor_version}]->(:Sentence)
    (:Document)-[:HAS_CANDIDATE]->(:Candidate {key: "<document id>:<fact id>", id, subject_id,
                                               predicate, object_id, confidence, status, reason,
                                               provenance (JSON)})
    (:Document)-[:NAMED {document_id, names, norms, mentions, evidence}]->(:Entity)
        # per document and entity it writes or cites: the names it gave, its mention count, and
        # whether it mentions the entity or supports one of its facts (what a scope reads)
    (:AuditEvent {id, at, principal, action, target, department, outcome, detail, recorded_at})

Every read takes an optional `Scope` (graph.visibility): with one, the visibility filter runs
inside the Cypher (the `*_SCOPED` queries); without, the unfiltered queries run unchanged.

Behaves like `SqliteStore`: same ids, counts, ordering, retraction and ranking (the shared
`graph.ranking.rank`); every read and write goes through an index or a relationship.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, RoutingControl
from neo4j import exceptions as nex

from extraction.records import Document, DocumentGraph, Entity, Provenance, normalize_name, utcnow
from graph import views
from graph.errors import (
    Errors,
    GraphError,
    InvalidStoreUrl,
    NotFound,
    StoreUnavailable,
    WriteFailed,
)
from graph.neo4j import queries as q
from graph.neo4j.connection import NEO4J_SCHEMES, Neo4jConnection
from graph.ranking import FUZZY_CANDIDATES, Candidate, rank
from graph.store import (
    SHORTEST_PATHS,
    Annotation,
    AuditEvent,
    CandidateView,
    DeletionReport,
    DocumentSummary,
    EntityHit,
    EntityInfo,
    FactAnnotation,
    FactEdge,
    FactView,
    MentionView,
    SentenceHit,
    StoreStats,
)
from graph.visibility import Scope
from ontology.errors import OntologyError
from ontology.schema import load_ontology

if TYPE_CHECKING:
    from ontology.schema import Ontology

CANDIDATES_PER_QUERY = 400  # as SqliteStore: candidates fetched per search pass
MAX_FUZZY_CLAUSES = 48  # Lucene clauses of the typo-tolerant pass (BooleanQuery allows 1024)
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/\s])')
_NO_LIMIT = 2**62
_WORD = re.compile(r"\w+")
_READ_ATTEMPTS = 3  # a read and two retries of transient errors (deadlock, leader switch)
NEAREST_CANDIDATES = 200  # scoped vector search: index neighbours fetched before the visibility filter

T = TypeVar("T")
log = logging.getLogger(__name__)
CONSTRAINT_VIOLATION = "Neo.ClientError.Schema.ConstraintValidationFailed"
_PROVENANCE_FIELDS = ("fact_id", "sentence_key", "document_id", "sentence_index", "subject_start", "subject_end",
                      "object_start", "object_end", "confidence", "extractor", "extractor_version")


class Neo4jStore:
    """GraphStore on a Neo4j 5 server. The driver is thread-safe; one session per call."""

    name = "neo4j"
    features: frozenset[str] = frozenset({SHORTEST_PATHS})  # Cypher allShortestPaths (graph.store.ShortestPaths)

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        batch_size: int,
        ontology: Ontology | None = None,
        *,
        uri: str | None = None,
        user: str | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self._driver = driver
        self.database = database
        self.batch_size = batch_size
        self.uri = uri or "the configured Neo4j server"
        self.user = user or "neo4j"
        self._ontology = ontology
        self._ontology_loaded = ontology is not None
        self._labels: dict[str, str] = {}

    @classmethod
    def connect(cls, conn: Neo4jConnection, ontology: Ontology | None = None) -> Neo4jStore:
        """Open a driver, check that the server answers and accepts the credentials, and
        make sure the constraints and indexes exist."""
        try:
            scheme = urlsplit(conn.uri).scheme
        except ValueError as exc:
            raise InvalidStoreUrl(Errors.G041, uri=conn.uri, reason=exc) from exc
        if scheme not in NEO4J_SCHEMES:
            raise InvalidStoreUrl(Errors.G042, uri=conn.uri, schemes=", ".join(s + "://" for s in NEO4J_SCHEMES))
        try:
            driver = GraphDatabase.driver(
                conn.uri,
                auth=(conn.user, conn.password),
                user_agent="govkg",
                connection_timeout=15.0,
                max_transaction_retry_time=30.0,
                # keep the server's performance hints and "label/type does not exist yet"
                # warnings (an empty database) out of the logs; deprecations still show
                notifications_min_severity="WARNING",
                notifications_disabled_classifications=["UNRECOGNIZED"],
            )
        except (ValueError, nex.ConfigurationError) as exc:
            raise InvalidStoreUrl(Errors.G041, uri=conn.uri, reason=exc) from exc
        store = cls(driver, conn.database, conn.batch_size, ontology, uri=conn.uri, user=conn.user)
        try:
            try:
                driver.verify_connectivity()
            except Exception as exc:
                raise store._translate(exc, write=False) from exc
            store.ensure_schema()
            store.backfill_names()
        except BaseException:
            driver.close()
            raise
        return store

    # -- schema ----------------------------------------------------------------------------
    def ensure_schema(self, timeout_s: int = 300) -> int:
        """Create the constraints and indexes that are missing (and drop those of development
        versions); returns how many schema changes were made, 0 when all was in place."""
        created = 0
        for statement in (*q.SCHEMA, *q.OBSOLETE_SCHEMA):
            summary = self._run(lambda s=statement: self._driver.execute_query(
                s, database_=self.database, routing_=RoutingControl.WRITE).summary, write=False)
            counters = summary.counters
            created += (counters.constraints_added + counters.indexes_added
                        + counters.constraints_removed + counters.indexes_removed)
        if created:
            self._run(lambda: self._driver.execute_query(
                q.AWAIT_INDEXES, {"timeout": timeout_s}, database_=self.database), write=False)
        return created

    def backfill_names(self) -> int:
        """Give every entity of a database written before names were kept per document a NAMED
        relationship from each document that mentions it or supports one of its facts, with all
        its names; batched, idempotent, and skipped once done. Returns the relationships made."""
        if self._read(q.NAMED_BACKFILL_DONE, id=q.NAMED_BACKFILL_ID):
            return 0
        made, after = 0, ""
        while True:
            record = self._write(lambda tx, after=after: tx.run(
                q.BACKFILL_NAMED, after=after, batch=self.batch_size).single())
            made += record["named"] or 0
            if record["entities"] < self.batch_size or record["last"] is None:
                break
            after = record["last"]
        self._write(lambda tx: tx.run(q.MARK_NAMED_BACKFILLED, id=q.NAMED_BACKFILL_ID,
                                      now=utcnow().isoformat()).consume())
        if made:
            log.info("named %d (document, entity) pairs of a database written before names per document", made)
        return made

    # -- plumbing --------------------------------------------------------------------------
    def close(self) -> None:
        self._driver.close()

    def _translate(self, exc: BaseException, write: bool) -> BaseException:
        if isinstance(exc, GraphError):
            return exc
        if isinstance(exc, nex.AuthError):
            return StoreUnavailable(Errors.G005, user=self.user, uri=self.uri)
        if isinstance(exc, (nex.ServiceUnavailable, nex.SessionExpired, nex.ConnectionAcquisitionTimeoutError,
                            nex.DatabaseUnavailable, OSError)):
            return StoreUnavailable(Errors.G001, uri=self.uri, reason=_first_line(exc))
        code = getattr(exc, "code", None) or ""
        if code == "Neo.ClientError.Database.DatabaseNotFound":
            return StoreUnavailable(Errors.G006, uri=self.uri, database=self.database)
        if isinstance(exc, (nex.Neo4jError, nex.DriverError)):
            if write:
                return WriteFailed(Errors.G004, where=f"Neo4j at {self.uri}", reason=_first_line(exc))
            return GraphError(Errors.G009, uri=self.uri, reason=_first_line(exc))
        return exc

    def _run(self, fn: Callable[[], T], write: bool) -> T:
        try:
            return fn()
        except Exception as exc:
            translated = self._translate(exc, write)
            if translated is exc:
                raise
            raise translated from exc

    def _read(self, cypher: str, /, **params: Any) -> list[neo4j.Record]:
        """A read in an auto-commit transaction: a server that is down fails it at once (StoreUnavailable, the
        API's 503) instead of after the driver's 30 s of managed retries; transient errors are retried twice."""
        def call() -> list[neo4j.Record]:
            for attempt in range(_READ_ATTEMPTS):
                try:
                    with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS,
                                              bookmark_manager=self._driver.execute_query_bookmark_manager) as session:
                        return list(session.run(cypher, params))
                except (nex.TransientError, nex.SessionExpired):
                    if attempt == _READ_ATTEMPTS - 1:
                        raise
                    time.sleep(0.1 * (attempt + 1))
            raise AssertionError("unreachable")

        return self._run(call, write=False)

    def _write(self, work: Callable[[ManagedTransaction], T]) -> T:
        def call() -> T:
            with self._driver.session(
                database=self.database,
                bookmark_manager=self._driver.execute_query_bookmark_manager,
            ) as session:
                return session.execute_write(work)

        return self._run(call, write=True)

    def _batched(self, tx: ManagedTransaction, cypher: str, rows: Sequence[Any], /, key: str = "rows",
                 **params: Any) -> int:
        """Run `cypher` over `rows` in batches of at most batch_size; the total of its `n` column."""
        total = 0
        for start in range(0, len(rows), self.batch_size):
            record = tx.run(cypher, {key: list(rows[start : start + self.batch_size]), **params}).single()
            total += record["n"] if record is not None else 0
        return total

    def _batched_rows(self, tx: ManagedTransaction, cypher: str, rows: Sequence[Any], /, key: str = "rows",
                      **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(rows), self.batch_size):
            out += [_plain(r) for r in tx.run(cypher, {key: list(rows[start : start + self.batch_size]), **params})]
        return out

    # -- labels ----------------------------------------------------------------------------
    def _label_set(self, entity_type: str) -> str:
        """`e:\\`Department\\`:\\`GovernmentOrganization\\`:..., ` for an ON CREATE SET clause."""
        cached = self._labels.get(entity_type)
        if cached is None:
            labels = [label for label in self._class_labels(entity_type)
                      if label != q.ENTITY and label not in q.RESERVED_LABELS and IDENTIFIER.match(label)]
            labels = list(dict.fromkeys(labels))
            cached = ("e" + "".join(f":`{label}`" for label in labels) + ", ") if labels else ""
            self._labels[entity_type] = cached
        return cached

    def _class_labels(self, entity_type: str) -> list[str]:
        ontology = self._get_ontology()
        if ontology is not None:
            try:
                return ontology.ancestors(entity_type)
            except OntologyError:  # UnknownClass: the type alone
                pass
        return [entity_type]

    def _get_ontology(self) -> Ontology | None:
        if not self._ontology_loaded:
            self._ontology_loaded = True
            try:
                self._ontology = load_ontology()
            except OntologyError:  # labels then follow the type strings alone
                self._ontology = None
        return self._ontology

    # -- writes ----------------------------------------------------------------------------
    def write(self, graph: DocumentGraph) -> None:
        plan = _WritePlan.build(graph)
        for predicate in plan.facts_by_predicate:
            if not IDENTIFIER.match(predicate) or predicate in q.RESERVED_TYPES:
                raise WriteFailed(Errors.G051, predicate=predicate)
        try:
            self._write(lambda tx: self._write_work(tx, graph, plan, create_new_facts=True))
        except WriteFailed as exc:
            # A concurrent writer created one of the facts this one found missing: rerun with
            # MERGE for every fact (the rolled-back attempt left nothing behind).
            if getattr(exc.__cause__, "code", None) != CONSTRAINT_VIOLATION:
                raise
            log.info("document %s: a fact it creates was created meanwhile by another writer; "
                     "writing it again, merging every fact", graph.document.id)
            self._write(lambda tx: self._write_work(tx, graph, plan, create_new_facts=False))

    def _write_work(self, tx: ManagedTransaction, graph: DocumentGraph, plan: _WritePlan,
                    create_new_facts: bool) -> None:
        """One document's write. Facts the store does not hold yet are created (with their
        provenance) when `create_new_facts`, else merged like the others."""
        label_sets = {t: self._label_set(t) for t in plan.entities_by_type}
        now = utcnow().isoformat()
        doc = graph.document
        old: _Previous | None = None
        kept: set[int] = set()  # indexes into plan.provenance of rows stored unchanged
        if not tx.run(q.LOCK_DOCUMENT, id=doc.id, text=doc.text, now=now).single()["created"]:
            # Rewriting: the same result as SQLite's retract-then-insert, reached by
            # updating in place what comes back and deleting only what does not.
            old = self._previous(tx, doc.id, with_provenance=True)
            tx.run(q.DELETE_DOCUMENT_MENTIONS, id=doc.id).consume()
            tx.run(q.DELETE_STALE_NAMED, id=doc.id, keep=[row["id"] for row in plan.named]).consume()
            kept = self._keep_unchanged_provenance(tx, old.provenance, plan.provenance)
        tx.run(q.UPSERT_DOCUMENT, id=doc.id, title=doc.title,
               source_path=doc.source_path, source_name=doc.source_name, format=doc.format,
               department=doc.department, published=doc.published, labels=list(doc.labels),
               metadata=json.dumps(doc.metadata)).consume()
        _expect(self._batched(tx, q.UPSERT_SENTENCES, plan.sentences), len(plan.sentences),
                "sentences name a document that is not this one")
        recreate = []
        for rows in plan.entities_by_type.values():
            for row in rows:
                prior = old.entities.get(row["id"]) if old else None
                row["reset"] = prior is not None and prior.orphaned
                if row["reset"] and prior is not None and prior.type != row["type"]:
                    recreate.append(prior.eid)  # its labels change: delete, then create
                    row["reset"] = False
        if recreate:
            self._batched(tx, q.DELETE_ENTITIES_BY_ELEMENT_ID, recreate, key="eids")
        for entity_type, rows in plan.entities_by_type.items():
            self._batched(tx, q.UPSERT_ENTITIES.format(labels_set=label_sets[entity_type]), rows)
        self._batched(tx, q.CREATE_NAMED if old is None else q.MERGE_NAMED, plan.named, doc=doc.id)
        _expect(self._batched(tx, q.CREATE_MENTIONS, plan.mentions), len(plan.mentions),
                "mentions name a sentence or an entity that the graph does not hold")
        _expect(self._batched(tx, q.CREATE_UNRESOLVED_MENTIONS, plan.unresolved),
                len(plan.unresolved), "mentions name a sentence that the graph does not hold")
        fact_ids = [row["id"] for rows in plan.facts_by_predicate.values() for row in rows]
        retracted = old.fact_ids if old else set()
        if create_new_facts:  # the old version's facts were just read: no need to look again
            unknown = [fid for fid in fact_ids if fid not in retracted]
            stored = retracted | {r["id"] for r in self._batched_rows(tx, q.EXISTING_FACTS, unknown, key="ids")}
        else:
            stored = set(fact_ids)
        new_provenance: dict[str, list[dict[str, Any]]] = {}
        for i, p in enumerate(plan.provenance):
            if i not in kept:
                new_provenance.setdefault(p["fact_id"], []).append(p)
        for predicate, rows in plan.facts_by_predicate.items():
            present = [row for row in rows if row["id"] in stored]
            for row in present:
                row["retracted"] = row["id"] in retracted
            cypher = q.UPSERT_FACTS.format(rel_type=f"`{predicate}`")
            _expect(self._batched(tx, cypher, present, now=now, doc=doc.id), len(present),
                    "facts name an entity that the store does not hold")
            fresh = [{**row, "provenance": new_provenance.pop(row["id"], [])}
                     for row in rows if row["id"] not in stored]
            made = self._create_facts(tx, q.CREATE_FACTS.format(rel_type=f"`{predicate}`"), fresh, now)
            _expect(made[0], len(fresh), "facts name an entity that the store does not hold")
            _expect(made[1], sum(len(row["provenance"]) for row in fresh),
                    "fact provenance names a sentence that the graph does not hold")
        remaining = [p for rows in new_provenance.values() for p in rows]
        _expect(self._batched(tx, q.CREATE_PROVENANCE, remaining), len(remaining),
                "fact provenance names a sentence that the graph does not hold")
        self._batched(tx, q.UPSERT_CANDIDATES, plan.candidates)
        if old is not None:
            self._finish_retraction(tx, doc.id, old, plan)

    def _create_facts(self, tx: ManagedTransaction, cypher: str, rows: list[dict[str, Any]],
                      now: str) -> tuple[int, int]:
        """CREATE_FACTS in batches; (facts created, provenance rows created)."""
        facts = provenance = 0
        for start in range(0, len(rows), self.batch_size):
            record = tx.run(cypher, rows=rows[start : start + self.batch_size], now=now).single()
            if record is not None:
                facts += record["n"]
                provenance += record["provenance"] or 0
        return facts, provenance

    def _keep_unchanged_provenance(self, tx: ManagedTransaction, stored: list[dict[str, Any]],
                                   rows: list[dict[str, Any]]) -> set[int]:
        """Delete the document's stored provenance rows that the new rows do not repeat exactly;
        returns the indexes of the new rows already stored (not to be created again)."""
        wanted: dict[tuple[Any, ...], list[int]] = {}
        for i, row in enumerate(rows):
            wanted.setdefault(_provenance_key(row), []).append(i)
        kept: set[int] = set()
        stale: list[str] = []
        for record in stored:
            match = wanted.get(_provenance_key(record))
            if match:
                kept.add(match.pop())
            else:
                stale.append(record["eid"])
        self._batched(tx, q.DELETE_PROVENANCE_BY_ELEMENT_ID, stale, key="eids")
        return kept

    def delete_document(self, document_id: str) -> DeletionReport:
        def work(tx: ManagedTransaction) -> DeletionReport:
            if tx.run(q.DOCUMENT_EXISTS, id=document_id).single() is None:
                raise NotFound(Errors.G002, kind="document", id=document_id)
            old = self._previous(tx, document_id)
            mentions_removed = self._drop_links(tx, document_id)
            facts_removed, facts_kept, entities_removed = self._finish_retraction(tx, document_id, old, None)
            return DeletionReport(document_id=document_id, mentions_removed=mentions_removed,
                                  facts_removed=facts_removed, facts_kept=facts_kept,
                                  entities_removed=entities_removed)

        return self._write(work)

    # Retraction, in the order that keeps it linear: Neo4j's index seeks slow down with every
    # node already deleted in the transaction, so the seek-driven steps come first and the
    # node deletions last, finding their nodes by element id.
    def _previous(self, tx: ManagedTransaction, document_id: str, with_provenance: bool = False) -> _Previous:
        """What the document's stored version supports: its facts and touched entities, and
        (`with_provenance`, for a rewrite) its provenance rows."""
        provenance: list[dict[str, Any]] = []
        if with_provenance:
            provenance = [_plain(r) for r in tx.run(q.DOCUMENT_PROVENANCE, id=document_id)]
            by_id = {p["fact_id"]: {"id": p["fact_id"], "eid": p["fact_eid"], "subject_id": p["subject_id"],
                                    "object_id": p["object_id"]} for p in provenance}
            facts = list(by_id.values())
        else:
            facts = [_plain(r) for r in tx.run(q.RETRACT_FACTS, id=document_id)]
        touched = dict.fromkeys(r["id"] for r in tx.run(q.RETRACT_MENTIONED, id=document_id))
        for fact in facts:
            touched.update(dict.fromkeys((fact["subject_id"], fact["object_id"])))
        entities = {
            r["id"]: _PriorEntity(r["eid"], r["type"], r["orphaned"])
            for r in self._batched_rows(tx, q.RETRACT_ENTITIES, list(touched), key="ids", doc=document_id)
        }
        return _Previous(facts, entities, provenance)

    def _drop_links(self, tx: ManagedTransaction, document_id: str) -> int:
        """Delete the document's mentions and provenance (relationships); returns the mentions."""
        mentions = tx.run(q.DELETE_DOCUMENT_MENTIONS, id=document_id).single()
        tx.run(q.DELETE_DOCUMENT_PROVENANCE, id=document_id).consume()
        return mentions["n"] if mentions else 0

    def _finish_retraction(self, tx: ManagedTransaction, document_id: str, old: _Previous,
                           plan: _WritePlan | None) -> tuple[int, int, int]:
        """After the new version (if any) is written: settle the old facts, delete what is left
        unsupported, and the entities left with neither mention nor fact."""
        new_facts = {row["id"] for rows in plan.facts_by_predicate.values() for row in rows} if plan else set()
        new_entities = {row["id"] for rows in plan.entities_by_type.values() for row in rows} if plan else set()
        settle = [f["eid"] for f in old.facts if f["id"] not in new_facts]
        locked = self._batched_rows(tx, q.LOCK_FACTS, settle, key="eids")
        facts_kept = self._batched(tx, q.UPDATE_KEPT_FACTS, [f["id"] for f in locked if f["supported"]], key="ids")
        gone = [f for f in locked if not f["supported"]]
        self._batched(tx, q.UNLINK_FACTS, [f["id"] for f in gone], key="ids")
        facts_removed = self._batched(tx, q.DELETE_FACTS_BY_ELEMENT_ID, [f["eid"] for f in gone], key="eids")
        if plan is not None:
            tx.run(q.DELETE_STALE_SENTENCES, id=document_id, keep=[s["key"] for s in plan.sentences]).consume()
            tx.run(q.DELETE_STALE_CANDIDATES, id=document_id, keep=[c["key"] for c in plan.candidates]).consume()
        else:
            tx.run(q.DELETE_DOCUMENT_SENTENCES, id=document_id).consume()
            tx.run(q.DELETE_DOCUMENT_CANDIDATES, id=document_id).consume()
            tx.run(q.DELETE_DOCUMENT, id=document_id).consume()
        orphans = [e.eid for eid, e in old.entities.items() if eid not in new_entities]
        entities_removed = self._batched(tx, q.DELETE_ORPHAN_ENTITIES, orphans, key="eids")
        return facts_removed, facts_kept, entities_removed

    # -- documents -------------------------------------------------------------------------
    def has_document(self, document_id: str) -> bool:
        return bool(self._read(q.DOCUMENT_EXISTS, id=document_id))

    def document_for_source(self, source_path: str) -> str | None:
        rows = self._read(q.DOCUMENT_FOR_SOURCE, path=source_path)
        return rows[0]["id"] if rows else None

    def get_document(self, document_id: str, scope: Scope | None = None) -> Document:
        rows = (self._read(q.DOCUMENT_GET, id=document_id) if scope is None
                else self._read(q.DOCUMENT_GET_SCOPED, id=document_id, **scope.parameters()))
        if not rows:
            raise NotFound(Errors.G002, kind="document", id=document_id)
        return views.document(rows[0]["d"])

    def list_documents(self, limit: int = 100, offset: int = 0, scope: Scope | None = None) -> list[DocumentSummary]:
        params = {"limit": limit if limit >= 0 else _NO_LIMIT, "offset": max(offset, 0)}
        rows = (self._read(q.DOCUMENTS_LIST, **params) if scope is None
                else self._read(q.DOCUMENTS_LIST_SCOPED, **params, **scope.parameters()))
        return [views.document_summary(r) for r in rows]

    # -- entities --------------------------------------------------------------------------
    def get_entity(self, entity_id: str, scope: Scope | None = None) -> Entity:
        rows = (self._read(q.ENTITY_GET, id=entity_id) if scope is None
                else self._read(q.ENTITY_GET_SCOPED, id=entity_id, **scope.parameters()))
        if not rows:
            raise NotFound(Errors.G002, kind="entity", id=entity_id)
        return views.entity(rows[0])

    def search_entities(
        self, query: str, types: list[str] | None = None, limit: int = 10, scope: Scope | None = None
    ) -> list[EntityHit]:
        norm = normalize_name(query)
        if not norm:
            return []
        found: dict[str, dict[str, Any]] = {}
        rows: list[tuple[str, str]] = []  # (entity id, name): what SQLite's FTS5 passes yield
        if len(norm) >= 3:
            rows = self._candidate_rows(substring_query(norm), found, lambda n: norm in n, scope=scope)
            if not rows:  # fuzzy (typos), only when no name contains the query (Lucene: ~ terms, *gram*)
                grams = trigrams(norm)
                rows += self._candidate_rows(
                    fuzzy_query(norm), found, lambda n: any(g in n for g in grams), limit=FUZZY_CANDIDATES,
                    scope=scope)
        else:
            rows = self._candidate_rows(prefix_query(norm), found, lambda n: n.startswith(norm), scope=scope)
        if not rows:
            return []
        if types:
            allowed = set(types)
            rows = [r for r in rows if found[r[0]]["type"] in allowed]
        ranked = rank(query, [Candidate(eid, name, found[eid]["mention_count"]) for eid, name in rows], limit)
        hits = []
        for r in ranked:
            entity = found[r.entity_id]
            hits.append(views.entity_hit(r, entity["name"], entity["type"], entity["names"] or []))
        return hits

    def _candidate_rows(self, lucene: str, found: dict[str, dict[str, Any]],
                        keep: Callable[[str], bool], limit: int = CANDIDATES_PER_QUERY,
                        scope: Scope | None = None) -> list[tuple[str, str]]:
        """Full-text candidates; the (entity, name) pairs whose normalized name passes `keep`
        (under a scope: visible entities, with only the names visible documents gave them)."""
        rows = []
        records = (self._read(q.SEARCH_CANDIDATES, query=lucene, limit=limit) if scope is None
                   else self._read(q.SEARCH_CANDIDATES_SCOPED, query=lucene, limit=limit, **scope.parameters()))
        for record in records:
            entity = record.data()
            found.setdefault(entity["id"], entity)
            for name, norm in zip(entity["names"] or [], entity["norms"] or [], strict=False):
                if keep(norm):
                    rows.append((entity["id"], name))
        return rows

    def entity_mention_count(self, entity_id: str, scope: Scope | None = None) -> int:
        rows = (self._read(q.ENTITY_MENTION_COUNT, id=entity_id) if scope is None
                else self._read(q.ENTITY_MENTION_COUNT_SCOPED, id=entity_id, **scope.parameters()))
        return int(rows[0]["n"]) if rows else 0

    def _fact_types(self) -> list[str]:
        types = self._read(q.RELATIONSHIP_TYPES)[0]["types"]
        return sorted(t for t in types if IDENTIFIER.match(t) and t not in q.RESERVED_TYPES)

    def entity_facts(self, entity_id: str, limit: int = 100, scope: Scope | None = None) -> list[FactView]:
        types = self._fact_types()
        if not types or limit == 0:
            return []
        rel_types = "|".join(f"`{t}`" for t in types)
        params = {"id": entity_id, "limit": limit if limit >= 0 else _NO_LIMIT}
        if scope is None:
            rows = self._read(q.ENTITY_FACTS.format(rel_types=rel_types), **params)
        else:
            rows = self._read(q.ENTITY_FACTS_SCOPED.format(rel_types=rel_types), **params, **scope.parameters())
        return [views.fact_view(r, r["provenance"]) for r in rows]

    def shortest_paths(self, source: str, target: str, max_length: int, k: int,
                       scope: Scope | None = None) -> list[list[str]]:
        """Up to k shortest paths (as entity ids) over fact relationships: Cypher allShortestPaths;
        under a scope over visible facts only (no path runs through an invisible fact)."""
        types = self._fact_types()
        if not types or source == target:
            return [[source]] if source == target else []
        rel_types = "|".join(f"`{t}`" for t in types)
        if scope is None:
            query = q.SHORTEST_PATHS.format(rel_types=rel_types, max_length=int(max_length))
            rows = self._read(query, source=source, target=target, k=k)
        else:
            query = q.SHORTEST_PATHS_SCOPED.format(rel_types=rel_types, max_length=int(max_length))
            rows = self._read(query, source=source, target=target, k=k, **scope.parameters())
        return [list(r["ids"]) for r in rows]

    def get_fact(self, fact_id: str, scope: Scope | None = None) -> FactView:
        rows = (self._read(q.FACT_GET, id=fact_id) if scope is None
                else self._read(q.FACT_GET_SCOPED, id=fact_id, **scope.parameters()))
        if not rows:
            raise NotFound(Errors.G002, kind="fact", id=fact_id)
        return views.fact_view(rows[0], rows[0]["provenance"])

    def fact_edges(self, scope: Scope | None = None) -> Iterator[FactEdge]:
        rows = self._read(q.FACT_EDGES) if scope is None else self._read(q.FACT_EDGES_SCOPED, **scope.parameters())
        for r in rows:
            yield views.fact_edge(r)

    def entity_infos(self, entity_ids: list[str] | None = None, scope: Scope | None = None) -> dict[str, EntityInfo]:
        if scope is None:
            rows = (self._read(q.ENTITY_INFOS_ALL) if entity_ids is None
                    else self._read(q.ENTITY_INFOS, ids=sorted(set(entity_ids))))
        else:
            rows = (self._read(q.ENTITY_INFOS_ALL_SCOPED, **scope.parameters()) if entity_ids is None
                    else self._read(q.ENTITY_INFOS_SCOPED, ids=sorted(set(entity_ids)), **scope.parameters()))
        return {r["id"]: views.entity_info(r, r["departments"]) for r in rows}

    def document_annotations(self, document_id: str, scope: Scope | None = None
                             ) -> tuple[list[Annotation], list[FactAnnotation]]:
        visible = (self.has_document(document_id) if scope is None
                   else bool(self._read(q.DOCUMENT_VISIBLE, id=document_id, **scope.parameters())))
        if not visible:
            raise NotFound(Errors.G002, kind="document", id=document_id)
        mentions = [views.annotation(r) for r in self._read(q.DOCUMENT_MENTION_ANNOTATIONS, id=document_id)]
        facts = [views.fact_annotation(r) for r in self._read(q.DOCUMENT_FACT_ANNOTATIONS, id=document_id)]
        return mentions, facts

    def entity_mentions(self, entity_id: str, limit: int = 100, scope: Scope | None = None) -> list[MentionView]:
        params = {"id": entity_id, "limit": limit if limit >= 0 else _NO_LIMIT}
        rows = (self._read(q.ENTITY_MENTIONS, **params) if scope is None
                else self._read(q.ENTITY_MENTIONS_SCOPED, **params, **scope.parameters()))
        return [views.mention_view(r) for r in rows]

    def entity_departments(self, entity_id: str, scope: Scope | None = None) -> list[str]:
        rows = (self._read(q.ENTITY_DEPARTMENTS, id=entity_id) if scope is None
                else self._read(q.ENTITY_DEPARTMENTS_SCOPED, id=entity_id, **scope.parameters()))
        return [r["department"] for r in rows]

    def fact_candidates(self, status: str | None = None, limit: int = 100, offset: int = 0,
                        scope: Scope | None = None) -> list[CandidateView]:
        params = {"limit": limit if limit >= 0 else _NO_LIMIT, "offset": max(offset, 0)}
        if scope is not None:
            rows = self._read(q.CANDIDATES_SCOPED, status=status, **params, **scope.parameters())
        elif status is None:
            rows = self._read(q.CANDIDATES_ANY, **params)
        else:
            rows = self._read(q.CANDIDATES_WITH_STATUS, status=status, **params)
        provenance = [views.candidate_provenance(r) for r in rows]
        keys = sorted({sentence_key(p.document_id, p.sentence_index) for ps in provenance for p in ps})
        sentences = {s["key"]: s for s in self._read(q.SENTENCES_BY_KEY, keys=keys)} if keys else {}

        def sentence(p: Provenance) -> neo4j.Record | None:
            return sentences.get(sentence_key(p.document_id, p.sentence_index))

        return [views.candidate_view(r, ps, sentence) for r, ps in zip(rows, provenance, strict=True)]

    def iter_document_graphs(self, department: str | None = None, scope: Scope | None = None
                             ) -> Iterator[DocumentGraph]:
        ids = [r["id"] for r in (self._read(q.DOCUMENT_IDS, department=department) if scope is None
                                 else self._read(q.DOCUMENT_IDS_SCOPED, department=department,
                                                 **scope.parameters()))]
        for doc_id in ids:
            try:
                yield self._document_graph(doc_id, scope)
            except NotFound:  # deleted meanwhile
                continue

    def _document_graph(self, doc_id: str, scope: Scope | None = None) -> DocumentGraph:
        document = self.get_document(doc_id, scope)
        rows = self._read(q.DOCUMENT_PARTS, id=doc_id)
        if not rows:
            raise NotFound(Errors.G002, kind="document", id=doc_id)
        parts = rows[0]
        entity_ids = {m["entity_id"] for m in parts["mentions"] if m["entity_id"] is not None}
        entity_ids |= {p["subject_id"] for p in parts["provenance"]} | {p["object_id"] for p in parts["provenance"]}
        if not entity_ids:
            entities: tuple[Entity, ...] = ()
        elif scope is None:
            entities = tuple(_document_entity(r) for r in self._read(q.DOCUMENT_ENTITIES, ids=sorted(entity_ids),
                                                                     doc=doc_id))
        else:
            entities = tuple(_document_entity(r) for r in self._read(
                q.DOCUMENT_ENTITIES_SCOPED, ids=sorted(entity_ids), doc=doc_id, **scope.parameters()))
        return views.document_graph(document, parts["sentences"], parts["mentions"], parts["provenance"], entities,
                                    parts["candidates"])

    def stats(self, scope: Scope | None = None) -> StoreStats:
        if scope is not None:
            return self._scoped_stats(scope)
        counts = self._read(q.COUNTS)[0]
        by_type = {r["key"]: r["n"] for r in self._read(q.ENTITIES_BY_TYPE)}
        types = self._fact_types()
        by_predicate = {}
        if types:  # validated identifiers, so safe in query text
            calls = " ".join(q.FACT_TYPE_COUNT.format(rel_type=t, i=i) for i, t in enumerate(types))
            rows = ", ".join(f"{{key: '{t}', n: c{i}}}" for i, t in enumerate(types))
            by_predicate = {r["key"]: r["n"] for r in self._read(q.FACTS_BY_PREDICATE.format(calls=calls, rows=rows))}
        by_status = {r["key"]: r["n"] for r in self._read(q.CANDIDATES_BY_STATUS)}
        by_extractor = {r["key"]: r["n"] for r in self._read(q.FACTS_BY_EXTRACTOR)}
        return views.store_stats(self.name, counts, by_type, by_predicate, by_extractor, by_status)

    def _scoped_stats(self, scope: Scope) -> StoreStats:
        params = scope.parameters()
        counts = self._read(q.STATS_DOCUMENTS_SCOPED, **params)[0]
        by_type = {r["key"]: r["n"] for r in self._read(q.STATS_ENTITIES_SCOPED, **params)}
        by_predicate = {r["key"]: r["n"] for r in self._read(q.STATS_FACTS_BY_PREDICATE_SCOPED, **params)}
        by_extractor = {r["key"]: r["n"] for r in self._read(q.STATS_FACTS_BY_EXTRACTOR_SCOPED, **params)}
        by_status = {r["key"]: r["n"] for r in self._read(q.STATS_CANDIDATES_SCOPED, **params)}
        totals = {**counts.data(), "entities": sum(by_type.values()), "facts": sum(by_predicate.values())}
        return views.store_stats(self.name, totals, by_type, by_predicate, by_extractor, by_status)

    # -- question answering: sentence retrieval ------------------------------------------------
    def search_sentences(self, query: str, limit: int = 20, document_ids: list[str] | None = None,
                         scope: Scope | None = None) -> list[SentenceHit]:
        words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
        if not words or document_ids == []:
            return []
        lucene = " ".join(lucene_escape(w) for w in words)
        params = {"query": lucene, "limit": limit,
                  "document_ids": sorted(set(document_ids)) if document_ids is not None else None}
        rows = (self._read(q.SEARCH_SENTENCES, **params) if scope is None
                else self._read(q.SEARCH_SENTENCES_SCOPED, **params, **scope.parameters()))
        return [views.sentence_hit(r) for r in rows]

    def get_sentences(self, keys: list[tuple[str, int]], scope: Scope | None = None) -> list[SentenceHit]:
        wanted = [sentence_key(doc, idx) for doc, idx in keys]
        rows = (self._read(q.SENTENCE_HITS_BY_KEY, keys=wanted) if scope is None
                else self._read(q.SENTENCE_HITS_BY_KEY_SCOPED, keys=wanted, **scope.parameters()))
        found = {(r["document_id"], r["sentence_index"]): views.sentence_hit(r) for r in rows}
        return [found[key] for key in keys if key in found]

    def sentence_frequencies(self, words: list[str]) -> tuple[int, dict[str, int]]:
        counts = {}
        for word in dict.fromkeys(words):
            terms = [lucene_escape(w.casefold()) for w in _WORD.findall(word)]
            counts[word] = self._read(q.SENTENCE_FREQUENCY, word=" AND ".join(terms))[0]["n"] if terms else 0
        return self._read(q.SENTENCE_TOTAL)[0]["n"], counts

    def write_sentence_vectors(self, document_id: str, model: str, vectors: Sequence[Sequence[float]]) -> None:
        rows = [{"key": sentence_key(document_id, i), "vector": [float(x) for x in vector]}
                for i, vector in enumerate(vectors)]

        def work(tx: ManagedTransaction) -> None:
            if tx.run(q.DOCUMENT_EXISTS, id=document_id).single() is None:
                raise NotFound(Errors.G002, kind="document", id=document_id)
            count = tx.run(q.SENTENCE_COUNT, id=document_id).single()
            if count["n"] != len(rows):
                raise WriteFailed(Errors.G050, document_id=document_id, sentences=count["n"], vectors=len(rows))
            self._batched(tx, q.SET_SENTENCE_VECTORS, rows, model=model)

        self._write(work)

    def nearest_sentences(self, vector: Sequence[float], limit: int = 20, document_ids: list[str] | None = None,
                          scope: Scope | None = None) -> list[SentenceHit]:
        if document_ids == []:
            return []
        values = [float(x) for x in vector]
        if scope is not None:
            rows = []
            if document_ids is None:  # the index's nearest first; exact over the visible sentences if too few
                rows = self._read(q.NEAREST_SENTENCES_SCOPED, vector=values, limit=limit,
                                  candidates=max(NEAREST_CANDIDATES, 4 * limit), **scope.parameters())
            if len(rows) < limit:
                rows = self._read(q.NEAREST_SENTENCES_EXACT_SCOPED, vector=values, limit=limit,
                                  document_ids=sorted(set(document_ids)) if document_ids is not None else None,
                                  **scope.parameters())
        elif document_ids is None:
            rows = self._read(q.NEAREST_SENTENCES, vector=values, limit=limit)
        else:
            rows = self._read(q.NEAREST_SENTENCES_IN, vector=values, limit=limit,
                              document_ids=sorted(set(document_ids)))
        return [views.sentence_hit(r) for r in rows]

    # -- audit: append-only ---------------------------------------------------------------------
    def append_audit(self, event: AuditEvent) -> None:
        self._write(lambda tx: tx.run(q.APPEND_AUDIT, **event.model_dump()).consume())

    def audit_events(self, limit: int = 100, offset: int = 0, action: str | None = None,
                     principal: str | None = None) -> list[AuditEvent]:
        rows = self._read(q.AUDIT_EVENTS, limit=limit if limit >= 0 else _NO_LIMIT, offset=max(offset, 0),
                          action=action, principal=principal)
        return [views.audit_event(r) for r in rows]


@dataclass(frozen=True)
class _PriorEntity:
    eid: str  # element id, valid for the rest of the transaction
    type: str
    orphaned: bool  # nothing but the retracted version mentions it or states a fact of it (as read)


@dataclass(frozen=True)
class _Previous:
    """A stored document version about to be retracted: its facts and touched entities."""

    facts: list[dict[str, Any]]
    entities: dict[str, _PriorEntity]
    provenance: list[dict[str, Any]]  # DOCUMENT_PROVENANCE rows, read for a rewrite only

    @property
    def fact_ids(self) -> set[str]:
        return {f["id"] for f in self.facts}


# -- write plan: the graph's rows, deduplicated as the SQLite upserts would -----------------------
class _WritePlan:
    def __init__(self) -> None:
        self.sentences: list[dict[str, Any]] = []
        self.entities_by_type: dict[str, list[dict[str, Any]]] = {}
        self.mentions: list[dict[str, Any]] = []
        self.unresolved: list[dict[str, Any]] = []
        self.provenance: list[dict[str, Any]] = []
        self.facts_by_predicate: dict[str, list[dict[str, Any]]] = {}
        self.candidates: list[dict[str, Any]] = []
        self.named: list[dict[str, Any]] = []  # NAMED rows: what this document says of each entity

    @classmethod
    def build(cls, graph: DocumentGraph) -> _WritePlan:
        plan = cls()
        sentences = {}  # INSERT OR REPLACE on (document, index): the last one wins
        for s in graph.sentences:
            sentences[(s.document_id, s.index)] = {
                "key": sentence_key(s.document_id, s.index), "document_id": s.document_id,
                "index": s.index, "start": s.start, "end": s.end, "text": s.text,
            }
        plan.sentences = list(sentences.values())

        entities: dict[str, dict[str, Any]] = {}  # first name and type win; names accumulate
        for e in graph.entities:
            row = entities.get(e.id)
            if row is None:
                row = entities[e.id] = {"id": e.id, "name": e.name, "type": e.type, "names": [], "norms": [],
                                        "reset": False}
            for name in (e.name, *e.aliases):
                norm = normalize_name(name)
                if norm and norm not in row["norms"]:
                    row["norms"].append(norm)
                    row["names"].append(name)
        for row in entities.values():
            plan.entities_by_type.setdefault(row["type"], []).append(row)

        mentions: dict[str, dict[str, Any]] = {}  # INSERT OR REPLACE on id: the last one wins
        for m in graph.mentions:
            mentions.pop(m.id, None)
            mentions[m.id] = {
                "id": m.id, "entity_id": m.entity_id,
                "sentence_key": sentence_key(m.document_id, m.sentence_index),
                "document_id": m.document_id, "sentence_index": m.sentence_index,
                "start": m.start, "end": m.end, "text": m.text, "type": m.type,
                "confidence": m.confidence, "extractor": m.extractor.name,
                "extractor_version": m.extractor.version,
            }
        plan.mentions = [m for m in mentions.values() if m["entity_id"] is not None]
        plan.unresolved = [m for m in mentions.values() if m["entity_id"] is None]

        facts: dict[str, dict[str, Any]] = {}  # upsert: the highest confidence wins
        provenance: dict[tuple[Any, ...], dict[str, Any]] = {}
        for f in graph.facts:
            row = facts.get(f.id)
            if row is None:
                row = facts[f.id] = {"id": f.id, "subject_id": f.subject_id, "predicate": f.predicate,
                                     "object_id": f.object_id, "confidence": f.confidence,
                                     "retracted": False, "documents": []}
                plan.facts_by_predicate.setdefault(f.predicate, []).append(row)
            else:
                row["confidence"] = max(row["confidence"], f.confidence)
            for p in f.provenance:
                key = (f.id, p.document_id, p.sentence_index, p.subject_start, p.object_start, p.extractor.name)
                provenance.pop(key, None)
                provenance[key] = {
                    "fact_id": f.id, "sentence_key": sentence_key(p.document_id, p.sentence_index),
                    "document_id": p.document_id, "sentence_index": p.sentence_index,
                    "subject_start": p.subject_start, "subject_end": p.subject_end,
                    "object_start": p.object_start, "object_end": p.object_end,
                    "confidence": p.confidence, "extractor": p.extractor.name,
                    "extractor_version": p.extractor.version,
                }
        plan.provenance = list(provenance.values())
        documents: dict[str, set[str]] = {}
        for p in plan.provenance:
            documents.setdefault(p["fact_id"], set()).add(p["document_id"])
        for row in facts.values():
            row["documents"] = sorted(documents.get(row["id"], ()))

        # NAMED: the names the document gives each entity, its mentions of it, and whether it
        # mentions it or supports one of its facts (the entity's visibility through this document)
        named: dict[str, dict[str, Any]] = {
            row["id"]: {"id": row["id"], "names": row["names"], "norms": row["norms"], "mentions": 0,
                        "evidence": False}
            for rows in plan.entities_by_type.values() for row in rows
        }

        def cited(eid: str) -> dict[str, Any]:
            return named.setdefault(eid, {"id": eid, "names": [], "norms": [], "mentions": 0, "evidence": False})

        for m in plan.mentions:
            row = cited(m["entity_id"])
            row["mentions"] += 1
            row["evidence"] = True
        for row in facts.values():
            if row["documents"]:
                cited(row["subject_id"])["evidence"] = True
                cited(row["object_id"])["evidence"] = True
        plan.named = list(named.values())

        doc_id = graph.document.id
        candidates: dict[str, dict[str, Any]] = {}  # INSERT OR REPLACE on (id, document): last wins
        for c in graph.candidates:
            f = c.fact
            candidates.pop(f.id, None)
            candidates[f.id] = {
                "key": f"{doc_id}:{f.id}", "document_id": doc_id,
                "props": {
                    "id": f.id, "document_id": doc_id, "subject_id": f.subject_id, "predicate": f.predicate,
                    "object_id": f.object_id, "confidence": f.confidence, "status": c.status,
                    "reason": c.reason,
                    "provenance": json.dumps([p.model_dump(mode="json") for p in f.provenance]),
                },
            }
        plan.candidates = list(candidates.values())
        return plan


def _document_entity(r: neo4j.Record) -> Entity:
    """An entity as one document gave it (its NAMED names: the stored name when among them, else
    the first), or, when that document named it not, the fallback name and names of the query."""
    if r["names"]:
        return views.named_entity(r["id"], r["type"], r["stored_name"], r["names"])
    return views.entity({"id": r["id"], "name": r["fallback_name"], "type": r["type"], "names": r["fallback_names"]})


def _plain(record: neo4j.Record) -> dict[str, Any]:
    """A record of plain values as a dict; `Record.data()` converts each value recursively
    and costs ten times more on the write path's large reads."""
    return dict(zip(record.keys(), record.values(), strict=True))


def _provenance_key(row: Any) -> tuple[Any, ...]:
    """A provenance row's identity and content (a plan row or a DOCUMENT_PROVENANCE record)."""
    return tuple(row[name] for name in _PROVENANCE_FIELDS)


def sentence_key(document_id: str, index: int) -> str:
    return f"{document_id}:{index}"


def _expect(done: int, wanted: int, problem: str) -> None:
    if done != wanted:
        raise WriteFailed(Errors.G052, missing=wanted - done, wanted=wanted, problem=problem)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(":")


# -- Lucene queries over normalized names -------------------------------------------------------
def lucene_escape(term: str) -> str:
    """Backslash-escape Lucene query syntax (normalized names hold none, but be safe)."""
    return _LUCENE_SPECIAL.sub(r"\\\1", term)


def trigrams(norm: str) -> set[str]:
    return {norm[i : i + 3] for i in range(len(norm) - 2)}


def substring_query(norm: str) -> str:
    """Names that may contain `norm`: a superset of SQLite's trigram phrase match."""
    tokens = [lucene_escape(t) for t in norm.split()]
    if len(tokens) == 1:
        t = tokens[0]
        return f"*{t}* {t}*^2 {t}^4"
    first, *middle, last = tokens
    required = [f"+*{first}", *(f"+{t}" for t in middle), f"+{last}*"]
    return " ".join(required) + ' "' + " ".join(tokens) + '"^4'


def prefix_query(norm: str) -> str:
    """Names that may start with `norm` (SQLite: a range scan on the normalized name)."""
    *words, last = [lucene_escape(t) for t in norm.split()]
    return " ".join([*(f"+{w}" for w in words), f"+({last}* {last}^4)"])


def fuzzy_query(norm: str) -> str:
    """Typo-tolerant pass: fuzzy terms per word, then words sharing a trigram with it."""
    words = list(dict.fromkeys(norm.split()))
    clauses = [lucene_escape(w) + "^2" for w in words]
    clauses += [f"{lucene_escape(w)}~{1 if len(w) <= 5 else 2}" for w in words if len(w) >= 3]
    for w in words:
        clauses += [f"*{lucene_escape(w[i : i + 3])}*" for i in range(len(w) - 2)]
    return " ".join(list(dict.fromkeys(clauses))[:MAX_FUZZY_CLAUSES])


__all__ = ["Neo4jStore", "sentence_key", "lucene_escape", "substring_query", "prefix_query", "fuzzy_query"]
