from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ServicesDep
from graph.errors import GraphError

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str  # "ok" or "degraded"
    store: str
    store_ok: bool
    message: str | None = None
    version: str


@router.get("/health", response_model=Health)
def health(services: ServicesDep) -> Health:
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("govkg")
    except PackageNotFoundError:
        app_version = "dev"
    try:
        services.store.stats()
        return Health(status="ok", store=services.store.name, store_ok=True, version=app_version)
    except GraphError as exc:
        return Health(status="degraded", store=services.store_url, store_ok=False, message=exc.message,
                      version=app_version)
