"""Domain values <-> table rows. The only place that knows both shapes."""

from __future__ import annotations

from kyodaku.domain.model import Conditions, Effect, Entity, EntityKind, Permission, Rightsholder, Use
from kyodaku.registry.models import EntityRow, PermissionRow, RightsholderRow


def rightsholder_from_row(row: RightsholderRow) -> Rightsholder:
    return Rightsholder(id=row.id, name=dict(row.name), country=row.country)


def rightsholder_row(value: Rightsholder, *, version: int, position: int) -> RightsholderRow:
    return RightsholderRow(
        id=value.id,
        name=dict(value.name),
        country=value.country,
        position=position,
        valid_from_version=version,
    )


def entity_from_row(row: EntityRow) -> Entity:
    return Entity(
        id=row.id,
        kind=EntityKind(row.kind),
        owner=row.owner,
        names={lang: tuple(names) for lang, names in row.names.items()},
        description=dict(row.description),
        work=row.work,
        context={lang: tuple(words) for lang, words in row.context.items()},
        references=tuple(row.reference_globs),
        ambiguous_names=tuple(row.ambiguous_names),
    )


def entity_row(value: Entity, *, version: int, position: int) -> EntityRow:
    return EntityRow(
        id=value.id,
        kind=EntityKind(value.kind).value,
        owner=value.owner,
        work=value.work,
        names={lang: list(names) for lang, names in value.names.items()},
        description=dict(value.description),
        context={lang: list(words) for lang, words in value.context.items()},
        reference_globs=list(value.references),
        ambiguous_names=list(value.ambiguous_names),
        position=position,
        valid_from_version=version,
    )


def permission_from_row(row: PermissionRow) -> Permission:
    return Permission(
        id=row.id,
        owner=row.owner,
        subject=row.subject,
        uses=tuple(Use(u) for u in row.uses),
        effect=Effect(row.effect),
        licensees=tuple(row.licensees),
        regions=tuple(row.regions),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        conditions=Conditions(forbidden_themes=tuple(row.conditions.get("forbidden_themes", ()))),
    )


def permission_row(value: Permission, *, version: int, position: int) -> PermissionRow:
    return PermissionRow(
        id=value.id,
        owner=value.owner,
        subject=value.subject,
        uses=[Use(u).value for u in value.uses],
        effect=Effect(value.effect).value,
        licensees=list(value.licensees),
        regions=list(value.regions),
        valid_from=value.valid_from,
        valid_until=value.valid_until,
        conditions=value.conditions.to_dict(),
        position=position,
        valid_from_version=version,
    )
