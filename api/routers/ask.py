"""POST /ask: a question in plain English, answered from the graph and the documents with citations."""
from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.qa.models import AskRequest, AskResponse

router = APIRouter(tags=["question answering"])


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, services: ServicesDep) -> AskResponse:
    """Answer a question: linked entities, graph facts and retrieved sentences, an extractive or
    generated answer checked against its evidence, citations (fact, triple, document, sentence and
    offsets), or `abstained: true` with the closest related facts as suggestions. `department`
    limits the evidence to the documents that department may see (its own, public, unowned).
    Plain `def`: the work is CPU-bound and runs in the thread pool."""
    return services.qa.ask(body.question, body.department, body.mode)
