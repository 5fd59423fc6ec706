"""The graph explorer: one static page (HTML, JS, CSS and a vendored Cytoscape.js) over the JSON API.

`router` serves the page at `/` and `/explorer`; `mount_static(app)` serves `api/static/` under `/static`.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PAGE = STATIC_DIR / "explorer.html"
STATIC_PATH = "/static"

router = APIRouter(include_in_schema=False)


def _page() -> FileResponse:
    # no-cache: the browser revalidates (ETag) so a new page is picked up after an upgrade
    return FileResponse(PAGE, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})


@router.get("/", include_in_schema=False)
def root() -> FileResponse:
    return _page()


@router.get("/explorer", include_in_schema=False)
def explorer() -> FileResponse:
    return _page()


def mount_static(app: FastAPI) -> None:
    """Serve api/static under /static (once: a second call is a no-op)."""
    if any(isinstance(route, Mount) and route.path == STATIC_PATH for route in app.routes):
        return
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
