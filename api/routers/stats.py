from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from graph.store import StoreStats

router = APIRouter(tags=["stats"])


@router.get("/stats", response_model=StoreStats)
def stats(store: StoreDep) -> StoreStats:
    return store.stats()
