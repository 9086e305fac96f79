"""Portal sign-in sessions: a random token in an HttpOnly cookie, its SHA-256 in the registry database.

Why server-side rows rather than a signed cookie: signing out must end the session for good (a copy
of the cookie replayed afterwards is refused), and revoking the API key a session was opened with
must end it too. Both need state the server checks on every request; a signed cookie alone stays
valid until it expires. The row stores only the token's hash (a copy of the database signs nobody
in), the key's id (never its secret), the form token (CSRF) and the expiry.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from kyodaku.domain.access import Principal
from kyodaku.domain.errors import Unauthenticated
from kyodaku.registry.models import PortalSessionRow

SESSION_TTL = timedelta(hours=8)
"""How long a sign-in lasts: a working day; then the key is asked for again."""
_MAX_TOKEN = 200


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class PortalSession:
    """A signed-in browser: who (re-read from the key on every request), its form token, its language."""

    id: str
    principal: Principal
    csrf: str
    lang: str
    expires_at: datetime


@dataclass(frozen=True)
class OpenedSession:
    """A new session and the token for its cookie (the token exists only here and in the cookie)."""

    token: str
    session: PortalSession


class SessionStore:
    """Open, find and end portal sessions in the registry database."""

    def __init__(
        self, store, ttl: timedelta = SESSION_TTL, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.store = store  # the RegistryStore: its engine, and the API keys sessions stand on
        self.ttl = ttl
        self.clock = clock or (lambda: datetime.now(UTC))

    def open(self, secret: str, lang: str) -> OpenedSession:
        """Sign in with an API key's secret; Unauthenticated for a wrong or revoked key."""
        principal = self.store.authenticate((secret or "").strip())
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = PortalSession(_digest(token), principal, secrets.token_urlsafe(32), lang, now + self.ttl)
        with self.store.engine.begin() as conn:
            conn.execute(
                insert(PortalSessionRow),
                {
                    "id": session.id,
                    "key_id": principal.key_id,
                    "csrf": session.csrf,
                    "lang": lang,
                    "created_at": now,
                    "expires_at": session.expires_at,
                    "revoked_at": None,
                },
            )
        return OpenedSession(token, session)

    def find(self, token: str | None) -> PortalSession | None:
        """The live session a cookie names, or None: unknown, expired, signed out, or its key revoked."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        with self.store.engine.connect() as conn:
            row = conn.execute(select(PortalSessionRow).where(PortalSessionRow.id == _digest(token))).first()
        if row is None or row.revoked_at is not None or _aware(row.expires_at) <= self.clock():
            return None
        try:
            principal = self.store.principal_of_key(row.key_id)
        except Unauthenticated:
            return None
        return PortalSession(row.id, principal, row.csrf, row.lang, _aware(row.expires_at))

    def close(self, token: str | None) -> None:
        """Sign out: the row is marked, so the same cookie never works again."""
        if not token or len(token) > _MAX_TOKEN:
            return
        with self.store.engine.begin() as conn:
            conn.execute(
                update(PortalSessionRow)
                .where(PortalSessionRow.id == _digest(token), PortalSessionRow.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )

    def set_lang(self, session: PortalSession, lang: str) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(update(PortalSessionRow).where(PortalSessionRow.id == session.id).values(lang=lang))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
