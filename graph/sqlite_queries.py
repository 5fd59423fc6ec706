"""SQL text of the embedded store, as named constants."""

SCHEMA_VERSION = 2  # 2: a fact's provenance keeps one row per extractor (the same spans, two extractors)

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
SELECT m.*, d.title AS document_title, d.department,
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
SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM sentences),
       (SELECT count(*) FROM mentions), (SELECT count(*) FROM entities),
       (SELECT count(*) FROM facts)
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
SELECT c.*, s.name AS s_name, s.type AS s_type, o.name AS o_name, o.type AS o_type,
       d.title AS document_title, d.source_name, d.department
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
DOCUMENT_SENTENCES = 'SELECT idx, start, "end", text FROM sentences WHERE document_id = ? ORDER BY idx'
DOCUMENT_MENTIONS = 'SELECT * FROM mentions WHERE document_id = ? ORDER BY start, "end", id'
DOCUMENT_ENTITIES = """
SELECT DISTINCT e.id, e.name, e.type FROM entities e
WHERE e.id IN (SELECT entity_id FROM mentions WHERE document_id = :doc)
   OR e.id IN (SELECT f.subject_id FROM facts f JOIN fact_provenance p ON p.fact_id = f.id WHERE p.document_id = :doc)
   OR e.id IN (SELECT f.object_id FROM facts f JOIN fact_provenance p ON p.fact_id = f.id WHERE p.document_id = :doc)
ORDER BY e.id
"""
DOCUMENT_FACT_PROVENANCE = """
SELECT f.subject_id, f.predicate, f.object_id, p.* FROM fact_provenance p JOIN facts f ON f.id = p.fact_id
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
DOCUMENT_ANNOTATIONS = 'SELECT id, start, "end", text, type, entity_id FROM mentions WHERE document_id = ? ORDER BY start, "end"'
DOCUMENT_FACT_ANNOTATIONS = """
SELECT p.fact_id, f.predicate, f.subject_id, f.object_id, p.sentence_idx, p.subject_start, p.subject_end,
       p.object_start, p.object_end, p.confidence
FROM fact_provenance p JOIN facts f ON f.id = p.fact_id WHERE p.document_id = ?
ORDER BY p.subject_start, p.object_start, p.fact_id
"""

# -- question answering: sentence retrieval --------------------------------------------------
# sentences_fts is a plain FTS5 table (sentences is WITHOUT ROWID, so no external content);
# rows are written and retracted with their sentences, and backfilled once for stores that
# predate it.
SENTENCES_FTS_EMPTY = "SELECT NOT EXISTS (SELECT 1 FROM sentences_fts) AND EXISTS (SELECT 1 FROM sentences)"
SENTENCES_FTS_BACKFILL = "INSERT INTO sentences_fts (text, document_id, idx) SELECT text, document_id, idx FROM sentences"
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
