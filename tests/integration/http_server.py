"""Run the real API with uvicorn on a free loopback port in a background thread."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from api.app import create_app
from api.auth.principal import Role
from api.services import Services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(services: Services) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_ok(client: httpx.Client) -> None:
    assert client.get("/health").status_code == 200


def bearer(services: Services, role: Role = Role.admin, departments: tuple[str, ...] = (),
           labels: tuple[str, ...] = (), name: str = "test-admin") -> dict[str, str]:
    """Headers with a fresh token of this role (created in the services' token store)."""
    created = services.tokens.create(name, list(departments), list(labels), role)
    return {"Authorization": f"Bearer {created.token}"}
