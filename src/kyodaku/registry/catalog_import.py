"""Importing a whole catalog into the registry, as one version (none if nothing differs).

Why an import is planned before anything is written: the merged registry is checked as a whole
(`integrity`), so a catalog with any problem changes nothing and the error lists every problem,
and an import that would change nothing creates no version, so importing the same catalog twice
is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyodaku.domain.errors import CatalogError, CatalogIssue
from kyodaku.domain.model import Catalog, EntityKind
from kyodaku.registry import integrity
from kyodaku.registry.database import StorePart
from kyodaku.registry.documents import format_field
from kyodaku.registry.entries import Value, canonical_entity, canonical_permission, canonical_rightsholder
from kyodaku.registry.models import EntityRow, PermissionRow, RightsholderRow
from kyodaku.registry.reference_rows import close_references
from kyodaku.registry.rows import (
    entity_from_row,
    entity_row,
    permission_from_row,
    permission_row,
    rightsholder_from_row,
    rightsholder_row,
)
from kyodaku.registry.versions import Row, current, latest, new_version, next_position


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


ImportGuard = Callable[[Catalog], None]
"""Called inside an import's transaction with the current registry; raises to refuse."""

_SECTIONS = {EntityKind.WORK: "works", EntityKind.CHARACTER: "characters", EntityKind.STYLE: "styles"}


class CatalogImport(StorePart):
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
        are removed (with their references), so the registry ends up equal to the catalog. The
        merged result is checked as a whole; on any problem nothing is written and CatalogError
        lists them all.
        """
        incoming = Catalog(
            rightsholders=tuple(catalog.rightsholders),
            entities=tuple(catalog.entities),
            permissions=tuple(catalog.permissions),
        )
        issues = [_import_issue(source, incoming, p) for p in integrity.duplicate_problems(incoming)]
        if issues:
            raise CatalogError(issues)
        with self._write() as session:
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
                version=latest(session),
                created=sum(len(d.created) for d in diffs),
                updated=sum(len(d.updated) for d in diffs),
                unchanged=sum(d.unchanged for d in diffs),
                removed=sum(len(d.removed) for d in diffs),
            )
            if not result.changed:
                return result
            note = f"import: {result.created} created, {result.updated} updated, {result.removed} removed"
            version = new_version(session, actor, note)
            for plan, diff in zip(plans, diffs, strict=True):
                plan.apply(session, diff, version)
            close_references(session, [row.id for row in diffs[1].removed], version)
            return replace(result, version=version)


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
        rows = session.scalars(select(model).where(current(model)).order_by(model.position, model.row_id))
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
        position = next_position(session, self.model)
        for i, value in enumerate(diff.created):
            session.add(to_row(value, version=version, position=position + i))
        session.flush()


@dataclass
class _Diff:
    created: list[Any] = field(default_factory=list)
    updated: list[tuple[Any, Any]] = field(default_factory=list)  # (row to close, new value)
    removed: list[Any] = field(default_factory=list)  # rows to close
    unchanged: int = 0


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
