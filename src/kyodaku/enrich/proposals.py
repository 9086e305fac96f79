"""The proposals file, and accepting proposals into a new catalog.

The proposals file (JSON) lists one proposal per entry and name, each with the entry's owner, so a
rightsholder reviews the names proposed for its own entries: it sets `"accepted": true` on the
ones it wants (and may correct `lang`; a name whose language the source did not give and the
script could not tell, such as "zh/ja?", must get a real tag before it can be accepted).
Accepting is a separate, explicit act: `accept` adds the chosen names to a copy of the catalog,
marking the ambiguous ones in `ambiguous_names`, and never touches the proposals of other
owners' entries when an owner is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kyodaku.domain.errors import Forbidden, InvalidInput
from kyodaku.domain.model import Catalog, Entity
from kyodaku.enrich.match import EnrichResult
from kyodaku.text.normalize import key

FORMAT = "kyodaku-enrich-proposals"
FORMAT_VERSION = 1
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # as the catalog schema's language tags
_REQUIRED = {"id": str, "entry": str, "name": str, "lang": str, "accepted": bool}


def file_sha256(path: str | os.PathLike[str]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def proposals_document(result: EnrichResult, catalog_file: str | os.PathLike[str]) -> dict[str, Any]:
    """The proposals file's content (see the module docstring)."""
    counts: dict[str, int] = {}
    for p in result.proposals:
        counts[p.entry] = counts.get(p.entry, 0) + 1
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "catalog": os.fspath(catalog_file),
        "catalog_sha256": file_sha256(catalog_file),
        "review": (
            "Each rightsholder reviews the proposals for its own entries (an operator only with its "
            'consent): set "accepted": true on the names to add, fix "lang" where needed, then run '
            "kyodaku catalog enrich-accept CATALOG THIS_FILE --output NEW_CATALOG."
        ),
        "sources": [s.to_dict() for s in result.sources],
        "per_entry": counts,
        "proposals": [p.to_dict() for p in result.proposals],
        "reported": [r.to_dict() for r in result.reports],
    }


def write_json_atomic(path: str | os.PathLike[str], document: dict[str, Any]) -> None:
    """Write JSON to a temporary file beside `path`, then rename: never a half-written file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_proposals(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a proposals file; InvalidInput naming the file and the first problems when malformed."""
    name = os.fspath(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"proposals file {name}: cannot read it: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"proposals file {name}: not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(f'proposals file {name}: not a kyodaku proposals file (no "format": "{FORMAT}")')
    items = document.get("proposals")
    if not isinstance(items, list):
        raise InvalidInput(f'proposals file {name}: "proposals" must be a list')
    problems = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"proposals[{i}]: not an object")
            continue
        for field_name, kind in _REQUIRED.items():
            if not isinstance(item.get(field_name), kind):
                problems.append(f"proposals[{i}].{field_name}: missing or not a {kind.__name__}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InvalidInput(f"proposals file {name}: {'; '.join(problems[:5])}{more}")
    return document


@dataclass
class AcceptResult:
    catalog: Catalog
    added: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[dict[str, Any], str]] = field(default_factory=list)


def moved_references(catalog: Catalog, source: Path, target: Path) -> str | None:
    """A warning when the new catalog lands in another folder while entries have relative
    `references` patterns: those are read relative to the catalog file's folder."""
    if source.resolve().parent == target.resolve().parent:
        return None
    relative = sorted({e.id for e in catalog.entities for r in e.references if not os.path.isabs(r)})
    if not relative:
        return None
    return (
        f"{target} is in another folder than {source}: the relative `references` patterns of "
        f"{', '.join(relative[:5])}{' ...' if len(relative) > 5 else ''} will be read from there"
    )


def select(
    document: dict[str, Any], ids: list[str] | None = None, accept_all: bool = False
) -> list[dict[str, Any]]:
    """The proposals to accept: all of them, the listed ids, or those marked `"accepted": true`."""
    items: list[dict[str, Any]] = document["proposals"]
    if accept_all:
        return list(items)
    if ids:
        by_id = {p["id"]: p for p in items}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise InvalidInput(f"no proposal with id {', '.join(unknown)} in the proposals file")
        return [by_id[i] for i in dict.fromkeys(ids)]
    return [p for p in items if p["accepted"] is True]


def accept(catalog: Catalog, chosen: list[dict[str, Any]], owner: str | None = None) -> AcceptResult:
    """A copy of `catalog` with the chosen proposals' names added (ambiguous ones also listed in
    `ambiguous_names`). With `owner`, a proposal for another owner's entry is Forbidden: a
    rightsholder changes only its own entries. Proposals that no longer fit (entry gone, name
    already registered, language undecided, name of another entry) are skipped with the reason."""
    entities = {e.id: e for e in catalog.entities}
    if owner is not None:
        foreign = [p for p in chosen if p["entry"] in entities and entities[p["entry"]].owner != owner]
        if foreign:
            listed = ", ".join(
                f"{p['id']} ({p['entry']}, owned by {entities[p['entry']].owner})" for p in foreign[:5]
            )
            raise Forbidden(f"{owner} can accept names only for its own entries; not for {listed}")
    result = AcceptResult(catalog)
    owners_of_key: dict[str, set[str]] = {}
    for e in catalog.entities:
        for _, n in e.all_names():
            owners_of_key.setdefault(key(n), set()).add(e.id)
    for p in chosen:
        entity = entities.get(p["entry"])
        reason = _refusal(p, entity, owners_of_key)
        if reason:
            result.skipped.append((p, reason))
            continue
        assert entity is not None
        k = key(p["name"])
        entities[entity.id] = _with_name(entity, p)
        owners_of_key.setdefault(k, set()).add(entity.id)
        result.added.append(p)
    result.catalog = replace(catalog, entities=tuple(entities[e.id] for e in catalog.entities))
    return result


def _refusal(p: dict[str, Any], entity: Entity | None, owners_of_key: dict[str, set[str]]) -> str | None:
    if entity is None:
        return f"no entry {p['entry']!r} in the catalog"
    if not _LANG.match(p["lang"]):
        return f"language {p['lang']!r} is not a language tag: set one (en, ja, zh-Hans ...) in the file"
    name = p["name"].strip()
    k = key(name)
    if not name or not k:
        return "empty name"
    holders = owners_of_key.get(k, set())
    if entity.id in holders:
        return "already registered"
    if holders:
        return f"already a name of {', '.join(sorted(holders))}"
    return None


def _with_name(entity: Entity, p: dict[str, Any]) -> Entity:
    name, lang = p["name"].strip(), p["lang"]
    names = {code: tuple(values) for code, values in entity.names.items()}
    names[lang] = (*names.get(lang, ()), name)
    ambiguous = tuple(entity.ambiguous_names)
    if (p.get("ambiguity") or {}).get("ambiguous") and name not in ambiguous:
        ambiguous = (*ambiguous, name)
    return replace(entity, names=names, ambiguous_names=ambiguous)
