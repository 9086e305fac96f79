"""Registered things: rightsholders, their entries (works, characters, styles) and permissions.

These are immutable value objects. The registry stores them with history, the
snapshot compiler reads them, the policy evaluates permissions; none of those
need more than what is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any


class EntityKind(StrEnum):
    WORK = "work"
    CHARACTER = "character"
    STYLE = "style"


class Use(StrEnum):
    """What a licensee wants to do with a registered entry."""

    TRAIN = "train"
    GENERATE = "generate"
    STYLE = "style"


class Effect(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


ANY = "*"
ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
LANG_REGEX = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
"""A BCP-47-like language tag (en, ja, ja-Latn, zh-Hans, pt-BR): the keys of names and descriptions."""
"""What an id may be (entries, permissions, rightsholders, references): ids appear in URLs, file
names and logs, so they stay plain. The one definition: the registry's checks, the catalog's JSON
Schema rule and the OpenAPI document's patterns all say this."""

THEMES = ("violence", "war", "sexual", "political", "hate", "drugs", "self-harm")


@dataclass(frozen=True)
class Rightsholder:
    id: str
    name: Mapping[str, str]
    country: str

    def display_name(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name.get("en") or next(iter(self.name.values()), self.id)


@dataclass(frozen=True)
class Entity:
    """A work, character or style a rightsholder registered.

    `names` maps a language code to the names used in that language (official
    names, readings, nicknames). `context` maps a language to words that, found
    near an ambiguous name ("Cloud", "Link"), show the registered entry is meant.
    """

    id: str
    kind: EntityKind
    owner: str
    names: Mapping[str, tuple[str, ...]]
    description: Mapping[str, str] = field(default_factory=dict)
    work: str | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    references: tuple[str, ...] = ()
    """Glob patterns of reference images and clips, relative to the catalog file's folder.
    The files themselves, once ingested, are registry references (`kyodaku refs`)."""
    ambiguous_names: tuple[str, ...] = ()

    def all_names(self) -> list[tuple[str, str]]:
        """Every (language, name) pair, in catalog order."""
        return [(lang, n) for lang, names in self.names.items() for n in names]

    def display_name(self, lang: str = "en") -> str:
        for code in (lang, "en"):
            if self.names.get(code):
                return self.names[code][0]
        return next((n for _, n in self.all_names()), self.id)

    @property
    def default_use(self) -> Use:
        return Use.STYLE if self.kind is EntityKind.STYLE else Use.GENERATE


@dataclass(frozen=True)
class Conditions:
    """Limits attached to an allow: the permission holds only when these are met."""

    forbidden_themes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"forbidden_themes": list(self.forbidden_themes)} if self.forbidden_themes else {}


@dataclass(frozen=True)
class Permission:
    """A rightsholder's statement about one use of its entries.

    `subject` is an entity id, a work id (covering the work's characters) or
    "*" (all of the owner's entries). `licensees` and `regions` hold "*" for
    anyone/anywhere. Validity is a half-open interval [valid_from, valid_until).
    """

    id: str
    owner: str
    subject: str
    uses: tuple[Use, ...]
    effect: Effect = Effect.ALLOW
    licensees: tuple[str, ...] = (ANY,)
    regions: tuple[str, ...] = (ANY,)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    conditions: Conditions = field(default_factory=Conditions)

    def covers_time(self, at: datetime) -> bool:
        if self.valid_from and at < self.valid_from:
            return False
        return not (self.valid_until and at >= self.valid_until)

    def covers_licensee(self, licensee: str | None) -> bool:
        return ANY in self.licensees or (licensee is not None and licensee in self.licensees)

    def covers_region(self, region: str | None) -> bool:
        return ANY in self.regions or (region is not None and region.upper() in self.regions)


@dataclass(frozen=True)
class Catalog:
    """Everything registered, as plain values: what a catalog file or a registry version holds."""

    rightsholders: tuple[Rightsholder, ...] = ()
    entities: tuple[Entity, ...] = ()
    permissions: tuple[Permission, ...] = ()
    version: int = 1
    source_dir: str | None = field(default=None, compare=False)
    """Folder of the catalog file it was loaded from: entities' `references` globs are relative to it.
    None for a catalog that did not come from a file (the registry, an upload)."""

    def entity_map(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}

    def rightsholder_map(self) -> dict[str, Rightsholder]:
        return {r.id: r for r in self.rightsholders}


def to_utc(value: date | datetime | str | None) -> datetime | None:
    """Dates in catalogs are calendar days; compare everything as aware UTC datetimes."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
