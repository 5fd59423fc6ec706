"""Bearer tokens: created once (printed once), stored only as salted SHA-256 hashes, checked in constant time.

A token reads `gkg_<id>_<secret>`: `id` (12 hex) finds the row, the 256-bit `secret` is hashed with the row's
salt and compared with `hmac.compare_digest`. A random 256-bit secret needs no slow key derivation (there is
nothing to brute-force), which keeps a check well under a millisecond.

Tokens live in their own SQLite file beside the data (`<data_dir>/tokens.sqlite3`), whichever graph store is
used: the CLI that manages them holds that directory.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from service.auth.errors import (
    BadTokenRequest,
    Errors,
    ExpiredToken,
    InvalidToken,
    RevokedToken,
    UnknownToken,
)
from service.auth.principal import Principal, Role

PREFIX = "gkg_"
_ID_HEX = 12

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    departments TEXT NOT NULL,
    labels TEXT NOT NULL,
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS tokens_name ON tokens(name);
"""
INSERT_TOKEN = """INSERT INTO tokens (id, name, role, departments, labels, salt, hash, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"""
TOKEN_BY_ID = "SELECT * FROM tokens WHERE id = ?"
TOKENS = "SELECT * FROM tokens ORDER BY created_at, id"
REVOKE = "UPDATE tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL"


class TokenInfo(BaseModel):
    """A token as `tokens list` shows it (never its secret nor its hash)."""

    id: str
    name: str
    role: Role
    departments: list[str]
    labels: list[str]
    created_at: str
    expires_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > _now().isoformat())


class CreatedToken(BaseModel):
    info: TokenInfo
    token: str  # shown once


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(salt: bytes, secret: str) -> bytes:
    return hashlib.sha256(salt + secret.encode("utf-8")).digest()


# compared against when the id is unknown, so that unknown and wrong tokens take the same time
_DUMMY_SALT = secrets.token_bytes(16)
_DUMMY_HASH = _hash(_DUMMY_SALT, "x")


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def create(self, name: str, departments: list[str], labels: list[str] | None = None,
               role: Role = Role.reader, expires_days: float | None = None) -> CreatedToken:
        if not name.strip():
            raise BadTokenRequest(Errors.A020)
        if role is not Role.admin and not departments:
            raise BadTokenRequest(Errors.A022)
        if expires_days is not None and expires_days <= 0:
            raise BadTokenRequest(Errors.A023)
        token_id = secrets.token_hex(_ID_HEX // 2)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        now = _now()
        expires = (now + timedelta(days=expires_days)).isoformat() if expires_days is not None else None
        depts, labs = sorted(set(departments)), sorted(set(labels or ()))
        with self._conn() as conn:
            conn.execute(INSERT_TOKEN, (token_id, name, role.value, json.dumps(depts), json.dumps(labs), salt,
                                        _hash(salt, secret), now.isoformat(), expires))
        info = TokenInfo(id=token_id, name=name, role=role, departments=depts, labels=labs,
                         created_at=now.isoformat(), expires_at=expires, revoked_at=None)
        return CreatedToken(info=info, token=f"{PREFIX}{token_id}_{secret}")

    def list(self) -> list[TokenInfo]:
        return [_info(r) for r in self._conn().execute(TOKENS)]

    def revoke(self, id_or_name: str) -> int:
        """Revoke the token with this id, or every active token with this name; how many were revoked."""
        with self._conn() as conn:
            n = conn.execute(REVOKE, (_now().isoformat(), id_or_name, id_or_name)).rowcount
        if n == 0:
            raise UnknownToken(Errors.A021, token=id_or_name)
        return n

    def verify(self, token: str) -> Principal:
        """The principal of a bearer token; InvalidToken, ExpiredToken or RevokedToken otherwise."""
        token_id, secret = _parse(token)
        row = self._conn().execute(TOKEN_BY_ID, (token_id,)).fetchone() if token_id else None
        salt, expected = (row["salt"], row["hash"]) if row is not None else (_DUMMY_SALT, _DUMMY_HASH)
        matches = hmac.compare_digest(_hash(salt, secret), expected)
        if row is None or not matches:
            raise InvalidToken(Errors.A002)
        if row["revoked_at"] is not None:
            raise RevokedToken(Errors.A004)
        if row["expires_at"] is not None and row["expires_at"] <= _now().isoformat():
            raise ExpiredToken(Errors.A003)
        return Principal(name=row["name"], role=Role(row["role"]),
                         departments=frozenset(json.loads(row["departments"])),
                         labels=frozenset(json.loads(row["labels"])))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _parse(token: str) -> tuple[str, str]:
    if not token.startswith(PREFIX):
        return "", token
    token_id, _, secret = token[len(PREFIX):].partition("_")
    if len(token_id) != _ID_HEX or not secret:
        return "", token
    return token_id, secret


def _info(row: sqlite3.Row) -> TokenInfo:
    return TokenInfo(id=row["id"], name=row["name"], role=Role(row["role"]),
                     departments=json.loads(row["departments"]), labels=json.loads(row["labels"]),
                     created_at=row["created_at"], expires_at=row["expires_at"], revoked_at=row["revoked_at"])
