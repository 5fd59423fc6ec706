"""The app built from the environment's settings, for uvicorn's worker processes (`govkg serve --workers N`):
each worker builds its own services. `GOVKG_SERVE_HOST` is the address the workers bind (the auth check)."""
from __future__ import annotations

import os

from fastapi import FastAPI

from api.app import create_app
from core.settings import load_settings
from service.components import build_services

STORE_ENV = "GOVKG_SERVE_STORE"
HOST_ENV = "GOVKG_SERVE_HOST"


def create() -> FastAPI:
    settings = load_settings()
    services = build_services(settings, os.environ.get(STORE_ENV) or None)
    if settings.qa.preload:  # before serving, as `govkg serve` does: a worker answers only once it is warm
        from qa.errors import QaError

        try:
            services.qa.warm_up(generative=settings.qa.mode != "extractive")
        except QaError:
            pass  # reported when a question needs the model
    return create_app(services, os.environ.get(HOST_ENV) or settings.api.host)
