"""Rules that hold between registered things, checked the same way for files and for the store.

A JSON Schema can say "owner is a string"; it cannot say "owner names a
rightsholder that exists" or "a rightsholder grants only on its own entries".
Those rules live here, once, over domain objects and a `Lookup` so that the
catalog loader (a dictionary of the file's entries) and the store (queries on
the current registry) enforce exactly the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import Literal, Protocol

from kyodaku.domain.model import (
    ANY,
    ID_REGEX,
    THEMES,
    Catalog,
    Effect,
    Entity,
    EntityKind,
    Permission,
    Rightsholder,
    Use,
    to_utc,
)

ID_PATTERN = re.compile(ID_REGEX.strip("^$"))
"""Ids appear in URLs, file names and logs: keep them plain (`kyodaku.domain.model.ID_REGEX`)."""

REGION_PATTERN = re.compile(r"[A-Z]{2}")

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one entry. `field` is relative to the entry; `ref` is the id it points at."""

    field: FieldPath
    message: str
    ref: str | None = None


class Lookup(Protocol):
    """What the rules need to know about the rest of the registry."""

    def has_rightsholder(self, rightsholder_id: str) -> bool: ...

    def entity(self, entity_id: str) -> Entity | None: ...


def _id_problems(value: str, field: str = "id") -> list[Problem]:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        return [Problem((field,), f"{value!r} is not a valid id (letters, digits, . _ : - ; at most 128)")]
    return []


def rightsholder_problems(rightsholder: Rightsholder) -> list[Problem]:
    problems = _id_problems(rightsholder.id)
    if not rightsholder.name or not all(isinstance(v, str) and v.strip() for v in rightsholder.name.values()):
        problems.append(Problem(("name",), "needs a non-empty name in at least one language"))
    if rightsholder.country and not REGION_PATTERN.fullmatch(rightsholder.country):
        problems.append(
            Problem(("country",), f"{rightsholder.country!r} is not an uppercase ISO country code")
        )
    return problems


def entity_problems(entity: Entity, lookup: Lookup) -> list[Problem]:
    problems = _id_problems(entity.id)
    if entity.kind not in set(EntityKind):
        return [*problems, Problem(("kind",), f"{entity.kind!r} is not a kind ({', '.join(EntityKind)})")]
    if not lookup.has_rightsholder(entity.owner):
        problems.append(Problem(("owner",), f"unknown rightsholder {entity.owner!r}", ref=entity.owner))
    if entity.kind is EntityKind.CHARACTER and entity.work is not None:
        work = lookup.entity(entity.work)
        if work is None:
            problems.append(Problem(("work",), f"unknown work {entity.work!r}", ref=entity.work))
        elif work.kind is not EntityKind.WORK:
            problems.append(Problem(("work",), f"{entity.work!r} is a {work.kind}, not a work"))
    elif entity.work is not None:
        problems.append(Problem(("work",), f"only characters belong to a work, not a {entity.kind}"))
    if not any(name.strip() for _, name in entity.all_names()):
        problems.append(Problem(("names",), "needs at least one name"))
    known = {name.casefold() for _, name in entity.all_names()}
    for i, name in enumerate(entity.ambiguous_names):
        if name.casefold() not in known:
            problems.append(Problem(("ambiguous_names", i), f"{name!r} is not one of this entry's names"))
    return problems


def permission_problems(permission: Permission, lookup: Lookup) -> list[Problem]:
    problems = _id_problems(permission.id)
    owner_known = lookup.has_rightsholder(permission.owner)
    if not owner_known:
        problems.append(
            Problem(("owner",), f"unknown rightsholder {permission.owner!r}", ref=permission.owner)
        )
    if permission.subject != ANY:
        subject = lookup.entity(permission.subject)
        if subject is None:
            problems.append(
                Problem(
                    ("subject",),
                    f"unknown subject {permission.subject!r}; use an entry id, a work id or '*'",
                    ref=permission.subject,
                )
            )
        elif owner_known and subject.owner != permission.owner:
            problems.append(
                Problem(
                    ("subject",),
                    f"{permission.subject!r} belongs to {subject.owner!r}, not {permission.owner!r}: "
                    "a rightsholder can only grant or deny on its own entries",
                )
            )
    if not permission.uses:
        problems.append(Problem(("uses",), "needs at least one use"))
    for i, use in enumerate(permission.uses):
        if use not in set(Use):
            problems.append(Problem(("uses", i), f"{use!r} is not a use ({', '.join(Use)})"))
    if permission.effect not in set(Effect):
        problems.append(Problem(("effect",), f"{permission.effect!r} is not allow or deny"))
    if not permission.licensees:
        problems.append(Problem(("licensees",), "needs at least one licensee or '*'"))
    if not permission.regions:
        problems.append(Problem(("regions",), "needs at least one region or '*'"))
    for i, region in enumerate(permission.regions):
        if region != ANY and not REGION_PATTERN.fullmatch(region):
            problems.append(
                Problem(("regions", i), f"{region!r} is not an uppercase ISO country code or '*'")
            )
    start, end = to_utc(permission.valid_from), to_utc(permission.valid_until)
    if start is not None and end is not None and end <= start:
        shown = start.date().isoformat() if start.time() == time() else start.isoformat()
        problems.append(Problem(("valid_until",), f"must be after valid_from ({shown})"))
    for i, theme in enumerate(permission.conditions.forbidden_themes):
        if theme not in THEMES:
            problems.append(
                Problem(
                    ("conditions", "forbidden_themes", i), f"{theme!r} is not a theme ({', '.join(THEMES)})"
                )
            )
    return problems


class CatalogLookup:
    """A Lookup over a Catalog's own entries (the first of duplicated ids wins)."""

    def __init__(self, catalog: Catalog) -> None:
        self._rightsholders = {r.id for r in catalog.rightsholders}
        self._entities: dict[str, Entity] = {}
        for entity in catalog.entities:
            self._entities.setdefault(entity.id, entity)

    def has_rightsholder(self, rightsholder_id: str) -> bool:
        return rightsholder_id in self._rightsholders

    def entity(self, entity_id: str) -> Entity | None:
        return self._entities.get(entity_id)


Section = Literal["rightsholders", "entities", "permissions"]


@dataclass(frozen=True)
class CatalogProblem:
    """A Problem located in a Catalog: which section, which position in it."""

    section: Section
    index: int
    problem: Problem


def duplicate_problems(catalog: Catalog) -> list[CatalogProblem]:
    """Ids used twice: among rightsholders; among works, characters and styles together; among permissions."""
    return [
        *_duplicates("rightsholders", ((r.id, "rightsholder") for r in catalog.rightsholders)),
        *_duplicates("entities", ((e.id, str(e.kind)) for e in catalog.entities)),
        *_duplicates("permissions", ((p.id, "permission") for p in catalog.permissions)),
    ]


def _duplicates(section: Section, ids: Iterable[tuple[str, str]]) -> list[CatalogProblem]:
    first: dict[str, str] = {}
    out = []
    for i, (entry_id, what) in enumerate(ids):
        if entry_id in first:
            message = f"duplicate id {entry_id!r}: already used by an earlier {first[entry_id]}"
            out.append(CatalogProblem(section, i, Problem(("id",), message)))
        else:
            first[entry_id] = what
    return out


def catalog_problems(
    catalog: Catalog, lookup: Lookup | None = None, *, duplicates: bool = True
) -> list[CatalogProblem]:
    """Every broken rule in a catalog. `lookup` defaults to the catalog's own entries.

    `duplicates=False` is for a caller that checked ids itself (the file loader
    checks them on the raw document, where malformed entries still have ids).
    """
    lookup = lookup or CatalogLookup(catalog)
    out: list[CatalogProblem] = []
    if duplicates:
        out += duplicate_problems(catalog)
    for i, rightsholder in enumerate(catalog.rightsholders):
        out += [CatalogProblem("rightsholders", i, p) for p in rightsholder_problems(rightsholder)]
    for i, entity in enumerate(catalog.entities):
        out += [CatalogProblem("entities", i, p) for p in entity_problems(entity, lookup)]
    for i, permission in enumerate(catalog.permissions):
        out += [CatalogProblem("permissions", i, p) for p in permission_problems(permission, lookup)]
    return out


def describe(problems: Iterable[Problem]) -> str:
    """One line for an error message: `owner: unknown rightsholder 'x'; work: ...`."""
    return "; ".join(f"{'.'.join(str(f) for f in p.field)}: {p.message}" for p in problems)
