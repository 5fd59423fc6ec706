"""The GraphStore contract that every store implements, the views it returns, and the optional features
that only some stores implement (declared in `GraphStore.features`; graph/views.py turns rows into views)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, cast, runtime_checkable

from pydantic import BaseModel, ConfigDict

from extraction.records import Document, DocumentGraph, Entity, Extractor
from graph.visibility import Scope


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class EntityRef(View):
    id: str
    name: str
    type: str


class EntityHit(View):
    id: str
    name: str
    type: str
    aliases: list[str]
    matched: str  # the name or alias that matched the query
    score: float
    mention_count: int


class ProvenanceView(View):
    document_id: str
    document_title: str
    document_source: str
    department: str | None
    sentence_index: int
    sentence: str
    sentence_start: int  # the sentence's offsets in its document
    sentence_end: int
    subject_start: int  # the arguments' offsets in the document
    subject_end: int
    object_start: int
    object_end: int
    confidence: float
    extractor: Extractor


class FactView(View):
    id: str
    subject: EntityRef
    predicate: str
    object: EntityRef
    confidence: float
    provenance: list[ProvenanceView]


class CandidateView(View):
    """A fact held back at write time (ontology violation or low confidence), with its reason."""

    id: str
    subject: EntityRef
    predicate: str
    object: EntityRef
    confidence: float
    status: str
    reason: str
    provenance: list[ProvenanceView]


class MentionView(View):
    id: str
    entity_id: str | None
    text: str
    type: str
    start: int
    end: int
    confidence: float
    extractor: Extractor
    document_id: str
    document_title: str
    department: str | None
    sentence_index: int
    sentence: str
    sentence_start: int
    sentence_end: int


class FactEdge(View):
    """One fact as an edge of the graph projection."""

    id: str
    subject_id: str
    predicate: str
    object_id: str
    confidence: float
    support: int  # how many provenance rows (sentences) support it


class EntityInfo(View):
    """What the explorer shows on a node."""

    id: str
    name: str
    type: str
    mention_count: int
    departments: list[str]


class Annotation(View):
    id: str
    start: int
    end: int
    text: str
    type: str
    entity_id: str | None


class FactAnnotation(View):
    fact_id: str
    predicate: str
    subject_id: str
    object_id: str
    sentence_index: int
    subject_start: int
    subject_end: int
    object_start: int
    object_end: int
    confidence: float


class DocumentSummary(View):
    id: str
    title: str
    source_path: str
    source_name: str
    format: str
    department: str | None
    published: str | None
    labels: list[str]
    sentence_count: int
    mention_count: int
    imported_at: str


class StoreStats(View):
    store: str
    documents: int
    sentences: int
    mentions: int
    entities: int
    facts: int
    entities_by_type: dict[str, int]
    facts_by_predicate: dict[str, int]
    # facts each extractor supports: "patterns", "joint", "records/<mapping>"… (a fact two state count for each)
    facts_by_extractor: dict[str, int]
    candidates_by_status: dict[str, int]


class SentenceHit(View):
    """A sentence found by full-text (BM25) or vector search, with its document."""

    document_id: str
    document_title: str
    document_source: str  # the file name as imported
    department: str | None
    published: str | None
    sentence_index: int
    sentence: str
    start: int  # the sentence's offsets in its document
    end: int
    score: float  # BM25 (higher is better) or cosine similarity


class AuditEvent(View):
    """One line of the audit log."""

    id: str  # a uuid4, unique per event
    at: str  # ISO 8601 UTC
    principal: str  # the token's name, "cli" for the local CLI, "anonymous"
    action: str  # "import", "delete", "export", "ask", "tokens"...
    target: str | None = None  # a document id, a file name, a format
    department: str | None = None
    outcome: str  # "ok", "denied", "not_found", "failed"
    detail: str | None = None  # the question (or its hash), counts, the error


class DeletionReport(View):
    document_id: str
    mentions_removed: int
    facts_removed: int
    facts_kept: int  # facts this document supported that other documents still support
    entities_removed: int


@runtime_checkable
class GraphStore(Protocol):
    """What the importer, the API and the tests need from a store. Both stores pass one suite."""

    name: str
    # the optional features (the constants below: SHORTEST_PATHS…) this store implements, each with its
    # own protocol; a caller asks `feature in store.features` (or the accessor below), never the store's type
    features: frozenset[str]

    def write(self, graph: DocumentGraph) -> None:
        """Write one document's graph in one transaction; rewriting the same graph changes nothing."""

    def has_document(self, document_id: str) -> bool: ...

    def document_for_source(self, source_path: str) -> str | None:
        """Id of the document last imported from this path, if any."""

    def get_document(self, document_id: str, scope: Scope | None = None) -> Document:
        """Raises graph.errors.NotFound (also for a document the scope may not see)."""

    def list_documents(self, limit: int = 100, offset: int = 0, scope: Scope | None = None
                       ) -> list[DocumentSummary]: ...

    def delete_document(self, document_id: str) -> DeletionReport:
        """Retract a document: facts only it supported go, shared facts lose this source, orphans go."""

    def get_entity(self, entity_id: str, scope: Scope | None = None) -> Entity:
        """Raises graph.errors.NotFound (also for an entity the scope may not see). Under a scope, name and
        aliases come only from visible documents (the stored name when a visible document gives it, else the
        first visible name)."""

    def search_entities(
        self, query: str, types: list[str] | None = None, limit: int = 10, scope: Scope | None = None
    ) -> list[EntityHit]:
        """Ranked prefix/substring/fuzzy search over names and aliases; `types` filters exactly. Under a
        scope only visible entities, matched on and showing only names from visible documents, with visible
        mention counts."""

    def entity_facts(self, entity_id: str, limit: int = 100, scope: Scope | None = None) -> list[FactView]:
        """Under a scope: facts with a visible source, with only their visible provenance."""

    def entity_mentions(self, entity_id: str, limit: int = 100, scope: Scope | None = None) -> list[MentionView]: ...

    def entity_mention_count(self, entity_id: str, scope: Scope | None = None) -> int: ...

    def entity_departments(self, entity_id: str, scope: Scope | None = None) -> list[str]:
        """Departments whose (visible) documents mention the entity (the cross-department view)."""

    def get_fact(self, fact_id: str, scope: Scope | None = None) -> FactView:
        """A fact with all its (visible) provenance. Raises graph.errors.NotFound (also when no source is
        visible)."""

    def fact_edges(self, scope: Scope | None = None) -> Iterator[FactEdge]:
        """Every (visible) fact as an edge (for the networkx projection: centrality, communities, paths);
        support counts visible provenance only."""

    def entity_infos(self, entity_ids: list[str] | None = None, scope: Scope | None = None) -> dict[str, EntityInfo]:
        """Name, type, mention count and departments of the given entities (all when None); under a scope
        only visible entities, with visible names, counts and departments."""

    def document_annotations(self, document_id: str, scope: Scope | None = None
                             ) -> tuple[list[Annotation], list[FactAnnotation]]:
        """The mentions and fact arguments of one document as offsets into its text. Raises NotFound for a
        document the scope may not see."""

    def fact_candidates(self, status: str | None = None, limit: int = 100, offset: int = 0,
                        scope: Scope | None = None) -> list[CandidateView]:
        """Facts held back at write time, best first; `status` is "rejected" or "low_confidence"; under a
        scope only those of visible documents."""

    def iter_document_graphs(self, department: str | None = None, scope: Scope | None = None
                             ) -> Iterator[DocumentGraph]:
        """Every stored (visible) document back as the DocumentGraph that would rebuild it (for export); its
        entities carry the names that document gave them."""

    def stats(self, scope: Scope | None = None) -> StoreStats:
        """Counts; under a scope, of what it may see (entities: the visible ones)."""

    # -- question answering: sentence retrieval ----------------------------------------------
    def search_sentences(self, query: str, limit: int = 20, document_ids: list[str] | None = None,
                         scope: Scope | None = None) -> list[SentenceHit]:
        """BM25 full-text search over sentences, best first; `query` is plain words, any of which
        may match (no query syntax); `document_ids` restricts the documents searched."""

    def get_sentences(self, keys: list[tuple[str, int]], scope: Scope | None = None) -> list[SentenceHit]:
        """The sentences with these (document id, sentence index) keys, in that order; unknown (or invisible)
        keys are left out; score 0."""

    def sentence_frequencies(self, words: list[str]) -> tuple[int, dict[str, int]]:
        """How many sentences there are, and how many hold each word (as the full-text index matches it):
        the document frequencies that weigh question words."""

    def write_sentence_vectors(self, document_id: str, model: str, vectors: Sequence[Sequence[float]]) -> None:
        """Store one embedding per sentence of a stored document (vectors[i] is sentence i);
        replaces the document's previous vectors. Raises graph.errors.NotFound."""

    def nearest_sentences(self, vector: Sequence[float], limit: int = 20, document_ids: list[str] | None = None,
                          scope: Scope | None = None) -> list[SentenceHit]:
        """Sentences whose stored vector is most similar (cosine) to `vector`, best first;
        empty when no vectors are stored."""

    # -- audit: an append-only log of who imported, deleted, exported and asked ----------------
    def append_audit(self, event: AuditEvent) -> None:
        """Append one event (never updated nor deleted by the store)."""

    def audit_events(self, limit: int = 100, offset: int = 0, action: str | None = None,
                     principal: str | None = None) -> list[AuditEvent]:
        """The newest events first."""

    def close(self) -> None: ...


# -- optional features: declared by the stores that have them in GraphStore.features ------------------
SHORTEST_PATHS = "shortest_paths"
"""The store finds shortest paths between entities itself (ShortestPaths); a store without it leaves the
search to networkx over the graph projection (graph.explorer.paths)."""


@runtime_checkable
class ShortestPaths(Protocol):
    """The SHORTEST_PATHS feature."""

    def shortest_paths(self, source: str, target: str, max_length: int, k: int,
                       scope: Scope | None = None) -> list[list[str]]:
        """Up to k shortest paths (as entity ids, hops ≤ max_length) over fact relationships, ignoring their
        direction; under a scope over visible facts only. [[source]] when source is target."""


def shortest_paths_of(store: GraphStore) -> ShortestPaths | None:
    """The store's own shortest-path search when it declares SHORTEST_PATHS, else None."""
    return cast(ShortestPaths, store) if SHORTEST_PATHS in store.features else None
