"""The embedded store: one SQLite file (WAL, FTS5 trigram index over names and aliases).

Under a scope (graph.visibility) every read filters inside its SQL: the `*_VISIBLE` statements of
sqlite_queries compute the visible documents with SQL_VISIBLE_DOCUMENT and keep only what they support;
nothing is filtered in Python after the fetch. `scope=None` runs the unfiltered statements, unchanged.
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extraction.records import Document, DocumentGraph, Entity, Provenance, normalize_name, utcnow
from graph import views
from graph.errors import Errors, NotFound, StoreUnavailable, WriteFailed
from graph.ranking import FUZZY_CANDIDATES, Candidate, rank
from graph.sqlite import queries as q
from graph.store import (
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

CANDIDATES_PER_QUERY = 400
STATS_CACHE_SIZE = 64  # scoped stats kept per (connection, visible documents) until the data changes


class SqliteStore:
    """GraphStore on stdlib sqlite3. One connection per thread; writes serialized by a lock."""

    name = "sqlite"
    features: frozenset[str] = frozenset()  # no optional feature (graph.store): paths come from networkx

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(Errors.G007, path=self.path, reason=exc) from exc
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        with self._write_lock:
            conn = self._conn()
            had_schema_3 = all(conn.execute(q.TABLE_EXISTS, (table,)).fetchone()
                               for table in ("entity_name_sources", "entity_documents"))
            conn.executescript(q.SCHEMA)
            if "extractor" not in {r[0] for r in conn.execute(q.PROVENANCE_KEY_COLUMNS)}:  # a schema 1 store
                conn.execute("BEGIN IMMEDIATE")
                for statement in q.MIGRATE_PROVENANCE_KEY:
                    conn.execute(statement)
                conn.execute("COMMIT")
            if not had_schema_3:  # a schema 1 or 2 store (or a new, empty one): fill the new tables
                conn.execute("BEGIN IMMEDIATE")
                for statement in q.MIGRATE_SCHEMA_3:
                    conn.execute(statement)
                conn.execute("COMMIT")
            conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(q.SCHEMA_VERSION),),
            )
            if conn.execute(q.SENTENCES_FTS_EMPTY).fetchone()[0]:  # a store older than sentence search
                conn.execute(q.SENTENCES_FTS_BACKFILL)
            conn.commit()
        self._vectors: _VectorIndex | None = None
        self._commits = 0  # write transactions of this process (PRAGMA data_version misses a connection's own)
        self._stats_cache: dict[tuple[sqlite3.Connection, tuple[str, ...]], tuple[tuple[int, int], StoreStats]] = {}

    # -- connections -----------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            except sqlite3.Error as exc:
                raise StoreUnavailable(Errors.G008, path=self.path, reason=exc) from exc
            conn.row_factory = sqlite3.Row
            for pragma in q.PRAGMAS:
                conn.execute(pragma)
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            conn = self._conn()
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(conn)
                raise WriteFailed(Errors.G004, where=self.path, reason=exc) from exc
            except BaseException:
                _rollback(conn)
                raise
            finally:
                self._commits += 1

    def close(self) -> None:
        for conn in self._connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._connections.clear()
        self._stats_cache.clear()
        self._local = threading.local()

    # -- writes ----------------------------------------------------------------------------
    def write(self, graph: DocumentGraph) -> None:
        doc = graph.document
        now = utcnow().isoformat()
        with self._transaction() as conn:
            if conn.execute(q.DOCUMENT_EXISTS, (doc.id,)).fetchone():
                self._retract(conn, doc.id, keep_document=True)
            conn.execute(
                q.INSERT_DOCUMENT,
                (doc.id, doc.title, doc.source_path, doc.source_name, doc.format, doc.department,
                 doc.published, json.dumps(list(doc.labels)), json.dumps(doc.metadata), doc.text, now),
            )
            conn.executemany(
                q.INSERT_SENTENCE, [(s.document_id, s.index, s.start, s.end, s.text) for s in graph.sentences]
            )
            conn.executemany(q.INSERT_SENTENCE_FTS, [(s.text, s.document_id, s.index) for s in graph.sentences])
            conn.executemany(q.UPSERT_ENTITY, [(e.id, e.name, e.type) for e in graph.entities])
            names = [(e.id, normalize_name(n), n) for e in graph.entities for n in (e.name, *e.aliases)]
            conn.executemany(q.INSERT_NAME, [name for name in names if name[1]])
            conn.executemany(q.INSERT_NAME_SOURCE, [(eid, norm, doc.id) for eid, norm, _ in names if norm])
            conn.executemany(
                q.INSERT_MENTION,
                [(m.id, m.document_id, m.sentence_index, m.start, m.end, m.text, m.type, m.confidence,
                  m.extractor.name, m.extractor.version, m.entity_id) for m in graph.mentions],
            )
            conn.executemany(
                q.UPSERT_FACT,
                [(f.id, f.subject_id, f.predicate, f.object_id, f.confidence, now, now) for f in graph.facts],
            )
            conn.executemany(
                q.INSERT_PROVENANCE,
                [(f.id, p.document_id, p.sentence_index, p.subject_start, p.subject_end, p.object_start,
                  p.object_end, p.confidence, p.extractor.name, p.extractor.version)
                 for f in graph.facts for p in f.provenance],
            )
            touched = {doc.id, *(m.document_id for m in graph.mentions),
                       *(p.document_id for f in graph.facts for p in f.provenance)}
            for touched_id in sorted(touched):  # entity_documents: refreshed from the rows just written
                conn.execute(q.DELETE_DOCUMENT_ENTITY_DOCUMENTS, (touched_id,))
                conn.execute(q.ENTITY_DOCUMENTS_OF_DOCUMENT, {"doc": touched_id})
            conn.executemany(
                q.INSERT_CANDIDATE,
                [(c.fact.id, doc.id, c.fact.subject_id, c.fact.predicate, c.fact.object_id, c.fact.confidence,
                  c.status, c.reason, json.dumps([p.model_dump(mode="json") for p in c.fact.provenance]))
                 for c in graph.candidates],
            )

    def delete_document(self, document_id: str) -> DeletionReport:
        with self._transaction() as conn:
            if not conn.execute(q.DOCUMENT_EXISTS, (document_id,)).fetchone():
                raise NotFound(Errors.G002, kind="document", id=document_id)
            return self._retract(conn, document_id, keep_document=False)

    def _retract(self, conn: sqlite3.Connection, document_id: str, keep_document: bool) -> DeletionReport:
        fact_ids = [r[0] for r in conn.execute(q.FACTS_OF_DOCUMENT, (document_id,))]
        touched = {r[0] for r in conn.execute(q.ENTITIES_OF_DOCUMENT, (document_id,))}
        conn.execute(q.DELETE_DOCUMENT_PROVENANCE, (document_id,))
        conn.execute(q.DELETE_DOCUMENT_CANDIDATES, (document_id,))
        conn.execute(q.DELETE_DOCUMENT_NAME_SOURCES, (document_id,))
        conn.execute(q.DELETE_DOCUMENT_ENTITY_DOCUMENTS, (document_id,))
        mentions_removed = conn.execute(q.DELETE_DOCUMENT_MENTIONS, (document_id,)).rowcount
        conn.execute(q.DELETE_DOCUMENT_SENTENCES, (document_id,))
        conn.execute(q.DELETE_DOCUMENT_SENTENCES_FTS, (document_id,))
        conn.execute(q.DELETE_DOCUMENT_VECTORS, (document_id,))
        if not keep_document:
            conn.execute(q.DELETE_DOCUMENT, (document_id,))
        facts_removed = facts_kept = 0
        for fid in fact_ids:
            touched.update(conn.execute(q.FACT_ENDPOINTS, (fid,)).fetchone() or ())
            support, best = conn.execute(q.FACT_SUPPORT, (fid,)).fetchone()
            if support == 0:
                conn.execute(q.DELETE_FACT, (fid,))
                facts_removed += 1
            else:
                conn.execute(q.SET_FACT_CONFIDENCE, (best, fid))
                facts_kept += 1
        entities_removed = 0
        for eid in touched:
            if conn.execute(q.ENTITY_IS_ORPHAN, {"id": eid}).fetchone()[0]:
                conn.execute(q.DELETE_ENTITY, (eid,))
                entities_removed += 1
        return DeletionReport(document_id=document_id, mentions_removed=mentions_removed, facts_removed=facts_removed,
                              facts_kept=facts_kept, entities_removed=entities_removed)

    # -- documents -------------------------------------------------------------------------
    def has_document(self, document_id: str) -> bool:
        return self._conn().execute(q.DOCUMENT_EXISTS, (document_id,)).fetchone() is not None

    def document_for_source(self, source_path: str) -> str | None:
        row = self._conn().execute(q.DOCUMENT_FOR_SOURCE, (source_path,)).fetchone()
        return row[0] if row else None

    def get_document(self, document_id: str, scope: Scope | None = None) -> Document:
        if scope is None:
            row = self._conn().execute(q.DOCUMENT_GET, (document_id,)).fetchone()
        else:
            row = self._conn().execute(q.DOCUMENT_GET_VISIBLE, {"id": document_id, **scope.sql_parameters()}).fetchone()
        if row is None:
            raise NotFound(Errors.G002, kind="document", id=document_id)
        return views.document(dict(row))

    def list_documents(self, limit: int = 100, offset: int = 0, scope: Scope | None = None) -> list[DocumentSummary]:
        if scope is None:
            rows = self._conn().execute(q.DOCUMENTS_LIST, (limit, offset)).fetchall()
        else:
            rows = self._conn().execute(
                q.DOCUMENTS_LIST_VISIBLE, {"limit": limit, "offset": offset, **scope.sql_parameters()}).fetchall()
        return [views.document_summary(r) for r in rows]

    # -- entities --------------------------------------------------------------------------
    def get_entity(self, entity_id: str, scope: Scope | None = None) -> Entity:
        conn = self._conn()
        if scope is None:
            row = conn.execute(q.ENTITY_GET, (entity_id,)).fetchone()
        else:
            row = conn.execute(q.ENTITY_GET_VISIBLE, {"id": entity_id, **scope.sql_parameters()}).fetchone()
        if row is None:
            raise NotFound(Errors.G002, kind="entity", id=entity_id)
        if scope is None:
            return views.entity({**dict(row), "names": self._entity_names(conn, entity_id)})
        return views.entity(row)  # its visible names, a JSON array

    @staticmethod
    def _entity_names(conn: sqlite3.Connection, entity_id: str) -> list[str]:
        """All the entity's names, sorted (no scope)."""
        return [r[0] for r in conn.execute(q.ENTITY_NAMES, (entity_id,))]

    def search_entities(self, query: str, types: list[str] | None = None, limit: int = 10,
                        scope: Scope | None = None) -> list[EntityHit]:
        norm = normalize_name(query)
        if not norm:
            return []
        conn = self._conn()

        def trigram(match: str, most: int) -> list[sqlite3.Row]:
            if scope is None:
                return conn.execute(q.SEARCH_TRIGRAM, (match, most)).fetchall()
            return conn.execute(q.SEARCH_TRIGRAM_VISIBLE,
                                {"match": match, "limit": most, **scope.sql_parameters()}).fetchall()

        rows: list[sqlite3.Row] = []  # (entity id, matched name[, visible mention count under a scope])
        if len(norm) >= 3:
            phrase = '"' + norm.replace('"', '""') + '"'
            rows = trigram(phrase, CANDIDATES_PER_QUERY)
            if not rows:  # fuzzy (typos), only when no name contains the query: any shared trigram
                grams = {norm[i : i + 3] for i in range(len(norm) - 2)}
                fuzzy = " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
                rows += trigram(fuzzy, FUZZY_CANDIDATES)
        elif scope is None:
            rows = conn.execute(q.SEARCH_PREFIX, (norm, norm + "\uffff", CANDIDATES_PER_QUERY)).fetchall()
        else:
            rows = conn.execute(q.SEARCH_PREFIX_VISIBLE, {"low": norm, "high": norm + "\uffff",
                                                          "limit": CANDIDATES_PER_QUERY, **scope.sql_parameters()}
                                ).fetchall()
        if not rows:
            return []
        entity_ids = sorted({r[0] for r in rows})
        entities = self._entities_by_ids(conn, entity_ids)  # under a scope: only the types are used here
        if types:
            allowed = set(types)
            entity_ids = [e for e in entity_ids if entities[e][1] in allowed]
        if scope is None:
            counts = self._mention_counts(conn, entity_ids)
        else:  # counted by the search statement
            counts = {r[0]: r[2] for r in rows}
        keep = set(entity_ids)
        ranked = rank(
            query,
            [Candidate(r[0], r[1], counts.get(r[0], 0)) for r in rows if r[0] in keep],
            limit,
        )
        if scope is None:
            shown = {r.entity_id: (entities[r.entity_id][0], self._entity_names(conn, r.entity_id))
                     for r in ranked}
        else:  # the hits' names and aliases from visible documents, in one statement
            shown = self._visible_names(conn, [r.entity_id for r in ranked], scope)
        hits = []
        for r in ranked:
            name, names = shown[r.entity_id]
            hits.append(views.entity_hit(r, name, entities[r.entity_id][1], names))
        return hits

    @staticmethod
    def _visible_names(conn: sqlite3.Connection, ids: list[str], scope: Scope) -> dict[str, tuple[str, list[str]]]:
        """Each entity's shown name and its names (sorted) as the scope sees them."""
        if not ids:
            return {}
        marks, params = _named_marks(sorted(set(ids)))
        params = {**params, **scope.sql_parameters()}
        out: dict[str, tuple[str, list[str]]] = {}
        for eid, shown, name in conn.execute(q.ENTITY_NAMES_BY_IDS_VISIBLE.format(marks=marks), params):
            out.setdefault(eid, (shown, []))[1].append(name)
        return out

    @staticmethod
    def _entities_by_ids(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
        """Stored name and type (the stored name is never shown under a scope)."""
        out: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(ids, 500):
            sql = q.ENTITIES_BY_IDS.format(marks=",".join("?" * len(chunk)))
            out.update({r[0]: (r[1], r[2]) for r in conn.execute(sql, chunk)})
        return out

    @staticmethod
    def _mention_counts(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(ids, 500):
            sql = q.MENTION_COUNTS.format(marks=",".join("?" * len(chunk)))
            out.update({r[0]: r[1] for r in conn.execute(sql, chunk)})
        return out

    def entity_mention_count(self, entity_id: str, scope: Scope | None = None) -> int:
        if scope is None:
            return self._conn().execute(q.ENTITY_MENTION_COUNT, (entity_id,)).fetchone()[0]
        return self._conn().execute(q.ENTITY_MENTION_COUNT_VISIBLE,
                                    {"id": entity_id, **scope.sql_parameters()}).fetchone()[0]

    def entity_facts(self, entity_id: str, limit: int = 100, scope: Scope | None = None) -> list[FactView]:
        conn = self._conn()
        if scope is None:
            rows = conn.execute(q.ENTITY_FACTS, {"id": entity_id, "limit": limit}).fetchall()
        else:
            rows = conn.execute(q.ENTITY_FACTS_VISIBLE,
                                {"id": entity_id, "limit": limit, **scope.sql_parameters()}).fetchall()
        return [self._fact_view(conn, r, scope) for r in rows]

    def get_fact(self, fact_id: str, scope: Scope | None = None) -> FactView:
        conn = self._conn()
        if scope is None:
            row = conn.execute(q.FACT_GET, (fact_id,)).fetchone()
        else:
            row = conn.execute(q.FACT_GET_VISIBLE, {"id": fact_id, **scope.sql_parameters()}).fetchone()
        if row is None:
            raise NotFound(Errors.G002, kind="fact", id=fact_id)
        return self._fact_view(conn, row, scope)

    def fact_edges(self, scope: Scope | None = None) -> Iterator[FactEdge]:
        if scope is None:
            rows = self._conn().execute(q.FACT_EDGES)
        else:
            rows = self._conn().execute(q.FACT_EDGES_VISIBLE, scope.sql_parameters())
        for r in rows:
            yield views.fact_edge(r)

    def entity_infos(self, entity_ids: list[str] | None = None, scope: Scope | None = None) -> dict[str, EntityInfo]:
        conn = self._conn()
        if scope is None:
            if entity_ids is None:
                rows = conn.execute(q.ENTITY_INFOS_ALL).fetchall()
                pairs = conn.execute(q.ENTITY_DEPARTMENT_PAIRS.format(where="")).fetchall()
            else:
                rows, pairs = [], []
                for chunk in _chunks(sorted(set(entity_ids)), 500):
                    marks = ",".join("?" * len(chunk))
                    rows += conn.execute(q.ENTITY_INFOS.format(marks=marks), chunk).fetchall()
                    pairs += conn.execute(
                        q.ENTITY_DEPARTMENT_PAIRS.format(where=f"AND m.entity_id IN ({marks})"), chunk).fetchall()
        else:
            visible = scope.sql_parameters()
            if entity_ids is None:
                rows = conn.execute(q.ENTITY_INFOS_ALL_VISIBLE, visible).fetchall()
                pairs = conn.execute(q.ENTITY_DEPARTMENT_PAIRS_VISIBLE, visible).fetchall()
            else:
                rows, pairs = [], []
                for chunk in _chunks(sorted(set(entity_ids)), 500):
                    marks, params = _named_marks(chunk)
                    rows += conn.execute(q.ENTITY_INFOS_VISIBLE.format(marks=marks), {**params, **visible}).fetchall()
                    pairs += conn.execute(q.ENTITY_DEPARTMENT_PAIRS_BY_IDS_VISIBLE.format(marks=marks),
                                          {**params, **visible}).fetchall()
        departments: dict[str, list[str]] = {}
        for eid, department in pairs:
            departments.setdefault(eid, []).append(department)
        return {r["id"]: views.entity_info(r, departments.get(r["id"], [])) for r in rows}

    def document_annotations(self, document_id: str, scope: Scope | None = None
                             ) -> tuple[list[Annotation], list[FactAnnotation]]:
        conn = self._conn()
        if scope is None:
            exists = conn.execute(q.DOCUMENT_EXISTS, (document_id,)).fetchone()
        else:
            exists = conn.execute(q.DOCUMENT_VISIBLE, {"id": document_id, **scope.sql_parameters()}).fetchone()
        if not exists:
            raise NotFound(Errors.G002, kind="document", id=document_id)
        # the document is visible: all its mentions and provenance rows are
        mentions = [views.annotation(r) for r in conn.execute(q.DOCUMENT_ANNOTATIONS, (document_id,))]
        facts = [views.fact_annotation(r) for r in conn.execute(q.DOCUMENT_FACT_ANNOTATIONS, (document_id,))]
        return mentions, facts

    def _fact_view(self, conn: sqlite3.Connection, r: sqlite3.Row, scope: Scope | None = None) -> FactView:
        if scope is None:
            rows = conn.execute(q.FACT_PROVENANCE, (r["id"],))
        else:
            rows = conn.execute(q.FACT_PROVENANCE_VISIBLE, {"id": r["id"], **scope.sql_parameters()})
        return views.fact_view(r, rows)

    def entity_mentions(self, entity_id: str, limit: int = 100, scope: Scope | None = None) -> list[MentionView]:
        if scope is None:
            rows = self._conn().execute(q.ENTITY_MENTIONS, (entity_id, limit)).fetchall()
        else:
            rows = self._conn().execute(q.ENTITY_MENTIONS_VISIBLE,
                                        {"id": entity_id, "limit": limit, **scope.sql_parameters()}).fetchall()
        return [views.mention_view(r) for r in rows]

    def entity_departments(self, entity_id: str, scope: Scope | None = None) -> list[str]:
        if scope is None:
            rows = self._conn().execute(q.ENTITY_DEPARTMENTS, (entity_id,))
        else:
            rows = self._conn().execute(q.ENTITY_DEPARTMENTS_VISIBLE, {"id": entity_id, **scope.sql_parameters()})
        return [r[0] for r in rows]

    def fact_candidates(self, status: str | None = None, limit: int = 100, offset: int = 0,
                        scope: Scope | None = None) -> list[CandidateView]:
        conn = self._conn()
        params: dict[str, object] = {"status": status, "limit": limit, "offset": offset}
        if scope is None:
            rows = conn.execute(q.CANDIDATES, params).fetchall()
        else:
            rows = conn.execute(q.CANDIDATES_VISIBLE, {**params, **scope.sql_parameters()}).fetchall()
        def sentence(p: Provenance) -> sqlite3.Row | None:
            return conn.execute(q.SENTENCE_GET, (p.document_id, p.sentence_index)).fetchone()

        return [views.candidate_view(r, views.candidate_provenance(r), sentence) for r in rows]

    def iter_document_graphs(self, department: str | None = None, scope: Scope | None = None
                             ) -> Iterator[DocumentGraph]:
        conn = self._conn()
        if scope is None:
            ids = [r[0] for r in conn.execute(q.DOCUMENT_IDS, {"department": department})]
        else:
            ids = [r[0] for r in conn.execute(q.DOCUMENT_IDS_VISIBLE,
                                              {"department": department, **scope.sql_parameters()})]
        for doc_id in ids:
            yield self._document_graph(conn, doc_id, scope)

    def _document_graph(self, conn: sqlite3.Connection, doc_id: str, scope: Scope | None = None) -> DocumentGraph:
        document = self.get_document(doc_id)
        return views.document_graph(
            document,
            sentences=conn.execute(q.DOCUMENT_SENTENCES, (doc_id,)).fetchall(),
            mentions=conn.execute(q.DOCUMENT_MENTIONS, (doc_id,)).fetchall(),
            provenance=conn.execute(q.DOCUMENT_FACT_PROVENANCE, (doc_id,)).fetchall(),
            entities=self._document_entities(conn, doc_id, scope),
            candidates=conn.execute(q.DOCUMENT_CANDIDATES, (doc_id,)).fetchall(),
        )

    def _document_entities(self, conn: sqlite3.Connection, doc_id: str, scope: Scope | None) -> tuple[Entity, ...]:
        """The entities one document names, each with only the names that document gave it (so an export
        never carries an alias learnt from another document): the stored name when the document gave it,
        else the first it gave. An entity the document named without giving it a name (write() never stores
        that) is shown as get_entity shows it under the same scope."""
        given: dict[str, list[str]] = {}
        for eid, name in conn.execute(q.DOCUMENT_ENTITY_NAMES, (doc_id,)):
            given.setdefault(eid, []).append(name)
        entities = []
        for r in conn.execute(q.DOCUMENT_ENTITIES, {"doc": doc_id}):
            names = given.get(r["id"])
            if not names:
                try:
                    entities.append(self.get_entity(r["id"], scope))
                except NotFound:
                    entities.append(Entity(id=r["id"], name=r["id"], type=r["type"]))
                continue
            entities.append(views.named_entity(r["id"], r["type"], r["name"], names))
        return tuple(entities)

    def stats(self, scope: Scope | None = None) -> StoreStats:
        conn = self._conn()
        if scope is not None:
            return self._visible_stats(conn, scope)
        return views.store_stats(
            self.name, conn.execute(q.COUNTS).fetchone(),
            by_type=dict(conn.execute(q.ENTITIES_BY_TYPE).fetchall()),
            by_predicate=dict(conn.execute(q.FACTS_BY_PREDICATE).fetchall()),
            by_extractor=dict(conn.execute(q.FACTS_BY_EXTRACTOR).fetchall()),
            by_status=dict(conn.execute(q.CANDIDATES_BY_STATUS).fetchall()),
        )

    def _visible_stats(self, conn: sqlite3.Connection, scope: Scope) -> StoreStats:
        """STATS_VISIBLE aggregates every visible row (the unscoped counts are b-tree counts), so its answer is
        kept per set of visible documents (chosen in SQL) until any connection writes: PRAGMA data_version
        changes when another connection or process commits, _commits when this store does."""
        params = scope.sql_parameters()
        version = (conn.execute(q.DATA_VERSION).fetchone()[0], self._commits)
        key = (conn, tuple(r[0] for r in conn.execute(q.VISIBLE_DOCUMENT_IDS, {"ids": None, **params})))
        cached = self._stats_cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        groups: list[dict[str, int]] = [{}, {}, {}, {}, {}]  # totals, by type, predicate, extractor, status
        for kind, name, count in conn.execute(q.STATS_VISIBLE, params):
            groups[kind][name] = count
        totals, by_type, by_predicate, by_extractor, by_status = groups
        stats = views.store_stats(self.name, totals, by_type, by_predicate, by_extractor, by_status)
        if len(self._stats_cache) >= STATS_CACHE_SIZE:
            self._stats_cache.pop(next(iter(self._stats_cache)), None)
        self._stats_cache[key] = (version, stats)
        return stats

    # -- question answering: sentence retrieval ------------------------------------------------
    def search_sentences(self, query: str, limit: int = 20, document_ids: list[str] | None = None,
                         scope: Scope | None = None) -> list[SentenceHit]:
        terms = fts_terms(query)
        if not terms or document_ids == []:
            return []
        conn = self._conn()
        params: dict[str, object] = {"query": " OR ".join(terms), "limit": limit}
        where = ""
        if document_ids is not None:
            marks = []
            for i, doc in enumerate(sorted(set(document_ids))):
                params[f"d{i}"] = doc
                marks.append(f":d{i}")
            where = f"AND f.document_id IN ({','.join(marks)})"
        if scope is None:
            rows = conn.execute(q.SEARCH_SENTENCES.format(where=where), params).fetchall()
        else:
            rows = conn.execute(q.SEARCH_SENTENCES_VISIBLE.format(where=where),
                                {**params, **scope.sql_parameters()}).fetchall()
        return self._sentence_hits(conn, [(r[0], r[1], r[2]) for r in rows])  # of visible documents only

    def _sentence_hits(self, conn: sqlite3.Connection, found: list[tuple[str, int, float]],
                       scope: Scope | None = None) -> list[SentenceHit]:
        visible = scope.sql_parameters() if scope is not None else None
        hits = []
        for doc, idx, score in found:
            if visible is None:
                row = conn.execute(q.SENTENCE_HITS, (doc, idx)).fetchone()
            else:
                row = conn.execute(q.SENTENCE_HITS_VISIBLE, {"doc": doc, "idx": idx, **visible}).fetchone()
            if row is not None:
                hits.append(views.sentence_hit(row, float(score)))
        return hits

    def get_sentences(self, keys: list[tuple[str, int]], scope: Scope | None = None) -> list[SentenceHit]:
        return self._sentence_hits(self._conn(), [(doc, idx, 0.0) for doc, idx in keys], scope)

    def sentence_frequencies(self, words: list[str]) -> tuple[int, dict[str, int]]:
        conn = self._conn()
        counts = {}
        for word in dict.fromkeys(words):
            terms = fts_terms(word)
            counts[word] = conn.execute(q.SENTENCE_FREQUENCY, (" ".join(terms),)).fetchone()[0] if terms else 0
        return conn.execute(q.SENTENCE_TOTAL).fetchone()[0], counts

    def write_sentence_vectors(self, document_id: str, model: str, vectors: Sequence[Sequence[float]]) -> None:
        import numpy as np

        matrix = np.asarray(vectors, dtype=np.float32)
        with self._transaction() as conn:
            if not conn.execute(q.DOCUMENT_EXISTS, (document_id,)).fetchone():
                raise NotFound(Errors.G002, kind="document", id=document_id)
            count = conn.execute(q.SENTENCE_COUNT, (document_id,)).fetchone()[0]
            if matrix.ndim != 2 or matrix.shape[0] != count:
                raise WriteFailed(Errors.G050, document_id=document_id, sentences=count, vectors=matrix.shape[0])
            conn.execute(q.UPSERT_SENTENCE_VECTORS,
                         (document_id, model, count, matrix.shape[1], matrix.astype(np.float16).tobytes()))

    def nearest_sentences(self, vector: Sequence[float], limit: int = 20, document_ids: list[str] | None = None,
                          scope: Scope | None = None) -> list[SentenceHit]:
        import numpy as np

        conn = self._conn()
        index = self._vector_index(conn)
        if index is None or document_ids == []:
            return []
        if scope is not None:  # the candidate rows: those of the (given and) visible documents, chosen in SQL
            chosen = None if document_ids is None else json.dumps(sorted(set(document_ids)))
            document_ids = [r[0] for r in conn.execute(q.VISIBLE_DOCUMENT_IDS,
                                                       {"ids": chosen, **scope.sql_parameters()})]
            if not document_ids:
                return []
        query = np.asarray(vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        rows = np.arange(len(index.keys))
        if document_ids is not None:
            rows = np.concatenate([index.rows_of.get(d, np.empty(0, dtype=np.int64)) for d in set(document_ids)])
            if not len(rows):
                return []
        scores = index.matrix[rows] @ query
        best = rows[np.argsort(-scores)[:limit]] if len(rows) > limit else rows[np.argsort(-scores)]
        by_row = dict(zip(rows.tolist(), scores.tolist(), strict=True))
        return self._sentence_hits(conn, [(*index.keys[r], by_row[r]) for r in best.tolist()])

    # -- audit -----------------------------------------------------------------------------------
    def append_audit(self, event: AuditEvent) -> None:
        with self._transaction() as conn:
            conn.execute(q.INSERT_AUDIT_EVENT, (event.id, event.at, event.principal, event.action, event.target,
                                                event.department, event.outcome, event.detail))

    def audit_events(self, limit: int = 100, offset: int = 0, action: str | None = None,
                     principal: str | None = None) -> list[AuditEvent]:
        rows = self._conn().execute(q.AUDIT_EVENTS, {"limit": limit, "offset": offset, "action": action,
                                                     "principal": principal}).fetchall()
        return [views.audit_event(r) for r in rows]

    def _vector_index(self, conn: sqlite3.Connection) -> _VectorIndex | None:
        """All stored vectors as one normalized matrix, rebuilt when the stored set changes."""
        import numpy as np

        version = tuple(conn.execute(q.SENTENCE_VECTORS_VERSION).fetchone())
        if version[0] == 0:
            return None
        if self._vectors is not None and self._vectors.version == version:
            return self._vectors
        keys: list[tuple[str, int]] = []
        blocks = []
        rows_of: dict[str, object] = {}
        for doc, count, dims, blob in conn.execute(q.SENTENCE_VECTORS_ALL):
            block = np.frombuffer(blob, dtype=np.float16).reshape(count, dims).astype(np.float32)
            rows_of[doc] = np.arange(len(keys), len(keys) + count)
            keys += [(doc, i) for i in range(count)]
            blocks.append(block)
        matrix = np.concatenate(blocks)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        self._vectors = _VectorIndex(version, keys, matrix, rows_of)
        return self._vectors


@dataclass
class _VectorIndex:
    version: tuple
    keys: list[tuple[str, int]]  # row → (document id, sentence index)
    matrix: Any  # numpy float32, rows normalized
    rows_of: dict[str, Any]  # document id → its rows


_FTS_WORD = re.compile(r"\w+")


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is open: a COMMIT that failed (a full disk) may have ended the transaction already, and
    a rollback that fails must not hide the error that led to it."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def fts_terms(query: str) -> list[str]:
    """The words of a free-text query as quoted FTS5 terms (no query syntax gets through)."""
    words = dict.fromkeys(w.casefold() for w in _FTS_WORD.findall(query))
    return ['"' + w.replace('"', '""') + '"' for w in words]


def _named_marks(ids: list[str]) -> tuple[str, dict[str, str]]:
    """`:i0,:i1,…` and their values, for an IN list in a statement with named parameters."""
    params = {f"i{i}": value for i, value in enumerate(ids)}
    return ",".join(f":{k}" for k in params), params


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
