"""Retrieval: facts around the linked entities (graph) and hybrid sentence retrieval (text).

Text retrieval fuses BM25 (SQLite FTS5 / the Neo4j full-text index) and dense MiniLM vectors
(stored at import time) by reciprocal rank; a question's year constraint adds year-filtered
runs of both to the fusion rather than replacing the unfiltered ones (a year may name the law
asked about, not the address). Every run sees only the documents the asker may see (graph/visibility.py).
"""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from graph.store import DocumentSummary, GraphStore, SentenceHit
from graph.visibility import Scope as Visibility
from qa.models import Analysis, Evidence, FactEvidence

_WORD = re.compile(r"[\w'’]+")


def stem(word: str) -> str:
    """A crude suffix stripper for matching question words in sentences (members → member)."""
    word = word.casefold().replace("’", "'")
    for suffix in ("'s", "ies", "es", "s", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words_of(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text)]


def keyword_overlap(keywords: list[str], text: str) -> float:
    if not keywords:
        return 0.0
    present = set(words_of(text))
    return sum(stem(k) in present for k in keywords) / len(keywords)


@dataclass(frozen=True)
class Scope:
    """The documents a question may use: `access` (the asker's visibility, applied by the store),
    `visible` (those documents' ids), `preferred` (the question's years)."""

    visible: list[str] | None  # None: all
    preferred: list[str] | None  # None: no year constraint
    access: Visibility | None = None  # None: no visibility filter (the CLI, admins)


class DocumentScopes:
    """Document ids by visibility and year, from a short-lived cache of the summaries each visibility scope
    may see."""

    def __init__(self, store: GraphStore, ttl_s: float = 30.0, max_scopes: int = 32) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.max_scopes = max_scopes
        self._lock = threading.Lock()
        self._cached: OrderedDict[str, tuple[float, list[DocumentSummary]]] = OrderedDict()

    def documents(self, access: Visibility | None = None) -> list[DocumentSummary]:
        key = "*" if access is None else access.key
        with self._lock:
            now = time.monotonic()
            cached = self._cached.get(key)
            if cached is None or now - cached[0] > self.ttl_s:
                cached = (now, self.store.list_documents(limit=1_000_000, scope=access))
                self._cached[key] = cached
            self._cached.move_to_end(key)
            while len(self._cached) > self.max_scopes:
                self._cached.popitem(last=False)
            return cached[1]

    def scope(self, access: Visibility | None, years: list[int]) -> Scope:
        if access is None and not years:
            return Scope(None, None)
        docs = self.documents(access)
        visible = [d.id for d in docs] if access is not None else None
        preferred = None
        if years:
            wanted = {str(y) for y in years}
            preferred = [d.id for d in docs if d.published and d.published[:4] in wanted]
        return Scope(visible, preferred, access)


class IdfCache:
    """Inverse sentence frequency of question words (BM25's idf), from the store, cached for a while."""

    def __init__(self, store: GraphStore, ttl_s: float = 600.0) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._at = 0.0
        self._total: int | None = None
        self._df: dict[str, int] = {}

    def weights(self, words: list[str]) -> dict[str, float]:
        import math

        with self._lock:
            now = time.monotonic()
            if now - self._at > self.ttl_s:
                self._at, self._total, self._df = now, None, {}
            missing = [w for w in words if w not in self._df]
            if missing or self._total is None:
                total, counts = self.store.sentence_frequencies(missing)
                self._total = total
                self._df.update(counts)
            total, df = self._total or 1, self._df
        return {w: math.log((total - df[w] + 0.5) / (df[w] + 0.5) + 1.0) for w in words}


class GraphRetriever(Protocol):
    """`qa.graph_retriever`: the facts that may answer, scored, and how many facts were considered."""

    name: str

    def retrieve(self, analysis: Analysis, scope: Scope) -> tuple[list[FactEvidence], int]: ...


class TextRetriever(Protocol):
    """`qa.text_retriever`: the best `limit` sentences and their scores."""

    name: str

    def retrieve(self, analysis: Analysis, scope: Scope, limit: int) -> tuple[list[SentenceHit], list[float]]: ...


class FactRetriever:
    """Facts around the linked entities, scored by predicate, answer type and support."""

    name = "facts"

    def __init__(self, store: GraphStore, fits: Callable[[str | None, list[str]], float],
                 inverse: Callable[[str], str | None], max_facts: int = 500) -> None:
        self.store = store
        self.fits = fits
        self.inverse = inverse
        self.max_facts = max_facts

    def retrieve(self, analysis: Analysis, scope: Scope) -> tuple[list[FactEvidence], int]:
        linked = {link.entity.id for link in analysis.links}
        asked = set(analysis.predicates)
        asked |= {inv for p in analysis.predicates if (inv := self.inverse(p))}
        visible = set(scope.visible) if scope.visible is not None else None
        found: dict[str, FactEvidence] = {}
        considered = 0
        for link in analysis.links:
            for fact in self.store.entity_facts(link.entity.id, limit=self.max_facts, scope=scope.access):
                considered += 1
                if visible is not None:
                    provenance = [p for p in fact.provenance if p.document_id in visible]
                    if not provenance:
                        continue
                    fact = fact.model_copy(update={"provenance": provenance})
                side = "object" if fact.subject.id == link.entity.id else "subject"
                other = fact.object if side == "object" else fact.subject
                if other.id in linked and fact.subject.id in linked and fact.object.id in linked:
                    side_score = 0.5  # both ends named in the question: a yes/no kind of fact
                else:
                    side_score = 1.0
                predicate = predicate_weight(fact.predicate, analysis.predicates, self.inverse)
                type_fit = self.fits(other.type, analysis.answer_types) if analysis.answer_types else 0.5
                support = max((keyword_overlap(analysis.keywords, p.sentence)
                               + (0.5 if any(ph in p.sentence for ph in analysis.phrases) else 0.0)
                               for p in fact.provenance), default=0.0)
                score = (side_score * (0.45 * predicate + 0.3 * type_fit + 0.25 * support)
                         * (0.5 + 0.5 * fact.confidence))
                known = found.get(fact.id)
                if known is None or known.score < score:
                    found[fact.id] = FactEvidence(fact=fact, answer_side=side, score=round(score, 4))
        ranked = sorted(found.values(), key=lambda f: (-f.score, f.fact.id))
        return ranked[:50], considered


def predicate_weight(predicate: str, asked: list[str], inverse: Callable[[str], str | None]) -> float:
    """1 for the first (longest-phrase) predicate the question names, or its inverse; 0.7 for the others."""
    for i, name in enumerate(asked):
        if predicate == name or predicate == inverse(name):
            return 1.0 if i == 0 else 0.7
    return 0.0


class HybridTextRetriever:
    """BM25 + dense vectors, fused by reciprocal rank (k = rrf_k)."""

    def __init__(self, store: GraphStore, encode: Callable[[str], list[float]] | None, bm25_candidates: int,
                 dense_candidates: int, rrf_k: int, use_bm25: bool = True,
                 warm: Callable[[], object] | None = None) -> None:
        self.store = store
        self.encode = encode
        self.warm = warm  # loads the encoder behind `encode`
        self.use_bm25 = use_bm25
        self.bm25_candidates = bm25_candidates
        self.dense_candidates = dense_candidates
        self.rrf_k = rrf_k
        self.name = "hybrid" if (encode and use_bm25) else ("dense" if encode else "bm25")

    def load(self) -> None:
        if self.warm is not None:
            self.warm()

    def retrieve(self, analysis: Analysis, scope: Scope, limit: int) -> tuple[list[SentenceHit], list[float]]:
        query = " ".join([*analysis.keywords, *(link.text for link in analysis.links)])
        runs: list[list[SentenceHit]] = []
        filters = [scope.visible]
        if scope.preferred:
            filters.append(scope.preferred)
        vector = self.encode(analysis.question) if self.encode else None
        for documents in filters:
            if self.use_bm25:
                runs.append(self.store.search_sentences(query, self.bm25_candidates, documents, scope=scope.access))
            if vector is not None:
                runs.append(self.store.nearest_sentences(vector, self.dense_candidates, documents, scope=scope.access))
        return fuse(runs, self.rrf_k, limit)


def fuse(runs: list[list[SentenceHit]], k: int, limit: int) -> tuple[list[SentenceHit], list[float]]:
    """Reciprocal rank fusion: score(s) = Σ over runs 1 / (k + rank)."""
    scores: dict[tuple[str, int], float] = {}
    hits: dict[tuple[str, int], SentenceHit] = {}
    for run in runs:
        for rank, hit in enumerate(run, start=1):
            key = (hit.document_id, hit.sentence_index)
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
            hits.setdefault(key, hit)
    order = sorted(scores, key=lambda key: (-scores[key], key))[:limit]
    return [hits[key] for key in order], [scores[key] for key in order]


__all__ = ["DocumentScopes", "Evidence", "FactRetriever", "GraphRetriever", "HybridTextRetriever", "Scope",
           "TextRetriever", "fuse"]
