"""POST /ask: a question in plain English, answered from the graph and the documents with citations."""
from __future__ import annotations

from fastapi import APIRouter

from api.deps import PrincipalDep, ServicesDep
from graph.visibility import Scope
from qa.models import AskRequest, AskResponse
from service.auth.errors import Errors, Forbidden
from service.auth.principal import Principal

router = APIRouter(tags=["question answering"])


def ask_view(principal: Principal, department: str | None) -> Scope | None:
    """What a question may use: the token's visibility, narrowed to one of its departments when asked
    (admins: any department's view, or everything)."""
    if department is None:
        return principal.scope
    if principal.scope is not None and department not in principal.departments:
        raise Forbidden(Errors.A012, name=principal.name, department=department)
    labels = principal.labels if principal.scope is not None else frozenset()
    return Scope(frozenset([department]), labels)


@router.post("/ask", response_model=AskResponse, responses={403: {"description": "not one of the token's departments"}})
def ask(body: AskRequest, services: ServicesDep, principal: PrincipalDep) -> AskResponse:
    """Answer a question: linked entities, graph facts and retrieved sentences, an extractive or
    generated answer checked against its evidence, citations (fact, triple, document, sentence and
    offsets), or `abstained: true` with the closest related facts as suggestions. Everything comes from
    the documents the token may see; `department` narrows that to one of its departments.
    Plain `def`: the work is CPU-bound and runs in the thread pool."""
    audit = services.audit
    question = audit.question(body.question)
    try:
        view = ask_view(principal, body.department)
    except Forbidden as exc:
        audit.record(principal.name, "ask", "denied", department=body.department, detail=exc.message)
        raise
    try:
        response = services.qa.ask(body.question, view, body.mode)
    except Exception as exc:
        audit.record(principal.name, "ask", "failed", department=body.department,
                     detail=f"{question} ({type(exc).__name__})")
        raise
    outcome = "abstained" if response.abstained else "answered"
    audit.record(principal.name, "ask", "ok", department=body.department, detail=f"{question} ({outcome})")
    return response
