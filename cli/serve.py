"""`govkg serve`: the HTTP API (api/)."""
from __future__ import annotations

from typing import Annotated

import typer

from cli.app import StoreOpt, app, opened, settings_of
from cli.output import err_console
from qa.errors import QaError
from service.auth.errors import AuthError


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings: 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings: 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (each loads its own models).")] = 1,
    store: StoreOpt = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    from api.app import create_app

    settings = settings_of(ctx)
    host, port = host or settings.api.host, port or settings.api.port
    if workers > 1:  # uvicorn starts the workers from an import string; each builds the app from the settings
        from api import asgi

        os.environ[asgi.HOST_ENV] = host
        if store:
            os.environ[asgi.STORE_ENV] = store
        config = ctx.find_root().params.get("config")
        if config:
            os.environ["GOVKG_CONFIG"] = str(config)
        err_console.print(f"GovKG API on http://{host}:{port} with {workers} workers (auth: {settings.api.auth})")
        uvicorn.run("api.asgi:create", factory=True, host=host, port=port, workers=workers, log_level="warning")
        return
    with opened(ctx, store, errors=(AuthError,)) as services:
        store_name = services.store.name  # opens the store now, not at the first request: fail when it is unreachable
        if settings.qa.preload:  # load the QA models before listening: the first question must not wait for them
            err_console.print("loading the question-answering models (qa.preload)…")
            try:
                services.qa.warm_up(generative=settings.qa.mode != "extractive")
            except QaError as exc:
                err_console.print(f"[yellow]question answering will fail:[/] {exc}", highlight=False)
        api = create_app(services, host)
        err_console.print(f"GovKG API on http://{host}:{port}  (docs: http://{host}:{port}/docs, store: {store_name}, "
                          f"auth: {settings.api.auth})")
        uvicorn.run(api, host=host, port=port, log_level="info")
