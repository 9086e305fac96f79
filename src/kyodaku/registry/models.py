"""SQL tables of the registry (SQLAlchemy 2 declarative, typed).

History is kept by never editing an entry in place: each rightsholder, entity
and permission row is valid from the registry version that wrote it until the
version that replaced or removed it (`valid_to_version`, NULL while current).
Any past version is then a plain query, which is what lets a decision be
explained later with exactly the registry it was made against.

The Alembic migrations in `migrations/versions` create these tables; a test
compares the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ID_LENGTH = 128


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones; it gets naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def _current_unique(table: str) -> Index:
    """At most one current row per id: a partial unique index (SQLite and PostgreSQL both have them)."""
    where = text("valid_to_version IS NULL")
    return Index(f"uq_{table}_current_id", "id", unique=True, sqlite_where=where, postgresql_where=where)


class RegistryVersion(Base):
    """One change to the registry: who made it, when, and a note saying what it was."""

    __tablename__ = "registry_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)


class _Temporal:
    """Columns every versioned table has."""

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    position: Mapped[int] = mapped_column(Integer)
    """Registration order, so an export lists entries in the order they were first registered."""
    valid_from_version: Mapped[int] = mapped_column(ForeignKey("registry_versions.version"), index=True)
    valid_to_version: Mapped[int | None] = mapped_column(ForeignKey("registry_versions.version"), index=True)


class RightsholderRow(_Temporal, Base):
    __tablename__ = "rightsholders"
    __table_args__ = (_current_unique("rightsholders"),)

    name: Mapped[dict[str, Any]]
    country: Mapped[str] = mapped_column(String(2))


class EntityRow(_Temporal, Base):
    __tablename__ = "entities"
    __table_args__ = (_current_unique("entities"),)

    kind: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    work: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    names: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    context: Mapped[dict[str, Any]]
    reference_globs: Mapped[list[Any]]
    ambiguous_names: Mapped[list[Any]]


class PermissionRow(_Temporal, Base):
    __tablename__ = "permissions"
    __table_args__ = (_current_unique("permissions"),)

    owner: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    subject: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    uses: Mapped[list[Any]]
    effect: Mapped[str] = mapped_column(String(8))
    licensees: Mapped[list[Any]]
    regions: Mapped[list[Any]]
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    conditions: Mapped[dict[str, Any]]


class ReferenceRow(_Temporal, Base):
    """A reference image or clip attached to an entity; its bytes live in the reference store by SHA-256.

    Versioned like the entries: attaching or removing one is a registry version, so the
    references a decision was screened against can be named later. `id` is derived from the
    entity and the content, so attaching the same file to the same entity twice is one reference.
    """

    __tablename__ = "entity_references"
    __table_args__ = (_current_unique("entity_references"),)

    entity_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    owner: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(8))
    format: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    duration: Mapped[float | None] = mapped_column(Float)
    hasher: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class MediaHashRow(Base):
    """One perceptual hash of a content (a frame, or a region of one), hashed once per (content, hasher).

    Not versioned: a content's hashes never change, and any number of references (of any
    entity, current or removed) share them through `sha256`.
    """

    __tablename__ = "media_hashes"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    hasher: Mapped[str] = mapped_column(String(32), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    frame: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)
    region: Mapped[str] = mapped_column(String(16))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    quality: Mapped[int] = mapped_column(SmallInteger)


class MediaDescriptorRow(Base):
    """A further descriptor of a content (a learned embedding, ORB keypoints), by kind; computed once."""

    __tablename__ = "media_descriptors"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    """An API key. Only the SHA-256 of the secret is stored; the secret is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    rightsholder_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LedgerEntryRow(Base):
    """One generation-ledger entry (provenance/ledger.py): append-only, enforced by triggers (0003)."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[str] = mapped_column(String(32), unique=True)
    short_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime]
    leaf_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


class LedgerMediaRow(Base):
    """The SHA-256 and the PDQ hash of one frame of an output a ledger entry recorded."""

    __tablename__ = "ledger_media"

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    pdq: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    quality: Mapped[int | None] = mapped_column(Integer)
    frame: Mapped[int] = mapped_column(Integer)


class LedgerHeadRow(Base):
    """A signed tree head: the Merkle root of the first `tree_size` entries, signed (Ed25519)."""

    __tablename__ = "ledger_heads"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(200))


class CaseRow(Base):
    """A claim or inquiry (claims/store.py): its current state; the history is `case_events`."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    rightsholder: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    entities: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    acknowledge_by: Mapped[datetime]
    decide_by: Mapped[datetime] = mapped_column(index=True)
    decided_at: Mapped[datetime | None]
    ledger_id: Mapped[str | None] = mapped_column(String(32))
    link: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    evidence: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)


class CaseEventRow(Base):
    """One transition of a case: append-only (triggers in migration 0004)."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),)

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)


class LedgerSubjectRow(Base):
    """What one ledger entry decided about one registered entry (migration 0005): an index derived
    from the entry's body, read by the portal's dashboards by (rightsholder, day)."""

    __tablename__ = "ledger_subjects"
    __table_args__ = (
        Index("ix_ledger_subjects_holder_day", "rightsholder", "day", "verdict"),
        Index("ix_ledger_subjects_holder_entity", "rightsholder", "entity", "verdict"),
        Index("ix_ledger_subjects_holder_seq", "rightsholder", "seq"),
    )

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    rightsholder: Mapped[str] = mapped_column(String(ID_LENGTH))
    entity: Mapped[str] = mapped_column(String(ID_LENGTH))
    kind: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(8))
    day: Mapped[str] = mapped_column(String(10))
    matcher: Mapped[str | None] = mapped_column(String(64))


class PortalSessionRow(Base):
    """A signed-in browser (migration 0005): the token's SHA-256, never the token."""

    __tablename__ = "portal_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class IdempotencyKeyRow(Base):
    """The first answer to a creating POST sent with an `Idempotency-Key` (migration 0006)."""

    __tablename__ = "idempotency_keys"

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))
    status: Mapped[int | None]
    headers: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(index=True)
