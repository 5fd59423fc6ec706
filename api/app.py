"""The FastAPI application, assembled in one place."""
from __future__ import annotations

import ipaddress
import logging

from fastapi import Depends, FastAPI

from api.deps import get_principal
from api.errors import documented, install_error_handlers
from api.limits import RequestSizeLimit
from api.routers import (
    ask,
    audit,
    documents,
    entities,
    explorer_page,
    export,
    facts,
    graph,
    health,
    ontology,
    stats,
    tokens,
)
from service.auth.errors import AuthConfigError, Errors
from service.components import Services

log = logging.getLogger("govkg.api")

# every router but /health and the explorer's page and files needs a bearer token
AUTHENTICATED = (entities, documents, facts, graph, stats, ontology, ask, export, audit, tokens)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_auth_mode(services: Services, host: str | None = None) -> None:
    """`api.auth = "off"` only on a loopback address, with a warning; AuthConfigError otherwise."""
    conf = services.settings.api
    host = host or conf.host
    if conf.auth != "off":
        return
    if not is_loopback(host):
        raise AuthConfigError(Errors.A030, host=host)
    log.warning("api.auth is off: every request on %s acts as an administrator", host)


def create_app(services: Services, host: str | None = None) -> FastAPI:
    """The app; `host` is the address it will bind (for the `api.auth = "off"` check; default: settings)."""
    check_auth_mode(services, host)
    app = FastAPI(
        title="GovKG",
        description="Knowledge graph of government documents: entities, facts and their provenance.",
        version="0.1.0",
    )
    app.state.services = services
    install_error_handlers(app)
    app.include_router(health.router, responses=documented(503))
    for module in AUTHENTICATED:
        app.include_router(module.router, dependencies=[Depends(get_principal)],
                           responses=documented(400, 401, 403, 404, 413, 503))
    app.include_router(explorer_page.router)
    explorer_page.mount_static(app)
    app.add_middleware(RequestSizeLimit, max_bytes=services.settings.api.max_request_bytes)
    return app
