"""Tokens over HTTP, for admins: list, create (the secret is in the response once), revoke."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.deps import AdminDep, ServicesDep
from service.auth.principal import Role
from service.auth.tokens import CreatedToken, TokenInfo

router = APIRouter(prefix="/tokens", tags=["tokens"], responses={403: {"description": "not an admin"}})


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    departments: list[str] = Field(default_factory=list, max_length=100)
    labels: list[str] = Field(default_factory=list, max_length=100)
    role: Role = Role.reader
    expires_days: float | None = Field(None, gt=0, le=3650)


@router.get("", response_model=list[TokenInfo])
def list_tokens(services: ServicesDep, admin: AdminDep) -> list[TokenInfo]:
    return services.tokens.list()


@router.post("", response_model=CreatedToken, status_code=201)
def create_token(body: TokenRequest, services: ServicesDep, admin: AdminDep) -> CreatedToken:
    created = services.tokens.create(body.name, body.departments, body.labels, body.role, body.expires_days)
    services.audit.record(admin.name, "tokens", "ok", target=created.info.id,
                          detail=f"created {body.name!r} ({body.role.value})")
    return created


@router.delete("/{id_or_name}")
def revoke_token(services: ServicesDep, admin: AdminDep,
                 id_or_name: Annotated[str, Path(min_length=1, max_length=200)]) -> dict[str, int]:
    revoked = services.tokens.revoke(id_or_name)
    services.audit.record(admin.name, "tokens", "ok", target=id_or_name, detail=f"revoked {revoked}")
    return {"revoked": revoked}
