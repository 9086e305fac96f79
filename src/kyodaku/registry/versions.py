"""Registry versions: the history of changes, and the registry as it was at any of them.

Nothing is edited in place. Every change (one put, one removal, one import) creates exactly one
new row in `registry_versions` (`new_version`); the rows it replaces are closed at that version
and new rows are opened. A row is therefore visible at version v when it was opened at or before
v and not closed by v (`visible_at`), which is how any past registry is rebuilt (`catalog_at`),
and that is what answers "what was permitted when this was generated?".

The query helpers here are shared by every part of the store that reads versioned rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from kyodaku.domain.errors import InvalidInput, NotFound
from kyodaku.domain.model import Catalog, Permission, to_utc, utcnow
from kyodaku.registry.database import StorePart
from kyodaku.registry.models import EntityRow, PermissionRow, ReferenceRow, RegistryVersion, RightsholderRow
from kyodaku.registry.rows import entity_from_row, permission_from_row, rightsholder_from_row


@dataclass(frozen=True)
class PermissionChange:
    """One version of one permission: `opened` (granted or changed at `version`) or `closed`
    (replaced or revoked at `version`)."""

    version: int
    at: datetime
    actor: str
    change: str
    permission: Permission


class ChangeAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


@dataclass(frozen=True)
class ChangeResult:
    """What one put or removal did, and the registry version that now holds it."""

    version: int
    action: ChangeAction


@dataclass(frozen=True)
class VersionInfo:
    version: int
    created_at: datetime
    actor: str
    note: str


@dataclass(frozen=True)
class PermissionsUpdate:
    version: int
    permissions: tuple[Permission, ...]


Row = TypeVar("Row", RightsholderRow, EntityRow, PermissionRow, ReferenceRow)


def current(model: type[Row]) -> ColumnElement[bool]:
    """The rows of the current registry (not closed yet)."""
    return model.valid_to_version.is_(None)


def visible_at(model: type[Row], version: int) -> ColumnElement[bool]:
    """The rows of the registry as it was at `version`."""
    return and_(
        model.valid_from_version <= version,
        or_(model.valid_to_version.is_(None), model.valid_to_version > version),
    )


def current_row(session: Session, model: type[Row], entry_id: str) -> Row | None:
    return session.scalar(select(model).where(model.id == entry_id, current(model)))


def rows_at(session: Session, model: type[Row], version: int) -> list[Row]:
    """The rows visible at `version`, in registration order."""
    query = select(model).where(visible_at(model, version)).order_by(model.position, model.row_id)
    return list(session.scalars(query))


def next_position(session: Session, model: type[Row]) -> int:
    return (session.scalar(select(func.max(model.position))) or 0) + 1


def latest(session: Session) -> int:
    """The latest version; 0 before the first change."""
    return session.scalar(select(func.max(RegistryVersion.version))) or 0


def version_at(session: Session, at: datetime) -> int:
    query = select(func.max(RegistryVersion.version)).where(RegistryVersion.created_at <= to_utc(at))
    return session.scalar(query) or 0


def new_version(session: Session, actor: str, note: str) -> int:
    """Open the next version (inside a write transaction, which holds the registry lock)."""
    last = session.scalar(select(RegistryVersion).order_by(RegistryVersion.version.desc()).limit(1))
    now = utcnow()
    if last is not None and last.created_at > now:
        now = last.created_at  # a clock stepping back must not make versions go back in time
    version = (last.version if last else 0) + 1
    session.add(RegistryVersion(version=version, created_at=now, actor=actor[:200], note=note[:2000]))
    session.flush()
    return version


class Versions(StorePart):
    """The version history, and whole catalogs rebuilt at a version."""

    def current_version(self) -> int:
        """The latest version; 0 before the first change. Cheap: the guard polls it."""
        with self._read() as session:
            return latest(session)

    def version_at(self, at: datetime) -> int:
        """The version that was current at `at` (0 if the registry was empty then)."""
        with self._read() as session:
            return version_at(session, at)

    def history(self, limit: int = 50) -> list[VersionInfo]:
        """The latest changes, newest first."""
        with self._read() as session:
            rows = session.scalars(
                select(RegistryVersion).order_by(RegistryVersion.version.desc()).limit(limit)
            )
            return [VersionInfo(r.version, r.created_at, r.actor, r.note) for r in rows]

    def permission_history(self, owner: str | None = None, limit: int = 200) -> list[PermissionChange]:
        """Every version of `owner`'s permissions (everyone's for None), newest change first: when
        each was granted, changed or revoked, and by whom. A rightsholder may read this part of the
        history, unlike the registry-wide one, because it holds only its own rows."""
        with self._read() as session:
            opened = select(PermissionRow, RegistryVersion).join(
                RegistryVersion, RegistryVersion.version == PermissionRow.valid_from_version
            )
            closed = select(PermissionRow, RegistryVersion).join(
                RegistryVersion, RegistryVersion.version == PermissionRow.valid_to_version
            )
            if owner is not None:
                mine = PermissionRow.owner == owner
                opened, closed = opened.where(mine), closed.where(mine)
            changes = [
                PermissionChange(v.version, v.created_at, v.actor, "opened", permission_from_row(row))
                for row, v in session.execute(opened.order_by(RegistryVersion.version.desc()).limit(limit))
            ] + [
                PermissionChange(v.version, v.created_at, v.actor, "closed", permission_from_row(row))
                for row, v in session.execute(closed.order_by(RegistryVersion.version.desc()).limit(limit))
            ]
        changes.sort(key=lambda c: (-c.version, c.change != "closed"))
        return changes[:limit]

    def catalog_at(self, version: int | None = None, at: datetime | None = None) -> Catalog:
        """The registry as it was at `version`, or at time `at`, or now; `Catalog.version` says which."""
        if version is not None and at is not None:
            raise InvalidInput("give a version or a time, not both")
        with self._read() as session:
            last = latest(session)
            if at is not None:
                version = version_at(session, at)
            elif version is None:
                version = last
            if version < 0 or version > last:
                raise NotFound(f"registry version {version} does not exist (the latest is {last})")
            return Catalog(
                rightsholders=tuple(
                    rightsholder_from_row(r) for r in rows_at(session, RightsholderRow, version)
                ),
                entities=tuple(entity_from_row(r) for r in rows_at(session, EntityRow, version)),
                permissions=tuple(permission_from_row(r) for r in rows_at(session, PermissionRow, version)),
                version=version,
            )

    def permissions_update(self, since: int) -> PermissionsUpdate | None:
        """The permissions at the latest version, if nothing but permissions changed after `since`.

        Why: a permission change is the frequent case, and re-reading every entry (50,000 rows
        at scale) to learn that only a permission moved is what made "permission added -> next
        request obeys it" slow. None means entries, rightsholders or references changed too:
        read it all.
        """
        with self._read() as session:
            last = latest(session)
            if since > last:
                return None
            for model in (RightsholderRow, EntityRow, ReferenceRow):
                changed = session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(
                        ((model.valid_from_version > since) & (model.valid_from_version <= last))
                        | ((model.valid_to_version > since) & (model.valid_to_version <= last))
                    )
                )
                if changed:
                    return None
            rows = rows_at(session, PermissionRow, last)
            return PermissionsUpdate(last, tuple(permission_from_row(r) for r in rows))
