"""Who may do what with the registry: every authorization decision, in one place.

Which *role* may attempt an action at all is the table in `kyodaku.domain.access` (`require`), the
one the HTTP routes ask too; this service adds what depends on the data (ownership). The HTTP API
and the CLI call these methods with the authenticated `Principal` and never the store directly, so
a rule is written once and tested once.

| action                                    | admin | operator | rightsholder R                              |
| ----------------------------------------- | ----- | -------- | ------------------------------------------- |
| list / get entries                        | all   | all      | only R's; another's entry is NotFound       |
| put entry                                 | yes   | Forbidden| only with owner R, only over R's own id,    |
|                                           |       |          | only in R's own work; else Forbidden        |
| remove entry                              | yes   | Forbidden| only R's; another's is NotFound             |
| list / get permissions                    | all   | all      | only R's; another's is NotFound             |
| put permission                            | yes   | Forbidden| only with owner R, on R's subject, over R's |
|                                           |       |          | own id; else Forbidden                      |
| revoke permission                         | yes   | Forbidden| only R's; another's is NotFound             |
| rightsholders: list / get                 | all   | all      | only R itself                               |
| rightsholders: upsert                     | yes   | Forbidden| only R itself (its name, country)           |
| import catalog                            | yes   | Forbidden| only a catalog whose every part is R's      |
| export / catalog at a version, history    | yes   | yes      | export: only R's part; history: Forbidden   |
| API keys: create, list, revoke            | yes   | Forbidden| Forbidden                                   |
| references: list / get                    | all   | all      | only those of R's entries; else NotFound    |
| references: add (to an entry)             | yes   | Forbidden| only to R's entries; another's is Forbidden |
| references: remove                        | yes   | Forbidden| only those of R's entries; else NotFound    |

Why reads answer NotFound and writes answer Forbidden: a rightsholder must not
learn from the API which entries its competitors registered, so reading or
removing another's entry looks exactly like asking for one that does not exist.
A write that *names* another owner (in its owner, subject or work) gets
Forbidden: the caller already knows the name, and "not found" would mislead.
Adding a reference names the entry (in the URL, on the command line), so
another's entry answers Forbidden, like a permission on another's subject.
Operators read everything because the guard they run needs the whole registry,
and change nothing because consent is only the rightsholders' to give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from kyodaku.domain.access import Action, Principal, Role, require
from kyodaku.domain.errors import Forbidden, InvalidInput, NotFound
from kyodaku.domain.model import ANY, Catalog, Entity, Permission, Rightsholder
from kyodaku.registry.apikeys import CreatedKey, KeyInfo
from kyodaku.registry.catalog_import import ImportResult
from kyodaku.registry.entries import CurrentRegistry
from kyodaku.registry.etags import check_if_match
from kyodaku.registry.paging import Page, PageQuery
from kyodaku.registry.reference_rows import BeforeCommit, NewReference, ReferenceGuard
from kyodaku.registry.references import ReferenceInfo
from kyodaku.registry.store import RegistryStore
from kyodaku.registry.versions import ChangeResult, VersionInfo


class RegistryService:
    """The registry as callers see it: the store's operations, each checked against the caller's role."""

    def __init__(self, store: RegistryStore) -> None:
        self.store = store

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _removal(
        p: Principal, not_found: str, if_match: str | None = None, what: str = ""
    ) -> Callable[[Entity | Permission], None] | None:
        """A removal guard: another's entry is answered exactly like a missing one; `if_match` must
        still name the current version."""
        scope = p.rightsholder if p.role is Role.RIGHTSHOLDER else None
        if scope is None and if_match is None:
            return None

        def guard(existing: Entity | Permission) -> None:
            if scope is not None and existing.owner != scope:
                raise NotFound(not_found)
            check_if_match(if_match, existing, what)

        return guard

    def _scoped(self, p: Principal, query: PageQuery) -> PageQuery | None:
        """The query confined to the caller's own rows; None when it asks for another owner's."""
        scope = self._scope(p)
        if scope is None:
            return query
        if query.owner not in (None, scope):
            return None
        return replace(query, owner=scope)

    @staticmethod
    def _scope(p: Principal) -> str | None:
        """The owner a principal is confined to; None for roles that see everything."""
        return p.rightsholder if p.role is Role.RIGHTSHOLDER else None

    def _visible_entity(self, p: Principal, entity_id: str) -> Entity:
        entity = self.store.get_entity(entity_id)
        scope = self._scope(p)
        if scope is not None and entity.owner != scope:
            raise NotFound(f"no entry {entity_id!r}")  # same answer as for an id nobody registered
        return entity

    def _visible_permission(self, p: Principal, permission_id: str) -> Permission:
        permission = self.store.get_permission(permission_id)
        scope = self._scope(p)
        if scope is not None and permission.owner != scope:
            raise NotFound(f"no permission {permission_id!r}")
        return permission

    # ------------------------------------------------------------ entries

    def list_entities(self, p: Principal) -> list[Entity]:
        return self.store.list_entities(owner=self._scope(p))

    def get_entity(self, p: Principal, entity_id: str) -> Entity:
        return self._visible_entity(p, entity_id)

    def put_entity(self, p: Principal, entity: Entity, *, if_match: str | None = None) -> ChangeResult:
        """Create or replace an entry; with `if_match`, only while it is still the version the caller
        read (checked under the registry's write lock: PreconditionFailed otherwise)."""
        require(p, Action.WRITE_REGISTRY)
        scope = self._scope(p)

        def guard(existing: Entity | None, registry: CurrentRegistry) -> None:
            if scope is not None:
                if entity.owner != scope:
                    raise Forbidden(f"entry {entity.id!r} must be owned by {scope!r}, not {entity.owner!r}")
                if existing is not None and existing.owner != scope:
                    raise Forbidden(f"entry id {entity.id!r} is taken by another rightsholder")
                work = registry.entity(entity.work) if entity.work else None
                if work is not None and work.owner != scope:
                    raise Forbidden(f"work {entity.work!r} belongs to another rightsholder")
            check_if_match(if_match, existing, f"entry {entity.id!r}")

        return self.store.put_entity(entity, p.actor, guard=guard)

    def remove_entity(self, p: Principal, entity_id: str, *, if_match: str | None = None) -> ChangeResult:
        require(p, Action.WRITE_REGISTRY)
        return self.store.remove_entity(
            entity_id,
            p.actor,
            guard=self._removal(p, f"no entry {entity_id!r}", if_match, f"entry {entity_id!r}"),
        )

    def page_entities(self, p: Principal, query: PageQuery) -> Page[Entity]:
        """A page of entries by id (a rightsholder: its own only; asking for another owner's is empty)."""
        scoped = self._scoped(p, query)
        return self.store.page_entities(scoped) if scoped is not None else Page()

    # ------------------------------------------------------------ permissions

    def list_permissions(self, p: Principal) -> list[Permission]:
        return self.store.list_permissions(owner=self._scope(p))

    def get_permission(self, p: Principal, permission_id: str) -> Permission:
        return self._visible_permission(p, permission_id)

    def put_permission(
        self, p: Principal, permission: Permission, *, if_match: str | None = None
    ) -> ChangeResult:
        require(p, Action.WRITE_REGISTRY)
        scope = self._scope(p)

        def guard(existing: Permission | None, registry: CurrentRegistry) -> None:
            if scope is not None:
                if permission.owner != scope:
                    raise Forbidden(
                        f"permission {permission.id!r} must be granted by {scope!r}, not {permission.owner!r}"
                    )
                subject = registry.entity(permission.subject) if permission.subject != ANY else None
                if subject is not None and subject.owner != scope:
                    raise Forbidden(
                        f"{permission.subject!r} belongs to another rightsholder: only its owner grants on it"
                    )
                if existing is not None and existing.owner != scope:
                    raise Forbidden(f"permission id {permission.id!r} is taken by another rightsholder")
            check_if_match(if_match, existing, f"permission {permission.id!r}")

        return self.store.put_permission(permission, p.actor, guard=guard)

    def revoke_permission(
        self, p: Principal, permission_id: str, *, if_match: str | None = None
    ) -> ChangeResult:
        require(p, Action.WRITE_REGISTRY)
        guard = self._removal(
            p, f"no permission {permission_id!r}", if_match, f"permission {permission_id!r}"
        )
        return self.store.revoke_permission(permission_id, p.actor, guard=guard)

    def page_permissions(self, p: Principal, query: PageQuery) -> Page[Permission]:
        scoped = self._scoped(p, query)
        return self.store.page_permissions(scoped) if scoped is not None else Page()

    # ------------------------------------------------------------ rightsholders

    def list_rightsholders(self, p: Principal) -> list[Rightsholder]:
        scope = self._scope(p)
        return [r for r in self.store.list_rightsholders() if scope is None or r.id == scope]

    def get_rightsholder(self, p: Principal, rightsholder_id: str) -> Rightsholder:
        scope = self._scope(p)
        if scope is not None and rightsholder_id != scope:
            raise NotFound(f"no rightsholder {rightsholder_id!r}")
        return self.store.get_rightsholder(rightsholder_id)

    def upsert_rightsholder(self, p: Principal, rightsholder: Rightsholder) -> ChangeResult:
        require(p, Action.WRITE_REGISTRY)
        scope = self._scope(p)
        if scope is not None and rightsholder.id != scope:
            raise Forbidden("a rightsholder can only change its own record")
        return self.store.upsert_rightsholder(rightsholder, p.actor)

    # ------------------------------------------------------------ whole catalogs

    def import_catalog(self, p: Principal, catalog: Catalog, *, prune: bool = False) -> ImportResult:
        """Import; a rightsholder may import only its own part, and never prune (that is registry-wide)."""
        require(p, Action.WRITE_REGISTRY)
        scope = self._scope(p)
        if scope is not None:
            if prune:
                require(p, Action.PRUNE_REGISTRY)
            foreign = sorted(
                {r.id for r in catalog.rightsholders if r.id != scope}
                | {e.owner for e in catalog.entities if e.owner != scope}
                | {x.owner for x in catalog.permissions if x.owner != scope}
            )
            if foreign:
                raise Forbidden(f"the catalog has entries of other rightsholders: {', '.join(foreign)}")

        def guard(current: Catalog) -> None:
            entity_owners = {e.id: e.owner for e in current.entities}
            permission_owners = {x.id: x.owner for x in current.permissions}
            taken = [e.id for e in catalog.entities if entity_owners.get(e.id, scope) != scope]
            taken += [x.id for x in catalog.permissions if permission_owners.get(x.id, scope) != scope]
            if taken:
                raise Forbidden(f"ids taken by another rightsholder: {', '.join(sorted(taken))}")
            works = [e.work for e in catalog.entities if e.work and entity_owners.get(e.work, scope) != scope]
            if works:
                raise Forbidden(f"works of another rightsholder: {', '.join(sorted(set(works)))}")

        return self.store.import_catalog(catalog, p.actor, prune=prune, guard=guard if scope else None)

    def export_catalog(self, p: Principal) -> Catalog:
        return self.catalog_at(p)

    def catalog_at(self, p: Principal, version: int | None = None, at: datetime | None = None) -> Catalog:
        catalog = self.store.catalog_at(version=version, at=at)
        scope = self._scope(p)
        if scope is None:
            return catalog
        return Catalog(
            rightsholders=tuple(r for r in catalog.rightsholders if r.id == scope),
            entities=tuple(e for e in catalog.entities if e.owner == scope),
            permissions=tuple(x for x in catalog.permissions if x.owner == scope),
            version=catalog.version,
        )

    def history(self, p: Principal, limit: int = 50) -> list[VersionInfo]:
        require(p, Action.READ_HISTORY)
        return self.store.history(limit)

    # ------------------------------------------------------------ references

    def _reference_writer(self, p: Principal) -> ReferenceGuard | None:
        """The in-transaction check of a reference write: the entry must be the rightsholder's own."""
        require(p, Action.WRITE_REGISTRY)
        scope = self._scope(p)
        if scope is None:
            return None

        def guard(entity: Entity) -> None:
            if entity.owner != scope:
                raise Forbidden(f"entry {entity.id!r} belongs to another rightsholder")

        return guard

    def check_reference_write(self, p: Principal, entity_id: str) -> Entity:
        """Refuse early (before an upload is received or hashed) what `add_reference` would refuse."""
        guard = self._reference_writer(p)
        entity = self.store.get_entity(entity_id)
        if guard is not None:
            guard(entity)
        return entity

    def add_reference(
        self, p: Principal, reference: NewReference, *, before_commit: BeforeCommit | None = None
    ) -> ReferenceInfo:
        """Attach a hashed file to an entry of the caller's; `before_commit` as in the store."""
        guard = self._reference_writer(p)
        return self.store.add_reference(reference, p.actor, guard=guard, before_commit=before_commit)

    def remove_reference(self, p: Principal, reference_id: str) -> ChangeResult:
        require(p, Action.WRITE_REGISTRY)
        scope = self._scope(p)

        def owned(entity: Entity) -> None:
            if entity.owner != scope:
                raise NotFound(f"no reference {reference_id!r}")  # another's looks like none at all

        return self.store.remove_reference(reference_id, p.actor, guard=owned if scope else None)

    def page_references(self, p: Principal, entity_id: str, query: PageQuery) -> Page[ReferenceInfo]:
        self._visible_entity(p, entity_id)
        return self.store.page_references(entity_id, query)

    def list_references(self, p: Principal, entity_id: str | None = None) -> list[ReferenceInfo]:
        if entity_id is not None:
            self._visible_entity(p, entity_id)
            return self.store.list_references(entity_id=entity_id)
        return self.store.list_references(owner=self._scope(p))

    def get_reference(self, p: Principal, reference_id: str) -> ReferenceInfo:
        info = self.store.get_reference(reference_id)
        scope = self._scope(p)
        if scope is not None and self.store.get_entity(info.entity_id).owner != scope:
            raise NotFound(f"no reference {reference_id!r}")
        return info

    # ------------------------------------------------------------ API keys

    def create_key(
        self, p: Principal, role: Role | str, rightsholder: str | None = None, label: str | None = None
    ) -> CreatedKey:
        require(p, Action.MANAGE_KEYS)
        if label is not None and len(label) > 200:
            raise InvalidInput("a key label has at most 200 characters")
        return self.store.create_key(role, rightsholder=rightsholder, label=label)

    def list_keys(self, p: Principal) -> list[KeyInfo]:
        require(p, Action.MANAGE_KEYS)
        return self.store.list_keys()

    def revoke_key(self, p: Principal, key_id: str) -> None:
        require(p, Action.MANAGE_KEYS)
        self.store.revoke_key(key_id)
