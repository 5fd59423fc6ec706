"""Cypher text of the Neo4j store, as named constants.

Graph model (see `graph/neo4j/store.py` for the why):

    (:Document {id})-[:HAS_SENTENCE]->(:Sentence {key: "<document id>:<index>"})
    (:Sentence)-[:MENTIONS {id, start, end, text, type, ...}]->(:Entity:<Class>:<ancestors>)
    (:Sentence)-[:MENTIONS_UNRESOLVED {id, ...}]->(same :Sentence)   # a mention naming no entity
    (:Entity)-[:<predicate> {id, confidence, sources, first_seen, last_seen}]->(:Entity)
    (:Fact {id, predicate, subject_id, object_id, confidence, sources, first_seen, last_seen})
        -[:SUPPORTED_BY {document_id, subject_start, ..., extractor}]->(:Sentence)
    (:Document)-[:HAS_CANDIDATE]->(:Candidate {key: "<document id>:<fact id>", ...})
    (:Document)-[:NAMED {document_id, names, norms, mentions, evidence}]->(:Entity)
    (:AuditEvent {id, at, principal, action, target, department, outcome, detail, recorded_at})

Lookups by key carry `USING INDEX SEEK` hints: a plan cached while the database was empty
(where a scan costs the same as a seek) would otherwise keep scanning as the data grows.

Every value is passed as a query parameter. Only two things are ever put into query text,
and both are validated identifiers (`^[A-Za-z][A-Za-z0-9_]*$`, reserved names excluded)
quoted in backticks by the store: entity labels (the `{labels_set}` slot of UPSERT_ENTITIES)
and fact relationship types (the `{rel_type}` / `{rel_types}` slots). Cypher cannot take
labels or types as parameters on every 5.x server. Needs Neo4j 5.23+ (`CALL (x) {...}`).

Department-scoped reads (`*_SCOPED`) filter inside the Cypher with the one visibility rule
(`graph.visibility.CYPHER_VISIBLE_DOCUMENT`, parameters `Scope.parameters()`): most start with
VISIBLE (`visible`: the ids of the documents the scope may see) and keep a fact when one of its
`sources` is in it, a provenance row or mention when its `document_id` is, an entity when one of
its mentions or facts is, and the names an entity's visible documents gave it (NAMED).
"""
from graph.visibility import CYPHER_VISIBLE_DOCUMENT

#: Structural labels and relationship types; entity labels and fact predicates never take these.
DOCUMENT, SENTENCE, ENTITY, FACT, CANDIDATE = "Document", "Sentence", "Entity", "Fact", "Candidate"
AUDIT_EVENT, MIGRATION = "AuditEvent", "GovkgMigration"
HAS_SENTENCE, MENTIONS, MENTIONS_UNRESOLVED, SUPPORTED_BY, HAS_CANDIDATE, NAMED = (
    "HAS_SENTENCE", "MENTIONS", "MENTIONS_UNRESOLVED", "SUPPORTED_BY", "HAS_CANDIDATE", "NAMED"
)
RESERVED_LABELS = frozenset({DOCUMENT, SENTENCE, FACT, CANDIDATE, AUDIT_EVENT, MIGRATION})
RESERVED_TYPES = frozenset({HAS_SENTENCE, MENTIONS, MENTIONS_UNRESOLVED, SUPPORTED_BY, HAS_CANDIDATE, NAMED})

FULLTEXT_INDEX = "govkg_entity_names"
SENTENCE_TEXT_INDEX = "govkg_sentence_text"
SENTENCE_VECTOR_INDEX = "govkg_sentence_vectors"
SENTENCE_VECTOR_DIMENSIONS = 384  # the packaged all-MiniLM-L6-v2 encoder

# -- schema (each statement in its own auto-commit transaction; all idempotent) --------------
SCHEMA = (
    "CREATE CONSTRAINT govkg_document_id IF NOT EXISTS "
    "FOR (d:Document) REQUIRE d.id IS UNIQUE",
    "CREATE CONSTRAINT govkg_sentence_key IF NOT EXISTS "
    "FOR (s:Sentence) REQUIRE s.key IS UNIQUE",
    "CREATE CONSTRAINT govkg_entity_id IF NOT EXISTS "
    "FOR (e:Entity) REQUIRE e.id IS UNIQUE",
    "CREATE CONSTRAINT govkg_fact_id IF NOT EXISTS "
    "FOR (f:Fact) REQUIRE f.id IS UNIQUE",
    "CREATE CONSTRAINT govkg_candidate_key IF NOT EXISTS "
    "FOR (c:Candidate) REQUIRE c.key IS UNIQUE",
    "CREATE CONSTRAINT govkg_audit_event_id IF NOT EXISTS "
    "FOR (a:AuditEvent) REQUIRE a.id IS UNIQUE",
    "CREATE INDEX govkg_audit_event_at IF NOT EXISTS FOR (a:AuditEvent) ON (a.at)",
    "CREATE INDEX govkg_document_source IF NOT EXISTS FOR (d:Document) ON (d.source_path)",
    "CREATE INDEX govkg_document_imported IF NOT EXISTS FOR (d:Document) ON (d.imported_at)",
    "CREATE INDEX govkg_entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type)",
    "CREATE INDEX govkg_candidate_status IF NOT EXISTS FOR (c:Candidate) ON (c.status)",
    # Normalized names and aliases (extraction.records.normalize_name): only word characters
    # and single spaces, so the whitespace analyzer tokenizes them exactly like the query.
    # Not eventually consistent: a search right after a write sees it.
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (e:Entity) ON EACH [e.norms] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}}",
    # question answering: BM25 over sentences (Lucene's English analyzer), cosine vector search
    f"CREATE FULLTEXT INDEX {SENTENCE_TEXT_INDEX} IF NOT EXISTS FOR (s:Sentence) ON EACH [s.text] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'english', `fulltext.eventually_consistent`: false}}",
    f"CREATE VECTOR INDEX {SENTENCE_VECTOR_INDEX} IF NOT EXISTS FOR (s:Sentence) ON (s.embedding) "
    f"OPTIONS {{indexConfig: {{`vector.dimensions`: {SENTENCE_VECTOR_DIMENSIONS}, "
    "`vector.similarity_function`: 'cosine'}}",
)
# Schema objects of development versions of this store, dropped on bootstrap (idempotent).
OBSOLETE_SCHEMA = (
    "DROP CONSTRAINT govkg_mention_id IF EXISTS",
    "DROP CONSTRAINT govkg_unresolved_mention_id IF EXISTS",
    "DROP INDEX govkg_fact_predicate IF EXISTS",
)
AWAIT_INDEXES = "CALL db.awaitIndexes($timeout)"

# -- writes of one document ----------------------------------------------------------------
DOCUMENT_EXISTS = "MATCH (d:Document {id: $id}) USING INDEX SEEK d:Document(id) RETURN d.id AS id"

# First statement of a write: creates the document or write-locks the stored one, so that
# concurrent writes of one document run one after the other (each sees the other's result
# and retracts it), as SQLite's single writer does. Like the SQLite upsert, a rewrite keeps
# the first import's text and imported_at.
LOCK_DOCUMENT = """
MERGE (d:Document {id: $id})
ON CREATE SET d.text = $text, d.imported_at = $now, d.govkg_created = true
ON MATCH SET d.id = d.id
WITH d, d.govkg_created IS NOT NULL AS created
REMOVE d.govkg_created
RETURN created
"""
UPSERT_DOCUMENT = """
MATCH (d:Document {id: $id}) USING INDEX SEEK d:Document(id)
SET d.title = $title, d.source_path = $source_path, d.source_name = $source_name,
    d.format = $format, d.department = $department, d.published = $published,
    d.labels = $labels, d.metadata = $metadata
"""

UPSERT_SENTENCES = """
UNWIND $rows AS row
MATCH (d:Document {id: row.document_id}) USING INDEX SEEK d:Document(id)
MERGE (s:Sentence {key: row.key})
SET s.document_id = row.document_id, s.index = row.index, s.start = row.start,
    s.end = row.end, s.text = row.text
MERGE (d)-[:HAS_SENTENCE]->(s)
RETURN count(*) AS n
"""

# {labels_set} is "e:`Agency`:`GovernmentOrganization`:`Organization`, " or "".
# First writer wins name and type (SQLite: ON CONFLICT DO NOTHING); names and aliases
# accumulate, one spelling per normalized form (SQLite: entity_names UNIQUE(entity_id, norm)).
# row.reset: the entity is only there because of this document's previous version; SQLite
# deletes it while retracting that version and inserts it afresh (name and names reset).
UPSERT_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Entity {{id: row.id}})
ON CREATE SET {labels_set}e.name = row.name, e.type = row.type, e.names = [], e.norms = []
ON MATCH SET e.name = CASE WHEN row.reset THEN row.name ELSE e.name END,
             e.names = CASE WHEN row.reset THEN [] ELSE e.names END,
             e.norms = CASE WHEN row.reset THEN [] ELSE e.norms END
WITH e, row, [i IN range(0, size(row.norms) - 1) WHERE NOT row.norms[i] IN e.norms] AS fresh
SET e.names = e.names + [i IN fresh | row.names[i]],
    e.norms = e.norms + [i IN fresh | row.norms[i]]
SET e.aliases = [n IN e.names WHERE n <> e.name]
RETURN count(*) AS n
"""

# One NAMED relationship per (document, entity) the document writes, mentions or states a fact of:
# `names`/`norms` as it gave them (UPSERT_ENTITIES rows; empty when it only cites the entity),
# `mentions` its mentions of the entity, `evidence` whether it mentions it or supports one of its
# facts. All follow from that document's graph alone and are rewritten with it, so a scope finds
# an entity's visibility, names, mention count and departments on these few relationships.
# CREATE for a new document (it has none), MERGE for a rewrite (DELETE_STALE_NAMED ran before).
_NAMED_ROWS = """
MATCH (d:Document {id: $doc}) USING INDEX SEEK d:Document(id)
UNWIND $rows AS row
MATCH (e:Entity {id: row.id}) USING INDEX SEEK e:Entity(id)
"""
CREATE_NAMED = _NAMED_ROWS + """
CREATE (d)-[:NAMED {document_id: $doc, names: row.names, norms: row.norms, mentions: row.mentions,
                    evidence: row.evidence}]->(e)
RETURN count(*) AS n
"""
MERGE_NAMED = _NAMED_ROWS + """
MERGE (d)-[n:NAMED]->(e)
SET n.document_id = $doc, n.names = row.names, n.norms = row.norms, n.mentions = row.mentions,
    n.evidence = row.evidence
RETURN count(*) AS n
"""

# A document's mentions and provenance are always replaced as a whole (its old ones are
# deleted first in the same transaction) and the rows are deduplicated by key beforehand,
# so they are created, not merged.
CREATE_MENTIONS = """
UNWIND $rows AS row
MATCH (s:Sentence {key: row.sentence_key}) USING INDEX SEEK s:Sentence(key)
MATCH (e:Entity {id: row.entity_id}) USING INDEX SEEK e:Entity(id)
CREATE (s)-[:MENTIONS {
    id: row.id, document_id: row.document_id, sentence_index: row.sentence_index,
    start: row.start, end: row.end, text: row.text, type: row.type, confidence: row.confidence,
    extractor: row.extractor, extractor_version: row.extractor_version
}]->(e)
RETURN count(*) AS n
"""

CREATE_UNRESOLVED_MENTIONS = """
UNWIND $rows AS row
MATCH (s:Sentence {key: row.sentence_key}) USING INDEX SEEK s:Sentence(key)
CREATE (s)-[:MENTIONS_UNRESOLVED {
    id: row.id, document_id: row.document_id, sentence_index: row.sentence_index,
    start: row.start, end: row.end, text: row.text, type: row.type, confidence: row.confidence,
    extractor: row.extractor, extractor_version: row.extractor_version
}]->(s)
RETURN count(*) AS n
"""

# Which of a graph's facts the store holds already: those go through UPSERT_FACTS, the others
# through CREATE_FACTS (a write that finds one of them created meanwhile by a concurrent
# transaction fails on the constraint and is rerun with UPSERT_FACTS for every fact).
EXISTING_FACTS = """
UNWIND $ids AS id
MATCH (f:Fact {id: id}) USING INDEX SEEK f:Fact(id)
RETURN f.id AS id
"""

# The properties of a SUPPORTED_BY relationship, from a provenance row `p`.
PROVENANCE_PROPERTIES = """
    document_id: p.document_id, sentence_index: p.sentence_index,
    subject_start: p.subject_start, subject_end: p.subject_end,
    object_start: p.object_start, object_end: p.object_end, confidence: p.confidence,
    extractor: p.extractor, extractor_version: p.extractor_version
"""

# Facts the store does not hold: the node, the typed relationship and the provenance in one
# pass, with no merge and no look at other sources (there are none). {rel_type} as below.
CREATE_FACTS = """
UNWIND $rows AS row
MATCH (s:Entity {{id: row.subject_id}}) USING INDEX SEEK s:Entity(id)
MATCH (o:Entity {{id: row.object_id}}) USING INDEX SEEK o:Entity(id)
CREATE (f:Fact {{id: row.id, predicate: row.predicate, subject_id: row.subject_id,
                 object_id: row.object_id, confidence: row.confidence, sources: row.documents,
                 first_seen: $now, last_seen: $now}})
CREATE (s)-[:{rel_type} {{id: row.id, confidence: row.confidence, sources: row.documents,
                          first_seen: $now, last_seen: $now}}]->(o)
WITH f, row
CALL (f, row) {{
    UNWIND row.provenance AS p
    MATCH (x:Sentence {{key: p.sentence_key}}) USING INDEX SEEK x:Sentence(key)
    CREATE (f)-[:SUPPORTED_BY {{""" + PROVENANCE_PROPERTIES + """}}]->(x)
    RETURN count(*) AS made
}}
RETURN count(*) AS n, sum(made) AS provenance
"""

# One statement per predicate: {rel_type} is a validated, backticked relationship type.
# Runs after the document's changed provenance is deleted and before the new rows are created
# (provenance the rewrite repeats unchanged stays; `other` ignores this document's rows):
#  - row.retracted: the previous version of this document supported the fact. SQLite deletes
#    such a fact when nothing else supports it and inserts it afresh (first_seen = now), else
#    sets its confidence to the best remaining provenance's; the upsert then keeps the higher
#    of that and the new confidence.
#  - sources: the other documents that support it, plus this graph's provenance documents.
UPSERT_FACTS = """
UNWIND $rows AS row
MATCH (s:Entity {{id: row.subject_id}}) USING INDEX SEEK s:Entity(id)
MATCH (o:Entity {{id: row.object_id}}) USING INDEX SEEK o:Entity(id)
MERGE (f:Fact {{id: row.id}})
ON CREATE SET f.predicate = row.predicate, f.subject_id = row.subject_id,
              f.object_id = row.object_id, f.confidence = row.confidence,
              f.first_seen = $now, f.sources = []
WITH s, o, f, row, COLLECT {{
    MATCH (f)-[p:SUPPORTED_BY]->() WHERE p.document_id <> $doc
    RETURN p.confidence ORDER BY p.confidence DESC LIMIT 1
}}[0] AS other
WITH s, o, f, row, other,
     CASE WHEN row.retracted AND other IS NULL THEN row.confidence
          WHEN row.retracted THEN other
          ELSE f.confidence END AS base
SET f.confidence = CASE WHEN row.confidence > base THEN row.confidence ELSE base END,
    f.first_seen = CASE WHEN row.retracted AND other IS NULL THEN $now ELSE f.first_seen END,
    f.last_seen = $now,
    f.sources = COLLECT {{
        UNWIND [d IN f.sources WHERE d <> $doc] + row.documents AS d RETURN DISTINCT d ORDER BY d
    }}
MERGE (s)-[r:{rel_type} {{id: row.id}}]->(o)
SET r.confidence = f.confidence, r.sources = f.sources,
    r.first_seen = f.first_seen, r.last_seen = f.last_seen
RETURN count(*) AS n
"""

CREATE_PROVENANCE = """
UNWIND $rows AS p
MATCH (f:Fact {id: p.fact_id}) USING INDEX SEEK f:Fact(id)
MATCH (s:Sentence {key: p.sentence_key}) USING INDEX SEEK s:Sentence(key)
CREATE (f)-[:SUPPORTED_BY {""" + PROVENANCE_PROPERTIES + """}]->(s)
RETURN count(*) AS n
"""

# Candidate facts (held back at write time) are kept per document, as in SQLite: a node with
# the triple's ids as properties (no relationships to the entities, so they keep no entity
# alive) and the provenance as JSON, keyed "<document id>:<fact id>".
UPSERT_CANDIDATES = """
UNWIND $rows AS row
MATCH (d:Document {id: row.document_id}) USING INDEX SEEK d:Document(id)
MERGE (c:Candidate {key: row.key})
SET c += row.props
MERGE (d)-[:HAS_CANDIDATE]->(c)
RETURN count(*) AS n
"""

# -- retraction of a document's previous version (same results as SqliteStore._retract) ----
# Order matters for speed: Neo4j's index seeks slow down in proportion to the nodes already
# deleted in the same transaction, so every seek-driven step runs before any node is
# deleted, and the deletions find their nodes by element id (read up front), not by index.
RETRACT_FACTS = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(:Sentence)<-[:SUPPORTED_BY]-(f:Fact)
USING INDEX SEEK d:Document(id)
WITH DISTINCT f
RETURN f.id AS id, elementId(f) AS eid, f.subject_id AS subject_id, f.object_id AS object_id
"""
RETRACT_MENTIONED = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(:Sentence)-[:MENTIONS]->(e:Entity)
USING INDEX SEEK d:Document(id)
RETURN DISTINCT e.id AS id
"""
# Would the entity be left with neither mention nor fact once the document is retracted?
RETRACT_ENTITIES = """
UNWIND $ids AS id
MATCH (e:Entity {id: id}) USING INDEX SEEK e:Entity(id)
RETURN e.id AS id, elementId(e) AS eid, e.type AS type,
       NOT (EXISTS { (e)<-[m:MENTIONS]-(:Sentence) WHERE m.document_id <> $doc }
            OR EXISTS { (e)-[r]-(:Entity) WHERE size(r.sources) = 0 OR any(d IN r.sources WHERE d <> $doc) })
       AS orphaned
"""
DELETE_DOCUMENT_MENTIONS = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(:Sentence)-[m:MENTIONS|MENTIONS_UNRESOLVED]->()
USING INDEX SEEK d:Document(id)
DELETE m
RETURN count(*) AS n
"""
# A rewrite: the NAMED relationships of entities the new version no longer names nor cites.
DELETE_STALE_NAMED = """
MATCH (d:Document {id: $id})-[n:NAMED]->(e:Entity)
USING INDEX SEEK d:Document(id)
WHERE NOT e.id IN $keep
DELETE n
"""
# The same facts as RETRACT_FACTS, read through each provenance row: a rewrite keeps the rows it
# repeats unchanged and deletes the others by element id.
DOCUMENT_PROVENANCE = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(x:Sentence)<-[p:SUPPORTED_BY]-(f:Fact)
USING INDEX SEEK d:Document(id)
RETURN elementId(p) AS eid, f.id AS fact_id, elementId(f) AS fact_eid, f.subject_id AS subject_id,
       f.object_id AS object_id, x.key AS sentence_key, p.document_id AS document_id,
       p.sentence_index AS sentence_index, p.subject_start AS subject_start,
       p.subject_end AS subject_end, p.object_start AS object_start, p.object_end AS object_end,
       p.confidence AS confidence, p.extractor AS extractor, p.extractor_version AS extractor_version
"""
DELETE_PROVENANCE_BY_ELEMENT_ID = """
UNWIND $eids AS eid
MATCH ()-[p:SUPPORTED_BY]->() WHERE elementId(p) = eid
DELETE p
RETURN count(*) AS n
"""
DELETE_DOCUMENT_PROVENANCE = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(:Sentence)<-[p:SUPPORTED_BY]-(:Fact)
USING INDEX SEEK d:Document(id)
DELETE p
RETURN count(*) AS n
"""
# Facts the document supported that other documents still support: confidence = the best
# remaining provenance's (as SQLite), sources = the remaining documents.
UPDATE_KEPT_FACTS = """
UNWIND $ids AS id
MATCH (f:Fact {id: id}) USING INDEX SEEK f:Fact(id)
WHERE EXISTS { (f)-[:SUPPORTED_BY]->() }
SET f.confidence = COLLECT {
        MATCH (f)-[p:SUPPORTED_BY]->() RETURN p.confidence ORDER BY p.confidence DESC LIMIT 1
    }[0],
    f.sources = COLLECT {
        MATCH (f)-[p:SUPPORTED_BY]->() WITH DISTINCT p.document_id AS d RETURN d ORDER BY d
    }
WITH f
OPTIONAL MATCH (s:Entity {id: f.subject_id})-[r]->(o:Entity {id: f.object_id})
USING INDEX SEEK s:Entity(id) USING INDEX SEEK o:Entity(id)
WHERE r.id = f.id
SET r.confidence = f.confidence, r.sources = f.sources
RETURN count(DISTINCT f) AS n
"""
# Settling the facts the retracted version supported happens under each fact's write lock
# (`SET f.id = f.id` takes it before the check): two documents retracted at the same time
# then cannot both see the other's provenance and both keep a fact that neither supports.
LOCK_FACTS = """
UNWIND $eids AS eid
MATCH (f:Fact) WHERE elementId(f) = eid
SET f.id = f.id
RETURN f.id AS id, elementId(f) AS eid, EXISTS { (f)-[:SUPPORTED_BY]->() } AS supported
"""
UNLINK_FACTS = """
UNWIND $ids AS id
MATCH (f:Fact {id: id}) USING INDEX SEEK f:Fact(id)
CALL (f) {
    MATCH (s:Entity {id: f.subject_id})-[r]->(o:Entity {id: f.object_id})
    USING INDEX SEEK s:Entity(id) USING INDEX SEEK o:Entity(id)
    WHERE r.id = f.id
    DELETE r
}
RETURN count(*) AS n
"""
# Only for facts LOCK_FACTS found unsupported (and write-locked): no check needed.
DELETE_FACTS_BY_ELEMENT_ID = """
UNWIND $eids AS eid
MATCH (f:Fact) WHERE elementId(f) = eid
DETACH DELETE f
RETURN count(*) AS n
"""
DELETE_ENTITIES_BY_ELEMENT_ID = """
UNWIND $eids AS eid
MATCH (e:Entity) WHERE elementId(e) = eid
DETACH DELETE e
RETURN count(*) AS n
"""
# Every entity the retracted version touched is checked under its write lock (`SET e.id =
# e.id` takes it first), so one that a concurrent import has just mentioned is kept.
DELETE_ORPHAN_ENTITIES = """
UNWIND $eids AS eid
MATCH (e:Entity) WHERE elementId(e) = eid
SET e.id = e.id
WITH e
WHERE NOT EXISTS { (e)<-[:MENTIONS]-() } AND NOT EXISTS { (e)--(:Entity) }
DETACH DELETE e
RETURN count(*) AS n
"""
DELETE_STALE_SENTENCES = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(s:Sentence)
USING INDEX SEEK d:Document(id)
WHERE NOT s.key IN $keep
DETACH DELETE s
"""
DELETE_DOCUMENT_SENTENCES = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(s:Sentence)
USING INDEX SEEK d:Document(id)
DETACH DELETE s
"""
DELETE_STALE_CANDIDATES = """
MATCH (d:Document {id: $id})-[:HAS_CANDIDATE]->(c:Candidate)
USING INDEX SEEK d:Document(id)
WHERE NOT c.key IN $keep
DETACH DELETE c
"""
DELETE_DOCUMENT_CANDIDATES = """
MATCH (d:Document {id: $id})-[:HAS_CANDIDATE]->(c:Candidate)
USING INDEX SEEK d:Document(id)
DETACH DELETE c
"""
DELETE_DOCUMENT = "MATCH (d:Document {id: $id}) USING INDEX SEEK d:Document(id) DETACH DELETE d"

# -- reads ---------------------------------------------------------------------------------
DOCUMENT_FOR_SOURCE = """
MATCH (d:Document {source_path: $path}) USING INDEX SEEK d:Document(source_path)
RETURN d.id AS id ORDER BY d.imported_at DESC, d.id DESC LIMIT 1
"""
DOCUMENT_GET = "MATCH (d:Document {id: $id}) USING INDEX SEEK d:Document(id) RETURN properties(d) AS d"
# The imported_at index gives the order, so a page does not sort every document.
DOCUMENTS_LIST = """
MATCH (d:Document) USING INDEX d:Document(imported_at)
WHERE d.imported_at IS NOT NULL
WITH d ORDER BY d.imported_at, d.id SKIP $offset LIMIT $limit
RETURN d.id AS id, d.title AS title, d.source_path AS source_path, d.source_name AS source_name,
       d.format AS format, d.department AS department, d.published AS published,
       d.labels AS labels, d.imported_at AS imported_at,
       COUNT { (d)-[:HAS_SENTENCE]->(:Sentence) } AS sentence_count,
       COUNT { (d)-[:HAS_SENTENCE]->(:Sentence)-[:MENTIONS|MENTIONS_UNRESOLVED]->() } AS mention_count
ORDER BY imported_at, id
"""

ENTITY_GET = """
MATCH (e:Entity {id: $id}) USING INDEX SEEK e:Entity(id)
RETURN e.id AS id, e.name AS name, e.type AS type, e.names AS names
"""

# Candidates for search: (entity, its names and their normalized forms, mention count).
SEARCH_CANDIDATES = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query, {{limit: $limit}})
YIELD node, score
RETURN node.id AS id, node.name AS name, node.type AS type, node.names AS names,
       node.norms AS norms, COUNT {{ (node)<-[:MENTIONS]-() }} AS mention_count
ORDER BY score DESC, id
"""

RELATIONSHIP_TYPES = "CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS types"


def _braces(text: str) -> str:
    """Escape a fragment for a template that goes through str.format ({rel_types})."""
    return text.replace("{", "{{").replace("}", "}}")


def _provenance(where: str = "") -> str:
    """A fact `f`'s provenance rows (the columns of graph.views.provenance_view), best first; `where` filters
    them (a scope: `p.document_id IN visible`)."""
    condition = f"\n           WHERE {where}" if where else ""
    return """COLLECT {
           MATCH (f)-[p:SUPPORTED_BY]->(sen:Sentence)<-[:HAS_SENTENCE]-(d:Document)""" + condition + """
           RETURN {
               document_id: d.id, document_title: d.title, source_name: d.source_name,
               department: d.department, sentence_index: sen.index, sentence: sen.text,
               sentence_start: sen.start, sentence_end: sen.end,
               subject_start: p.subject_start, subject_end: p.subject_end,
               object_start: p.object_start, object_end: p.object_end,
               confidence: p.confidence, extractor: p.extractor,
               extractor_version: p.extractor_version
           }
           ORDER BY p.confidence DESC, d.id, sen.index, p.subject_start, p.object_start
       }"""


# {rel_types} is "`headOf`|`memberOf`|..." (validated): expanding only the fact types keeps
# a much-mentioned entity's MENTIONS relationships out of the walk.
ENTITY_FACTS = """
MATCH (e:Entity {{id: $id}})-[r:{rel_types}]-(:Entity) USING INDEX SEEK e:Entity(id)
WITH DISTINCT r
ORDER BY r.confidence DESC, r.id
LIMIT $limit
MATCH (f:Fact {{id: r.id}}) USING INDEX SEEK f:Fact(id)
WITH f, startNode(r) AS s, endNode(r) AS o
RETURN f.id AS id, f.predicate AS predicate, f.confidence AS confidence,
       s.id AS s_id, s.name AS s_name, s.type AS s_type,
       o.id AS o_id, o.name AS o_name, o.type AS o_type,
       """ + _braces(_provenance()) + """ AS provenance
ORDER BY confidence DESC, id
"""

# SQLite sorts NULL first ascending, so `published DESC` puts undated documents last.
ENTITY_MENTIONS = """
MATCH (e:Entity {id: $id})<-[m:MENTIONS]-(s:Sentence)<-[:HAS_SENTENCE]-(d:Document)
USING INDEX SEEK e:Entity(id)
RETURN m.id AS id, $id AS entity_id, m.text AS text, m.type AS type, m.start AS start,
       m.end AS end, m.confidence AS confidence, m.extractor AS extractor,
       m.extractor_version AS extractor_version, d.id AS document_id,
       d.title AS document_title, d.department AS department, s.index AS sentence_index,
       s.text AS sentence, s.start AS sentence_start, s.end AS sentence_end
ORDER BY d.published IS NULL, d.published DESC, d.id, m.start
LIMIT $limit
"""
ENTITY_MENTION_COUNT = """
MATCH (e:Entity {id: $id}) USING INDEX SEEK e:Entity(id)
RETURN COUNT { (e)<-[:MENTIONS]-() } AS n
"""
ENTITY_DEPARTMENTS = """
MATCH (e:Entity {id: $id})<-[m:MENTIONS]-(:Sentence) USING INDEX SEEK e:Entity(id)
WITH DISTINCT m.document_id AS document_id
MATCH (d:Document {id: document_id}) USING INDEX SEEK d:Document(id)
WHERE d.department IS NOT NULL
RETURN DISTINCT d.department AS department ORDER BY department
"""

# Each count comes from the count store (no scan).
COUNTS = """
CALL () { MATCH (n:Document) RETURN count(n) AS documents }
CALL () { MATCH (n:Sentence) RETURN count(n) AS sentences }
CALL () { MATCH ()-[r:MENTIONS]->() RETURN count(r) AS resolved }
CALL () { MATCH ()-[r:MENTIONS_UNRESOLVED]->() RETURN count(r) AS unresolved }
CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
CALL () { MATCH (n:Fact) RETURN count(n) AS facts }
RETURN documents, sentences, resolved + unresolved AS mentions, entities, facts
"""
# Read from the type index alone (no node records).
ENTITIES_BY_TYPE = """
MATCH (e:Entity) USING INDEX e:Entity(type)
WHERE e.type IS NOT NULL
RETURN e.type AS key, count(*) AS n
"""
# One count-store lookup per fact relationship type (validated names, also used as string
# literals): {calls} is FACT_TYPE_COUNT once per type
# (i = 0, 1, ...), {rows} the list "{{key: 'headOf', n: c0}}, ...".
FACT_TYPE_COUNT = "CALL () {{ MATCH ()-[r:`{rel_type}`]->() RETURN count(r) AS c{i} }}"
FACTS_BY_PREDICATE = "{calls} UNWIND [{rows}] AS row WITH row WHERE row.n > 0 RETURN row.key AS key, row.n AS n"
CANDIDATES_BY_STATUS = "MATCH (c:Candidate) RETURN c.status AS key, count(*) AS n"
FACTS_BY_EXTRACTOR = """
MATCH (f:Fact)-[p:SUPPORTED_BY]->(:Sentence)
RETURN p.extractor AS key, count(DISTINCT f) AS n ORDER BY key
"""

# {match} is "(c:Candidate)" or "(c:Candidate {status: $status})". Like SQLite's inner joins,
# a candidate whose entity or document is gone is not listed.
CANDIDATES = """
MATCH {match}
MATCH (s:Entity {{id: c.subject_id}}) USING INDEX SEEK s:Entity(id)
MATCH (o:Entity {{id: c.object_id}}) USING INDEX SEEK o:Entity(id)
MATCH (d:Document {{id: c.document_id}}) USING INDEX SEEK d:Document(id)
WITH c, s, o, d
ORDER BY c.confidence DESC, c.id, c.document_id
SKIP $offset LIMIT $limit
RETURN c.id AS id, c.predicate AS predicate, c.confidence AS confidence, c.status AS status,
       c.reason AS reason, c.provenance AS provenance,
       s.id AS s_id, s.name AS s_name, s.type AS s_type,
       o.id AS o_id, o.name AS o_name, o.type AS o_type,
       c.document_id AS document_id, d.title AS document_title, d.source_name AS source_name,
       d.department AS department
ORDER BY confidence DESC, id, document_id
"""
CANDIDATES_ANY = CANDIDATES.format(match="(c:Candidate)")
CANDIDATES_WITH_STATUS = CANDIDATES.format(
    match="(c:Candidate {status: $status}) USING INDEX SEEK c:Candidate(status)")
SENTENCES_BY_KEY = """
UNWIND $keys AS key
MATCH (s:Sentence {key: key}) USING INDEX SEEK s:Sentence(key)
RETURN s.key AS key, s.text AS text, s.start AS start, s.end AS end
"""

# -- whole documents back, for export ------------------------------------------------------
DOCUMENT_IDS = """
MATCH (d:Document)
WHERE $department IS NULL OR d.department = $department
RETURN d.id AS id ORDER BY id
"""
DOCUMENT_PARTS = """
MATCH (d:Document {id: $id}) USING INDEX SEEK d:Document(id)
RETURN COLLECT {
           MATCH (d)-[:HAS_SENTENCE]->(s:Sentence)
           RETURN s {.index, .start, .end, .text} ORDER BY s.index
       } AS sentences,
       COLLECT {
           MATCH (d)-[:HAS_SENTENCE]->(:Sentence)-[m:MENTIONS|MENTIONS_UNRESOLVED]->(x)
           RETURN m {.*, entity_id: CASE WHEN type(m) = 'MENTIONS' THEN x.id END}
           ORDER BY m.start, m.end, m.id
       } AS mentions,
       COLLECT {
           MATCH (d)-[:HAS_SENTENCE]->(:Sentence)<-[p:SUPPORTED_BY]-(f:Fact)
           RETURN p {.*, fact_id: f.id, subject_id: f.subject_id, predicate: f.predicate,
                     object_id: f.object_id}
           ORDER BY f.id, p.sentence_index, p.subject_start, p.object_start
       } AS provenance,
       COLLECT {
           MATCH (d)-[:HAS_CANDIDATE]->(c:Candidate) RETURN c {.*} ORDER BY c.id
       } AS candidates
"""

# -- explorer ----------------------------------------------------------------------------------
FACT_GET = """
MATCH (f:Fact {id: $id}) USING INDEX SEEK f:Fact(id)
MATCH (s:Entity {id: f.subject_id}) USING INDEX SEEK s:Entity(id)
MATCH (o:Entity {id: f.object_id}) USING INDEX SEEK o:Entity(id)
RETURN f.id AS id, f.predicate AS predicate, f.confidence AS confidence,
       s.id AS s_id, s.name AS s_name, s.type AS s_type,
       o.id AS o_id, o.name AS o_name, o.type AS o_type,
       """ + _provenance() + """ AS provenance
"""
FACT_EDGES = """
MATCH (f:Fact)
RETURN f.id AS id, f.subject_id AS subject_id, f.predicate AS predicate, f.object_id AS object_id,
       f.confidence AS confidence, COUNT { (f)-[:SUPPORTED_BY]->() } AS support
ORDER BY id
"""
_ENTITY_INFO_RETURN = """
RETURN e.id AS id, e.name AS name, e.type AS type, COUNT { (e)<-[:MENTIONS]-() } AS mention_count,
       COLLECT {
           MATCH (e)<-[m:MENTIONS]-()
           WITH DISTINCT m.document_id AS document_id
           MATCH (d:Document {id: document_id}) USING INDEX SEEK d:Document(id)
           WITH d.department AS department WHERE department IS NOT NULL
           RETURN DISTINCT department ORDER BY department
       } AS departments
"""
ENTITY_INFOS_ALL = "MATCH (e:Entity)" + _ENTITY_INFO_RETURN
ENTITY_INFOS = "UNWIND $ids AS id MATCH (e:Entity {id: id}) USING INDEX SEEK e:Entity(id)" + _ENTITY_INFO_RETURN
DOCUMENT_MENTION_ANNOTATIONS = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(s:Sentence)-[m:MENTIONS|MENTIONS_UNRESOLVED]->(target)
USING INDEX SEEK d:Document(id)
RETURN m.id AS id, m.start AS start, m.end AS end, m.text AS text, m.type AS type,
       CASE WHEN type(m) = 'MENTIONS' THEN target.id END AS entity_id
ORDER BY start, end
"""
DOCUMENT_FACT_ANNOTATIONS = """
MATCH (d:Document {id: $id})-[:HAS_SENTENCE]->(s:Sentence)<-[p:SUPPORTED_BY]-(f:Fact)
USING INDEX SEEK d:Document(id)
RETURN f.id AS fact_id, f.predicate AS predicate, f.subject_id AS subject_id, f.object_id AS object_id,
       s.index AS sentence_index, p.subject_start AS subject_start, p.subject_end AS subject_end,
       p.object_start AS object_start, p.object_end AS object_end, p.confidence AS confidence
ORDER BY subject_start, object_start, fact_id
"""

# {rel_types} as in ENTITY_FACTS; {max_length} a validated integer (path bounds cannot be parameters)
SHORTEST_PATHS = """
MATCH (a:Entity {{id: $source}}) USING INDEX SEEK a:Entity(id)
MATCH (b:Entity {{id: $target}}) USING INDEX SEEK b:Entity(id)
MATCH p = allShortestPaths((a)-[:{rel_types}*..{max_length}]-(b))
RETURN [n IN nodes(p) | n.id] AS ids
LIMIT $k
"""


# -- question answering: sentence retrieval --------------------------------------------------
_SENTENCE_HIT_RETURN = """
MATCH (d:Document {id: node.document_id}) USING INDEX SEEK d:Document(id)
RETURN node.document_id AS document_id, node.index AS sentence_index, node.text AS sentence,
       node.start AS sentence_start, node.end AS sentence_end, d.title AS document_title,
       d.source_name AS source_name, d.department AS department, d.published AS published, score
ORDER BY score DESC, document_id, sentence_index
"""
SEARCH_SENTENCES = f"""
CALL db.index.fulltext.queryNodes('{SENTENCE_TEXT_INDEX}', $query) YIELD node, score
WHERE $document_ids IS NULL OR node.document_id IN $document_ids
WITH node, score ORDER BY score DESC LIMIT $limit
{_SENTENCE_HIT_RETURN}
"""
SENTENCE_COUNT = """
MATCH (d:Document {id: $id}) USING INDEX SEEK d:Document(id)
OPTIONAL MATCH (d)-[:HAS_SENTENCE]->(s:Sentence)
RETURN count(s) AS n
"""
SET_SENTENCE_VECTORS = """
UNWIND $rows AS row
MATCH (s:Sentence {key: row.key}) USING INDEX SEEK s:Sentence(key)
CALL db.create.setNodeVectorProperty(s, 'embedding', row.vector)
SET s.embedding_model = $model
RETURN count(*) AS n
"""
NEAREST_SENTENCES = f"""
CALL db.index.vector.queryNodes('{SENTENCE_VECTOR_INDEX}', $limit, $vector) YIELD node, score
{_SENTENCE_HIT_RETURN}
"""
# with a document filter: exact cosine over the documents' sentences (the index's top k may hold none)
NEAREST_SENTENCES_IN = f"""
MATCH (d0:Document)-[:HAS_SENTENCE]->(node:Sentence) WHERE d0.id IN $document_ids AND node.embedding IS NOT NULL
WITH node, vector.similarity.cosine(node.embedding, $vector) AS score
ORDER BY score DESC LIMIT $limit
{_SENTENCE_HIT_RETURN}
"""
SENTENCE_HITS_BY_KEY = """
UNWIND $keys AS key
MATCH (node:Sentence {key: key}) USING INDEX SEEK node:Sentence(key)
WITH node, 0.0 AS score
MATCH (d:Document {id: node.document_id}) USING INDEX SEEK d:Document(id)
RETURN node.document_id AS document_id, node.index AS sentence_index, node.text AS sentence,
       node.start AS sentence_start, node.end AS sentence_end, d.title AS document_title,
       d.source_name AS source_name, d.department AS department, d.published AS published, score
"""
SENTENCE_TOTAL = "MATCH (s:Sentence) RETURN count(s) AS n"
SENTENCE_FREQUENCY = f"""
CALL db.index.fulltext.queryNodes('{SENTENCE_TEXT_INDEX}', $word) YIELD node RETURN count(node) AS n
"""


# -- audit log: append-only (CREATE; the store has no query that updates or deletes an event) ---
# recorded_at (the server's clock) orders events that share `at`.
APPEND_AUDIT = """
CREATE (:AuditEvent {id: $id, at: $at, principal: $principal, action: $action, target: $target,
                     department: $department, outcome: $outcome, detail: $detail,
                     recorded_at: datetime.realtime()})
"""
AUDIT_EVENTS = """
MATCH (a:AuditEvent)
WHERE ($action IS NULL OR a.action = $action) AND ($principal IS NULL OR a.principal = $principal)
WITH a ORDER BY a.at DESC, a.recorded_at DESC, a.id DESC
SKIP $offset LIMIT $limit
RETURN a.id AS id, a.at AS at, a.principal AS principal, a.action AS action, a.target AS target,
       a.department AS department, a.outcome AS outcome, a.detail AS detail
"""

# -- NAMED backfill: databases written before names were kept per document -------------------
# Every entity without a NAMED relationship gets one from each document that mentions it or
# supports one of its facts, carrying all its names (nothing tells which document gave which),
# that document's mention count and evidence = true.
# Batches walk the entity ids in order (`$after`: the last id of the previous batch); once all
# are done a marker node records it, so later bootstraps skip the walk. Idempotent.
NAMED_BACKFILL_ID = "named-v1"
NAMED_BACKFILL_DONE = "MATCH (m:GovkgMigration {id: $id}) RETURN m.id AS id"
BACKFILL_NAMED = """
MATCH (e:Entity) USING INDEX e:Entity(id)
WHERE e.id > $after
WITH e ORDER BY e.id LIMIT $batch
WITH collect(e) AS batch
CALL (batch) {
    UNWIND batch AS e
    WITH e WHERE NOT EXISTS { (e)<-[:NAMED]-(:Document) }
    CALL (e) {
        MATCH (e)<-[m:MENTIONS]-() RETURN m.document_id AS document_id, count(*) AS mentions
        UNION
        MATCH (e)-[r]-(:Entity) UNWIND r.sources AS document_id RETURN DISTINCT document_id, 0 AS mentions
    }
    WITH e, document_id, max(mentions) AS mentions
    MATCH (d:Document {id: document_id}) USING INDEX SEEK d:Document(id)
    MERGE (d)-[n:NAMED]->(e)
    ON CREATE SET n.document_id = d.id, n.names = coalesce(e.names, []), n.norms = coalesce(e.norms, []),
                  n.mentions = mentions, n.evidence = true
    RETURN count(n) AS named
}
RETURN CASE WHEN size(batch) = 0 THEN null ELSE batch[-1].id END AS last, size(batch) AS entities, named
"""
MARK_NAMED_BACKFILLED = "MERGE (m:GovkgMigration {id: $id}) ON CREATE SET m.at = $now"


# -- department-scoped reads -------------------------------------------------------------------
_VISIBLE_DOCUMENT = CYPHER_VISIBLE_DOCUMENT  # over a Document `d`
# First clause of most scoped reads: `visible`, the ids of the documents the scope may see.
VISIBLE = f"""
MATCH (d:Document) WHERE {_VISIBLE_DOCUMENT}
WITH collect(d.id) AS visible
"""


def _entity_visible(e: str) -> str:
    """An entity `e` one of whose mentions or facts is visible: a visible document mentions it or
    supports one of its facts (NAMED.evidence)."""
    return f"EXISTS {{ MATCH ({e})<-[vb:NAMED]-() WHERE vb.evidence AND vb.document_id IN visible }}"


def _visible_mention_count(e: str) -> str:
    return f"""reduce(total = 0, n IN COLLECT {{
        MATCH ({e})<-[cn:NAMED]-() WHERE cn.document_id IN visible RETURN cn.mentions }} | total + n)"""


def _visible_names(e: str) -> str:
    """`{e}_names`/`{e}_norms`: the entity's names that visible documents gave it (its stored
    spelling of each, in stored order); `{e}_name`: its name if visible, else the first visible
    one, else its id (no visible document names it: nothing to show that could leak)."""
    return f"""
CALL ({e}, visible) {{
    WITH COLLECT {{
        MATCH ({e})<-[vn:NAMED]-() WHERE vn.document_id IN visible
        UNWIND vn.norms AS norm RETURN DISTINCT norm
    }} AS shown
    WITH [i IN range(0, size(coalesce({e}.norms, [])) - 1) WHERE {e}.norms[i] IN shown] AS picks
    WITH [i IN picks | {e}.names[i]] AS names, [i IN picks | {e}.norms[i]] AS norms
    RETURN names AS {e}_names, norms AS {e}_norms,
           CASE WHEN {e}.name IN names THEN {e}.name ELSE coalesce(names[0], {e}.id) END AS {e}_name
}}"""


def _visible_confidence(x: str) -> str:
    """A fact's confidence as a scope sees it: the stored one when every source is visible, else
    the best visible provenance row's (a hidden source's confidence does not show). `x` is the
    Fact node or its typed relationship (same id, confidence and sources)."""
    return f"""CASE WHEN all(src IN {x}.sources WHERE src IN visible) THEN {x}.confidence
     ELSE reduce(best = 0.0, c IN COLLECT {{
         MATCH (cf:Fact {{id: {x}.id}})-[cp:SUPPORTED_BY]->() WHERE cp.document_id IN visible RETURN cp.confidence
     }} | CASE WHEN c > best THEN c ELSE best END) END"""


_VISIBLE_PROVENANCE = _provenance("p.document_id IN visible")
_VISIBLE_MENTION_COUNT = _visible_mention_count("e")
# departments of the visible documents that mention `e`
_VISIBLE_DEPARTMENTS = """COLLECT {
           MATCH (e)<-[dn:NAMED]-(d:Document)
           WHERE dn.mentions > 0 AND dn.document_id IN visible AND d.department IS NOT NULL
           RETURN DISTINCT d.department AS department ORDER BY department
       }"""

DOCUMENT_GET_SCOPED = f"""
MATCH (d:Document {{id: $id}}) USING INDEX SEEK d:Document(id)
WHERE {_VISIBLE_DOCUMENT}
RETURN properties(d) AS d
"""
DOCUMENT_VISIBLE = f"""
MATCH (d:Document {{id: $id}}) USING INDEX SEEK d:Document(id)
WHERE {_VISIBLE_DOCUMENT}
RETURN d.id AS id
"""
DOCUMENTS_LIST_SCOPED = f"""
MATCH (d:Document) USING INDEX d:Document(imported_at)
WHERE d.imported_at IS NOT NULL AND {_VISIBLE_DOCUMENT}
WITH d ORDER BY d.imported_at, d.id SKIP $offset LIMIT $limit
RETURN d.id AS id, d.title AS title, d.source_path AS source_path, d.source_name AS source_name,
       d.format AS format, d.department AS department, d.published AS published,
       d.labels AS labels, d.imported_at AS imported_at,
       COUNT {{ (d)-[:HAS_SENTENCE]->(:Sentence) }} AS sentence_count,
       COUNT {{ (d)-[:HAS_SENTENCE]->(:Sentence)-[:MENTIONS|MENTIONS_UNRESOLVED]->() }} AS mention_count
ORDER BY imported_at, id
"""

ENTITY_GET_SCOPED = VISIBLE + f"""
MATCH (e:Entity {{id: $id}}) USING INDEX SEEK e:Entity(id)
WHERE {_entity_visible("e")}
{_visible_names("e")}
RETURN e.id AS id, e_name AS name, e.type AS type, e_names AS names
"""

# Full-text candidates of visible entities only, the first $limit of them in Lucene's (score)
# order, with their visible names (the store then matches on those alone) and mention counts.
SEARCH_CANDIDATES_SCOPED = VISIBLE + f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query) YIELD node, score
WITH node, score, visible WHERE {_entity_visible("node")}
WITH node, score, visible LIMIT $limit
{_visible_names("node")}
RETURN node.id AS id, node_name AS name, node.type AS type, node_names AS names, node_norms AS norms,
       {_visible_mention_count("node")} AS mention_count
ORDER BY score DESC, id
"""

# {rel_types} as in ENTITY_FACTS.
ENTITY_FACTS_SCOPED = _braces(VISIBLE) + """
MATCH (e:Entity {{id: $id}})-[r:{rel_types}]-(:Entity) USING INDEX SEEK e:Entity(id)
WHERE any(src IN r.sources WHERE src IN visible)
WITH DISTINCT r, visible
WITH r, visible, """ + _braces(_visible_confidence("r")) + """ AS confidence
ORDER BY confidence DESC, r.id
LIMIT $limit
MATCH (f:Fact {{id: r.id}}) USING INDEX SEEK f:Fact(id)
WITH f, startNode(r) AS s, endNode(r) AS o, visible, confidence
""" + _braces(_visible_names("s") + _visible_names("o")) + """
RETURN f.id AS id, f.predicate AS predicate, confidence,
       s.id AS s_id, s_name, s.type AS s_type,
       o.id AS o_id, o_name, o.type AS o_type,
       """ + _braces(_VISIBLE_PROVENANCE) + """ AS provenance
ORDER BY confidence DESC, id
"""

ENTITY_MENTIONS_SCOPED = f"""
MATCH (e:Entity {{id: $id}})<-[m:MENTIONS]-(s:Sentence)<-[:HAS_SENTENCE]-(d:Document)
USING INDEX SEEK e:Entity(id)
WHERE {_VISIBLE_DOCUMENT}
RETURN m.id AS id, $id AS entity_id, m.text AS text, m.type AS type, m.start AS start,
       m.end AS end, m.confidence AS confidence, m.extractor AS extractor,
       m.extractor_version AS extractor_version, d.id AS document_id,
       d.title AS document_title, d.department AS department, s.index AS sentence_index,
       s.text AS sentence, s.start AS sentence_start, s.end AS sentence_end
ORDER BY d.published IS NULL, d.published DESC, d.id, m.start
LIMIT $limit
"""
ENTITY_MENTION_COUNT_SCOPED = VISIBLE + f"""
MATCH (e:Entity {{id: $id}}) USING INDEX SEEK e:Entity(id)
RETURN {_VISIBLE_MENTION_COUNT} AS n
"""
ENTITY_DEPARTMENTS_SCOPED = f"""
MATCH (e:Entity {{id: $id}})<-[n:NAMED]-(d:Document) USING INDEX SEEK e:Entity(id)
WHERE n.mentions > 0 AND d.department IS NOT NULL AND {_VISIBLE_DOCUMENT}
RETURN DISTINCT d.department AS department ORDER BY department
"""

FACT_GET_SCOPED = VISIBLE + f"""
MATCH (f:Fact {{id: $id}}) USING INDEX SEEK f:Fact(id)
WHERE any(src IN f.sources WHERE src IN visible)
MATCH (s:Entity {{id: f.subject_id}}) USING INDEX SEEK s:Entity(id)
MATCH (o:Entity {{id: f.object_id}}) USING INDEX SEEK o:Entity(id)
{_visible_names("s")}
{_visible_names("o")}
RETURN f.id AS id, f.predicate AS predicate, {_visible_confidence("f")} AS confidence,
       s.id AS s_id, s_name, s.type AS s_type,
       o.id AS o_id, o_name, o.type AS o_type,
       {_VISIBLE_PROVENANCE} AS provenance
"""
FACT_EDGES_SCOPED = VISIBLE + f"""
MATCH (f:Fact) WHERE any(src IN f.sources WHERE src IN visible)
RETURN f.id AS id, f.subject_id AS subject_id, f.predicate AS predicate, f.object_id AS object_id,
       {_visible_confidence("f")} AS confidence,
       COUNT {{ (f)-[p:SUPPORTED_BY]->() WHERE p.document_id IN visible }} AS support
ORDER BY id
"""
_ENTITY_INFO_RETURN_SCOPED = f"""
WHERE {_entity_visible("e")}
{_visible_names("e")}
RETURN e.id AS id, e_name AS name, e.type AS type, {_VISIBLE_MENTION_COUNT} AS mention_count,
       {_VISIBLE_DEPARTMENTS} AS departments
"""
ENTITY_INFOS_ALL_SCOPED = VISIBLE + "MATCH (e:Entity)" + _ENTITY_INFO_RETURN_SCOPED
ENTITY_INFOS_SCOPED = (VISIBLE + "UNWIND $ids AS id MATCH (e:Entity {id: id}) USING INDEX SEEK e:Entity(id)"
                       + _ENTITY_INFO_RETURN_SCOPED)

# {rel_types} and {max_length} as in SHORTEST_PATHS: only paths whose every fact is visible.
SHORTEST_PATHS_SCOPED = _braces(VISIBLE) + """
MATCH (a:Entity {{id: $source}}) USING INDEX SEEK a:Entity(id)
MATCH (b:Entity {{id: $target}}) USING INDEX SEEK b:Entity(id)
MATCH p = allShortestPaths((a)-[:{rel_types}*..{max_length}]-(b))
WHERE all(r IN relationships(p) WHERE any(src IN r.sources WHERE src IN visible))
RETURN [n IN nodes(p) | n.id] AS ids
LIMIT $k
"""

# Candidates of the visible documents ($status null: any), a page of them, best first.
CANDIDATES_SCOPED = f"""
MATCH (d:Document) WHERE {_VISIBLE_DOCUMENT}
WITH collect(d) AS docs, collect(d.id) AS visible
UNWIND docs AS d
MATCH (d)-[:HAS_CANDIDATE]->(c:Candidate)
WHERE $status IS NULL OR c.status = $status
MATCH (s:Entity {{id: c.subject_id}}) USING INDEX SEEK s:Entity(id)
MATCH (o:Entity {{id: c.object_id}}) USING INDEX SEEK o:Entity(id)
WITH c, s, o, d, visible
ORDER BY c.confidence DESC, c.id, c.document_id
SKIP $offset LIMIT $limit
{_visible_names("s")}
{_visible_names("o")}
RETURN c.id AS id, c.predicate AS predicate, c.confidence AS confidence, c.status AS status,
       c.reason AS reason, c.provenance AS provenance,
       s.id AS s_id, s_name, s.type AS s_type,
       o.id AS o_id, o_name, o.type AS o_type,
       c.document_id AS document_id, d.title AS document_title, d.source_name AS source_name,
       d.department AS department
ORDER BY confidence DESC, id, document_id
"""

DOCUMENT_IDS_SCOPED = f"""
MATCH (d:Document)
WHERE ($department IS NULL OR d.department = $department) AND {_VISIBLE_DOCUMENT}
RETURN d.id AS id ORDER BY id
"""
# A document's entities for export, with the names that document gave them (`names`: null when
# it gave none, e.g. a fact of an entity another document introduced: then all its names, or
# under a scope its visible ones).
DOCUMENT_ENTITIES = """
UNWIND $ids AS id
MATCH (e:Entity {id: id}) USING INDEX SEEK e:Entity(id)
OPTIONAL MATCH (e)<-[n:NAMED {document_id: $doc}]-(:Document)
RETURN e.id AS id, e.type AS type, n.names AS names, e.name AS fallback_name, e.names AS fallback_names,
       e.name AS stored_name
ORDER BY id
"""
DOCUMENT_ENTITIES_SCOPED = VISIBLE + f"""
UNWIND $ids AS id
MATCH (e:Entity {{id: id}}) USING INDEX SEEK e:Entity(id)
OPTIONAL MATCH (e)<-[n:NAMED {{document_id: $doc}}]-(:Document)
WITH e, n, visible
{_visible_names("e")}
RETURN e.id AS id, e.type AS type, n.names AS names, e_name AS fallback_name, e_names AS fallback_names,
       e.name AS stored_name
ORDER BY id
"""

# stats under a scope: what the visible documents hold. Entities: those they mention or state a
# fact of (NAMED.evidence).
STATS_DOCUMENTS_SCOPED = f"""
MATCH (d:Document) WHERE {_VISIBLE_DOCUMENT}
RETURN count(d) AS documents,
       sum(COUNT {{ (d)-[:HAS_SENTENCE]->(:Sentence) }}) AS sentences,
       sum(COUNT {{ (d)-[:HAS_SENTENCE]->(:Sentence)-[:MENTIONS|MENTIONS_UNRESOLVED]->() }}) AS mentions
"""
STATS_ENTITIES_SCOPED = f"""
MATCH (d:Document) WHERE {_VISIBLE_DOCUMENT}
MATCH (d)-[n:NAMED]->(e:Entity) WHERE n.evidence
WITH DISTINCT e
RETURN e.type AS key, count(e) AS n
"""
STATS_FACTS_BY_PREDICATE_SCOPED = VISIBLE + """
MATCH (f:Fact) WHERE any(src IN f.sources WHERE src IN visible)
RETURN f.predicate AS key, count(*) AS n
"""
STATS_FACTS_BY_EXTRACTOR_SCOPED = f"""
MATCH (d:Document) WHERE {_VISIBLE_DOCUMENT}
MATCH (d)-[:HAS_SENTENCE]->(:Sentence)<-[p:SUPPORTED_BY]-(f:Fact)
RETURN p.extractor AS key, count(DISTINCT f) AS n
"""
STATS_CANDIDATES_SCOPED = f"""
MATCH (d:Document) WHERE {_VISIBLE_DOCUMENT}
MATCH (d)-[:HAS_CANDIDATE]->(c:Candidate)
RETURN c.status AS key, count(*) AS n
"""

# Sentence retrieval under a scope: only the sentences of visible documents.
SEARCH_SENTENCES_SCOPED = VISIBLE + f"""
CALL db.index.fulltext.queryNodes('{SENTENCE_TEXT_INDEX}', $query) YIELD node, score
WHERE node.document_id IN visible AND ($document_ids IS NULL OR node.document_id IN $document_ids)
WITH node, score ORDER BY score DESC LIMIT $limit
{_SENTENCE_HIT_RETURN}
"""
SENTENCE_HITS_BY_KEY_SCOPED = f"""
UNWIND $keys AS key
MATCH (node:Sentence {{key: key}}) USING INDEX SEEK node:Sentence(key)
WITH node, 0.0 AS score
MATCH (d:Document {{id: node.document_id}}) USING INDEX SEEK d:Document(id)
WHERE {_VISIBLE_DOCUMENT}
RETURN node.document_id AS document_id, node.index AS sentence_index, node.text AS sentence,
       node.start AS sentence_start, node.end AS sentence_end, d.title AS document_title,
       d.source_name AS source_name, d.department AS department, d.published AS published, score
"""
# The vector index's $candidates nearest, the visible among them; when fewer than $limit are
# visible the store falls back to NEAREST_SENTENCES_EXACT_SCOPED (the index's top k may hold none).
NEAREST_SENTENCES_SCOPED = VISIBLE + f"""
CALL db.index.vector.queryNodes('{SENTENCE_VECTOR_INDEX}', $candidates, $vector) YIELD node, score
WITH node, score, visible WHERE node.document_id IN visible
WITH node, score ORDER BY score DESC LIMIT $limit
{_SENTENCE_HIT_RETURN}
"""
NEAREST_SENTENCES_EXACT_SCOPED = f"""
MATCH (d:Document) WHERE ($document_ids IS NULL OR d.id IN $document_ids) AND {_VISIBLE_DOCUMENT}
MATCH (d)-[:HAS_SENTENCE]->(node:Sentence) WHERE node.embedding IS NOT NULL
WITH node, vector.similarity.cosine(node.embedding, $vector) AS score
ORDER BY score DESC LIMIT $limit
{_SENTENCE_HIT_RETURN}
"""
