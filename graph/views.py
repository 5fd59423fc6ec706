"""Rows → the contract's views, once for every store.

Each store's queries return the same column names (SQLite by its column aliases, Neo4j by its RETURN
names), and these pure functions turn such a row (any mapping: a `sqlite3.Row`, a Neo4j record or a
dict) into the views of graph/store.py and the records of a document graph. Nothing here reads a store.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from extraction import records
from graph.errors import Errors, GraphError
from graph.ranking import Ranked
from graph.store import (
    Annotation,
    AuditEvent,
    CandidateView,
    DocumentSummary,
    EntityHit,
    EntityInfo,
    EntityRef,
    FactAnnotation,
    FactEdge,
    FactView,
    MentionView,
    ProvenanceView,
    SentenceHit,
    StoreStats,
)


class Row(Protocol):
    """A row as the stores read it: `sqlite3.Row`, `neo4j.Record` or a dict, read by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


def _strings(value: str | Iterable[str] | None) -> list[str]:
    """A list of strings stored as a JSON array (SQLite) or as a list property (Neo4j; None when unset)."""
    if value is None:
        return []
    if isinstance(value, str):
        return list(json.loads(value))
    return list(value)


def _extractor(row: Row) -> records.Extractor:
    return records.Extractor(name=row["extractor"], version=row["extractor_version"])


# -- documents -------------------------------------------------------------------------------
def document(row: Mapping[str, Any]) -> records.Document:
    """A stored document, all its columns (a dict: a property Neo4j never set reads as unset)."""
    return records.Document(
        id=row["id"], text=row["text"], title=row["title"], source_path=row["source_path"],
        source_name=row["source_name"], format=row["format"], department=row.get("department"),
        published=row.get("published"), labels=tuple(_strings(row.get("labels"))),
        metadata=json.loads(row.get("metadata") or "{}"),
    )


def document_summary(row: Row) -> DocumentSummary:
    return DocumentSummary(
        id=row["id"], title=row["title"], source_path=row["source_path"], source_name=row["source_name"],
        format=row["format"], department=row["department"], published=row["published"],
        labels=_strings(row["labels"]), sentence_count=row["sentence_count"],
        mention_count=row["mention_count"], imported_at=row["imported_at"],
    )


def annotation(row: Row) -> Annotation:
    return Annotation(id=row["id"], start=row["start"], end=row["end"], text=row["text"], type=row["type"],
                      entity_id=row["entity_id"])


def fact_annotation(row: Row) -> FactAnnotation:
    return FactAnnotation(
        fact_id=row["fact_id"], predicate=row["predicate"], subject_id=row["subject_id"],
        object_id=row["object_id"], sentence_index=row["sentence_index"], subject_start=row["subject_start"],
        subject_end=row["subject_end"], object_start=row["object_start"], object_end=row["object_end"],
        confidence=row["confidence"],
    )


# -- entities --------------------------------------------------------------------------------
def entity(row: Row) -> records.Entity:
    """An entity with its shown `name` and all its `names` (the others, sorted, are its aliases)."""
    name = row["name"]
    return records.Entity(id=row["id"], name=name, type=row["type"],
                          aliases=tuple(n for n in sorted(_strings(row["names"])) if n != name))


def named_entity(entity_id: str, entity_type: str, stored_name: str, names: Sequence[str]) -> records.Entity:
    """An entity as one document gave it (`names`, not empty): the stored name when that document gave it,
    else the first name it gave; its other names, sorted, are the aliases."""
    name = stored_name if stored_name in names else names[0]
    return records.Entity(id=entity_id, name=name, type=entity_type,
                          aliases=tuple(sorted(n for n in set(names) if n != name)))


def entity_hit(ranked: Ranked, name: str, entity_type: str, names: Iterable[str]) -> EntityHit:
    """A ranked search result, shown with `name` and its other `names` as aliases."""
    return EntityHit(id=ranked.entity_id, name=name, type=entity_type,
                     aliases=[n for n in sorted(names) if n != name], matched=ranked.matched, score=ranked.score,
                     mention_count=ranked.mention_count)


def entity_info(row: Row, departments: Iterable[str]) -> EntityInfo:
    return EntityInfo(id=row["id"], name=row["name"], type=row["type"], mention_count=row["mention_count"],
                      departments=list(departments))


def mention_view(row: Row) -> MentionView:
    return MentionView(
        id=row["id"], entity_id=row["entity_id"], text=row["text"], type=row["type"], start=row["start"],
        end=row["end"], confidence=row["confidence"], extractor=_extractor(row),
        document_id=row["document_id"], document_title=row["document_title"], department=row["department"],
        sentence_index=row["sentence_index"], sentence=row["sentence"], sentence_start=row["sentence_start"],
        sentence_end=row["sentence_end"],
    )


# -- facts -----------------------------------------------------------------------------------
def provenance_view(row: Row) -> ProvenanceView:
    """A fact's provenance row: the sentence, its document and the arguments' spans."""
    return ProvenanceView(
        document_id=row["document_id"], document_title=row["document_title"],
        document_source=row["source_name"], department=row["department"],
        sentence_index=row["sentence_index"], sentence=row["sentence"],
        sentence_start=row["sentence_start"], sentence_end=row["sentence_end"],
        subject_start=row["subject_start"], subject_end=row["subject_end"],
        object_start=row["object_start"], object_end=row["object_end"],
        confidence=row["confidence"], extractor=_extractor(row),
    )


def _arguments(row: Row) -> dict[str, EntityRef]:
    return {"subject": EntityRef(id=row["s_id"], name=row["s_name"], type=row["s_type"]),
            "object": EntityRef(id=row["o_id"], name=row["o_name"], type=row["o_type"])}


def fact_view(row: Row, provenance: Iterable[Row]) -> FactView:
    """A fact row (id, predicate, confidence, the arguments as s_*/o_* columns) with its provenance rows."""
    return FactView(id=row["id"], predicate=row["predicate"], confidence=row["confidence"], **_arguments(row),
                    provenance=[provenance_view(p) for p in provenance])


def fact_edge(row: Row) -> FactEdge:
    return FactEdge(id=row["id"], subject_id=row["subject_id"], predicate=row["predicate"],
                    object_id=row["object_id"], confidence=row["confidence"], support=row["support"])


def candidate_provenance(row: Row) -> list[records.Provenance]:
    """A candidate's provenance, kept as JSON with the candidate."""
    return [records.Provenance(**p) for p in json.loads(row["provenance"])]


def candidate_view(row: Row, provenance: Iterable[records.Provenance],
                   sentence: Callable[[records.Provenance], Row | None]) -> CandidateView:
    """A candidate row (its document's title, source and department, the arguments as s_*/o_* columns) with
    its `provenance`; `sentence` gives the text and offsets of a provenance row's sentence (None: missing)."""
    shown = []
    for p in provenance:
        held = sentence(p)
        if held is None:
            raise GraphError(Errors.G053, candidate=row["id"], sentence=p.sentence_index, document_id=p.document_id)
        shown.append(ProvenanceView(
            document_id=p.document_id, document_title=row["document_title"], document_source=row["source_name"],
            department=row["department"], sentence_index=p.sentence_index, sentence=held["text"],
            sentence_start=held["start"], sentence_end=held["end"],
            subject_start=p.subject_start, subject_end=p.subject_end, object_start=p.object_start,
            object_end=p.object_end, confidence=p.confidence, extractor=p.extractor,
        ))
    return CandidateView(id=row["id"], predicate=row["predicate"], confidence=row["confidence"],
                         status=row["status"], reason=row["reason"], **_arguments(row), provenance=shown)


# -- whole documents back (export) -------------------------------------------------------------
def document_graph(document: records.Document, sentences: Iterable[Row], mentions: Iterable[Row],
                   provenance: Iterable[Row], entities: Iterable[records.Entity], candidates: Iterable[Row]
                   ) -> records.DocumentGraph:
    """The DocumentGraph that would rebuild a stored document: its sentences (index, start, end, text), its
    mentions, its provenance rows (each with its fact's subject_id, predicate and object_id; grouped by
    fact_id in the order given, a fact's confidence the best of its rows from this document) and candidates."""
    doc_id = document.id
    grouped: dict[str, tuple[Row, list[records.Provenance]]] = {}
    for p in provenance:
        grouped.setdefault(p["fact_id"], (p, []))[1].append(records.Provenance(
            document_id=doc_id, sentence_index=p["sentence_index"], subject_start=p["subject_start"],
            subject_end=p["subject_end"], object_start=p["object_start"], object_end=p["object_end"],
            confidence=p["confidence"], extractor=_extractor(p)))
    facts = tuple(
        records.Fact(id=fid, subject_id=row["subject_id"], predicate=row["predicate"], object_id=row["object_id"],
                     confidence=max(p.confidence for p in provs), provenance=tuple(provs))
        for fid, (row, provs) in grouped.items()
    )
    return records.DocumentGraph(
        document=document,
        sentences=tuple(records.Sentence(document_id=doc_id, index=s["index"], start=s["start"], end=s["end"],
                                         text=s["text"]) for s in sentences),
        mentions=tuple(
            records.Mention(id=m["id"], document_id=doc_id, sentence_index=m["sentence_index"], start=m["start"],
                            end=m["end"], text=m["text"], type=m["type"], confidence=m["confidence"],
                            extractor=_extractor(m), entity_id=m["entity_id"])
            for m in mentions),
        entities=tuple(entities),
        facts=facts,
        candidates=tuple(
            records.CandidateFact(
                fact=records.Fact(id=c["id"], subject_id=c["subject_id"], predicate=c["predicate"],
                                  object_id=c["object_id"], confidence=c["confidence"],
                                  provenance=tuple(candidate_provenance(c))),
                status=c["status"], reason=c["reason"])
            for c in candidates),
    )


# -- counts, sentences, audit ------------------------------------------------------------------
def store_stats(store: str, totals: Row, by_type: Mapping[str, int], by_predicate: Mapping[str, int],
                by_extractor: Mapping[str, int], by_status: Mapping[str, int]) -> StoreStats:
    """`totals`: documents, sentences, mentions, entities and facts; each breakdown sorted by its key."""
    return StoreStats(
        store=store, documents=totals["documents"], sentences=totals["sentences"], mentions=totals["mentions"],
        entities=totals["entities"], facts=totals["facts"],
        entities_by_type=dict(sorted(by_type.items())),
        facts_by_predicate=dict(sorted(by_predicate.items())),
        facts_by_extractor=dict(sorted(by_extractor.items())),
        candidates_by_status=dict(sorted(by_status.items())),
    )


def sentence_hit(row: Row, score: float | None = None) -> SentenceHit:
    """A sentence with its document; `score` when the row does not carry it."""
    return SentenceHit(
        document_id=row["document_id"], document_title=row["document_title"], document_source=row["source_name"],
        department=row["department"], published=row["published"], sentence_index=row["sentence_index"],
        sentence=row["sentence"], start=row["sentence_start"], end=row["sentence_end"],
        score=row["score"] if score is None else score,
    )


def audit_event(row: Row) -> AuditEvent:
    return AuditEvent(id=row["id"], at=row["at"], principal=row["principal"], action=row["action"],
                      target=row["target"], department=row["department"], outcome=row["outcome"],
                      detail=row["detail"])
