"""Entity tags: a short digest of what a client read, so a later write can say "only if unchanged".

Why a digest of the representation rather than the registry version: a put that changes nothing
creates no version and must not invalidate a tag, and a change to another entry (a new version)
must not invalidate this one. The tag is the SHA-256 of the canonical JSON of the value as the API
returns it (sorted keys), quoted as HTTP wants (a strong tag).

`check_if_match` runs inside the registry's write transaction (as part of the put or removal guard),
so "read, then write if unchanged" cannot interleave with another writer.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kyodaku.domain.errors import PreconditionFailed
from kyodaku.domain.model import Entity, Permission
from kyodaku.registry.catalog import entity_to_dict, permission_to_dict

Tagged = Entity | Permission | dict[str, Any]


def entity_document(entity: Entity) -> dict[str, Any]:
    """An entity as the API shows it: the catalog's fields plus its kind (which a catalog file says by
    the section it is in), so what a client reads it can PUT back as it is."""
    return {"kind": entity.kind.value, **entity_to_dict(entity)}


def etag_of(value: Tagged) -> str:
    """The strong entity tag (quoted) of an entity, a permission, or any API representation."""
    if isinstance(value, Entity):
        value = entity_document(value)
    elif isinstance(value, Permission):
        value = permission_to_dict(value)
    body = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'


def matches(if_match: str, current: Tagged | None) -> bool:
    """RFC 9110 If-Match: `*` matches any current representation; otherwise one of the listed tags
    must equal the current one (weak tags never match a strong comparison)."""
    if current is None:
        return False
    tags = [t.strip() for t in if_match.split(",") if t.strip()]
    if "*" in tags:
        return True
    return etag_of(current) in tags


def check_if_match(if_match: str | None, current: Tagged | None, what: str) -> None:
    """Refuse (412) a conditional write whose tag is no longer the current one."""
    if if_match is not None and not matches(if_match, current):
        now = etag_of(current) if current is not None else None
        raise PreconditionFailed(
            f"{what} changed since you read it (If-Match {if_match} is not its current tag): read it again",
            current_etag=now,
        )
