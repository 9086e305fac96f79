"""Idempotency keys in the registry database: reserve a key for a request, record its answer, find it.

See migration 0006 for why the rows live here. `reserve` either takes the key (a new `pending` row)
or says what is already there, in one statement, so two retries arriving at once cannot both run.
Rows older than `TTL` are ignored and purged: a key promises safe retries for a day, not forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError

from kyodaku.registry.models import IdempotencyKeyRow as K

TTL = timedelta(hours=24)


@dataclass(frozen=True)
class StoredAnswer:
    """What a key holds: the request it was used for, and its answer once done."""

    request_hash: str
    state: str  # "pending" | "done"
    status: int | None = None
    headers: str | None = None
    body: bytes | None = None


class IdempotencyKeys:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def reserve(self, owner: str, key: str, request_hash: str) -> StoredAnswer | None:
        """Take the key for this request (None), or return what it already holds."""
        now = datetime.now(UTC)
        with self._engine.begin() as conn:
            conn.execute(delete(K).where(K.owner == owner, K.key == key, K.created_at < now - TTL))
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(K), {"owner": owner, "key": key, "request_hash": request_hash,
                                         "state": "pending", "created_at": now})  # fmt: skip
            return None
        except SqlIntegrityError:
            pass
        with self._engine.connect() as conn:
            row = conn.execute(select(K).where(K.owner == owner, K.key == key)).first()
        if row is None:  # released between our insert and read: take it now
            return self.reserve(owner, key, request_hash)
        return StoredAnswer(row.request_hash, row.state, row.status, row.headers, row.body)

    def complete(self, owner: str, key: str, status: int, headers: str, body: bytes) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(K)
                .where(K.owner == owner, K.key == key)
                .values(state="done", status=status, headers=headers, body=body)
            )

    def release(self, owner: str, key: str) -> None:
        """Forget a reservation whose request did not succeed, so a corrected retry may use the key."""
        with self._engine.begin() as conn:
            conn.execute(delete(K).where(K.owner == owner, K.key == key, K.state == "pending"))

    def purge(self, before: datetime | None = None) -> int:
        cutoff = before or datetime.now(UTC) - TTL
        with self._engine.begin() as conn:
            return conn.execute(delete(K).where(K.created_at < cutoff)).rowcount or 0
