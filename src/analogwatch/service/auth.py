"""Bearer tokens and roles.

A token reads ``aw_<id>_<secret>``: ``id`` is the public handle used to revoke it, ``secret`` is 256
random bits. Only the SHA-256 of the whole token is stored; a salted slow hash is unnecessary for
secrets of that entropy (nothing to brute-force), and a plain digest allows an indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

TOKEN_PREFIX = "aw_"


class Role(StrEnum):
    """What a token may do within its agency."""

    ADMIN = "admin"  # everything below, plus the audit log and the agency's webhook
    ANALYST = "analyst"  # submit and import reports, plus everything read-only may do
    READ_ONLY = "read-only"  # read, search and export visible reports; read substances and alerts


#: the roles allowed to write reports
WRITERS = frozenset({Role.ADMIN, Role.ANALYST})


@dataclass(frozen=True)
class Principal:
    """Who is asking: the agency and the token (with its role) that authenticated the request."""

    agency_id: int
    agency_name: str
    country: str
    jurisdiction: str
    token_id: str
    role: Role


def new_token() -> tuple[str, str, str]:
    """A fresh token: (token_id, token, sha256 hex of the token)."""
    token_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    return token_id, token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id_of(text: str) -> str:
    """The id part of a token, or the text itself when it is already an id."""
    if text.startswith(TOKEN_PREFIX):
        return text[len(TOKEN_PREFIX):].split("_", 1)[0]
    return text
