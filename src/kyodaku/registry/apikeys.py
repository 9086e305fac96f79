"""API keys: create (secret shown once), authenticate, revoke.

Only a SHA-256 of each secret is stored, so a copy of the database grants
nothing. A secret is `kyk_` plus 32 random bytes (URL-safe base64); its first
12 characters are stored in clear as a lookup prefix (that is how a key is
found without scanning) and to let people tell their keys apart. Secrets carry
256 bits of entropy, so a fast unsalted hash is enough; the comparison is
constant-time all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyodaku.domain.access import Principal, Role
from kyodaku.domain.errors import InvalidInput, NotFound, Unauthenticated
from kyodaku.domain.model import utcnow
from kyodaku.registry.database import StorePart
from kyodaku.registry.models import ApiKeyRow, RightsholderRow
from kyodaku.registry.versions import current_row

SECRET_PREFIX = "kyk_"
LOOKUP_PREFIX_LENGTH = 12
_MAX_SECRET_LENGTH = 200
_UNAUTHENTICATED = "invalid or revoked API key"


@dataclass(frozen=True)
class CreatedKey:
    """A new key. `secret` exists only here: it is never stored and cannot be shown again."""

    id: str
    secret: str
    role: Role
    rightsholder: str | None = None

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return f"CreatedKey(id={self.id!r}, role={self.role.value!r}, rightsholder={self.rightsholder!r})"


@dataclass(frozen=True)
class KeyInfo:
    """What may be listed about a key: never the secret or its hash."""

    id: str
    prefix: str
    role: Role
    rightsholder: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(session: Session, role: Role | str, rightsholder: str | None, label: str | None) -> CreatedKey:
    """Insert a key. The caller checks that `rightsholder` exists (it knows the registry)."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; use one of: {', '.join(Role)}") from None
    if (role is Role.RIGHTSHOLDER) != (rightsholder is not None):
        raise InvalidInput("a rightsholder key needs a rightsholder, and only a rightsholder key has one")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key_id = "key_" + secrets.token_hex(8)
    session.add(
        ApiKeyRow(
            id=key_id,
            prefix=secret[:LOOKUP_PREFIX_LENGTH],
            secret_hash=hash_secret(secret),
            role=role.value,
            rightsholder_id=rightsholder,
            label=label,
            created_at=utcnow(),
            revoked_at=None,
        )
    )
    return CreatedKey(id=key_id, secret=secret, role=role, rightsholder=rightsholder)


def authenticate(session: Session, secret: str | None) -> Principal:
    """The principal a secret stands for; Unauthenticated for a missing, unknown or revoked key."""
    if not secret or not isinstance(secret, str):
        raise Unauthenticated("an API key is required")
    if not secret.startswith(SECRET_PREFIX) or len(secret) > _MAX_SECRET_LENGTH:
        raise Unauthenticated(_UNAUTHENTICATED)
    digest = hash_secret(secret)
    candidates = session.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == secret[:LOOKUP_PREFIX_LENGTH]))
    for row in candidates:
        if hmac.compare_digest(row.secret_hash, digest) and row.revoked_at is None:
            return Principal(key_id=row.id, role=Role(row.role), rightsholder=row.rightsholder_id)
    raise Unauthenticated(_UNAUTHENTICATED)


def principal_of_key(session: Session, key_id: str) -> Principal:
    """The principal of a key already authenticated once (a portal session holds its id, never the
    secret); Unauthenticated once the key is revoked or gone, so revoking a key ends its sessions."""
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        raise Unauthenticated(_UNAUTHENTICATED)
    return Principal(key_id=row.id, role=Role(row.role), rightsholder=row.rightsholder_id)


def revoke_key(session: Session, key_id: str) -> None:
    """Revoke a key for good. Revoking a revoked key is a no-op (the outcome the caller wanted)."""
    row = session.get(ApiKeyRow, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def list_keys(session: Session, rightsholder: str | None = None) -> list[KeyInfo]:
    query = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
    if rightsholder is not None:
        query = query.where(ApiKeyRow.rightsholder_id == rightsholder)
    return [
        KeyInfo(
            row.id, row.prefix, Role(row.role), row.rightsholder_id, row.label, row.created_at, row.revoked_at
        )
        for row in session.scalars(query)
    ]


class ApiKeys(StorePart):
    """API keys in the store. Not registry content: no version, no history."""

    def create_key(
        self, role: Role | str, rightsholder: str | None = None, label: str | None = None
    ) -> CreatedKey:
        """The secret is in the result and nowhere else. A rightsholder key names an existing one."""
        with self._write() as session:
            if rightsholder is not None and current_row(session, RightsholderRow, rightsholder) is None:
                raise InvalidInput(f"unknown rightsholder {rightsholder!r}")
            return create_key(session, role, rightsholder, label)

    def authenticate(self, secret: str | None) -> Principal:
        with self._read() as session:
            return authenticate(session, secret)

    def principal_of_key(self, key_id: str) -> Principal:
        with self._read() as session:
            return principal_of_key(session, key_id)

    def revoke_key(self, key_id: str) -> None:
        with self._write() as session:
            revoke_key(session, key_id)

    def list_keys(self, rightsholder: str | None = None) -> list[KeyInfo]:
        with self._read() as session:
            return list_keys(session, rightsholder)
