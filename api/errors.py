"""Every package's exceptions mapped to HTTP in one place; errors are JSON with a message."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from core.errors import GovKGError
from extraction.errors import LoaderError
from graph.errors import InvalidStoreUrl, NotFound, StoreUnavailable, WriteFailed
from ontology.errors import OntologyError
from qa.errors import BadQuestion, BadQuestionsFile, GeneratorFailed, ModelUnavailable, QaConfigError
from service.auth.errors import AuthConfigError, AuthError, BadTokenRequest, Forbidden, UnknownToken
from service.errors import QueryError

RETRY_AFTER_S = 5

# Every package's errors to HTTP statuses, most specific first; the first class an error is an instance of
# gives its status, and any other GovKGError (a package's base class: ExtractionError, GraphError, QaError) is 500.
STATUS_BY_ERROR: tuple[tuple[type[GovKGError], int], ...] = (
    (NotFound, 404),
    (StoreUnavailable, 503),  # with Retry-After: the store reconnects by itself when it is back
    (WriteFailed, 500),
    (InvalidStoreUrl, 500),
    (LoaderError, 422),
    (OntologyError, 422),
    (BadQuestion, 422),
    (BadQuestionsFile, 422),
    (ModelUnavailable, 503),
    (GeneratorFailed, 502),
    (QaConfigError, 500),
    (Forbidden, 403),
    (BadTokenRequest, 422),
    (UnknownToken, 404),
    (AuthConfigError, 500),
    (AuthError, 401),  # no valid token (MissingToken, InvalidToken, ExpiredToken, RevokedToken): WWW-Authenticate
    (QueryError, 422),
    (GovKGError, 500),
)


def status_for(kind: type[GovKGError]) -> int:
    """The HTTP status the API answers an error of this class with."""
    return next(status for error, status in STATUS_BY_ERROR if issubclass(kind, error))


def headers_for(status: int) -> dict[str, str] | None:
    """The headers an error answer of this status carries."""
    if status == 401:
        return {"WWW-Authenticate": 'Bearer realm="govkg"'}
    if status == 503:  # the store (or a model) is not there now: ask clients to come back
        return {"Retry-After": str(RETRY_AFTER_S)}
    return None


class ErrorDetail(BaseModel):
    status: int
    message: str
    code: str | None = None
    details: Any = None


class ErrorBody(BaseModel):
    """Every error the API answers: `{"error": {"status", "message", "code"?, "details"?}}`."""

    error: ErrorDetail


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, all with the ErrorBody shape."""
    what = {400: "the body cannot be parsed (not JSON, not UTF-8)", 401: "no valid bearer token",
            403: "the token's role or departments do not allow it", 404: "unknown, or not visible to the token",
            413: "the request is too large",
            503: "the store is unreachable (see Retry-After)"}
    return {status: {"model": ErrorBody, "description": what.get(status, "error")} for status in statuses}


def error_body(status: int, message: str, code: str | None = None, details: object = None) -> dict:
    body: dict[str, object] = {"error": {"status": status, "message": message}}
    if code:
        body["error"]["code"] = code  # type: ignore[index]
    if details is not None:
        body["error"]["details"] = details  # type: ignore[index]
    return body


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the application serves on the request's path (its `Allow` header)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    async def known_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GovKGError)
        status = status_for(type(exc))
        return JSONResponse(error_body(status, exc.message, exc.code), status_code=status, headers=headers_for(status))

    app.add_exception_handler(GovKGError, known_error)

    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg", "")}
            for err in exc.errors()
        ]
        message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems) or "invalid request"
        return JSONResponse(error_body(422, message, details=problems), status_code=422)

    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method of the path, not only those of the first route that matched
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code,
                            headers=headers or None)

    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
