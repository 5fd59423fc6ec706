"""Records files → one document each (a sentence per record) → the store.

Like the text importer: an unchanged file (same rendering, same document id) is skipped, a
changed file replaces the document it produced before, a bad file or record is reported and
costs nothing else, and a store that goes away stops the import.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, PrivateAttr

from extraction.errors import Errors, LoaderError, MappingError, RecordError
from extraction.importer import ImportFailure
from extraction.records import (
    CandidateFact,
    Document,
    DocumentGraph,
    Entity,
    Extractor,
    Fact,
    Mention,
    Provenance,
    Sentence,
    document_id,
    fact_id,
    mention_id,
)
from extraction.structured.mapping import (
    SHIPPED_DIR,
    CompiledMapping,
    load_mapping,
    shipped_mappings,
)
from extraction.structured.render import RecordRenderer, RenderedRecord, ResolvedEntity
from extraction.structured.sources import file_format, parse, read_bytes, records_of
from graph.errors import StoreUnavailable, WriteFailed
from graph.store import GraphStore

if TYPE_CHECKING:  # the gazetteer package imports spaCy
    from extraction.gazetteer.entries import GazetteerEntry

EXTRACTOR = "records"
CONFIDENCE = 1.0
# --all-shipped imports in this order (others after, by name): committees before the membership
# lists, so that an entity the gazetteer lacks (JCSE) is first stored under its full name
SHIPPED_ORDER = ("agencies", "legislators", "executive", "committees", "committee_membership")

FactCheck = Callable[[str, str, str], "str | None"]


class RecordsDocument(BaseModel):
    id: str
    path: str
    mapping: str
    title: str
    status: str  # "imported", "replaced", "skipped"
    records: int = 0
    records_failed: int = 0
    mentions: int = 0
    entities: int = 0
    facts: int = 0
    facts_rejected: int = 0


class RecordsImportReport(BaseModel):
    mappings: list[str] = Field(default_factory=list)
    documents_ok: int = 0
    documents_replaced: int = 0
    documents_skipped: int = 0
    documents_failed: int = 0
    records: int = 0  # records read (imported documents and skipped ones)
    records_filtered: int = 0  # left out by the mapping's `records.when`
    records_failed: int = 0  # could not be rendered: reported in failures, the rest imported
    sentences: int = 0  # the counts below are of the documents written by this import
    mentions: int = 0
    entities: int = 0  # distinct entities
    facts: int = 0
    facts_rejected: int = 0  # held back as candidates: outside the ontology's domain/range
    elapsed_s: float = 0.0
    aborted: str | None = None
    failures: list[ImportFailure] = Field(default_factory=list)
    documents: list[RecordsDocument] = Field(default_factory=list)
    _entity_ids: set[str] = PrivateAttr(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failures and self.documents_failed == 0 and self.aborted is None


@dataclass
class BuiltDocument:
    """A records file rendered into a graph (not written yet)."""

    graph: DocumentGraph | None
    records: int = 0
    filtered: int = 0
    failures: list[RecordError] = field(default_factory=list)
    failed_keys: list[str] = field(default_factory=list)


class RecordsImporter:
    def __init__(self, store: GraphStore | None, check_fact: FactCheck, gazetteer: Iterable[GazetteerEntry],
                 has_class: Callable[[str], bool] | None = None, has_predicate: Callable[[str], bool] | None = None,
                 max_file_bytes: int = 50 * 1024 * 1024, max_document_chars: int = 5_000_000,
                 department: str | None = None, labels: tuple[str, ...] = ()) -> None:
        self.store = store
        self.department = department  # owner and access labels of the documents written (graph/visibility.py)
        self.labels = labels
        self.check_fact = check_fact
        self.gazetteer: Mapping[str, GazetteerEntry] = {e.key: e for e in gazetteer}
        self.has_class = has_class
        self.has_predicate = has_predicate
        self.max_file_bytes = max_file_bytes
        self.max_document_chars = max_document_chars

    # -- mappings ----------------------------------------------------------------------------
    def mapping(self, name_or_path: str | Path, folder: Path = SHIPPED_DIR) -> CompiledMapping:
        compiled = load_mapping(name_or_path, folder)
        if self.has_class is not None and self.has_predicate is not None:
            compiled.validate_ontology(self.has_class, self.has_predicate)
        return compiled

    # -- imports -----------------------------------------------------------------------------
    def import_files(self, mapping: str | Path | CompiledMapping, paths: Iterable[Path]) -> RecordsImportReport:
        """Files with one mapping (a name, a path or a compiled mapping)."""
        started = time.perf_counter()
        report = RecordsImportReport()
        paths = list(paths)
        try:
            compiled = mapping if isinstance(mapping, CompiledMapping) else self.mapping(mapping)
        except MappingError as exc:
            report.documents_failed += len(paths) or 1
            report.failures.append(ImportFailure(path=str(mapping), code=exc.code, message=exc.message))
            return self._finish(report, started)
        self._import_files(compiled, paths, report)
        return self._finish(report, started)

    def _import_files(self, compiled: CompiledMapping, paths: list[Path], report: RecordsImportReport) -> None:
        if compiled.name not in report.mappings:
            report.mappings.append(compiled.name)
        for path in paths:
            if report.aborted:
                break
            self._import_file(compiled, Path(path), report)

    def import_shipped(self, folder: Path = SHIPPED_DIR) -> RecordsImportReport:
        """Every mapping in the folder with its `default_file` (`govkg import-records --all-shipped`)."""
        started = time.perf_counter()
        report = RecordsImportReport()
        rank = {name: i for i, name in enumerate(SHIPPED_ORDER)}
        for path in sorted(shipped_mappings(folder), key=lambda p: (rank.get(p.stem, len(rank)), p.stem)):
            if report.aborted:
                break
            try:
                compiled = self.mapping(path)
                if compiled.default_file is None:
                    raise MappingError(Errors.E042, path=str(path), reason="no default_file to import")
            except MappingError as exc:
                report.documents_failed += 1
                report.failures.append(ImportFailure(path=str(path), code=exc.code, message=exc.message))
                continue
            self._import_files(compiled, [compiled.default_file], report)
        return self._finish(report, started)

    def _import_file(self, compiled: CompiledMapping, path: Path, report: RecordsImportReport) -> None:
        try:
            built = self.build(compiled, path)
        except LoaderError as exc:
            report.documents_failed += 1
            report.failures.append(ImportFailure(path=str(path), code=exc.code, message=exc.message))
            return
        report.records += built.records
        report.records_filtered += built.filtered
        report.records_failed += len(built.failures)
        for error, key in zip(built.failures, built.failed_keys, strict=True):
            report.failures.append(ImportFailure(path=str(path), record=key, code=error.code, message=error.message))
        graph = built.graph
        if graph is None:
            report.documents_failed += 1
            if not built.failures:
                report.failures.append(ImportFailure(
                    path=str(path), code="E045",
                    message=Errors.E045.format(path=compiled.mapping.records.path or "(top level)",
                                               reason="no record passed the mapping's records.when")))
            return
        try:
            status = self._write(graph)
        except StoreUnavailable as exc:
            report.aborted = exc.message
            return
        except WriteFailed as exc:
            report.documents_failed += 1
            report.failures.append(ImportFailure(path=str(path), code=exc.code, message=exc.message))
            return
        rejected = sum(c.status == "rejected" for c in graph.candidates)
        report.documents.append(RecordsDocument(
            id=graph.document.id, path=str(path), mapping=compiled.name, title=graph.document.title, status=status,
            records=len(graph.sentences), records_failed=len(built.failures), mentions=len(graph.mentions),
            entities=len(graph.entities), facts=len(graph.facts), facts_rejected=rejected,
        ))
        if status == "skipped":
            report.documents_skipped += 1
            return
        report.documents_ok += 1
        report.documents_replaced += status == "replaced"
        report.sentences += len(graph.sentences)
        report.mentions += len(graph.mentions)
        report.facts += len(graph.facts)
        report.facts_rejected += rejected
        report._entity_ids.update(e.id for e in graph.entities)

    def _write(self, graph: DocumentGraph) -> str:
        if self.store is None:
            raise RuntimeError("no store to write to")
        document = graph.document
        if self.store.has_document(document.id):
            return "skipped"
        previous = self.store.document_for_source(document.source_path)
        if previous is not None and previous != document.id:
            self.store.delete_document(previous)  # the file (or the mapping) changed: retract the old version
        self.store.write(graph)
        return "replaced" if previous is not None and previous != document.id else "imported"

    def _finish(self, report: RecordsImportReport, started: float) -> RecordsImportReport:
        report.entities = len(report._entity_ids)
        report.elapsed_s = round(time.perf_counter() - started, 3)
        return report

    # -- one file → one document graph -------------------------------------------------------
    def build(self, compiled: CompiledMapping, path: Path) -> BuiltDocument:
        """Render a records file into a document graph; file-level problems raise LoaderError."""
        fmt = file_format(path, compiled.mapping.format)
        records = records_of(parse(read_bytes(path, self.max_file_bytes), fmt), compiled.mapping.records)
        renderer = RecordRenderer(compiled, self.gazetteer, path.name)
        built = BuiltDocument(graph=None, records=len(records))
        rendered: list[RenderedRecord] = []
        seen_keys: dict[str, int] = {}
        for index, record in enumerate(records):
            key = f"#{index}"
            try:
                key = _unique(renderer.record_key(record, index), seen_keys)
                if not renderer.accepts(record, index, key):
                    built.filtered += 1
                    continue
                rendered.append(renderer.render(record, index, key))
            except RecordError as exc:
                built.failures.append(exc)
                built.failed_keys.append(key)
        if rendered:
            built.graph = self._graph(compiled, path, fmt, renderer.title(), rendered)
        return built

    def _graph(self, compiled: CompiledMapping, path: Path, fmt: str, title: str,
               rendered: list[RenderedRecord]) -> DocumentGraph:
        text = "\n".join(r.sentence for r in rendered)
        if len(text) > self.max_document_chars:
            raise LoaderError(Errors.E015, size=len(text), limit=self.max_document_chars)
        doc_id = document_id(text)
        source = str(path.resolve()) if path.exists() else str(path)
        digest = compiled.mapping.digest
        document = Document(
            id=doc_id, text=text, title=title, source_path=f"{source}#mapping={compiled.name}",
            source_name=path.name, format=fmt, department=self.department, labels=self.labels,
            metadata={"mapping": compiled.name, "mapping_version": digest, "records": str(len(rendered)),
                      "record_keys": json.dumps([r.key for r in rendered], ensure_ascii=False)},
        )
        mention_extractor = Extractor(name=EXTRACTOR, version=f"{compiled.name}+{digest}")
        fact_extractor = Extractor(name=f"{EXTRACTOR}/{compiled.name}", version=digest)
        sentences: list[Sentence] = []
        mentions: dict[str, Mention] = {}
        entities: dict[str, Entity] = {}
        facts: dict[str, tuple[Fact, str | None]] = {}
        offset = 0
        for index, record in enumerate(rendered):
            start, end = offset, offset + len(record.sentence)
            offset = end + 1
            sentences.append(Sentence(document_id=doc_id, index=index, start=start, end=end, text=record.sentence))
            spans: dict[str, tuple[int, int]] = {}
            for m_start, m_end, resolved in find_mentions(record.sentence, list(record.entities.values())):
                a, b = start + m_start, start + m_end
                spans.setdefault(resolved.key, (a, b))
                mention = Mention(
                    id=mention_id(doc_id, a, b, resolved.entity.type), document_id=doc_id, sentence_index=index,
                    start=a, end=b, text=record.sentence[m_start:m_end], type=resolved.entity.type,
                    confidence=CONFIDENCE, extractor=mention_extractor, entity_id=resolved.entity.id,
                    gazetteer_key=resolved.key if resolved.in_gazetteer else None,
                )
                mentions[mention.id] = mention
            for resolved in record.entities.values():
                entities[resolved.entity.id] = _merge(entities.get(resolved.entity.id), resolved.entity)
            for subject_key, predicate, object_key in record.facts:
                subject, obj = record.entities[subject_key], record.entities[object_key]
                s_span, o_span = spans.get(subject_key, (start, end)), spans.get(object_key, (start, end))
                provenance = Provenance(document_id=doc_id, sentence_index=index, subject_start=s_span[0],
                                        subject_end=s_span[1], object_start=o_span[0], object_end=o_span[1],
                                        confidence=CONFIDENCE, extractor=fact_extractor)
                fid = fact_id(subject.entity.id, predicate, obj.entity.id)
                known = facts.get(fid)
                if known is None:
                    reason = self.check_fact(subject.entity.type, predicate, obj.entity.type)
                    facts[fid] = (Fact(id=fid, subject_id=subject.entity.id, predicate=predicate,
                                       object_id=obj.entity.id, confidence=CONFIDENCE, provenance=(provenance,)),
                                  reason)
                elif provenance not in known[0].provenance:
                    facts[fid] = (known[0].model_copy(update={"provenance": (*known[0].provenance, provenance)}),
                                  known[1])
        kept = tuple(fact for fact, reason in facts.values() if reason is None)
        candidates = tuple(CandidateFact(fact=fact, status="rejected", reason=reason)
                           for fact, reason in facts.values() if reason is not None)
        return DocumentGraph(document=document, sentences=tuple(sentences),
                             mentions=tuple(sorted(mentions.values(), key=lambda m: m.start)),
                             entities=tuple(entities.values()), facts=kept, candidates=candidates)


def find_mentions(text: str, entities: list[ResolvedEntity]) -> list[tuple[int, int, ResolvedEntity]]:
    """Every occurrence of an entity's name or alias in the sentence, longest first, no overlaps."""
    found = []
    for order, resolved in enumerate(entities):
        for name in dict.fromkeys(resolved.names()):
            if not name.strip():
                continue
            for match in _name_pattern(name).finditer(text):
                found.append((match.start(), match.end(), order, resolved))
    found.sort(key=lambda f: (f[0] - f[1], f[0], f[2]))
    chosen: list[tuple[int, int, ResolvedEntity]] = []
    taken: list[tuple[int, int]] = []
    for start, end, _, resolved in found:
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            chosen.append((start, end, resolved))
    return sorted(chosen, key=lambda c: c[0])


@lru_cache(maxsize=65_536)
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")


def _merge(known: Entity | None, new: Entity) -> Entity:
    if known is None:
        return new
    aliases = tuple(dict.fromkeys(a for a in (*known.aliases, *new.aliases, new.name) if a != known.name))
    return known.model_copy(update={"aliases": aliases})


def _unique(key: str, seen: dict[str, int]) -> str:
    """Record keys are unique within a file: a repeated key gets "~2", "~3"..."""
    count = seen.get(key, 0) + 1
    seen[key] = count
    return key if count == 1 else f"{key}~{count}"
