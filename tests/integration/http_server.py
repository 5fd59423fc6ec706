"""Run the real API with uvicorn on a free loopback port in a background thread."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from api.app import create_app
from service.auth.principal import Role
from service.components import Services
from tools.local_server import serve_app


@contextmanager
def serve(services: Services) -> Iterator[str]:
    """The real API of these services on a free loopback port (create_app looked up here: fixtures patch it)."""
    with serve_app(create_app(services)) as base:
        yield base


def wait_ok(client: httpx.Client) -> None:
    assert client.get("/health").status_code == 200


def bearer(services: Services, role: Role = Role.admin, departments: tuple[str, ...] = (),
           labels: tuple[str, ...] = (), name: str = "test-admin") -> dict[str, str]:
    """Headers with a fresh token of this role (created in the services' token store)."""
    created = services.tokens.create(name, list(departments), list(labels), role)
    return {"Authorization": f"Bearer {created.token}"}
