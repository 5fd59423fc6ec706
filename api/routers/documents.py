from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import ServicesDep, StoreDep
from extraction.importer import ImportReport
from extraction.records import Document
from graph.store import Annotation, DeletionReport, DocumentSummary, FactAnnotation

router = APIRouter(prefix="/documents", tags=["documents"])


@router.get("", response_model=list[DocumentSummary])
def list_documents(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DocumentSummary]:
    return store.list_documents(limit, offset)


@router.get("/{document_id}", response_model=Document)
def get_document(store: StoreDep, document_id: Annotated[str, Path(min_length=1, max_length=200)]) -> Document:
    return store.get_document(document_id)


class AnnotatedDocument(BaseModel):
    document: Document
    mentions: list[Annotation]
    facts: list[FactAnnotation]


@router.get("/{document_id}/annotated", response_model=AnnotatedDocument)
def annotated_document(store: StoreDep, document_id: Annotated[str, Path(min_length=1, max_length=200)]) -> AnnotatedDocument:
    """The document's text with its mentions and fact arguments as character offsets, for highlighting."""
    mentions, facts = store.document_annotations(document_id)
    return AnnotatedDocument(document=store.get_document(document_id), mentions=mentions, facts=facts)


@router.delete("/{document_id}", response_model=DeletionReport)
def delete_document(store: StoreDep, document_id: Annotated[str, Path(min_length=1, max_length=200)]) -> DeletionReport:
    return store.delete_document(document_id)


@router.post(
    "",
    response_model=ImportReport,
    status_code=201,
    responses={200: {"description": "already imported (skipped, or extracted again with reextract)"}, 413: {"description": "too large"},
               422: {"description": "the file could not be read"}},
)
def upload_document(
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="One document: txt, md, html, pdf, docx or jsonl.")],
    department: Annotated[str | None, Form()] = None,
    labels: Annotated[list[str] | None, Form(description="Access labels.")] = None,
    reextract: Annotated[bool, Form(description="Extract again if the document is already imported.")] = False,
) -> JSONResponse:
    name = file.filename or "upload.txt"
    data = file.file.read()
    importer = services.importer(department=department, labels=tuple(labels or ()), reextract=reextract)
    report = importer.import_bytes(data, name, source_path=f"upload:{name}")
    if report.aborted:
        status = 503
    elif report.documents_failed and not report.documents_ok:
        status = 422
    elif report.documents_ok > report.documents_reextracted:
        status = 201
    else:
        status = 200  # already there: skipped, or extracted again
    return JSONResponse(report.model_dump(mode="json"), status_code=status)
