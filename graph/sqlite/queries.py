"""SQL text of the embedded store, as named constants."""
from graph.visibility import SQL_VISIBLE_DOCUMENT

# 2: a fact's provenance keeps one row per extractor (the same spans, two extractors)
# 3: entity_name_sources (which document gave which name), entity_documents (which documents mention an entity
#    or cite one of its facts: the visibility filter's index) and the append-only audit_events
SCHEMA_VERSION = 3

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)

# a fact's provenance: one row per sentence, spans and extractor (schema 2)
PROVENANCE_TABLE = """fact_provenance (
    fact_id TEXT NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    sentence_idx INTEGER NOT NULL,
    subject_start INTEGER NOT NULL,
    subject_end INTEGER NOT NULL,
    object_start INTEGER NOT NULL,
    object_end INTEGER NOT NULL,
    confidence REAL NOT NULL,
    extractor TEXT NOT NULL,
    extractor_version TEXT NOT NULL,
    PRIMARY KEY (fact_id, document_id, sentence_idx, subject_start, object_start, extractor)
) WITHOUT ROWID;"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source_path TEXT NOT NULL,
    source_name TEXT NOT NULL,
    format TEXT NOT NULL,
    department TEXT,
    published TEXT,
    labels TEXT NOT NULL,
    metadata TEXT NOT NULL,
    text TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source_path);
CREATE TABLE IF NOT EXISTS sentences (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (document_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_type ON entities(type);
CREATE TABLE IF NOT EXISTS entity_names (
    rowid INTEGER PRIMARY KEY,
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    norm TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (entity_id, norm)
);
CREATE INDEX IF NOT EXISTS entity_names_norm ON entity_names(norm);
CREATE VIRTUAL TABLE IF NOT EXISTS entity_names_fts USING fts5(
    norm, content='entity_names', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS entity_names_ai AFTER INSERT ON entity_names BEGIN
    INSERT INTO entity_names_fts(rowid, norm) VALUES (new.rowid, new.norm);
END;
CREATE TRIGGER IF NOT EXISTS entity_names_ad AFTER DELETE ON entity_names BEGIN
    INSERT INTO entity_names_fts(entity_names_fts, rowid, norm) VALUES ('delete', old.rowid, old.norm);
END;
CREATE TABLE IF NOT EXISTS mentions (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    sentence_idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    type TEXT NOT NULL,
    confidence REAL NOT NULL,
    extractor TEXT NOT NULL,
    extractor_version TEXT NOT NULL,
    entity_id TEXT REFERENCES entities(id)
);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE INDEX IF NOT EXISTS mentions_document ON mentions(document_id);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES entities(id),
    predicate TEXT NOT NULL,
    object_id TEXT NOT NULL REFERENCES entities(id),
    confidence REAL NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS facts_subject ON facts(subject_id);
CREATE INDEX IF NOT EXISTS facts_object ON facts(object_id);
CREATE TABLE IF NOT EXISTS __PROVENANCE_TABLE__
CREATE INDEX IF NOT EXISTS fact_provenance_document ON fact_provenance(document_id);
CREATE TABLE IF NOT EXISTS fact_candidates (
    id TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    subject_id TEXT NOT NULL,
    predicate TEXT NOT NULL,
    object_id TEXT NOT NULL,
    confidence REAL NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    provenance TEXT NOT NULL,
    PRIMARY KEY (id, document_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fact_candidates_status ON fact_candidates(status);
CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5(
    text, document_id UNINDEXED, idx UNINDEXED, tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS entity_name_sources (
    entity_id TEXT NOT NULL,
    norm TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (entity_id, norm, document_id),
    FOREIGN KEY (entity_id, norm) REFERENCES entity_names(entity_id, norm) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_name_sources_document ON entity_name_sources(document_id);
-- derived from mentions and fact_provenance, refreshed per document by write() and retraction: the documents
-- that mention an entity (how many times) or hold a provenance row of one of its facts (mentions = 0)
CREATE TABLE IF NOT EXISTS entity_documents (
    entity_id TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (entity_id, document_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_documents_document ON entity_documents(document_id, mentions);
CREATE TABLE IF NOT EXISTS audit_events (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    principal TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    department TEXT,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events(at);
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: events are never updated');
END;
CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: events are never deleted');
END;
CREATE TABLE IF NOT EXISTS sentence_vectors (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    count INTEGER NOT NULL,
    dims INTEGER NOT NULL,
    vectors BLOB NOT NULL
) WITHOUT ROWID;
""".replace("__PROVENANCE_TABLE__", PROVENANCE_TABLE)

DOCUMENT_EXISTS = "SELECT 1 FROM documents WHERE id = ?"
DOCUMENT_FOR_SOURCE = (
    "SELECT id FROM documents WHERE source_path = ? ORDER BY imported_at DESC LIMIT 1"
)
DOCUMENT_GET = "SELECT * FROM documents WHERE id = ?"
DOCUMENTS_LIST = """
SELECT d.id, d.title, d.source_path, d.source_name, d.format, d.department, d.published,
       d.labels, d.imported_at,
       (SELECT count(*) FROM sentences s WHERE s.document_id = d.id) AS sentence_count,
       (SELECT count(*) FROM mentions m WHERE m.document_id = d.id) AS mention_count
FROM documents d ORDER BY d.imported_at, d.id LIMIT ? OFFSET ?
"""

INSERT_DOCUMENT = """
INSERT INTO documents (id, title, source_path, source_name, format, department, published,
                       labels, metadata, text, imported_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET title = excluded.title, source_path = excluded.source_path,
    source_name = excluded.source_name, format = excluded.format,
    department = excluded.department, published = excluded.published,
    labels = excluded.labels, metadata = excluded.metadata
"""
INSERT_SENTENCE = (
    'INSERT OR REPLACE INTO sentences (document_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)'
)
UPSERT_ENTITY = """
INSERT INTO entities (id, name, type) VALUES (?, ?, ?)
ON CONFLICT(id) DO NOTHING
"""
INSERT_NAME = "INSERT OR IGNORE INTO entity_names (entity_id, norm, name) VALUES (?, ?, ?)"
INSERT_NAME_SOURCE = "INSERT OR IGNORE INTO entity_name_sources (entity_id, norm, document_id) VALUES (?, ?, ?)"
INSERT_MENTION = """
INSERT OR REPLACE INTO mentions (id, document_id, sentence_idx, start, "end", text, type,
                                 confidence, extractor, extractor_version, entity_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
UPSERT_FACT = """
INSERT INTO facts (id, subject_id, predicate, object_id, confidence, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET confidence = max(facts.confidence, excluded.confidence),
    last_seen = excluded.last_seen
"""
INSERT_PROVENANCE = """
INSERT OR REPLACE INTO fact_provenance (fact_id, document_id, sentence_idx, subject_start,
    subject_end, object_start, object_end, confidence, extractor, extractor_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

INSERT_CANDIDATE = """
INSERT OR REPLACE INTO fact_candidates (id, document_id, subject_id, predicate, object_id, confidence,
                                        status, reason, provenance)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# -- retraction of one document ------------------------------------------------------------
FACTS_OF_DOCUMENT = "SELECT DISTINCT fact_id FROM fact_provenance WHERE document_id = ?"
ENTITIES_OF_DOCUMENT = """
SELECT DISTINCT entity_id FROM mentions WHERE document_id = ? AND entity_id IS NOT NULL
"""
DELETE_DOCUMENT_PROVENANCE = "DELETE FROM fact_provenance WHERE document_id = ?"
DELETE_DOCUMENT_CANDIDATES = "DELETE FROM fact_candidates WHERE document_id = ?"
DELETE_DOCUMENT_NAME_SOURCES = "DELETE FROM entity_name_sources WHERE document_id = ?"
DELETE_DOCUMENT_ENTITY_DOCUMENTS = "DELETE FROM entity_documents WHERE document_id = ?"
# entity_documents rows of the documents in {where} (a condition on `document_id`), from their stored rows
_ENTITY_DOCUMENTS_FILL = """
INSERT INTO entity_documents (entity_id, document_id, mentions)
SELECT entity_id, document_id, sum(n) FROM (
    SELECT entity_id, document_id, 1 AS n FROM mentions WHERE entity_id IS NOT NULL AND {where}
    UNION ALL SELECT f.subject_id, p.document_id, 0 FROM fact_provenance p JOIN facts f ON f.id = p.fact_id
              WHERE p.{where}
    UNION ALL SELECT f.object_id, p.document_id, 0 FROM fact_provenance p JOIN facts f ON f.id = p.fact_id
              WHERE p.{where}
) GROUP BY entity_id, document_id
"""
ENTITY_DOCUMENTS_OF_DOCUMENT = _ENTITY_DOCUMENTS_FILL.format(where="document_id = :doc")
DELETE_DOCUMENT_MENTIONS = "DELETE FROM mentions WHERE document_id = ?"
DELETE_DOCUMENT_SENTENCES = "DELETE FROM sentences WHERE document_id = ?"
DELETE_DOCUMENT = "DELETE FROM documents WHERE id = ?"
FACT_SUPPORT = "SELECT count(*), max(confidence) FROM fact_provenance WHERE fact_id = ?"
DELETE_FACT = "DELETE FROM facts WHERE id = ?"
SET_FACT_CONFIDENCE = "UPDATE facts SET confidence = ? WHERE id = ?"
FACT_ENDPOINTS = "SELECT subject_id, object_id FROM facts WHERE id = ?"
ENTITY_IS_ORPHAN = """
SELECT NOT EXISTS (SELECT 1 FROM mentions WHERE entity_id = :id)
   AND NOT EXISTS (SELECT 1 FROM facts WHERE subject_id = :id OR object_id = :id)
"""
DELETE_ENTITY = "DELETE FROM entities WHERE id = ?"

# -- reads ---------------------------------------------------------------------------------
ENTITY_GET = "SELECT id, name, type FROM entities WHERE id = ?"
ENTITY_NAMES = "SELECT name FROM entity_names WHERE entity_id = ? ORDER BY name"
ENTITY_MENTION_COUNT = "SELECT count(*) FROM mentions WHERE entity_id = ?"
SEARCH_TRIGRAM = """
SELECT n.entity_id, n.name FROM entity_names_fts f
JOIN entity_names n ON n.rowid = f.rowid
WHERE entity_names_fts MATCH ? ORDER BY bm25(entity_names_fts) LIMIT ?
"""
SEARCH_PREFIX = """
SELECT entity_id, name FROM entity_names WHERE norm >= ? AND norm < ? LIMIT ?
"""
MENTION_COUNTS = "SELECT entity_id, count(*) FROM mentions WHERE entity_id IN ({marks}) GROUP BY entity_id"
ENTITIES_BY_IDS = "SELECT id, name, type FROM entities WHERE id IN ({marks})"
ENTITY_FACTS = """
SELECT f.id, f.predicate, f.confidence,
       s.id AS s_id, s.name AS s_name, s.type AS s_type,
       o.id AS o_id, o.name AS o_name, o.type AS o_type
FROM facts f JOIN entities s ON s.id = f.subject_id JOIN entities o ON o.id = f.object_id
WHERE f.subject_id = :id OR f.object_id = :id
ORDER BY f.confidence DESC, f.id LIMIT :limit
"""
FACT_PROVENANCE = """
SELECT p.*, p.sentence_idx AS sentence_index, d.title AS document_title, d.source_name, d.department,
       s.text AS sentence, s.start AS sentence_start, s."end" AS sentence_end
FROM fact_provenance p
JOIN documents d ON d.id = p.document_id
JOIN sentences s ON s.document_id = p.document_id AND s.idx = p.sentence_idx
WHERE p.fact_id = ? ORDER BY p.confidence DESC, p.document_id, p.sentence_idx
"""
ENTITY_MENTIONS = """
SELECT m.*, m.sentence_idx AS sentence_index, d.title AS document_title, d.department,
       s.text AS sentence, s.start AS sentence_start, s."end" AS sentence_end
FROM mentions m
JOIN documents d ON d.id = m.document_id
JOIN sentences s ON s.document_id = m.document_id AND s.idx = m.sentence_idx
WHERE m.entity_id = ? ORDER BY d.published DESC, m.document_id, m.start LIMIT ?
"""
ENTITY_DEPARTMENTS = """
SELECT DISTINCT d.department FROM mentions m JOIN documents d ON d.id = m.document_id
WHERE m.entity_id = ? AND d.department IS NOT NULL ORDER BY d.department
"""
COUNTS = """
SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM sentences) AS sentences,
       (SELECT count(*) FROM mentions) AS mentions, (SELECT count(*) FROM entities) AS entities,
       (SELECT count(*) FROM facts) AS facts
"""
ENTITIES_BY_TYPE = "SELECT type, count(*) FROM entities GROUP BY type ORDER BY type"
FACTS_BY_PREDICATE = "SELECT predicate, count(*) FROM facts GROUP BY predicate ORDER BY predicate"
# schema 1 → 2: the provenance key gains the extractor (copy, drop, rename; in one transaction)
PROVENANCE_KEY_COLUMNS = "SELECT name FROM pragma_table_info('fact_provenance') WHERE pk > 0"
MIGRATE_PROVENANCE_KEY = (
    "ALTER TABLE fact_provenance RENAME TO fact_provenance_v1",
    "DROP INDEX IF EXISTS fact_provenance_document",
    "CREATE TABLE " + PROVENANCE_TABLE,
    "INSERT INTO fact_provenance SELECT * FROM fact_provenance_v1",
    "DROP TABLE fact_provenance_v1",
    "CREATE INDEX fact_provenance_document ON fact_provenance(document_id)",
    "UPDATE meta SET value = '2' WHERE key = 'schema_version'",
)
FACTS_BY_EXTRACTOR = """
SELECT extractor, count(DISTINCT fact_id) FROM fact_provenance GROUP BY extractor ORDER BY extractor
"""
CANDIDATES = """
SELECT c.*, c.subject_id AS s_id, s.name AS s_name, s.type AS s_type,
       c.object_id AS o_id, o.name AS o_name, o.type AS o_type, d.title AS document_title, d.source_name, d.department
FROM fact_candidates c
JOIN entities s ON s.id = c.subject_id JOIN entities o ON o.id = c.object_id
JOIN documents d ON d.id = c.document_id
WHERE (:status IS NULL OR c.status = :status)
ORDER BY c.confidence DESC, c.id, c.document_id LIMIT :limit OFFSET :offset
"""
CANDIDATES_BY_STATUS = "SELECT status, count(*) FROM fact_candidates GROUP BY status ORDER BY status"
SENTENCE_GET = 'SELECT idx, start, "end", text FROM sentences WHERE document_id = ? AND idx = ?'

# -- whole documents back, for export ------------------------------------------------------
DOCUMENT_IDS = "SELECT id FROM documents WHERE (:department IS NULL OR department = :department) ORDER BY id"
DOCUMENT_SENTENCES = 'SELECT idx AS "index", start, "end", text FROM sentences WHERE document_id = ? ORDER BY idx'
DOCUMENT_MENTIONS = ('SELECT *, sentence_idx AS sentence_index FROM mentions WHERE document_id = ?'
                     ' ORDER BY start, "end", id')
DOCUMENT_ENTITIES = """
SELECT DISTINCT e.id, e.name, e.type FROM entities e
WHERE e.id IN (SELECT entity_id FROM mentions WHERE document_id = :doc)
   OR e.id IN (SELECT f.subject_id FROM facts f JOIN fact_provenance p ON p.fact_id = f.id WHERE p.document_id = :doc)
   OR e.id IN (SELECT f.object_id FROM facts f JOIN fact_provenance p ON p.fact_id = f.id WHERE p.document_id = :doc)
ORDER BY e.id
"""
DOCUMENT_FACT_PROVENANCE = """
SELECT f.subject_id, f.predicate, f.object_id, p.*, p.sentence_idx AS sentence_index
FROM fact_provenance p JOIN facts f ON f.id = p.fact_id
WHERE p.document_id = ? ORDER BY p.fact_id, p.sentence_idx, p.subject_start, p.object_start
"""
DOCUMENT_CANDIDATES = "SELECT * FROM fact_candidates WHERE document_id = ? ORDER BY id"

# -- explorer --------------------------------------------------------------------------------
FACT_GET = """
SELECT f.id, f.predicate, f.confidence,
       s.id AS s_id, s.name AS s_name, s.type AS s_type,
       o.id AS o_id, o.name AS o_name, o.type AS o_type
FROM facts f JOIN entities s ON s.id = f.subject_id JOIN entities o ON o.id = f.object_id
WHERE f.id = ?
"""
FACT_EDGES = """
SELECT f.id, f.subject_id, f.predicate, f.object_id, f.confidence,
       (SELECT count(*) FROM fact_provenance p WHERE p.fact_id = f.id) AS support
FROM facts f ORDER BY f.id
"""
ENTITY_INFOS_ALL = """
SELECT e.id, e.name, e.type, (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) AS mention_count
FROM entities e
"""
ENTITY_INFOS = """
SELECT e.id, e.name, e.type, (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) AS mention_count
FROM entities e WHERE e.id IN ({marks})
"""
ENTITY_DEPARTMENT_PAIRS = """
SELECT DISTINCT m.entity_id, d.department FROM mentions m JOIN documents d ON d.id = m.document_id
WHERE d.department IS NOT NULL {where} ORDER BY d.department
"""
DOCUMENT_ANNOTATIONS = ('SELECT id, start, "end", text, type, entity_id FROM mentions WHERE document_id = ?'
                        ' ORDER BY start, "end"')
DOCUMENT_FACT_ANNOTATIONS = """
SELECT p.fact_id, f.predicate, f.subject_id, f.object_id, p.sentence_idx AS sentence_index,
       p.subject_start, p.subject_end, p.object_start, p.object_end, p.confidence
FROM fact_provenance p JOIN facts f ON f.id = p.fact_id WHERE p.document_id = ?
ORDER BY p.subject_start, p.object_start, p.fact_id
"""

# -- question answering: sentence retrieval --------------------------------------------------
# sentences_fts is a plain FTS5 table (sentences is WITHOUT ROWID, so no external content);
# rows are written and retracted with their sentences, and backfilled once for stores that
# predate it.
SENTENCES_FTS_EMPTY = "SELECT NOT EXISTS (SELECT 1 FROM sentences_fts) AND EXISTS (SELECT 1 FROM sentences)"
SENTENCES_FTS_BACKFILL = ("INSERT INTO sentences_fts (text, document_id, idx)"
                          " SELECT text, document_id, idx FROM sentences")
INSERT_SENTENCE_FTS = "INSERT INTO sentences_fts (text, document_id, idx) VALUES (?, ?, ?)"
DELETE_DOCUMENT_SENTENCES_FTS = "DELETE FROM sentences_fts WHERE document_id = ?"
DELETE_DOCUMENT_VECTORS = "DELETE FROM sentence_vectors WHERE document_id = ?"
SENTENCE_COUNT = "SELECT count(*) FROM sentences WHERE document_id = ?"
UPSERT_SENTENCE_VECTORS = """
INSERT OR REPLACE INTO sentence_vectors (document_id, model, count, dims, vectors) VALUES (?, ?, ?, ?, ?)
"""
SENTENCE_VECTORS_VERSION = "SELECT count(*), total(count), group_concat(document_id) FROM sentence_vectors"
SENTENCE_VECTORS_ALL = "SELECT document_id, count, dims, vectors FROM sentence_vectors ORDER BY document_id"
# bm25() is lower-is-better; the score returned is its negation (higher is better).
SEARCH_SENTENCES = """
SELECT f.document_id, CAST(f.idx AS INTEGER) AS sentence_index, -bm25(sentences_fts) AS score
FROM sentences_fts f
WHERE sentences_fts MATCH :query {where}
ORDER BY bm25(sentences_fts) LIMIT :limit
"""
SENTENCE_HITS = """
SELECT s.document_id, s.idx AS sentence_index, s.text AS sentence, s.start AS sentence_start,
       s."end" AS sentence_end, d.title AS document_title, d.source_name, d.department, d.published
FROM sentences s JOIN documents d ON d.id = s.document_id
WHERE s.document_id = ? AND s.idx = ?
"""
SENTENCE_TOTAL = "SELECT count(*) FROM sentences"
SENTENCE_FREQUENCY = "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?"

# -- schema 2 → 3 (in place, one transaction; detected by the tables' absence, as 1 → 2 is by the key) ----
TABLE_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
# A schema 2 store kept no name's source: the backfill assigns each existing name to every document that
# mentions the entity, supports one of its facts or holds a candidate naming it (what write() would have
# recorded for those documents' graphs, as far as the stored rows can tell). entity_documents is derived
# from mentions and fact_provenance, so it is filled exactly.
MIGRATE_SCHEMA_3 = (
    """
    INSERT OR IGNORE INTO entity_name_sources (entity_id, norm, document_id)
    SELECT n.entity_id, n.norm, x.document_id FROM entity_names n JOIN (
        SELECT entity_id, document_id FROM mentions WHERE entity_id IS NOT NULL
        UNION SELECT f.subject_id, p.document_id FROM fact_provenance p JOIN facts f ON f.id = p.fact_id
        UNION SELECT f.object_id, p.document_id FROM fact_provenance p JOIN facts f ON f.id = p.fact_id
        UNION SELECT subject_id, document_id FROM fact_candidates
        UNION SELECT object_id, document_id FROM fact_candidates
    ) x ON x.entity_id = n.entity_id
    """,
    "DELETE FROM entity_documents",
    _ENTITY_DOCUMENTS_FILL.format(where="document_id IS NOT NULL"),
    "UPDATE meta SET value = '3' WHERE key = 'schema_version'",
)

# -- audit log (append-only: triggers in SCHEMA abort any UPDATE or DELETE) ----------------------
INSERT_AUDIT_EVENT = """
INSERT INTO audit_events (id, at, principal, action, target, department, outcome, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
AUDIT_EVENTS = """
SELECT id, at, principal, action, target, department, outcome, detail FROM audit_events
WHERE (:action IS NULL OR action = :action) AND (:principal IS NULL OR principal = :principal)
ORDER BY at DESC, rowid DESC LIMIT :limit OFFSET :offset
"""

# -- reads under a scope (graph.visibility) ------------------------------------------------------
# The rule lives inside every statement: `visible(id)` holds the ids of the documents the scope sees
# (SQL_VISIBLE_DOCUMENT, evaluated once per statement, once per document), and each filter is an
# `IN visible` on an indexed document_id. All take Scope.sql_parameters() (named parameters only).
VISIBLE = "visible(id) AS MATERIALIZED (SELECT d.id FROM documents d WHERE " + SQL_VISIBLE_DOCUMENT + ")"
IN_VISIBLE = "IN (SELECT id FROM visible)"
# In the correlated checks below the document column is written `+x.document_id`: the unary plus keeps
# SQLite from probing a document index once per visible document, so it seeks the key prefix (entity, name,
# fact) and tests each of its few rows against `visible` (3-4x faster on the demo graph).
# the visible entities (a mention or a fact's provenance row in a visible document), with their visible
# mention counts
VISIBLE_ENTITIES = f"""visible_entities(id, mentions) AS MATERIALIZED (
    SELECT entity_id, sum(mentions) FROM entity_documents WHERE document_id {IN_VISIBLE} GROUP BY entity_id
)"""


def _entity_visible(entity_id: str) -> str:
    """The entity `entity_id` (an SQL expression) has a visible mention or a fact with a visible source."""
    return (f"EXISTS (SELECT 1 FROM entity_documents ve WHERE ve.entity_id = {entity_id}"
            f" AND +ve.document_id {IN_VISIBLE})")


def _name_visible(names: str) -> str:
    """The entity_names row `names` (an alias) was given by a visible document (no source: invisible)."""
    return f"""EXISTS (SELECT 1 FROM entity_name_sources vs WHERE vs.entity_id = {names}.entity_id
                AND vs.norm = {names}.norm AND +vs.document_id {IN_VISIBLE})"""


def _scoped_name(entity: str) -> str:
    """The name shown for the entities row `entity` (an alias): its stored name when a visible document gave
    it, else its first visible name (by rowid), else its id (a name no document gave is never shown)."""
    return f"""COALESCE(
    (SELECT vn.name FROM entity_names vn WHERE vn.entity_id = {entity}.id AND vn.name = {entity}.name
        AND {_name_visible("vn")}),
    (SELECT vn.name FROM entity_names vn WHERE vn.entity_id = {entity}.id AND {_name_visible("vn")}
        ORDER BY vn.rowid LIMIT 1),
    {entity}.id)"""


def _visible_confidence(alias: str) -> str:
    """A fact's confidence as the scope sees it: the best of its visible sources (the stored one is the best
    of all sources, which would tell of documents the scope may not see)."""
    return (f"(SELECT max(vp.confidence) FROM fact_provenance vp WHERE vp.fact_id = {alias}.id "
            f"AND vp.document_id {IN_VISIBLE})")


def _fact_visible(fact: str) -> str:
    return f"EXISTS (SELECT 1 FROM fact_provenance vp WHERE vp.fact_id = {fact}.id AND +vp.document_id {IN_VISIBLE})"


# the visible documents among :ids (a JSON array; NULL: all)
VISIBLE_DOCUMENT_IDS = ("SELECT d.id FROM documents d"
                        " WHERE (:ids IS NULL OR d.id IN (SELECT value FROM json_each(:ids)))"
                        " AND " + SQL_VISIBLE_DOCUMENT + " ORDER BY d.id")
DOCUMENT_GET_VISIBLE = "SELECT * FROM documents d WHERE d.id = :id AND " + SQL_VISIBLE_DOCUMENT
DOCUMENT_VISIBLE = "SELECT 1 FROM documents d WHERE d.id = :id AND " + SQL_VISIBLE_DOCUMENT
DOCUMENTS_LIST_VISIBLE = """
SELECT d.id, d.title, d.source_path, d.source_name, d.format, d.department, d.published,
       d.labels, d.imported_at,
       (SELECT count(*) FROM sentences s WHERE s.document_id = d.id) AS sentence_count,
       (SELECT count(*) FROM mentions m WHERE m.document_id = d.id) AS mention_count
FROM documents d WHERE """ + SQL_VISIBLE_DOCUMENT + """
ORDER BY d.imported_at, d.id LIMIT :limit OFFSET :offset
"""
DOCUMENT_IDS_VISIBLE = ("SELECT d.id FROM documents d WHERE (:department IS NULL OR d.department = :department) AND "
                        + SQL_VISIBLE_DOCUMENT + " ORDER BY d.id")

# the entity with its shown name and its visible names (a JSON array), in one statement
ENTITY_GET_VISIBLE = f"""WITH {VISIBLE}
SELECT e.id, {_scoped_name("e")} AS name, e.type,
       (SELECT json_group_array(n.name) FROM entity_names n WHERE n.entity_id = e.id AND {_name_visible("n")}) AS names
FROM entities e
WHERE e.id = :id AND {_entity_visible("e.id")}
"""
ENTITY_MENTION_COUNT_VISIBLE = f"""WITH {VISIBLE}
SELECT coalesce(sum(mentions), 0) FROM entity_documents WHERE entity_id = :id AND +document_id {IN_VISIBLE}
"""
# matched only on names a visible document gave, of visible entities (inside the LIMIT), with the entity's
# visible mention count
SEARCH_TRIGRAM_VISIBLE = f"""WITH {VISIBLE},
found(entity_id, name, rank) AS MATERIALIZED (
    SELECT n.entity_id, n.name, bm25(entity_names_fts) FROM entity_names_fts f
    JOIN entity_names n ON n.rowid = f.rowid
    WHERE entity_names_fts MATCH :match AND {_name_visible("n")} AND {_entity_visible("n.entity_id")}
    ORDER BY bm25(entity_names_fts) LIMIT :limit
)
SELECT entity_id, name, (SELECT coalesce(sum(mentions), 0) FROM entity_documents ed
                         WHERE ed.entity_id = found.entity_id AND +ed.document_id {IN_VISIBLE}) AS mentions
FROM found ORDER BY rank
"""
SEARCH_PREFIX_VISIBLE = f"""WITH {VISIBLE},
found(entity_id, name, pos) AS MATERIALIZED (
    SELECT n.entity_id, n.name, n.norm FROM entity_names n
    WHERE n.norm >= :low AND n.norm < :high AND {_name_visible("n")} AND {_entity_visible("n.entity_id")}
    LIMIT :limit
)
SELECT entity_id, name, (SELECT coalesce(sum(mentions), 0) FROM entity_documents ed
                         WHERE ed.entity_id = found.entity_id AND +ed.document_id {IN_VISIBLE}) AS mentions
FROM found
"""
# each entity's shown name on each of its visible names
ENTITY_NAMES_BY_IDS_VISIBLE = f"""WITH {VISIBLE}
SELECT e.id, {_scoped_name("e")} AS shown, n.name FROM entities e JOIN entity_names n ON n.entity_id = e.id
WHERE e.id IN ({{marks}}) AND {_name_visible("n")}
ORDER BY e.id, n.name
"""
# the page of facts first, then the names of its arguments (not for every fact of a hub entity)
ENTITY_FACTS_VISIBLE = f"""WITH {VISIBLE},
page(id, confidence) AS MATERIALIZED (
    SELECT f.id, {_visible_confidence("f")} AS confidence FROM facts f
    WHERE (f.subject_id = :id OR f.object_id = :id) AND {_fact_visible("f")}
    ORDER BY confidence DESC, f.id LIMIT :limit
)
SELECT f.id, f.predicate, page.confidence AS confidence,
       s.id AS s_id, {_scoped_name("s")} AS s_name, s.type AS s_type,
       o.id AS o_id, {_scoped_name("o")} AS o_name, o.type AS o_type
FROM page JOIN facts f ON f.id = page.id JOIN entities s ON s.id = f.subject_id JOIN entities o ON o.id = f.object_id
ORDER BY page.confidence DESC, f.id
"""
FACT_GET_VISIBLE = f"""WITH {VISIBLE}
SELECT f.id, f.predicate, {_visible_confidence("f")} AS confidence,
       s.id AS s_id, {_scoped_name("s")} AS s_name, s.type AS s_type,
       o.id AS o_id, {_scoped_name("o")} AS o_name, o.type AS o_type
FROM facts f JOIN entities s ON s.id = f.subject_id JOIN entities o ON o.id = f.object_id
WHERE f.id = :id AND {_fact_visible("f")}
"""
# a fact has few provenance rows: the rule is tested on each row's document directly
FACT_PROVENANCE_VISIBLE = """
SELECT p.*, p.sentence_idx AS sentence_index, d.title AS document_title, d.source_name, d.department,
       s.text AS sentence, s.start AS sentence_start, s."end" AS sentence_end
FROM fact_provenance p
JOIN documents d ON d.id = p.document_id
JOIN sentences s ON s.document_id = p.document_id AND s.idx = p.sentence_idx
WHERE p.fact_id = :id AND """ + SQL_VISIBLE_DOCUMENT + """
ORDER BY p.confidence DESC, p.document_id, p.sentence_idx
"""
ENTITY_MENTIONS_VISIBLE = f"""WITH {VISIBLE}
SELECT m.*, m.sentence_idx AS sentence_index, d.title AS document_title, d.department,
       s.text AS sentence, s.start AS sentence_start, s."end" AS sentence_end
FROM mentions m
JOIN documents d ON d.id = m.document_id
JOIN sentences s ON s.document_id = m.document_id AND s.idx = m.sentence_idx
WHERE m.entity_id = :id AND m.document_id {IN_VISIBLE}
ORDER BY d.published DESC, m.document_id, m.start LIMIT :limit
"""
ENTITY_DEPARTMENTS_VISIBLE = f"""WITH {VISIBLE}
SELECT DISTINCT d.department FROM entity_documents ed JOIN documents d ON d.id = ed.document_id
WHERE ed.entity_id = :id AND ed.mentions > 0 AND d.department IS NOT NULL AND +ed.document_id {IN_VISIBLE}
ORDER BY d.department
"""
# support: the visible provenance rows only
FACT_EDGES_VISIBLE = f"""WITH {VISIBLE}
SELECT f.id, f.subject_id, f.predicate, f.object_id, max(p.confidence) AS confidence, count(*) AS support
FROM fact_provenance p JOIN facts f ON f.id = p.fact_id
WHERE p.document_id {IN_VISIBLE}
GROUP BY f.id ORDER BY f.id
"""
ENTITY_INFOS_ALL_VISIBLE = f"""WITH {VISIBLE}, {VISIBLE_ENTITIES}
SELECT e.id, {_scoped_name("e")} AS name, e.type, ve.mentions AS mention_count
FROM visible_entities ve JOIN entities e ON e.id = ve.id
"""
ENTITY_INFOS_VISIBLE = f"""WITH {VISIBLE},
chosen(id, mentions) AS MATERIALIZED (
    SELECT entity_id, sum(mentions) FROM entity_documents WHERE entity_id IN ({{marks}}) AND +document_id {IN_VISIBLE}
    GROUP BY entity_id
)
SELECT e.id, {_scoped_name("e")} AS name, e.type, chosen.mentions AS mention_count
FROM chosen JOIN entities e ON e.id = chosen.id
"""
ENTITY_DEPARTMENT_PAIRS_VISIBLE = f"""WITH {VISIBLE}
SELECT DISTINCT ed.entity_id, d.department FROM entity_documents ed JOIN documents d ON d.id = ed.document_id
WHERE d.department IS NOT NULL AND ed.mentions > 0 AND ed.document_id {IN_VISIBLE} ORDER BY d.department
"""
ENTITY_DEPARTMENT_PAIRS_BY_IDS_VISIBLE = f"""WITH {VISIBLE}
SELECT DISTINCT ed.entity_id, d.department FROM entity_documents ed JOIN documents d ON d.id = ed.document_id
WHERE ed.entity_id IN ({{marks}}) AND d.department IS NOT NULL AND ed.mentions > 0 AND +ed.document_id {IN_VISIBLE}
ORDER BY d.department
"""
# candidates of visible documents; the page first, then its arguments' names
CANDIDATES_VISIBLE = f"""WITH {VISIBLE},
page(id, document_id) AS MATERIALIZED (
    SELECT c.id, c.document_id FROM fact_candidates c
    WHERE (:status IS NULL OR c.status = :status) AND c.document_id {IN_VISIBLE}
    ORDER BY c.confidence DESC, c.id, c.document_id LIMIT :limit OFFSET :offset
)
SELECT c.*, c.subject_id AS s_id, {_scoped_name("s")} AS s_name, s.type AS s_type,
       c.object_id AS o_id, {_scoped_name("o")} AS o_name, o.type AS o_type,
       d.title AS document_title, d.source_name, d.department
FROM page JOIN fact_candidates c ON c.id = page.id AND c.document_id = page.document_id
JOIN entities s ON s.id = c.subject_id JOIN entities o ON o.id = c.object_id
JOIN documents d ON d.id = c.document_id
ORDER BY c.confidence DESC, c.id, c.document_id
"""
DATA_VERSION = "PRAGMA data_version"
# every count in one statement, driven from the visible documents' rows (the sets are built once):
# rows of (kind, key, count): kind 0 the five totals by name, then by type, predicate, extractor and status
STATS_VISIBLE = f"""WITH {VISIBLE}, {VISIBLE_ENTITIES},
visible_facts(id) AS MATERIALIZED (SELECT DISTINCT fact_id FROM fact_provenance WHERE document_id {IN_VISIBLE})
SELECT 0 AS kind, 'documents' AS key, (SELECT count(*) FROM visible) AS n
UNION ALL SELECT 0, 'sentences', (SELECT count(*) FROM sentences WHERE document_id {IN_VISIBLE})
UNION ALL SELECT 0, 'mentions', (SELECT count(*) FROM mentions WHERE document_id {IN_VISIBLE})
UNION ALL SELECT 0, 'entities', (SELECT count(*) FROM visible_entities)
UNION ALL SELECT 0, 'facts', (SELECT count(*) FROM visible_facts)
UNION ALL SELECT 1, e.type, count(*) FROM visible_entities ve JOIN entities e ON e.id = ve.id GROUP BY e.type
UNION ALL SELECT 2, f.predicate, count(*) FROM visible_facts vf JOIN facts f ON f.id = vf.id GROUP BY f.predicate
UNION ALL SELECT 3, extractor, count(DISTINCT fact_id) FROM fact_provenance WHERE document_id {IN_VISIBLE}
          GROUP BY extractor
UNION ALL SELECT 4, status, count(*) FROM fact_candidates WHERE document_id {IN_VISIBLE} GROUP BY status
ORDER BY 1, 2
"""
# export: the names one document gave its entities (both with and without a scope)
DOCUMENT_ENTITY_NAMES = """
SELECT n.entity_id, n.name FROM entity_name_sources s
JOIN entity_names n ON n.entity_id = s.entity_id AND n.norm = s.norm
WHERE s.document_id = ? ORDER BY n.rowid
"""
SEARCH_SENTENCES_VISIBLE = f"""WITH {VISIBLE}
SELECT f.document_id, CAST(f.idx AS INTEGER) AS sentence_index, -bm25(sentences_fts) AS score
FROM sentences_fts f
WHERE sentences_fts MATCH :query AND f.document_id {IN_VISIBLE} {{where}}
ORDER BY bm25(sentences_fts) LIMIT :limit
"""
SENTENCE_HITS_VISIBLE = """
SELECT s.document_id, s.idx AS sentence_index, s.text AS sentence, s.start AS sentence_start,
       s."end" AS sentence_end, d.title AS document_title, d.source_name, d.department, d.published
FROM sentences s JOIN documents d ON d.id = s.document_id
WHERE s.document_id = :doc AND s.idx = :idx AND """ + SQL_VISIBLE_DOCUMENT
