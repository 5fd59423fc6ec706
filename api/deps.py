"""Dependencies injected into routes through Annotated."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.services import Services
from graph.store import GraphStore


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_store(services: Annotated[Services, Depends(get_services)]) -> GraphStore:
    return services.store


ServicesDep = Annotated[Services, Depends(get_services)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
