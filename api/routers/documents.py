from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import PrincipalDep, ScopeDep, ServicesDep, StoreDep
from api.errors import RETRY_AFTER_S
from extraction.importer import ImportReport
from extraction.records import Document
from graph.errors import NotFound
from graph.store import Annotation, DeletionReport, DocumentSummary, FactAnnotation
from service.auth.errors import Forbidden
from service.auth.principal import Role

router = APIRouter(prefix="/documents", tags=["documents"])

DocumentId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("", response_model=list[DocumentSummary])
def list_documents(
    store: StoreDep,
    scope: ScopeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[DocumentSummary]:
    """The documents the token may see."""
    return store.list_documents(limit, offset, scope=scope)


@router.get("/{document_id}", response_model=Document)
def get_document(store: StoreDep, scope: ScopeDep, document_id: DocumentId) -> Document:
    """404 also for a document the token may not see."""
    return store.get_document(document_id, scope=scope)


class AnnotatedDocument(BaseModel):
    document: Document
    mentions: list[Annotation]
    facts: list[FactAnnotation]


@router.get("/{document_id}/annotated", response_model=AnnotatedDocument)
def annotated_document(store: StoreDep, scope: ScopeDep, document_id: DocumentId) -> AnnotatedDocument:
    """The document's text with its mentions and fact arguments as character offsets, for highlighting."""
    mentions, facts = store.document_annotations(document_id, scope=scope)
    return AnnotatedDocument(document=store.get_document(document_id, scope=scope), mentions=mentions, facts=facts)


@router.delete("/{document_id}", response_model=DeletionReport,
               responses={403: {"description": "not an editor of the document's department"}})
def delete_document(services: ServicesDep, principal: PrincipalDep, document_id: DocumentId) -> DeletionReport:
    """Editors delete documents of their own departments; admins any. 404 for a document the token may not
    see, 403 for one it sees but may not delete."""
    store, audit = services.store, services.audit
    try:
        document = store.get_document(document_id, scope=principal.scope)
        principal.require_role(Role.editor)
        principal.require_write(document.department)
    except NotFound:
        audit.record(principal.name, "delete", "not_found", target=document_id)
        raise
    except Forbidden as exc:
        audit.record(principal.name, "delete", "denied", target=document_id, department=document.department,
                     detail=exc.message)
        raise
    report = store.delete_document(document_id)
    audit.record(principal.name, "delete", "ok", target=document_id, department=document.department,
                 detail=f"facts removed {report.facts_removed}, kept {report.facts_kept}")
    return report


@router.post(
    "",
    response_model=ImportReport,
    status_code=201,
    responses={200: {"description": "already imported (skipped, or extracted again with reextract)"},
               403: {"description": "not an editor of that department"}, 413: {"description": "too large"},
               422: {"description": "the file could not be read"}},
)
def upload_document(
    services: ServicesDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="One document: txt, md, html, pdf, docx or jsonl.")],
    department: Annotated[str | None, Form(description="Owning department (default: the token's only one).")] = None,
    labels: Annotated[list[str] | None, Form(description="Access labels.")] = None,
    reextract: Annotated[bool, Form(description="Extract again if the document is already imported.")] = False,
) -> JSONResponse:
    """Editors import into their own departments (records of a jsonl file that name another department are
    refused one by one, code E018; a text another department already holds is refused, E025); admins
    anywhere."""
    name = file.filename or "upload.txt"
    audit = services.audit
    if department is None and len(principal.departments) == 1:
        department = next(iter(principal.departments))
    try:
        principal.require_role(Role.editor)
        principal.require_write(department)
    except Forbidden as exc:
        audit.record(principal.name, "import", "denied", target=name, department=department, detail=exc.message)
        raise
    data = file.file.read()
    importer = services.importer(department=department, labels=tuple(labels or ()), reextract=reextract,
                                 may_write=principal.may_write)
    # uploads are keyed by department and file name: one department's upload never replaces another's
    report = importer.import_bytes(data, name, source_path=f"upload:{department or '-'}/{name}")
    if report.aborted:
        status = 503
    elif report.documents_failed and not report.documents_ok:
        status = 403 if all(f.code in ("E018", "E025") for f in report.failures) else 422
    elif report.documents_ok > report.documents_reextracted:
        status = 201
    else:
        status = 200  # already there: skipped, or extracted again
    outcome = "ok" if status < 300 else "denied" if status == 403 else "failed"
    audit.record(principal.name, "import", outcome, target=name, department=department,
                 detail=f"documents {report.documents_ok} ok, {report.documents_failed} failed, "
                        f"{report.documents_skipped} skipped; ids {','.join(d.id for d in report.documents)}")
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    return JSONResponse(report.model_dump(mode="json"), status_code=status, headers=headers)
