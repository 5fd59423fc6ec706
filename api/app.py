"""The FastAPI application, assembled in one place."""
from __future__ import annotations

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.limits import RequestSizeLimit
from api.routers import ask, documents, entities, explorer_page, facts, graph, health, ontology, stats
from api.services import Services


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="GovKG",
        description="Knowledge graph of government documents: entities, facts and their provenance.",
        version="0.1.0",
    )
    app.state.services = services
    install_error_handlers(app)
    for module in (health, entities, documents, facts, graph, stats, ontology, ask):
        app.include_router(module.router)
    app.include_router(explorer_page.router)
    explorer_page.mount_static(app)
    app.add_middleware(RequestSizeLimit, max_bytes=services.settings.api.max_request_bytes)
    return app
