"""Request bodies. Same field names as the catalog format, so a catalog entry can be POSTed as is.

Validation of shape happens here (422 on bad JSON); rules between entries
(owner exists, a rightsholder grants only on its own entries) are the
registry's, checked once in `registry/integrity.py`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Header, Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from kyodaku.domain.errors import InvalidInput, KyodakuError
from kyodaku.domain.model import (
    ID_REGEX,
    LANG_REGEX,
    Conditions,
    Effect,
    Entity,
    EntityKind,
    Permission,
    Use,
    to_utc,
)
from kyodaku.settings import Settings, load_settings

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    """Dates and times as ISO 8601 text only: pydantic would otherwise read 0 or "0.5" as a Unix
    time, which the document (`format: date-time`) does not allow and no client means."""
    if isinstance(value, datetime | date) or (isinstance(value, str) and _ISO.match(value)):
        return value
    raise ValueError("expected an ISO 8601 date or date-time, e.g. 2026-12-05 or 2026-12-05T09:00:00Z")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]
IsoDate = Annotated[date, BeforeValidator(_iso_only)]

IdPath = Annotated[str, Path(pattern=ID_REGEX, min_length=1, max_length=128, description="An id.")]
OwnerQ = Annotated[str | None, Query(pattern=ID_REGEX, max_length=128)]
SinceQ = Annotated[IsoDateTime | None, Query(description="Only what was created or changed after this time.")]
IfMatchH = Annotated[
    str | None,
    Header(alias="If-Match", max_length=2000, description="An `ETag` read before: write only if current."),
]

Lang = Annotated[str, StringConstraints(pattern=LANG_REGEX)]
_VISIBLE = r"[^\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
"""A character that is not white space, with the spaces spelled out: what counts as white space
differs between regex engines (ECMA's counts U+FEFF, Rust's and Python's U+0085, Python's also
U+001C-U+001F), and the document must refuse exactly what the server refuses, whichever engine a
client's validator uses."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=_VISIBLE)]
"""A name, a context word, a licensee: not empty, not only spaces."""
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=_VISIBLE)]
Id = Annotated[str, StringConstraints(pattern=ID_REGEX, min_length=1, max_length=128)]
Region = Annotated[str, StringConstraints(pattern=r"^(\*|[A-Za-z]{2})$")]


def _max_prompt_chars() -> int:
    """The server's configured maximum (KYODAKU_MAX_PROMPT_CHARS) as the process starts, so the
    document states the limit this server enforces; the default when the environment is unreadable
    (the server then refuses to start anyway, naming the bad setting)."""
    try:
        return load_settings().max_prompt_chars
    except KyodakuError:
        return Settings.model_fields["max_prompt_chars"].default


MAX_PROMPT_CHARS = _max_prompt_chars()


def _lang_keys_only(schema: dict) -> None:
    """Maps keyed by language, written as `propertyNames` (the key pattern) plus `additionalProperties`
    (the value), not pydantic's `patternProperties`: by the latter any other key is valid by the
    document while the server refuses it, and client generators that do not read `patternProperties`
    produce a map that cannot hold any key at all."""
    patterns = schema.pop("patternProperties", None) or {}
    for pattern, value in patterns.items():
        schema["propertyNames"] = {"pattern": pattern}
        schema["additionalProperties"] = value


ThemeName = Literal["violence", "war", "sexual", "political", "hate", "drugs", "self-harm"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreenPromptRequest(_Strict):
    text: str = Field(
        ...,
        min_length=1,
        max_length=MAX_PROMPT_CHARS,
        description=f"The prompt to screen: at most {MAX_PROMPT_CHARS:,} characters (the server's setting).",
    )
    id: str | None = Field(None, max_length=200, description="Your id for this request, echoed back.")
    licensee: Text | None = None
    region: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2 region of the request."
    )
    at: IsoDateTime | None = Field(None, description="Time of the request; default now.")
    use: Use | None = Field(None, description="Use to check; default the entry's own (generate or style).")


class EntityBody(_Strict):
    id: str | None = Field(None, description="If given, the path's id (so what a GET returns can be PUT).")
    kind: EntityKind
    owner: Id | None = Field(None, description="Defaults to the caller's rightsholder (or the work's owner).")
    work: Id | None = None
    names: dict[Lang, Annotated[list[Text], Field(min_length=1, max_length=200)]] = Field(
        ..., min_length=1, description="Names per language; at least one.", json_schema_extra=_lang_keys_only
    )
    description: dict[Lang, LongText] = Field(default_factory=dict, json_schema_extra=_lang_keys_only)
    context: dict[Lang, Annotated[list[Text], Field(max_length=200)]] = Field(
        default_factory=dict, json_schema_extra=_lang_keys_only
    )
    references: list[Text] = Field(default_factory=list, max_length=100)
    ambiguous_names: list[Text] = Field(default_factory=list, max_length=200)

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
    id: Id
    owner: Id | None = None
    subject: str = Field(
        ..., pattern=r"^\*$|" + ID_REGEX, description="An entry id, a work id, or * (all yours)."
    )
    uses: list[Use] = Field(..., min_length=1, max_length=3)
    effect: Effect = Effect.ALLOW
    licensees: list[Text] = Field(default_factory=lambda: ["*"], min_length=1, max_length=1000)
    regions: list[Region] = Field(default_factory=lambda: ["*"], min_length=1, max_length=300)
    valid_from: IsoDate | IsoDateTime | None = None
    valid_until: IsoDate | IsoDateTime | None = None
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
    rightsholder: Id | None = None
    label: str | None = Field(None, max_length=200)


class KeyCreated(BaseModel):
    id: str
    secret: str
    role: str
    rightsholder: str | None = None
