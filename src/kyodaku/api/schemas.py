"""Request bodies. Same field names as the catalog format, so a catalog entry can be POSTed as is.

Validation of shape happens here (422 on bad JSON); rules between entries
(owner exists, a rightsholder grants only on its own entries) are the
registry's, checked once in `registry/integrity.py`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Header, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import (
    ID_REGEX,
    Conditions,
    Effect,
    Entity,
    EntityKind,
    Permission,
    Use,
    to_utc,
)

IdPath = Annotated[str, Path(pattern=ID_REGEX, min_length=1, max_length=128, description="An id.")]
OwnerQ = Annotated[str | None, Query(pattern=ID_REGEX, max_length=128)]
SinceQ = Annotated[datetime | None, Query(description="Only what was created or changed after this time.")]
IfMatchH = Annotated[
    str | None,
    Header(alias="If-Match", max_length=2000, description="An `ETag` read before: write only if current."),
]

Lang = str
ThemeName = Literal["violence", "war", "sexual", "political", "hate", "drugs", "self-harm"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreenPromptRequest(_Strict):
    text: str = Field(..., description="The prompt to screen.")
    id: str | None = None
    licensee: str | None = None
    region: str | None = Field(None, description="ISO 3166 alpha-2 region of the request.")
    at: datetime | None = Field(None, description="Time of the request; default now.")
    use: Use | None = Field(None, description="Use to check; default the entry's own (generate or style).")


class EntityBody(_Strict):
    id: str | None = Field(None, description="If given, the path's id (so what a GET returns can be PUT).")
    kind: EntityKind
    owner: str | None = Field(
        None, description="Defaults to the caller's rightsholder (or the work's owner)."
    )
    work: str | None = None
    names: dict[Lang, list[str]] = Field(..., min_length=1)
    description: dict[Lang, str] = Field(default_factory=dict)
    context: dict[Lang, list[str]] = Field(default_factory=dict)
    references: list[str] = Field(default_factory=list)
    ambiguous_names: list[str] = Field(default_factory=list)

    def to_entity(self, entity_id: str, owner: str) -> Entity:
        if self.id is not None and self.id != entity_id:
            raise InvalidInput(
                f"the body's id {self.id!r} is not the path's {entity_id!r}",
                errors=[{"pointer": "#/id", "detail": "must equal the id in the path"}],
            )
        return Entity(
            id=entity_id,
            kind=self.kind,
            owner=owner,
            names={k: tuple(v) for k, v in self.names.items()},
            description=dict(self.description),
            work=self.work,
            context={k: tuple(v) for k, v in self.context.items()},
            references=tuple(self.references),
            ambiguous_names=tuple(self.ambiguous_names),
        )


class ConditionsBody(_Strict):
    forbidden_themes: list[ThemeName] = Field(default_factory=list)


class PermissionBody(_Strict):
    id: str
    owner: str | None = None
    subject: str
    uses: list[Use] = Field(..., min_length=1)
    effect: Effect = Effect.ALLOW
    licensees: list[str] = Field(default_factory=lambda: ["*"])
    regions: list[str] = Field(default_factory=lambda: ["*"])
    valid_from: date | datetime | None = None
    valid_until: date | datetime | None = None
    conditions: ConditionsBody = Field(default_factory=ConditionsBody)

    def to_permission(self, owner: str) -> Permission:
        return Permission(
            id=self.id,
            owner=owner,
            subject=self.subject,
            uses=tuple(self.uses),
            effect=self.effect,
            licensees=tuple(self.licensees),
            regions=tuple(r.upper() for r in self.regions),
            valid_from=to_utc(self.valid_from),
            valid_until=to_utc(self.valid_until),
            conditions=Conditions(forbidden_themes=tuple(self.conditions.forbidden_themes)),
        )


class KeyBody(_Strict):
    role: Literal["admin", "operator", "rightsholder"]
    rightsholder: str | None = None
    label: str | None = None


class KeyCreated(BaseModel):
    id: str
    secret: str
    role: str
    rightsholder: str | None = None
