"""The registry: the system of record for rightsholders, entries, permissions and references, with
full history, on SQLite (`sqlite:///path.db`) or PostgreSQL (`postgresql+psycopg://...`).

`RegistryStore` is what callers construct: it owns the engine and hands each concern to a part of
its own, all over that engine:

- `versions`   the history, and whole catalogs as they were at a version (`versions.py`)
- `entries`    puts, removals and reads of single entries (`entries.py`)
- `imports`    whole catalogs imported as one version (`catalog_import.py`)
- `references` references attached to entries, read with their hash rows (`reference_rows.py`)
- `contents`   what is kept per content: known hashes, descriptors (`content_rows.py`)
- `keys`       API keys (`apikeys.py`)

Why the flat methods below: the API, the CLI and the snapshot code call `store.catalog_at(...)`,
`store.put_entity(...)` and so on; they stay one call away, each a one-line delegation to its part.

Authorization is not done here: see `service.py`. Callers here are trusted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from kyodaku.domain.access import Principal, Role
from kyodaku.domain.model import Catalog, Entity, Permission, Rightsholder
from kyodaku.registry.apikeys import ApiKeys, CreatedKey, KeyInfo
from kyodaku.registry.catalog_import import CatalogImport, ImportGuard, ImportResult
from kyodaku.registry.content_rows import ContentRows
from kyodaku.registry.database import make_engine, migrate
from kyodaku.registry.entries import Entries, PutGuard, RemoveGuard
from kyodaku.registry.paging import Page, PageQuery
from kyodaku.registry.reference_rows import BeforeCommit, NewReference, ReferenceGuard, ReferenceRows
from kyodaku.registry.references import ReferenceInfo, ReferenceRecord, StoredMedia
from kyodaku.registry.versions import (
    ChangeAction,
    ChangeResult,
    PermissionChange,
    PermissionsUpdate,
    VersionInfo,
    Versions,
)

__all__ = [
    "ChangeAction",
    "ChangeResult",
    "ImportResult",
    "PermissionsUpdate",
    "RegistryStore",
    "VersionInfo",
]


class RegistryStore:
    """The registry on SQLite or PostgreSQL: the engine, and the parts that work over it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine = make_engine(url)
        self.versions = Versions(self._engine)
        self.entries = Entries(self._engine)
        self.imports = CatalogImport(self._engine)
        self.references = ReferenceRows(self._engine)
        self.contents = ContentRows(self._engine)
        self.keys = ApiKeys(self._engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def migrate(self) -> None:
        """Create or upgrade the tables (Alembic, migrations shipped in the package). Safe to repeat."""
        migrate(self._engine)

    # ------------------------------------------------------------ versions and whole catalogs

    def current_version(self) -> int:
        return self.versions.current_version()

    def version_at(self, at: datetime) -> int:
        return self.versions.version_at(at)

    def history(self, limit: int = 50) -> list[VersionInfo]:
        return self.versions.history(limit)

    def permission_history(self, owner: str | None = None, limit: int = 200) -> list[PermissionChange]:
        return self.versions.permission_history(owner, limit)

    def catalog_at(self, version: int | None = None, at: datetime | None = None) -> Catalog:
        return self.versions.catalog_at(version, at)

    def permissions_update(self, since: int) -> PermissionsUpdate | None:
        return self.versions.permissions_update(since)

    def export_catalog(self) -> Catalog:
        """The current registry as a Catalog (`dump_catalog` writes it as a file)."""
        return self.versions.catalog_at()

    def import_catalog(
        self,
        catalog: Catalog,
        actor: str = "import",
        *,
        prune: bool = False,
        source: str = "<import>",
        guard: ImportGuard | None = None,
    ) -> ImportResult:
        return self.imports.import_catalog(catalog, actor, prune=prune, source=source, guard=guard)

    # ------------------------------------------------------------ single entries

    def upsert_rightsholder(
        self, rightsholder: Rightsholder, actor: str, *, guard: PutGuard[Rightsholder] | None = None
    ) -> ChangeResult:
        return self.entries.upsert_rightsholder(rightsholder, actor, guard=guard)

    def put_entity(
        self, entity: Entity, actor: str, *, guard: PutGuard[Entity] | None = None
    ) -> ChangeResult:
        return self.entries.put_entity(entity, actor, guard=guard)

    def remove_entity(
        self, entity_id: str, actor: str, *, guard: RemoveGuard[Entity] | None = None
    ) -> ChangeResult:
        return self.entries.remove_entity(entity_id, actor, guard=guard)

    def put_permission(
        self, permission: Permission, actor: str, *, guard: PutGuard[Permission] | None = None
    ) -> ChangeResult:
        return self.entries.put_permission(permission, actor, guard=guard)

    def revoke_permission(
        self, permission_id: str, actor: str, *, guard: RemoveGuard[Permission] | None = None
    ) -> ChangeResult:
        return self.entries.revoke_permission(permission_id, actor, guard=guard)

    def get_rightsholder(self, rightsholder_id: str) -> Rightsholder:
        return self.entries.get_rightsholder(rightsholder_id)

    def list_rightsholders(self) -> list[Rightsholder]:
        return self.entries.list_rightsholders()

    def get_entity(self, entity_id: str) -> Entity:
        return self.entries.get_entity(entity_id)

    def list_entities(self, owner: str | None = None) -> list[Entity]:
        return self.entries.list_entities(owner)

    def page_entities(self, query: PageQuery) -> Page[Entity]:
        return self.entries.page_entities(query)

    def page_permissions(self, query: PageQuery) -> Page[Permission]:
        return self.entries.page_permissions(query)

    def page_references(self, entity_id: str, query: PageQuery) -> Page[ReferenceInfo]:
        return self.references.page_references(entity_id, query)

    def get_permission(self, permission_id: str) -> Permission:
        return self.entries.get_permission(permission_id)

    def list_permissions(self, owner: str | None = None) -> list[Permission]:
        return self.entries.list_permissions(owner)

    # ------------------------------------------------------------ references and their contents

    def add_reference(
        self,
        reference: NewReference,
        actor: str,
        *,
        guard: ReferenceGuard | None = None,
        before_commit: BeforeCommit | None = None,
    ) -> ReferenceInfo:
        return self.references.add_reference(reference, actor, guard=guard, before_commit=before_commit)

    def remove_reference(
        self, reference_id: str, actor: str, *, guard: ReferenceGuard | None = None
    ) -> ChangeResult:
        return self.references.remove_reference(reference_id, actor, guard=guard)

    def get_reference(self, reference_id: str) -> ReferenceInfo:
        return self.references.get_reference(reference_id)

    def list_references(self, entity_id: str | None = None, owner: str | None = None) -> list[ReferenceInfo]:
        return self.references.list_references(entity_id, owner)

    def reference_keys_at(self, version: int | None = None) -> list[tuple[str, str, str]]:
        return self.references.reference_keys_at(version)

    def references_at(
        self, version: int | None = None, hasher: str | None = None, *, local_kind: str | None = None
    ) -> list[ReferenceRecord]:
        return self.references.references_at(version, hasher, local_kind=local_kind)

    def known_media(self, sha256: str, hasher: str) -> StoredMedia | None:
        return self.contents.known_media(sha256, hasher)

    def get_descriptors(self, kind: str, shas: list[str]) -> dict[str, bytes]:
        return self.contents.get_descriptors(kind, shas)

    def put_descriptors(self, kind: str, descriptors: dict[str, bytes]) -> None:
        self.contents.put_descriptors(kind, descriptors)

    # ------------------------------------------------------------ API keys

    def create_key(
        self, role: Role | str, rightsholder: str | None = None, label: str | None = None
    ) -> CreatedKey:
        return self.keys.create_key(role, rightsholder, label)

    def authenticate(self, secret: str | None) -> Principal:
        return self.keys.authenticate(secret)

    def principal_of_key(self, key_id: str) -> Principal:
        return self.keys.principal_of_key(key_id)

    def revoke_key(self, key_id: str) -> None:
        self.keys.revoke_key(key_id)

    def list_keys(self, rightsholder: str | None = None) -> list[KeyInfo]:
        return self.keys.list_keys(rightsholder)
