"""Entries of the current registry, one at a time: rightsholders, entities and permissions.

Each put or removal runs in one transaction under the registry write lock and creates exactly one
new version (`versions.new_version`); a put that changes nothing creates none. Every write is
checked with the same rules as catalog files (`integrity`), so the registry can always be exported
as a valid catalog. Authorization is not done here but by the guard a caller passes (see
`service.py`), which runs inside the transaction, while the registry is locked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyodaku.domain.errors import Conflict, InvalidInput, NotFound
from kyodaku.domain.model import Entity, EntityKind, Permission, Rightsholder, to_utc
from kyodaku.registry import integrity
from kyodaku.registry.database import StorePart
from kyodaku.registry.models import EntityRow, PermissionRow, RightsholderRow
from kyodaku.registry.paging import Page, PageQuery
from kyodaku.registry.reference_rows import close_references
from kyodaku.registry.rows import (
    entity_from_row,
    entity_row,
    permission_from_row,
    permission_row,
    rightsholder_from_row,
    rightsholder_row,
)
from kyodaku.registry.versions import (
    ChangeAction,
    ChangeResult,
    Row,
    current,
    current_row,
    latest,
    new_version,
    next_position,
    version_at,
)

Value = TypeVar("Value", Rightsholder, Entity, Permission)

# Canonical forms: what a value reads back as after a round trip through the database
# (tuples, enums, aware UTC datetimes), so "unchanged" compares like with like.


def canonical_entity(value: Entity) -> Entity:
    return entity_from_row(entity_row(value, version=0, position=0))


def canonical_permission(value: Permission) -> Permission:
    read = permission_from_row(permission_row(value, version=0, position=0))
    return replace(read, valid_from=_utc(read.valid_from), valid_until=_utc(read.valid_until))


def _utc(value: datetime | None) -> datetime | None:
    moment = to_utc(value)
    return moment.astimezone(UTC) if moment is not None else None


def canonical_rightsholder(value: Rightsholder) -> Rightsholder:
    return rightsholder_from_row(rightsholder_row(value, version=0, position=0))


class CurrentRegistry:
    """The current registry, read inside a write transaction (an integrity.Lookup, and more for guards)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def has_rightsholder(self, rightsholder_id: str) -> bool:
        return current_row(self._session, RightsholderRow, rightsholder_id) is not None

    def rightsholder(self, rightsholder_id: str) -> Rightsholder | None:
        row = current_row(self._session, RightsholderRow, rightsholder_id)
        return rightsholder_from_row(row) if row is not None else None

    def entity(self, entity_id: str) -> Entity | None:
        row = current_row(self._session, EntityRow, entity_id)
        return entity_from_row(row) if row is not None else None

    def permission(self, permission_id: str) -> Permission | None:
        row = current_row(self._session, PermissionRow, permission_id)
        return permission_from_row(row) if row is not None else None


PutGuard = Callable[[Value | None, CurrentRegistry], None]
"""Called inside a put's transaction with the entry's current value (None if new); raises to refuse.
This is how `service.py` enforces ownership atomically, while the registry is locked."""
RemoveGuard = Callable[[Value], None]
"""Called inside a removal's transaction with the current value; raises to refuse."""

_WHAT = {RightsholderRow: "rightsholder", EntityRow: "entry", PermissionRow: "permission"}


class Entries(StorePart):
    """Puts, removals and reads of single entries of the current registry."""

    # ------------------------------------------------------------ changes

    def upsert_rightsholder(
        self, rightsholder: Rightsholder, actor: str, *, guard: PutGuard[Rightsholder] | None = None
    ) -> ChangeResult:
        with self._write() as session:
            lookup = CurrentRegistry(session)
            if guard is not None:
                guard(lookup.rightsholder(rightsholder.id), lookup)
            problems = integrity.rightsholder_problems(rightsholder)
            if problems:
                raise _invalid("rightsholder", rightsholder.id, problems)
            value = canonical_rightsholder(rightsholder)
            return _put(session, RightsholderRow, value, rightsholder_row, rightsholder_from_row, actor)

    def put_entity(
        self, entity: Entity, actor: str, *, guard: PutGuard[Entity] | None = None
    ) -> ChangeResult:
        """Create or replace an entry. Unknown owner or work: InvalidInput; breaks a dependent: Conflict."""
        with self._write() as session:
            lookup = CurrentRegistry(session)
            if guard is not None:
                guard(lookup.entity(entity.id), lookup)
            problems = integrity.entity_problems(entity, lookup)
            if problems:
                raise _invalid(str(entity.kind), entity.id, problems)
            value = canonical_entity(entity)
            _check_dependents(session, value.id, value)
            return _put(session, EntityRow, value, entity_row, entity_from_row, actor)

    def remove_entity(
        self, entity_id: str, actor: str, *, guard: RemoveGuard[Entity] | None = None
    ) -> ChangeResult:
        """Remove an entry (its history stays). Refused while characters or permissions point at it."""
        with self._write() as session:
            row = current_row(session, EntityRow, entity_id)
            if row is None:
                raise NotFound(f"no entry {entity_id!r}")
            if guard is not None:
                guard(entity_from_row(row))
            _check_dependents(session, entity_id, None)
            version = new_version(session, actor, f"remove {row.kind} {entity_id}")
            row.valid_to_version = version
            close_references(session, [entity_id], version)
            return ChangeResult(version, ChangeAction.REMOVED)

    def put_permission(
        self, permission: Permission, actor: str, *, guard: PutGuard[Permission] | None = None
    ) -> ChangeResult:
        """Create or replace a permission. Unknown owner or subject, or another's subject: InvalidInput."""
        with self._write() as session:
            lookup = CurrentRegistry(session)
            if guard is not None:
                guard(lookup.permission(permission.id), lookup)
            problems = integrity.permission_problems(permission, lookup)
            if problems:
                raise _invalid("permission", permission.id, problems)
            value = canonical_permission(permission)
            return _put(session, PermissionRow, value, permission_row, permission_from_row, actor)

    def revoke_permission(
        self, permission_id: str, actor: str, *, guard: RemoveGuard[Permission] | None = None
    ) -> ChangeResult:
        """End a permission from the next version on; earlier versions still show it."""
        with self._write() as session:
            row = current_row(session, PermissionRow, permission_id)
            if row is None:
                raise NotFound(f"no permission {permission_id!r}")
            if guard is not None:
                guard(permission_from_row(row))
            version = new_version(session, actor, f"revoke permission {permission_id}")
            row.valid_to_version = version
            return ChangeResult(version, ChangeAction.REMOVED)

    # ------------------------------------------------------------ reads

    def get_rightsholder(self, rightsholder_id: str) -> Rightsholder:
        return self._get(RightsholderRow, rightsholder_id, rightsholder_from_row)

    def list_rightsholders(self) -> list[Rightsholder]:
        return self._list(RightsholderRow, rightsholder_from_row, None)

    def get_entity(self, entity_id: str) -> Entity:
        return self._get(EntityRow, entity_id, entity_from_row)

    def list_entities(self, owner: str | None = None) -> list[Entity]:
        return self._list(EntityRow, entity_from_row, owner)

    def get_permission(self, permission_id: str) -> Permission:
        return self._get(PermissionRow, permission_id, permission_from_row)

    def list_permissions(self, owner: str | None = None) -> list[Permission]:
        return self._list(PermissionRow, permission_from_row, owner)

    def page_entities(self, query: PageQuery) -> Page[Entity]:
        return self._page(EntityRow, entity_from_row, query)

    def page_permissions(self, query: PageQuery) -> Page[Permission]:
        return self._page(PermissionRow, permission_from_row, query)

    def _page(self, model: type[Row], from_row: Callable[[Any], Value], q: PageQuery) -> Page[Value]:
        """Current rows by id after `q.after`, filtered, `q.limit` of them (one more is read to know
        whether another page follows)."""
        query = select(model).where(current(model)).order_by(model.id).limit(q.limit + 1)
        if q.after is not None:
            query = query.where(model.id > q.after)
        if q.owner is not None:
            query = query.where(model.owner == q.owner)  # type: ignore[union-attr]
        if q.kind is not None and model is EntityRow:
            query = query.where(EntityRow.kind == q.kind)
        if q.subject is not None and model is PermissionRow:
            query = query.where(PermissionRow.subject == q.subject)
        with self._read() as session:
            if q.updated_since is not None:
                query = query.where(model.valid_from_version > version_at(session, q.updated_since))
            rows = list(session.scalars(query))
            return Page([from_row(r) for r in rows[: q.limit]], more=len(rows) > q.limit)

    def _get(self, model: type[Row], entry_id: str, from_row: Callable[[Any], Value]) -> Value:
        with self._read() as session:
            row = current_row(session, model, entry_id)
            if row is None:
                raise NotFound(f"no {_WHAT[model]} {entry_id!r}")
            return from_row(row)

    def _list(self, model: type[Row], from_row: Callable[[Any], Value], owner: str | None) -> list[Value]:
        query = select(model).where(current(model)).order_by(model.position, model.row_id)
        if owner is not None:
            query = query.where(model.owner == owner)  # type: ignore[union-attr]
        with self._read() as session:
            return [from_row(row) for row in session.scalars(query)]


def _put(
    session: Session,
    model: type[Row],
    value: Value,
    to_row: Callable[..., Row],
    from_row: Callable[[Row], Value],
    actor: str,
) -> ChangeResult:
    existing = current_row(session, model, value.id)
    if existing is not None and from_row(existing) == value:
        return ChangeResult(latest(session), ChangeAction.UNCHANGED)
    action = ChangeAction.CREATED if existing is None else ChangeAction.UPDATED
    version = new_version(session, actor, f"{action.value} {_WHAT[model]} {value.id}")
    if existing is not None:
        existing.valid_to_version = version
        position = existing.position
        session.flush()  # close the old row before the new one takes the current-id slot
    else:
        position = next_position(session, model)
    session.add(to_row(value, version=version, position=position))
    session.flush()
    return ChangeResult(version, action)


def _check_dependents(session: Session, entity_id: str, new: Entity | None) -> None:
    """Refuse a change that would leave characters or permissions pointing at the wrong thing."""
    blockers: list[str] = []
    if new is None or new.kind is not EntityKind.WORK:
        query = select(EntityRow.id).where(EntityRow.work == entity_id, current(EntityRow))
        blockers += [f"character {c!r}" for c in session.scalars(query)]
    query = select(PermissionRow.id).where(PermissionRow.subject == entity_id, current(PermissionRow))
    if new is not None:
        query = query.where(PermissionRow.owner != new.owner)
    blockers += [f"permission {p!r}" for p in session.scalars(query)]
    if blockers:
        change = "removing" if new is None else "this change to"
        raise Conflict(
            f"{change} {entity_id!r} would leave {', '.join(blockers)} pointing at it; change those first",
            blockers=blockers,
        )


def _invalid(what: str, entry_id: str, problems: list[integrity.Problem]) -> InvalidInput:
    return InvalidInput(
        f"{what} {entry_id!r} is invalid: {integrity.describe(problems)}",
        problems=[{"field": ".".join(str(f) for f in p.field), "message": p.message} for p in problems],
    )
