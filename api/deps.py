"""Dependencies injected into routes through Annotated: the services, the store, and who is asking."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from graph.store import GraphStore
from graph.visibility import Scope
from service.auth.errors import Errors, MissingToken
from service.auth.principal import AUTH_OFF, Principal, Role
from service.components import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_store(services: Annotated[Services, Depends(get_services)]) -> GraphStore:
    return services.store


# declares the scheme in the OpenAPI document (the docs' "Authorize" button); the checks are ours
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="token",
                           description="A token from `govkg tokens create` (or `POST /tokens`).")


def get_principal(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The principal of the request's bearer token (401 without a valid one); every request acts as an
    administrator when `api.auth = "off"` (loopback only, checked when the app is built)."""
    if services.settings.api.auth == "off":
        return AUTH_OFF
    if credentials is None or not credentials.credentials.strip():
        raise MissingToken(Errors.A001)
    principal = services.tokens.verify(credentials.credentials.strip())
    request.state.principal = principal
    return principal


def get_scope(principal: Annotated[Principal, Depends(get_principal)]) -> Scope | None:
    return principal.scope


def require_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require_role(Role.admin)
    return principal


ServicesDep = Annotated[Services, Depends(get_services)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
ScopeDep = Annotated[Scope | None, Depends(get_scope)]
AdminDep = Annotated[Principal, Depends(require_admin)]
