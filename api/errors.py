"""Every package's exceptions mapped to HTTP in one place; errors are JSON with a message."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth.errors import AuthError
from api.qa.errors import BadQuestion, BadQuestionsFile, GeneratorFailed, ModelUnavailable, QaConfigError, QaError
from extraction.errors import ExtractionError, LoaderError
from graph.errors import GraphError, InvalidStoreUrl, NotFound, StoreUnavailable, WriteFailed
from ontology.errors import OntologyError

STATUS_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (NotFound, 404),
    (StoreUnavailable, 503),
    (WriteFailed, 500),
    (InvalidStoreUrl, 500),
    (GraphError, 500),
    (LoaderError, 422),
    (ExtractionError, 500),
    (OntologyError, 422),
    (BadQuestion, 422),
    (BadQuestionsFile, 422),
    (ModelUnavailable, 503),
    (GeneratorFailed, 502),
    (QaConfigError, 500),
    (QaError, 500),
)


def error_body(status: int, message: str, code: str | None = None, details: object = None) -> dict:
    body: dict[str, object] = {"error": {"status": status, "message": message}}
    if code:
        body["error"]["code"] = code  # type: ignore[index]
    if details is not None:
        body["error"]["details"] = details  # type: ignore[index]
    return body


def install_error_handlers(app: FastAPI) -> None:
    async def known_error(request: Request, exc: Exception) -> JSONResponse:
        status = next(code for kind, code in STATUS_BY_ERROR if isinstance(exc, kind))
        message = getattr(exc, "message", str(exc))
        return JSONResponse(error_body(status, message, getattr(exc, "code", None)), status_code=status)

    for kind, _ in STATUS_BY_ERROR:
        app.add_exception_handler(kind, known_error)

    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg", "")}
            for err in exc.errors()
        ]
        message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems) or "invalid request"
        return JSONResponse(error_body(422, message, details=problems), status_code=422)

    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    async def auth_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AuthError)
        headers = {"WWW-Authenticate": 'Bearer realm="govkg"'} if exc.status == 401 else None
        return JSONResponse(error_body(exc.status, exc.message, exc.code), status_code=exc.status, headers=headers)

    app.add_exception_handler(AuthError, auth_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
