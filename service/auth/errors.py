"""Errors of authentication and authorization; `api/errors.py` maps them to HTTP (401, 403)."""
from __future__ import annotations


class AuthError(Exception):
    code = "A000"
    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message


class MissingToken(AuthError):
    """No `Authorization: Bearer …` header."""

    code = "A001"


class InvalidToken(AuthError):
    """A token the service does not know, or malformed."""

    code = "A002"


class ExpiredToken(AuthError):
    code = "A003"


class RevokedToken(AuthError):
    code = "A004"


class Forbidden(AuthError):
    """A known principal asking for something its role or departments do not allow."""

    code = "A010"
    status = 403


class BadTokenRequest(AuthError):
    """`tokens create` / `revoke` with arguments that cannot work (no department, unknown token...)."""

    code = "A020"
    status = 422


class UnknownToken(AuthError):
    """`tokens revoke` of an id or name no active token has."""

    code = "A021"
    status = 404


class AuthConfigError(AuthError):
    """`service.auth = "off"` on an address that is not loopback."""

    code = "A030"
    status = 500
