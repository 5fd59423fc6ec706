from __future__ import annotations

from fastapi import APIRouter

from api.deps import ScopeDep, StoreDep
from graph.store import StoreStats

router = APIRouter(tags=["stats"])


@router.get("/stats", response_model=StoreStats)
def stats(store: StoreDep, scope: ScopeDep) -> StoreStats:
    """Counts of what the token may see."""
    return store.stats(scope=scope)
