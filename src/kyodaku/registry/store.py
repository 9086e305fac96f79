"""The registry: the system of record for rightsholders, entries and permissions, with full history.

Nothing is edited in place. Every change (one put, one removal, one import)
runs in one transaction under the registry write lock and creates exactly one
new row in `registry_versions`; the rows it replaces are closed at that version
and new rows are opened. Any past registry can therefore be rebuilt
(`catalog_at(version=...)` or `catalog_at(at=...)`), which is what answers
"what was permitted when this was generated?". A put that changes nothing
creates no version, so importing the same catalog twice is a no-op.

Every write is checked with the same rules as catalog files (`integrity`), so
the registry can always be exported as a valid catalog.

Authorization is not done here: see `service.py`. Callers here are trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from kyodaku.domain.access import Principal, Role
from kyodaku.domain.errors import CatalogError, CatalogIssue, Conflict, InvalidInput, NotFound
from kyodaku.domain.model import Catalog, Entity, EntityKind, Permission, Rightsholder, to_utc, utcnow
from kyodaku.registry import apikeys, integrity
from kyodaku.registry.apikeys import CreatedKey, KeyInfo
from kyodaku.registry.database import make_engine, migrate, write_session
from kyodaku.registry.documents import format_field
from kyodaku.registry.models import (
    EntityRow,
    MediaDescriptorRow,
    MediaHashRow,
    PermissionRow,
    ReferenceRow,
    RegistryVersion,
    RightsholderRow,
)
from kyodaku.registry.references import (
    MediaLike,
    ReferenceInfo,
    ReferenceRecord,
    StoredFrame,
    StoredMedia,
    clean_filename,
    media_problems,
    reference_id,
)
from kyodaku.registry.rows import (
    entity_from_row,
    entity_row,
    permission_from_row,
    permission_row,
    rightsholder_from_row,
    rightsholder_row,
)

if TYPE_CHECKING:
    from kyodaku.media.refstore import ReferenceStore, StagedFile


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
class ImportResult:
    """What an import did. `version` is the new version, or the current one when nothing changed."""

    version: int
    created: int
    updated: int
    unchanged: int
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass(frozen=True)
class PermissionsUpdate:
    version: int
    permissions: tuple[Permission, ...]


@dataclass(frozen=True)
class VersionInfo:
    version: int
    created_at: datetime
    actor: str
    note: str


Row = TypeVar("Row", RightsholderRow, EntityRow, PermissionRow, ReferenceRow)
Value = TypeVar("Value", Rightsholder, Entity, Permission)


def _current(model: type[Row]) -> ColumnElement[bool]:
    return model.valid_to_version.is_(None)


def _visible_at(model: type[Row], version: int) -> ColumnElement[bool]:
    return and_(
        model.valid_from_version <= version,
        or_(model.valid_to_version.is_(None), model.valid_to_version > version),
    )


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

    def _row(self, model: type[Row], entry_id: str) -> Row | None:
        return self._session.scalar(select(model).where(model.id == entry_id, _current(model)))

    def has_rightsholder(self, rightsholder_id: str) -> bool:
        return self._row(RightsholderRow, rightsholder_id) is not None

    def rightsholder(self, rightsholder_id: str) -> Rightsholder | None:
        row = self._row(RightsholderRow, rightsholder_id)
        return rightsholder_from_row(row) if row is not None else None

    def entity(self, entity_id: str) -> Entity | None:
        row = self._row(EntityRow, entity_id)
        return entity_from_row(row) if row is not None else None

    def permission(self, permission_id: str) -> Permission | None:
        row = self._row(PermissionRow, permission_id)
        return permission_from_row(row) if row is not None else None


PutGuard = Callable[[Value | None, CurrentRegistry], None]
"""Called inside a put's transaction with the entry's current value (None if new); raises to refuse.
This is how `service.py` enforces ownership atomically, while the registry is locked."""
RemoveGuard = Callable[[Value], None]
"""Called inside a removal's transaction with the current value; raises to refuse."""
ImportGuard = Callable[[Catalog], None]
"""Called inside an import's transaction with the current registry; raises to refuse."""
ReferenceGuard = Callable[[Entity], None]
"""Called inside a reference's add or removal with the (current) entity it belongs to; raises to refuse."""

_SECTIONS = {EntityKind.WORK: "works", EntityKind.CHARACTER: "characters", EntityKind.STYLE: "styles"}


class RegistryStore:
    """The registry on SQLite (`sqlite:///path.db`) or PostgreSQL (`postgresql+psycopg://...`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine = make_engine(url)

    def close(self) -> None:
        self._engine.dispose()

    def migrate(self) -> None:
        """Create or upgrade the tables (Alembic, migrations shipped in the package). Safe to repeat."""
        migrate(self._engine)

    def _read(self) -> Session:
        return Session(self._engine, expire_on_commit=False)

    # ------------------------------------------------------------ versions

    def current_version(self) -> int:
        """The latest version; 0 before the first change. Cheap: the guard polls it."""
        with self._read() as session:
            return session.scalar(select(func.max(RegistryVersion.version))) or 0

    def version_at(self, at: datetime) -> int:
        """The version that was current at `at` (0 if the registry was empty then)."""
        with self._read() as session:
            return self._version_at(session, at)

    @staticmethod
    def _version_at(session: Session, at: datetime) -> int:
        query = select(func.max(RegistryVersion.version)).where(RegistryVersion.created_at <= to_utc(at))
        return session.scalar(query) or 0

    def history(self, limit: int = 50) -> list[VersionInfo]:
        """The latest changes, newest first."""
        with self._read() as session:
            rows = session.scalars(
                select(RegistryVersion).order_by(RegistryVersion.version.desc()).limit(limit)
            )
            return [VersionInfo(r.version, r.created_at, r.actor, r.note) for r in rows]

    def _new_version(self, session: Session, actor: str, note: str) -> int:
        last = session.scalar(select(RegistryVersion).order_by(RegistryVersion.version.desc()).limit(1))
        now = utcnow()
        if last is not None and last.created_at > now:
            now = last.created_at  # a clock stepping back must not make versions go back in time
        version = (last.version if last else 0) + 1
        session.add(RegistryVersion(version=version, created_at=now, actor=actor[:200], note=note[:2000]))
        session.flush()
        return version

    @staticmethod
    def _latest(session: Session) -> int:
        return session.scalar(select(func.max(RegistryVersion.version))) or 0

    # ------------------------------------------------------------ whole catalogs

    def catalog_at(self, version: int | None = None, at: datetime | None = None) -> Catalog:
        """The registry as it was at `version`, or at time `at`, or now; `Catalog.version` says which."""
        if version is not None and at is not None:
            raise InvalidInput("give a version or a time, not both")
        with self._read() as session:
            latest = self._latest(session)
            if at is not None:
                version = self._version_at(session, at)
            elif version is None:
                version = latest
            if version < 0 or version > latest:
                raise NotFound(f"registry version {version} does not exist (the latest is {latest})")
            return Catalog(
                rightsholders=tuple(
                    rightsholder_from_row(r) for r in self._rows_at(session, RightsholderRow, version)
                ),
                entities=tuple(entity_from_row(r) for r in self._rows_at(session, EntityRow, version)),
                permissions=tuple(
                    permission_from_row(r) for r in self._rows_at(session, PermissionRow, version)
                ),
                version=version,
            )

    def permissions_update(self, since: int) -> PermissionsUpdate | None:
        """The permissions at the latest version, if nothing but permissions changed after `since`.

        Why: a permission change is the frequent case, and re-reading every entry (50,000 rows
        at scale) to learn that only a permission moved is what made "permission added -> next
        request obeys it" slow. None means entries or rightsholders changed too: read it all.
        """
        with self._read() as session:
            latest = self._latest(session)
            if since > latest:
                return None
            for model in (RightsholderRow, EntityRow, ReferenceRow):
                changed = session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(
                        ((model.valid_from_version > since) & (model.valid_from_version <= latest))
                        | ((model.valid_to_version > since) & (model.valid_to_version <= latest))
                    )
                )
                if changed:
                    return None
            rows = self._rows_at(session, PermissionRow, latest)
            return PermissionsUpdate(latest, tuple(permission_from_row(r) for r in rows))

    @staticmethod
    def _rows_at(session: Session, model: type[Row], version: int) -> list[Row]:
        query = select(model).where(_visible_at(model, version)).order_by(model.position, model.row_id)
        return list(session.scalars(query))

    def export_catalog(self) -> Catalog:
        """The current registry as a Catalog (`dump_catalog` writes it as a file)."""
        return self.catalog_at()

    def import_catalog(
        self,
        catalog: Catalog,
        actor: str = "import",
        *,
        prune: bool = False,
        source: str = "<import>",
        guard: ImportGuard | None = None,
    ) -> ImportResult:
        """Make the registry hold `catalog`'s entries, as one new version (none if nothing differs).

        Entries the registry has and the catalog lacks are kept, unless `prune`: then they
        are removed, so the registry ends up equal to the catalog. The merged result is
        checked as a whole; on any problem nothing is written and CatalogError lists them all.
        """
        incoming = Catalog(
            rightsholders=tuple(catalog.rightsholders),
            entities=tuple(catalog.entities),
            permissions=tuple(catalog.permissions),
        )
        issues = [_import_issue(source, incoming, p) for p in integrity.duplicate_problems(incoming)]
        if issues:
            raise CatalogError(issues)
        with write_session(self._engine) as session:
            plans = [
                _Plan.make(session, RightsholderRow, incoming.rightsholders, rightsholder_from_row, prune),
                _Plan.make(session, EntityRow, incoming.entities, entity_from_row, prune),
                _Plan.make(session, PermissionRow, incoming.permissions, permission_from_row, prune),
            ]
            if guard is not None:
                guard(Catalog(*(tuple(value for _, value in plan.current.values()) for plan in plans)))
            merged = Catalog(*(tuple(plan.merged) for plan in plans))  # type: ignore[arg-type]
            issues = [
                _import_issue(source, merged, p) for p in integrity.catalog_problems(merged, duplicates=False)
            ]
            if issues:
                raise CatalogError(issues)
            diffs = [plan.diff() for plan in plans]
            result = ImportResult(
                version=self._latest(session),
                created=sum(len(d.created) for d in diffs),
                updated=sum(len(d.updated) for d in diffs),
                unchanged=sum(d.unchanged for d in diffs),
                removed=sum(len(d.removed) for d in diffs),
            )
            if not result.changed:
                return result
            note = f"import: {result.created} created, {result.updated} updated, {result.removed} removed"
            version = self._new_version(session, actor, note)
            for plan, diff in zip(plans, diffs, strict=True):
                plan.apply(session, diff, version)
            self._close_references(session, [row.id for row in diffs[1].removed], version)
            return replace(result, version=version)

    # ------------------------------------------------------------ single changes

    def upsert_rightsholder(
        self, rightsholder: Rightsholder, actor: str, *, guard: PutGuard[Rightsholder] | None = None
    ) -> ChangeResult:
        with write_session(self._engine) as session:
            lookup = CurrentRegistry(session)
            if guard is not None:
                guard(lookup.rightsholder(rightsholder.id), lookup)
            problems = integrity.rightsholder_problems(rightsholder)
            if problems:
                raise _invalid("rightsholder", rightsholder.id, problems)
            value = canonical_rightsholder(rightsholder)
            return self._put(session, RightsholderRow, value, rightsholder_row, rightsholder_from_row, actor)

    def put_entity(
        self, entity: Entity, actor: str, *, guard: PutGuard[Entity] | None = None
    ) -> ChangeResult:
        """Create or replace an entry. Unknown owner or work: InvalidInput; breaks a dependent: Conflict."""
        with write_session(self._engine) as session:
            lookup = CurrentRegistry(session)
            if guard is not None:
                guard(lookup.entity(entity.id), lookup)
            problems = integrity.entity_problems(entity, lookup)
            if problems:
                raise _invalid(str(entity.kind), entity.id, problems)
            value = canonical_entity(entity)
            self._check_dependents(session, value.id, value)
            return self._put(session, EntityRow, value, entity_row, entity_from_row, actor)

    def remove_entity(
        self, entity_id: str, actor: str, *, guard: RemoveGuard[Entity] | None = None
    ) -> ChangeResult:
        """Remove an entry (its history stays). Refused while characters or permissions point at it."""
        with write_session(self._engine) as session:
            row = self._current_row(session, EntityRow, entity_id)
            if row is None:
                raise NotFound(f"no entry {entity_id!r}")
            if guard is not None:
                guard(entity_from_row(row))
            self._check_dependents(session, entity_id, None)
            version = self._new_version(session, actor, f"remove {row.kind} {entity_id}")
            row.valid_to_version = version
            self._close_references(session, [entity_id], version)
            return ChangeResult(version, ChangeAction.REMOVED)

    def put_permission(
        self, permission: Permission, actor: str, *, guard: PutGuard[Permission] | None = None
    ) -> ChangeResult:
        """Create or replace a permission. Unknown owner or subject, or another's subject: InvalidInput."""
        with write_session(self._engine) as session:
            lookup = CurrentRegistry(session)
            if guard is not None:
                guard(lookup.permission(permission.id), lookup)
            problems = integrity.permission_problems(permission, lookup)
            if problems:
                raise _invalid("permission", permission.id, problems)
            value = canonical_permission(permission)
            return self._put(session, PermissionRow, value, permission_row, permission_from_row, actor)

    def revoke_permission(
        self, permission_id: str, actor: str, *, guard: RemoveGuard[Permission] | None = None
    ) -> ChangeResult:
        """End a permission from the next version on; earlier versions still show it."""
        with write_session(self._engine) as session:
            row = self._current_row(session, PermissionRow, permission_id)
            if row is None:
                raise NotFound(f"no permission {permission_id!r}")
            if guard is not None:
                guard(permission_from_row(row))
            version = self._new_version(session, actor, f"revoke permission {permission_id}")
            row.valid_to_version = version
            return ChangeResult(version, ChangeAction.REMOVED)

    def _put(
        self,
        session: Session,
        model: type[Row],
        value: Value,
        to_row: Callable[..., Row],
        from_row: Callable[[Row], Value],
        actor: str,
    ) -> ChangeResult:
        current = self._current_row(session, model, value.id)
        if current is not None and from_row(current) == value:
            return ChangeResult(self._latest(session), ChangeAction.UNCHANGED)
        action = ChangeAction.CREATED if current is None else ChangeAction.UPDATED
        what = {RightsholderRow: "rightsholder", EntityRow: "entry", PermissionRow: "permission"}[model]
        version = self._new_version(session, actor, f"{action.value} {what} {value.id}")
        if current is not None:
            current.valid_to_version = version
            position = current.position
            session.flush()  # close the old row before the new one takes the current-id slot
        else:
            position = self._next_position(session, model)
        session.add(to_row(value, version=version, position=position))
        session.flush()
        return ChangeResult(version, action)

    @staticmethod
    def _current_row(session: Session, model: type[Row], entry_id: str) -> Row | None:
        return session.scalar(select(model).where(model.id == entry_id, _current(model)))

    @staticmethod
    def _next_position(session: Session, model: type[Row]) -> int:
        return (session.scalar(select(func.max(model.position))) or 0) + 1

    @staticmethod
    def _check_dependents(session: Session, entity_id: str, new: Entity | None) -> None:
        """Refuse a change that would leave characters or permissions pointing at the wrong thing."""
        blockers: list[str] = []
        if new is None or new.kind is not EntityKind.WORK:
            query = select(EntityRow.id).where(EntityRow.work == entity_id, _current(EntityRow))
            blockers += [f"character {c!r}" for c in session.scalars(query)]
        query = select(PermissionRow.id).where(PermissionRow.subject == entity_id, _current(PermissionRow))
        if new is not None:
            query = query.where(PermissionRow.owner != new.owner)
        blockers += [f"permission {p!r}" for p in session.scalars(query)]
        if blockers:
            change = "removing" if new is None else "this change to"
            raise Conflict(
                f"{change} {entity_id!r} would leave {', '.join(blockers)} pointing at it; "
                "change those first",
                blockers=blockers,
            )

    # ------------------------------------------------------------ reads of the current registry

    def get_rightsholder(self, rightsholder_id: str) -> Rightsholder:
        with self._read() as session:
            row = self._current_row(session, RightsholderRow, rightsholder_id)
            if row is None:
                raise NotFound(f"no rightsholder {rightsholder_id!r}")
            return rightsholder_from_row(row)

    def list_rightsholders(self) -> list[Rightsholder]:
        return self._list(RightsholderRow, rightsholder_from_row, None)

    def get_entity(self, entity_id: str) -> Entity:
        with self._read() as session:
            row = self._current_row(session, EntityRow, entity_id)
            if row is None:
                raise NotFound(f"no entry {entity_id!r}")
            return entity_from_row(row)

    def list_entities(self, owner: str | None = None) -> list[Entity]:
        return self._list(EntityRow, entity_from_row, owner)

    def get_permission(self, permission_id: str) -> Permission:
        with self._read() as session:
            row = self._current_row(session, PermissionRow, permission_id)
            if row is None:
                raise NotFound(f"no permission {permission_id!r}")
            return permission_from_row(row)

    def list_permissions(self, owner: str | None = None) -> list[Permission]:
        return self._list(PermissionRow, permission_from_row, owner)

    def _list(self, model: type[Row], from_row: Callable[[Any], Value], owner: str | None) -> list[Value]:
        query = select(model).where(_current(model)).order_by(model.position, model.row_id)
        if owner is not None:
            query = query.where(model.owner == owner)  # type: ignore[union-attr]
        with self._read() as session:
            return [from_row(row) for row in session.scalars(query)]

    # ------------------------------------------------------------ references (images and clips of entries)

    def add_reference(
        self,
        entity_id: str,
        media: MediaLike,
        filename: str | None,
        actor: str,
        *,
        hasher: str | None = None,
        staged: StagedFile | None = None,
        refstore: ReferenceStore | None = None,
        guard: ReferenceGuard | None = None,
    ) -> ReferenceInfo:
        """Attach a hashed file to an entry, as one new registry version (none if already attached).

        The content's hash rows are written once per (SHA-256, hasher) and shared by every
        reference with the same bytes. With `staged` and `refstore`, the staged file becomes the
        blob after the rows are flushed and before the transaction commits; if the commit then
        fails, a blob this call created is removed again (unless a reference names it after all).
        The staged file is gone afterwards, whatever happened.
        """
        if hasher is None:
            from kyodaku.media.hashing import HASHER

            hasher = HASHER
        problems = media_problems(media)
        if staged is not None and staged.sha256 != media.sha256:
            problems.append(f"the staged file ({staged.sha256}) is not the hashed one ({media.sha256})")
        if problems:
            raise InvalidInput(f"cannot record {filename or 'the file'}: {'; '.join(problems)}")
        if staged is not None and refstore is None:
            raise InvalidInput("a staged file needs the reference store to commit it into")
        name = clean_filename(filename)
        ref_id = reference_id(entity_id, media.sha256)
        created_blob = False
        try:
            with write_session(self._engine) as session:
                entity_row = self._current_row(session, EntityRow, entity_id)
                if entity_row is None:
                    raise NotFound(f"no entry {entity_id!r}")
                if guard is not None:
                    guard(entity_from_row(entity_row))
                existing = self._current_row(session, ReferenceRow, ref_id)
                if existing is not None:
                    if staged is not None and refstore is not None:
                        created_blob = refstore.commit(staged)  # heals a blob lost from the store
                    return self._reference_info(session, existing)
                version = self._new_version(session, actor, f"add reference {ref_id} ({name}) to {entity_id}")
                self._ensure_hashes(session, media, hasher)
                self._ensure_local_features(session, media)
                row = ReferenceRow(
                    id=ref_id,
                    entity_id=entity_id,
                    owner=entity_row.owner,
                    sha256=media.sha256,
                    media_type=media.media_type,
                    format=(media.format or "unknown")[:32],
                    filename=name,
                    size=media.size,
                    width=media.width,
                    height=media.height,
                    duration=media.duration,
                    hasher=hasher,
                    created_at=utcnow(),
                    position=self._next_position(session, ReferenceRow),
                    valid_from_version=version,
                )
                session.add(row)
                session.flush()
                if staged is not None and refstore is not None:
                    created_blob = refstore.commit(staged)
                info = replace(self._reference_info(session, row), new=True)
            return info
        except BaseException:
            if created_blob and refstore is not None:
                self._forget_blob(refstore, media.sha256)
            raise
        finally:
            if staged is not None and refstore is not None:
                refstore.discard(staged)

    def _forget_blob(self, refstore: ReferenceStore, sha256: str) -> None:
        """Undo a blob created for a write that failed, unless some reference names it by now.

        Checked under the write lock: a writer that found the blob already there and recorded a
        reference to it has committed (or failed) before this looks.
        """
        try:
            with write_session(self._engine) as session:
                named = session.scalar(
                    select(func.count()).select_from(ReferenceRow).where(ReferenceRow.sha256 == sha256)
                )
                if not named:
                    refstore.remove(sha256)
        except Exception:
            refstore.remove(sha256)  # the registry is unreachable: no reference can have been recorded

    def get_descriptors(self, kind: str, shas: list[str]) -> dict[str, bytes]:
        """Stored descriptors of this kind (a learned encoder's vectors, say) for these contents."""
        out: dict[str, bytes] = {}
        with self._read() as session:
            for chunk in _chunked(sorted(set(shas)), 500):
                found = select(MediaDescriptorRow.sha256, MediaDescriptorRow.data).where(
                    MediaDescriptorRow.kind == kind, MediaDescriptorRow.sha256.in_(chunk)
                )
                out.update((sha, bytes(data)) for sha, data in session.execute(found))
        return out

    def put_descriptors(self, kind: str, descriptors: dict[str, bytes]) -> None:
        """Cache descriptors computed from stored content (no registry version: derived data)."""
        with write_session(self._engine) as session:
            for sha, data in descriptors.items():
                if session.get(MediaDescriptorRow, (sha, kind)) is None:
                    session.add(MediaDescriptorRow(sha256=sha, kind=kind, data=data, created_at=utcnow()))

    @staticmethod
    def _ensure_local_features(session: Session, media: MediaLike) -> None:
        """Store an image's local features (ORB keypoints) once per content, beside its hashes."""
        local = getattr(media, "local", None)
        if local is None:
            return
        from kyodaku.media.hashing import LOCAL_KIND

        if session.get(MediaDescriptorRow, (media.sha256, LOCAL_KIND)) is None:
            session.add(
                MediaDescriptorRow(
                    sha256=media.sha256, kind=LOCAL_KIND, data=local.to_bytes(), created_at=utcnow()
                )
            )
            session.flush()

    @staticmethod
    def _ensure_hashes(session: Session, media: MediaLike, hasher: str) -> None:
        """Write the content's hash rows unless it was hashed (with this hasher) before."""
        known = session.scalar(
            select(func.count())
            .select_from(MediaHashRow)
            .where(MediaHashRow.sha256 == media.sha256, MediaHashRow.hasher == hasher)
        )
        if known:
            return
        frames = [f for f in media.frames if getattr(f, "variant", "original") == "original"]
        session.add_all(
            MediaHashRow(
                sha256=media.sha256,
                hasher=hasher,
                ordinal=i,
                frame=int(f.frame),
                t=float(f.t),
                region=str(f.region)[:16],
                hash=bytes(f.hash),
                quality=int(f.quality),
            )
            for i, f in enumerate(frames)
        )
        session.flush()

    def known_media(self, sha256: str, hasher: str) -> StoredMedia | None:
        """A content hashed with `hasher` before (by any reference, current or removed), read back;
        None when it is new. Attaching known bytes again then costs no decoding or hashing."""
        with self._read() as session:
            ref = session.scalar(
                select(ReferenceRow)
                .where(ReferenceRow.sha256 == sha256, ReferenceRow.hasher == hasher)
                .order_by(ReferenceRow.row_id)
                .limit(1)
            )
            if ref is None:
                return None
            rows = session.scalars(
                select(MediaHashRow)
                .where(MediaHashRow.sha256 == sha256, MediaHashRow.hasher == hasher)
                .order_by(MediaHashRow.ordinal)
            )
            frames = tuple(StoredFrame(bytes(r.hash), r.quality, r.frame, r.t, r.region) for r in rows)
            if not frames:
                return None
            return StoredMedia(
                ref.media_type, sha256, ref.size, ref.width, ref.height, ref.duration, ref.format, frames
            )

    def remove_reference(
        self, reference_id: str, actor: str, *, guard: ReferenceGuard | None = None
    ) -> ChangeResult:
        """Detach a reference from the next version on. The blob and hash rows stay: other
        references and earlier versions may name them."""
        with write_session(self._engine) as session:
            row = self._current_row(session, ReferenceRow, reference_id)
            if row is None:
                raise NotFound(f"no reference {reference_id!r}")
            if guard is not None:
                entity_row = self._current_row(session, EntityRow, row.entity_id)
                if entity_row is None:
                    raise NotFound(f"no reference {reference_id!r}")
                guard(entity_from_row(entity_row))
            version = self._new_version(session, actor, f"remove reference {reference_id} of {row.entity_id}")
            row.valid_to_version = version
            return ChangeResult(version, ChangeAction.REMOVED)

    def get_reference(self, reference_id: str) -> ReferenceInfo:
        with self._read() as session:
            row = self._current_row(session, ReferenceRow, reference_id)
            if row is None:
                raise NotFound(f"no reference {reference_id!r}")
            return self._reference_info(session, row)

    def list_references(self, entity_id: str | None = None, owner: str | None = None) -> list[ReferenceInfo]:
        """Current references, in the order they were attached; `owner` is the entry's current owner."""
        query = select(ReferenceRow).where(_current(ReferenceRow))
        if entity_id is not None:
            query = query.where(ReferenceRow.entity_id == entity_id)
        if owner is not None:
            owned = select(EntityRow.id).where(_current(EntityRow), EntityRow.owner == owner)
            query = query.where(ReferenceRow.entity_id.in_(owned))
        with self._read() as session:
            rows = list(session.scalars(query.order_by(ReferenceRow.position, ReferenceRow.row_id)))
            counts = self._hash_counts(session, {(r.sha256, r.hasher) for r in rows})
            return [_reference_info(r, *counts.get((r.sha256, r.hasher), (0, 0))) for r in rows]

    def _reference_info(self, session: Session, row: ReferenceRow) -> ReferenceInfo:
        counts = self._hash_counts(session, {(row.sha256, row.hasher)})
        return _reference_info(row, *counts.get((row.sha256, row.hasher), (0, 0)))

    @staticmethod
    def _hash_counts(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
        """(hash rows, distinct frames) per (sha256, hasher)."""
        if not keys:
            return {}
        query = (
            select(
                MediaHashRow.sha256,
                MediaHashRow.hasher,
                func.count(),
                func.count(func.distinct(MediaHashRow.frame)),
            )
            .where(MediaHashRow.sha256.in_({sha for sha, _ in keys}))
            .group_by(MediaHashRow.sha256, MediaHashRow.hasher)
        )
        return {(sha, hasher): (n, frames) for sha, hasher, n, frames in session.execute(query)}

    def reference_keys_at(self, version: int | None = None) -> list[tuple[str, str, str]]:
        """(id, sha256, hasher) of every reference live at `version`, without their hash rows: what
        tells a refresher whether the reference bank must be rebuilt at all."""
        with self._read() as session:
            latest = self._latest(session)
            version = latest if version is None else version
            query = (
                select(ReferenceRow.id, ReferenceRow.sha256, ReferenceRow.hasher)
                .join(EntityRow, EntityRow.id == ReferenceRow.entity_id)
                .where(_visible_at(ReferenceRow, version), _visible_at(EntityRow, version))
                .order_by(ReferenceRow.position, ReferenceRow.row_id)
            )
            return [(ref_id, sha, hasher) for ref_id, sha, hasher in session.execute(query)]

    def references_at(self, version: int | None = None, hasher: str | None = None) -> list[ReferenceRecord]:
        """Every reference live at `version` (default: the latest), with its hash rows as arrays.

        This is what the screening snapshot builds its hash bank from. A reference counts only
        while its entry exists at that version; `owner` is the entry's owner then. The hash rows
        are those of the reference's own hasher, or of `hasher` when given (after a change of
        hashing scheme, references not yet re-hashed with it then come with no rows).
        """
        import numpy as np

        with self._read() as session:
            latest = self._latest(session)
            version = latest if version is None else version
            if version < 0 or version > latest:
                raise NotFound(f"registry version {version} does not exist (the latest is {latest})")
            query = (
                select(ReferenceRow, EntityRow.owner)
                .join(EntityRow, EntityRow.id == ReferenceRow.entity_id)
                .where(_visible_at(ReferenceRow, version), _visible_at(EntityRow, version))
                .order_by(ReferenceRow.position, ReferenceRow.row_id)
            )
            refs = [(ref, owner) for ref, owner in session.execute(query)]
            wanted = {(ref.sha256, hasher or ref.hasher) for ref, _ in refs}
            rows: dict[tuple[str, str], list[Any]] = {key: [] for key in wanted}
            shas = {sha for sha, _ in wanted}
            columns = select(
                MediaHashRow.sha256, MediaHashRow.hasher, MediaHashRow.hash, MediaHashRow.quality,
                MediaHashRow.frame, MediaHashRow.t, MediaHashRow.region,
            )  # fmt: skip
            for chunk in _chunked(sorted(shas), 500):
                query_rows = columns.where(MediaHashRow.sha256.in_(chunk)).order_by(
                    MediaHashRow.sha256, MediaHashRow.hasher, MediaHashRow.ordinal
                )
                for sha, row_hasher, code, quality, frame, t, region in session.execute(query_rows):
                    bucket = rows.get((sha, row_hasher))
                    if bucket is not None:
                        bucket.append((code, quality, frame, t, region))
            from kyodaku.media.hashing import LOCAL_KIND

            local: dict[str, bytes] = {}
            for chunk in _chunked(sorted(shas), 500):
                found = select(MediaDescriptorRow.sha256, MediaDescriptorRow.data).where(
                    MediaDescriptorRow.kind == LOCAL_KIND, MediaDescriptorRow.sha256.in_(chunk)
                )
                local.update((sha, bytes(data)) for sha, data in session.execute(found))
        arrays = {key: _hash_arrays(np, found) for key, found in rows.items()}
        records = []
        for ref, owner in refs:
            codes, quality, frame, t, region = arrays[(ref.sha256, hasher or ref.hasher)]
            record = ReferenceRecord(
                id=ref.id, entity_id=ref.entity_id, owner=owner, sha256=ref.sha256,
                media_type=ref.media_type, format=ref.format, filename=ref.filename,
                width=ref.width, height=ref.height, duration=ref.duration,
                hasher=hasher or ref.hasher, codes=codes, quality=quality, frame=frame, t=t,
                region=region, local=local.get(ref.sha256),
            )  # fmt: skip
            records.append(record)
        return records

    @staticmethod
    def _close_references(session: Session, entity_ids: list[str], version: int) -> None:
        """References go with their entry: removing it detaches them in the same version."""
        if not entity_ids:
            return
        rows = session.scalars(
            select(ReferenceRow).where(_current(ReferenceRow), ReferenceRow.entity_id.in_(entity_ids))
        )
        for row in rows:
            row.valid_to_version = version
        session.flush()

    # ------------------------------------------------------------ API keys (not registry content: no version)

    def create_key(
        self, role: Role | str, rightsholder: str | None = None, label: str | None = None
    ) -> CreatedKey:
        """The secret is in the result and nowhere else. A rightsholder key names an existing one."""
        with write_session(self._engine) as session:
            if rightsholder is not None and not CurrentRegistry(session).has_rightsholder(rightsholder):
                raise InvalidInput(f"unknown rightsholder {rightsholder!r}")
            return apikeys.create_key(session, role, rightsholder, label)

    def authenticate(self, secret: str | None) -> Principal:
        with self._read() as session:
            return apikeys.authenticate(session, secret)

    def revoke_key(self, key_id: str) -> None:
        with write_session(self._engine) as session:
            apikeys.revoke_key(session, key_id)

    def list_keys(self, rightsholder: str | None = None) -> list[KeyInfo]:
        with self._read() as session:
            return apikeys.list_keys(session, rightsholder)


_CANONICAL: dict[type[Any], Callable[[Any], Any]] = {
    RightsholderRow: canonical_rightsholder,
    EntityRow: canonical_entity,
    PermissionRow: canonical_permission,
}
_TO_ROW: dict[type[Any], Callable[..., Any]] = {
    RightsholderRow: rightsholder_row,
    EntityRow: entity_row,
    PermissionRow: permission_row,
}


@dataclass
class _Plan:
    """How one table changes in an import: what is created, updated, removed, and the merged result."""

    model: type[Any]
    current: dict[str, tuple[Any, Any]]  # id -> (current row, its value)
    incoming: list[Any]
    prune: bool

    @classmethod
    def make(
        cls,
        session: Session,
        model: type[Row],
        incoming: Iterable[Value],
        from_row: Callable[[Any], Value],
        prune: bool,
    ) -> _Plan:
        rows = session.scalars(select(model).where(_current(model)).order_by(model.position, model.row_id))
        return cls(model, {row.id: (row, from_row(row)) for row in rows}, list(incoming), prune)

    @property
    def merged(self) -> list[Any]:
        """The table's entries after the import, in registration order (checked before any write)."""
        merged = {} if self.prune else {entry_id: value for entry_id, (_, value) in self.current.items()}
        merged.update((value.id, value) for value in self.incoming)
        return list(merged.values())

    @property
    def removed(self) -> list[Any]:
        incoming_ids = {value.id for value in self.incoming}
        return (
            [row for entry_id, (row, _) in self.current.items() if entry_id not in incoming_ids]
            if self.prune
            else []
        )

    def diff(self) -> _Diff:
        """Incoming values sorted into created / updated / unchanged, comparing canonical forms."""
        diff = _Diff(removed=self.removed)
        for value in map(_CANONICAL[self.model], self.incoming):
            if value.id not in self.current:
                diff.created.append(value)
            elif self.current[value.id][1] != value:
                diff.updated.append((self.current[value.id][0], value))
            else:
                diff.unchanged += 1
        return diff

    def apply(self, session: Session, diff: _Diff, version: int) -> None:
        to_row = _TO_ROW[self.model]
        for row in [*diff.removed, *(row for row, _ in diff.updated)]:
            row.valid_to_version = version
        session.flush()  # closed rows free their ids before the new rows are inserted
        for row, value in diff.updated:
            session.add(to_row(value, version=version, position=row.position))
        position = (session.scalar(select(func.max(self.model.position))) or 0) + 1
        for i, value in enumerate(diff.created):
            session.add(to_row(value, version=version, position=position + i))
        session.flush()


@dataclass
class _Diff:
    created: list[Any] = field(default_factory=list)
    updated: list[tuple[Any, Any]] = field(default_factory=list)  # (row to close, new value)
    removed: list[Any] = field(default_factory=list)  # rows to close
    unchanged: int = 0


def _reference_info(row: ReferenceRow, hashes: int, frames: int) -> ReferenceInfo:
    return ReferenceInfo(
        id=row.id,
        entity_id=row.entity_id,
        owner=row.owner,
        sha256=row.sha256,
        media_type=row.media_type,
        format=row.format,
        filename=row.filename,
        size=row.size,
        width=row.width,
        height=row.height,
        duration=row.duration,
        hasher=row.hasher,
        created_at=row.created_at,
        version=row.valid_from_version,
        hashes=hashes,
        frames=frames,
    )


def _hash_arrays(np: Any, found: list[Any]) -> tuple[Any, Any, Any, Any, tuple[str, ...]]:
    """(codes (n, 32) uint8, quality int16, frame int32, t float32, regions), arrays read-only."""
    codes = np.frombuffer(b"".join(bytes(r[0]) for r in found), np.uint8).reshape(-1, 32)
    arrays = (
        codes,
        np.array([r[1] for r in found], np.int16),
        np.array([r[2] for r in found], np.int32),
        np.array([r[3] for r in found], np.float32),
    )
    for array in arrays:
        array.setflags(write=False)
    return (*arrays, tuple(r[4] for r in found))


def _chunked(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _invalid(what: str, entry_id: str, problems: list[integrity.Problem]) -> InvalidInput:
    return InvalidInput(
        f"{what} {entry_id!r} is invalid: {integrity.describe(problems)}",
        problems=[{"field": ".".join(str(f) for f in p.field), "message": p.message} for p in problems],
    )


def _import_issue(source: str, catalog: Catalog, found: integrity.CatalogProblem) -> CatalogIssue:
    """Name the entry by section and id: an imported Catalog has no lines, and its order is not the file's."""
    if found.section == "entities":
        entity = catalog.entities[found.index]
        section, entry_id = _SECTIONS.get(entity.kind, "entities"), entity.id
    elif found.section == "rightsholders":
        section, entry_id = "rightsholders", catalog.rightsholders[found.index].id
    else:
        section, entry_id = "permissions", catalog.permissions[found.index].id
    return CatalogIssue(
        source, None, format_field((section, entry_id, *found.problem.field)), found.problem.message
    )
