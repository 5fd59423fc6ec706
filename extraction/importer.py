"""Bulk import: files → documents → pipeline → store, one transaction per document.

A bad file (or a bad record of a JSONL file) is reported and never costs the rest of the
batch. Unchanged documents are skipped (unless `reextract`: after a model or pipeline change,
their extraction is run again and rewritten in place); a changed file replaces the document it
produced before. A store that goes away stops the import: what was written is reported, the rest is
not, and a rerun finishes the job without duplicates.
"""
from __future__ import annotations

import errno
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

from extraction.errors import Errors, LoaderError, WriteNotAllowed
from extraction.loaders import (
    LoadedText,
    LoadLimits,
    LoadOutcome,
    load_bytes,
    load_file,
)
from extraction.loaders.isolated import load_bytes_isolated, load_file_isolated
from extraction.records import Document, document_id
from graph.errors import StoreUnavailable, WriteFailed
from graph.store import GraphStore

if TYPE_CHECKING:  # the pipeline (spaCy) is built only when a document needs extraction
    from extraction.pipeline import Pipeline

_YEAR_PREFIX = re.compile(r"^(1[7-9]\d\d|20\d\d)(?=[_\-\s.]|$)")


class ImportFailure(BaseModel):
    path: str
    record: str | None = None
    code: str
    message: str


class ImportedDocument(BaseModel):
    id: str
    path: str
    title: str
    status: str  # "imported", "replaced", "reextracted", "skipped"
    sentences: int = 0
    mentions: int = 0
    facts: int = 0


class ImportReport(BaseModel):
    documents_ok: int = 0
    documents_replaced: int = 0
    documents_reextracted: int = 0  # unchanged documents extracted again (ImportOptions.reextract)
    documents_failed: int = 0
    documents_skipped: int = 0
    sentences: int = 0
    words: int = 0
    mentions: int = 0
    entities: int = 0  # distinct entities named by the imported documents
    facts: int = 0
    facts_rejected: int = 0  # held back: outside the ontology's domain/range
    facts_low_confidence: int = 0  # held back: below pipeline.min_fact_confidence
    elapsed_s: float = 0.0
    documents_per_s: float = 0.0
    sentences_per_s: float = 0.0
    aborted: str | None = None  # why the import stopped early (store down), if it did
    failures: list[ImportFailure] = Field(default_factory=list)
    documents: list[ImportedDocument] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.documents_failed == 0 and self.aborted is None


@dataclass(frozen=True)
class ImportOptions:
    department: str | None = None
    labels: tuple[str, ...] = ()
    max_file_bytes: int = 50 * 1024 * 1024
    max_document_chars: int = 5_000_000
    reextract: bool = False  # run extraction again on documents already imported unchanged
    # who may write which department (the API's editors: their own departments); None: anything (the CLI)
    may_write: Callable[[str | None], bool] | None = None
    # limits checked before and while parsing (see ImportSettings in core/settings.py)
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: float = 100.0
    max_zip_entries: int = 10_000
    max_pdf_pages: int = 2_000
    max_pdf_stream_bytes: int = 75_000_000
    max_html_depth: int = 1_000
    max_line_bytes: int = 10 * 1024 * 1024
    parse_timeout_s: float = 60.0
    parse_memory_mb: int = 1024
    isolate: bool = True  # parse each file in a worker process (memory limit, timeout); False: in process

    @property
    def limits(self) -> LoadLimits:
        return LoadLimits(
            max_file_bytes=self.max_file_bytes, max_document_chars=self.max_document_chars,
            max_unzipped_bytes=self.max_unzipped_bytes, max_zip_ratio=self.max_zip_ratio,
            max_zip_entries=self.max_zip_entries, max_pdf_pages=self.max_pdf_pages,
            max_pdf_stream_bytes=self.max_pdf_stream_bytes, max_html_depth=self.max_html_depth,
            max_line_bytes=self.max_line_bytes, parse_timeout_s=self.parse_timeout_s,
            parse_memory_mb=self.parse_memory_mb,
        )


class Progress(Protocol):
    def start(self, total_files: int) -> None: ...
    def advance(self, path: Path, sentences: int) -> None: ...


class SentenceEncoder(Protocol):
    """Turns sentences into vectors at import time (the QA encoder; see qa/embedding.py)."""

    name: str

    def embed_array(self, texts: list[str]) -> object: ...


class NoProgress:
    def start(self, total_files: int) -> None:
        pass

    def advance(self, path: Path, sentences: int) -> None:
        pass


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[ImportFailure]]:
    """Files under the given paths, recursively, sorted; missing paths and odd files are failures.

    Linked folders are not followed; a link that loops (to itself, or back to an enclosing folder) or
    leads nowhere is a failure (E019)."""
    files: list[Path] = []
    failures: list[ImportFailure] = []
    for path in paths:
        if path.is_dir():
            found = []
            for p in path.rglob("*"):
                if _hidden(p, path):
                    continue
                if p.is_symlink():
                    reason = _bad_link(p)
                    if reason is not None:
                        failures.append(ImportFailure(path=str(p), code="E019",
                                                      message=Errors.E019.format(path=str(p), reason=reason)))
                        continue
                if p.is_file():
                    found.append(p)
            files += sorted(found)
        elif path.is_file():
            files.append(path)
        else:
            reason = _bad_link(path) if path.is_symlink() else None
            code, message = (("E019", Errors.E019.format(path=str(path), reason=reason)) if reason else
                             ("E030", Errors.E030.format(path=str(path))))
            failures.append(ImportFailure(path=str(path), code=code, message=message))
    return files, failures


def _bad_link(link: Path) -> str | None:
    """Why a symbolic link cannot be imported (a loop, no target), or None."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop so
        return "it loops"
    except FileNotFoundError:
        return "its target does not exist"
    except OSError as exc:
        return "it loops" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
    parent = link.parent.resolve()
    if target.is_dir() and (target == parent or target in parent.parents):
        return "it links back to an enclosing folder"
    return None


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


class Importer:
    def __init__(self, pipeline: Callable[[], Pipeline], store: GraphStore, options: ImportOptions,
                 encoder: SentenceEncoder | None = None) -> None:
        self._make_pipeline = pipeline
        self.store = store
        self.options = options
        self.encoder = encoder  # when set, each written document's sentences get vectors

    @cached_property
    def pipeline(self) -> Pipeline:
        return self._make_pipeline()

    def import_paths(self, paths: Iterable[Path], progress: Progress | None = None) -> ImportReport:
        files, failures = collect_files(paths)
        report = ImportReport(failures=failures, documents_failed=len(failures))
        progress = progress or NoProgress()
        progress.start(len(files))
        started = time.perf_counter()
        entity_ids: set[str] = set()
        for path in files:
            sentences_before = report.sentences
            try:
                outcomes = (load_file_isolated(path, self.options.limits) if self.options.isolate else
                            load_file(path, self.options.max_file_bytes, self.options.limits))
            except LoaderError as exc:
                self._fail(report, str(path), None, exc)
            else:
                if not self._import_outcomes(report, outcomes, path, entity_ids):
                    break
            finally:
                progress.advance(path, report.sentences - sentences_before)
        return self._finish(report, started, entity_ids)

    def import_bytes(self, data: bytes, name: str, source_path: str) -> ImportReport:
        """One uploaded file (the API's POST /documents)."""
        report = ImportReport()
        started = time.perf_counter()
        entity_ids: set[str] = set()
        try:
            outcomes = (load_bytes_isolated(data, name, self.options.limits) if self.options.isolate else
                        load_bytes(data, name, self.options.max_file_bytes, self.options.limits))
        except LoaderError as exc:
            self._fail(report, source_path, None, exc)
        else:
            self._import_outcomes(report, outcomes, Path(source_path), entity_ids)
        return self._finish(report, started, entity_ids)

    # -- one file --------------------------------------------------------------------------
    def _import_outcomes(self, report: ImportReport, outcomes: list[LoadOutcome], path: Path,
                         entity_ids: set[str]) -> bool:
        """Import a file's documents; False when the store is gone and the batch must stop."""
        for outcome in outcomes:
            if isinstance(outcome, LoaderError):
                self._fail(report, str(path), None, outcome)
                continue
            try:
                document = self._document(outcome, path)
            except LoaderError as exc:
                self._fail(report, str(path), outcome.record_key, exc)
                continue
            try:
                self._import_document(report, document, entity_ids)
            except WriteNotAllowed as exc:
                self._fail(report, str(path), outcome.record_key, exc)
            except StoreUnavailable as exc:
                report.aborted = exc.message
                return False
            except WriteFailed as exc:
                report.documents_failed += 1
                report.failures.append(ImportFailure(path=str(path), record=outcome.record_key,
                                                     code=exc.code, message=exc.message))
        return True

    def _document(self, loaded: LoadedText, path: Path) -> Document:
        if len(loaded.text) > self.options.max_document_chars:
            raise LoaderError(Errors.E015, size=len(loaded.text), limit=self.options.max_document_chars)
        source = str(path.resolve()) if path.exists() else str(path)
        if loaded.record_key is not None:
            source = f"{source}#{loaded.record_key}"
        year = _YEAR_PREFIX.match(path.name)
        title = loaded.title or _title_from_name(path)
        if loaded.record_key is not None and not loaded.title:
            title = f"{title} ({loaded.record_key})"
        return Document(
            id=document_id(loaded.text),
            text=loaded.text,
            title=title,
            source_path=source,
            source_name=path.name,
            format=loaded.format,
            department=loaded.department or self.options.department,
            published=loaded.published or (year.group(1) if year else None),
            labels=tuple(dict.fromkeys((*self.options.labels, *loaded.labels))),
            metadata=loaded.metadata,
        )

    def _import_document(self, report: ImportReport, document: Document, entity_ids: set[str]) -> None:
        stored = self.store.has_document(document.id)
        if stored and not self.options.reextract:
            # the same text stored by a department the importer may not write: refused, not "skipped" (which
            # would lose the import silently and answer as if the importer held that document)
            stored_department = self.store.get_document(document.id).department
            if self.options.may_write is not None and not self.options.may_write(stored_department):
                raise WriteNotAllowed(Errors.E025)  # not naming the department: the importer may not see it
            report.documents_skipped += 1
            report.documents.append(ImportedDocument(id=document.id, path=document.source_path,
                                                     title=document.title, status="skipped"))
            return
        previous = None if stored else self.store.document_for_source(document.source_path)
        if stored:  # extracting again: what this run does not say, the stored document keeps
            kept = self.store.get_document(document.id)
            self._check_write(kept.department)  # another department's document is not rewritten...
            document = document.model_copy(update={
                "department": document.department or kept.department,
                "published": document.published or kept.published,
                "labels": document.labels or kept.labels,
                "metadata": document.metadata or kept.metadata,
            })
        self._check_write(document.department)  # ...nor is a document written (or moved) into it
        if previous is not None and previous != document.id:
            self._check_write(self.store.get_document(previous).department)  # nor its old version retracted
        graph = self.pipeline.run(document)
        if previous is not None and previous != document.id:
            self.store.delete_document(previous)  # the file changed: retract its old version
        self.store.write(graph)
        if self.encoder is not None and graph.sentences:
            vectors = self.encoder.embed_array([s.text for s in graph.sentences])
            self.store.write_sentence_vectors(document.id, self.encoder.name, vectors)
        status = ("reextracted" if stored else
                  "replaced" if previous is not None and previous != document.id else "imported")
        report.documents_ok += 1
        report.documents_replaced += status == "replaced"
        report.documents_reextracted += status == "reextracted"
        report.sentences += len(graph.sentences)
        report.words += document.word_count
        report.mentions += len(graph.mentions)
        report.facts += len(graph.facts)
        report.facts_rejected += sum(c.status == "rejected" for c in graph.candidates)
        report.facts_low_confidence += sum(c.status == "low_confidence" for c in graph.candidates)
        entity_ids.update(e.id for e in graph.entities)
        report.documents.append(ImportedDocument(
            id=document.id, path=document.source_path, title=document.title, status=status,
            sentences=len(graph.sentences), mentions=len(graph.mentions), facts=len(graph.facts),
        ))

    def _check_write(self, department: str | None) -> None:
        if self.options.may_write is not None and not self.options.may_write(department):
            raise WriteNotAllowed(Errors.E018, department=department)

    @staticmethod
    def _fail(report: ImportReport, path: str, record: str | None, exc: LoaderError) -> None:
        report.documents_failed += 1
        report.failures.append(ImportFailure(path=path, record=record, code=exc.code, message=exc.message))

    @staticmethod
    def _finish(report: ImportReport, started: float, entity_ids: set[str]) -> ImportReport:
        elapsed = time.perf_counter() - started
        report.entities = len(entity_ids)
        report.elapsed_s = round(elapsed, 3)
        handled = report.documents_ok + report.documents_skipped
        report.documents_per_s = round(handled / elapsed, 2) if elapsed > 0 else 0.0
        report.sentences_per_s = round(report.sentences / elapsed, 1) if elapsed > 0 else 0.0
        return report


def _title_from_name(path: Path) -> str:
    return re.sub(r"[_\-]+", " ", path.stem).strip() or path.name
