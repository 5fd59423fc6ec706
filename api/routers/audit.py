"""GET /audit: the append-only log of imports, deletions, exports and questions (admins only)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AdminDep, StoreDep
from graph.store import AuditEvent

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditEvent], responses={403: {"description": "not an admin"}})
def audit(
    store: StoreDep,
    admin: AdminDep,
    action: Annotated[str | None, Query(max_length=50)] = None,
    principal: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[AuditEvent]:
    """Newest first; filter by action ("import", "delete", "export", "ask", "tokens") or principal."""
    return store.audit_events(limit, offset, action=action, principal=principal)
