"""All error messages of authentication and authorization, with codes, and their exceptions (see
core/errors.py); `api/errors.py` maps them to HTTP (A00x 401, A01x 403, A020 422, A021 404, A030 500)."""
from __future__ import annotations

from core.errors import Catalogue, GovKGError


class Errors(Catalogue):
    # no valid token (401)
    A001 = "this endpoint needs an `Authorization: Bearer <token>` header"
    A002 = "the token is not valid"
    A003 = "the token has expired"
    A004 = "the token was revoked"
    # a known principal asking for more than it holds (403)
    A010 = "{name!r} is a {role}; this needs the {needed} role"
    A011 = "{name!r} may not import into or delete from {where}"
    A012 = "{name!r} does not hold department {department!r}"
    # `govkg tokens create` / `revoke`
    A020 = "a token needs a --name"
    A021 = "no active token with id or name {token!r}"
    A022 = "a reader or editor token needs at least one --department"
    A023 = "--expires must be a positive number of days"
    # settings
    A030 = 'api.auth = "off" is refused on {host!r}: only a loopback address may serve without tokens'


class AuthError(GovKGError):
    """Base class of authentication and authorization errors."""

    catalogue = Errors
    package = "service.auth"


class MissingToken(AuthError):
    """No `Authorization: Bearer …` header."""


class InvalidToken(AuthError):
    """A token the service does not know, or malformed."""


class ExpiredToken(AuthError):
    """A token past its expiry."""


class RevokedToken(AuthError):
    """A token that was revoked."""


class Forbidden(AuthError):
    """A known principal asking for something its role or departments do not allow."""


class BadTokenRequest(AuthError):
    """`tokens create` / `revoke` with arguments that cannot work (no department, unknown token...)."""


class UnknownToken(AuthError):
    """`tokens revoke` of an id or name no active token has."""


class AuthConfigError(AuthError):
    """`api.auth = "off"` on an address that is not loopback."""
