"""Catalog files: load (with every problem located by file, line and field), convert and dump.

A catalog is how a rightsholder hands its works, characters, styles and
permissions to kyodaku, so the loader is strict (unknown keys are errors, not
silently ignored: a misspelt `valid_untill` must not leave a permission open
forever) and thorough (it reports all problems at once, each with the line to
fix). Checks run in two layers: the JSON Schema shipped as package data
(`kyodaku/schemas/catalog.schema.json`) for shape, then `integrity` for the
rules between entries, the same rules the store enforces.

Locating problems is the costly part of a large catalog, so a load first goes the
quick road (`catalog_quick`: `json` or libyaml, no positions, the schema as a
yes/no) and reads the lines only when there is a problem to report.

The format is documented in docs/catalog.md.
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from kyodaku.domain.errors import CatalogError, CatalogIssue
from kyodaku.domain.model import (
    Catalog,
    Conditions,
    Effect,
    Entity,
    EntityKind,
    Permission,
    Rightsholder,
    Use,
    to_utc,
)
from kyodaku.registry import integrity
from kyodaku.registry.catalog_quick import compile_schema, paused_cyclic_gc, quick_parse
from kyodaku.registry.documents import (
    FILE_FIELD,
    Format,
    LineIndex,
    ParsedDocument,
    format_field,
    format_for,
    parse_document,
)

FORMAT_VERSION = 1

ENTITY_SECTIONS: dict[str, EntityKind] = {
    "works": EntityKind.WORK,
    "characters": EntityKind.CHARACTER,
    "styles": EntityKind.STYLE,
}
"""Catalog section -> kind, in the order sections are read and written (works before their characters)."""

_YAML_BOOL_HINT = "quote it (YAML reads unquoted no/yes/on/off as booleans)"


@cache
def catalog_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) for catalog files, as shipped in the package."""
    text = resources.files("kyodaku").joinpath("schemas/catalog.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(catalog_schema())


@cache
def _schema_accepts() -> Callable[[Any], bool]:
    """Yes/no against the schema: the compiled quick check, else jsonschema's (slower) is_valid."""
    return compile_schema(catalog_schema()) or _validator().is_valid


# ---------------------------------------------------------------- loading


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Read and validate a catalog file (.yaml, .yml or .json); raise CatalogError listing every issue."""
    name = os.fspath(path)
    fmt = format_for(name)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CatalogError(
            [CatalogIssue(name, None, FILE_FIELD, f"cannot read the file: {exc.strerror}")]
        ) from None
    catalog = load_catalog_text(raw, name, fmt)
    return replace(catalog, source_dir=str(Path(path).resolve().parent))


def load_catalog_text(
    source: str | bytes, name: str = "<catalog>", fmt: str | Format | None = None
) -> Catalog:
    """Validate a catalog given as text or bytes (an upload). `fmt` defaults to the suffix of `name`."""
    fmt = Format(fmt) if fmt is not None else format_for(name)
    with paused_cyclic_gc():
        data = quick_parse(source, fmt)
        catalog = None
        if data is not None:
            catalog = _Loader(ParsedDocument(data, LineIndex(), []), name).load_if_clean()
        del data
    if catalog is not None:
        return catalog
    # Something to report (or a doubt): parse again, keeping every line, and say it all.
    doc = parse_document(source, name, fmt)
    return _Loader(doc, name).load()


@dataclass
class _Origin:
    """Where a built domain object came from, and which of its keys the schema already rejected."""

    path: tuple[str, int]
    failing: set[str] = field(default_factory=set)


class _Loader:
    """One validation run over one document.

    Entries the schema rejected are still built, with their rejected keys left at
    neutral defaults, so that the rules between entries are checked for them too:
    an author fixes every problem in one pass. Problems about a rejected key are
    not reported twice.
    """

    def __init__(self, doc: ParsedDocument, name: str) -> None:
        self.doc = doc
        self.name = name
        self.issues: list[CatalogIssue] = list(doc.issues)
        self.failing: dict[tuple[str, int], set[str]] = {}
        self.unbuilt_ids: set[str] = set()
        self.broken_section = False

    def issue(self, path: tuple[str | int, ...], message: str) -> None:
        self.issues.append(CatalogIssue(self.name, self.doc.index.line(path), format_field(path), message))

    def load_if_clean(self) -> Catalog | None:
        """The catalog if there is nothing to report, else None (then `load` a located document).

        The same steps as `load`, with the schema asked only yes or no: where this returns a
        catalog, `load` returns the same one.
        """
        data = self.doc.data
        if not isinstance(data, dict) or not _schema_accepts()(data):
            return None
        self._check_duplicates(data)
        if self.issues:
            return None
        catalog, origins = self._build(data)
        self._check_integrity(catalog, origins)
        return None if self.issues else catalog

    def load(self) -> Catalog:
        data = self.doc.data
        if not isinstance(data, dict):
            self.issue(
                (),
                "the top level must be a mapping: 'version: 1' and the sections "
                "rightsholders, works, characters, styles, permissions",
            )
            raise CatalogError(self.issues)
        self._check_schema(data)
        self._check_duplicates(data)
        catalog, origins = self._build(data)
        self._check_integrity(catalog, origins)
        if self.issues:
            raise CatalogError(_sorted_unique(self.issues))
        return catalog

    # -- layer 1: shape

    def _check_schema(self, data: dict[str, Any]) -> None:
        for error in _validator().iter_errors(data):
            path = tuple(error.absolute_path)
            for field_path, message in _describe_schema_error(error, path):
                self.issue(field_path, message)
            if len(path) == 1:
                self.broken_section = True
            elif len(path) >= 2:
                failing = self.failing.setdefault((str(path[0]), int(path[1])), set())
                if len(path) >= 3:
                    failing.add(str(path[2]))
                elif error.validator == "required":
                    failing.update(error.validator_value)

    def _check_duplicates(self, data: dict[str, Any]) -> None:
        """Ids are unique per namespace: rightsholders; works, characters and styles together; permissions."""
        namespaces = (("rightsholders",), tuple(ENTITY_SECTIONS), ("permissions",))
        for sections in namespaces:
            first: dict[str, str] = {}
            for section in sections:
                for i, entry in _entries(data, section):
                    entry_id = entry.get("id")
                    if not isinstance(entry_id, str):
                        continue
                    here = format_field((section, i))
                    if entry_id in first:
                        self.issue(
                            (section, i, "id"),
                            f"duplicate id {entry_id!r}: already used by {first[entry_id]}",
                        )
                    else:
                        first[entry_id] = here

    # -- building domain objects, leniently

    def _usable(self, section: str, index: int, entry: dict[str, Any], required: tuple[str, ...]) -> bool:
        failing = self.failing.get((section, index), set())
        if any(key in failing or key not in entry for key in required):
            if isinstance(entry.get("id"), str):
                self.unbuilt_ids.add(entry["id"])
            return False
        return True

    def _clean(self, section: str, index: int, entry: dict[str, Any]) -> dict[str, Any]:
        failing = self.failing.get((section, index), set())
        return {key: value for key, value in entry.items() if key not in failing}

    def _build(self, data: dict[str, Any]) -> tuple[Catalog, dict[str, list[_Origin]]]:
        origins: dict[str, list[_Origin]] = {"rightsholders": [], "entities": [], "permissions": []}

        def origin(section: str, index: int) -> _Origin:
            return _Origin((section, index), set(self.failing.get((section, index), set())))

        rightsholders = []
        for i, entry in _entries(data, "rightsholders"):
            if self._usable("rightsholders", i, entry, ("id",)):
                rightsholders.append(_rightsholder(self._clean("rightsholders", i, entry)))
                origins["rightsholders"].append(origin("rightsholders", i))

        work_owners = {w.get("id"): w.get("owner") for _, w in _entries(data, "works")}
        entities = []
        for section, kind in ENTITY_SECTIONS.items():
            for i, entry in _entries(data, section):
                if not self._usable(section, i, entry, ("id",)):
                    continue
                entry = self._clean(section, i, entry)
                owner = entry.get("owner") or work_owners.get(entry.get("work"))
                if not isinstance(owner, str):
                    self._no_owner(section, i, entry, entry.get("work") in work_owners)
                    continue
                entities.append(_entity(entry, kind, owner))
                origins["entities"].append(origin(section, i))

        permissions = []
        for i, entry in _entries(data, "permissions"):
            if self._usable("permissions", i, entry, ("id", "owner", "subject")):
                permissions.append(self._permission(i, self._clean("permissions", i, entry)))
                origins["permissions"].append(origin("permissions", i))
        return Catalog(tuple(rightsholders), tuple(entities), tuple(permissions)), origins

    def _no_owner(self, section: str, index: int, entry: dict[str, Any], work_listed: bool) -> None:
        """A character without an owner takes its work's; say why that failed (once)."""
        self.unbuilt_ids.add(entry["id"])
        if "work" not in entry:
            if "owner" not in self.failing.get((section, index), set()):
                self.issue((section, index, "owner"), "missing: a character needs an owner or a work")
        elif not work_listed:
            self.issue((section, index, "work"), f"unknown work {entry['work']!r}")
        # else the work is listed but malformed, and already reported.

    def _permission(self, index: int, entry: dict[str, Any]) -> Permission:
        times: dict[str, datetime | None] = {}
        for key in ("valid_from", "valid_until"):
            try:
                times[key] = to_utc(entry.get(key))
            except ValueError:
                self.issue(("permissions", index, key), f"{entry[key]!r} is not a valid date or date-time")
                self.failing.setdefault(("permissions", index), set()).add(key)
                times[key] = None
        return _permission(entry, times["valid_from"], times["valid_until"])

    # -- layer 2: rules between entries

    def _check_integrity(self, catalog: Catalog, origins: dict[str, list[_Origin]]) -> None:
        for found in integrity.catalog_problems(catalog, duplicates=False):
            problem = found.problem
            origin = origins[found.section][found.index]
            failing = self.failing.get(origin.path, set())
            if problem.field[0] in failing:
                continue  # the schema already rejected this key
            if problem.ref is not None and (self.broken_section or problem.ref in self.unbuilt_ids):
                continue  # points at an entry already reported as malformed: one report is enough
            self.issue((*origin.path, *problem.field), problem.message)


def _entries(data: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [(i, entry) for i, entry in enumerate(items) if isinstance(entry, dict)]


def _describe_schema_error(
    error: jsonschema.ValidationError, path: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    """A schema error as (field path, message) pairs a catalog author can act on."""
    kind, value = error.validator, error.instance
    if "propertyNames" in error.schema_path:
        return [((*path, value), f"{value!r} is not a language tag like en, ja, ja-Latn or zh-Hans")]
    if kind == "additionalProperties" and error.validator_value is False:
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in value if k not in allowed]
        return [((*path, k), f"unknown key {k!r}; expected one of: {', '.join(allowed)}") for k in extra]
    if kind == "required":
        return [((*path, k), f"missing required key {k!r}") for k in error.validator_value if k not in value]
    if kind == "anyOf":
        return [(path, f"{value!r} is neither an id (letters, digits, . _ : -) nor '*'")]
    if kind == "const" and path == ("version",):
        return [(path, f"{value!r}: version must be {FORMAT_VERSION}, the only catalog format version")]
    if kind == "type" and isinstance(value, bool):
        return [(path, f"{error.message}; {_YAML_BOOL_HINT}")]
    if kind == "pattern":
        if error.validator_value == "\\S":
            return [(path, "must not be blank")]
        hint = error.schema.get("description")
        return [(path, f"{value!r} is not valid here: {hint}" if hint else error.message)]
    if kind in ("minItems", "minProperties"):
        return [(path, "must not be empty")]
    if kind == "uniqueItems":
        return [(path, "lists the same value twice")]
    return [(path, error.message)]


def _sorted_unique(issues: list[CatalogIssue]) -> list[CatalogIssue]:
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda i: (i.line is None, i.line or 0, i.field))


# ---------------------------------------------------------------- dict <-> domain


def _rightsholder(entry: dict[str, Any]) -> Rightsholder:
    return Rightsholder(
        id=entry["id"], name=dict(entry.get("name") or {}), country=entry.get("country", "").upper()
    )


def _lang_lists(value: dict[str, list[str]] | None) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(items) for lang, items in (value or {}).items()}


def _entity(entry: dict[str, Any], kind: EntityKind, owner: str) -> Entity:
    return Entity(
        id=entry["id"],
        kind=kind,
        owner=owner,
        names=_lang_lists(entry.get("names")),
        description=dict(entry.get("description") or {}),
        work=entry.get("work"),
        context=_lang_lists(entry.get("context")),
        references=tuple(entry.get("references") or ()),
        ambiguous_names=tuple(entry.get("ambiguous_names") or ()),
    )


def _permission(
    entry: dict[str, Any], valid_from: datetime | None, valid_until: datetime | None
) -> Permission:
    conditions = entry.get("conditions") or {}
    return Permission(
        id=entry["id"],
        owner=entry["owner"],
        subject=entry["subject"],
        uses=tuple(Use(u) for u in entry.get("uses") or ()),
        effect=Effect(entry.get("effect", Effect.ALLOW)),
        licensees=tuple(entry.get("licensees") or ("*",)),
        regions=tuple(r.upper() for r in entry.get("regions") or ("*",)),
        valid_from=valid_from,
        valid_until=valid_until,
        conditions=Conditions(forbidden_themes=tuple(conditions.get("forbidden_themes") or ())),
    )


def format_timestamp(value: datetime | None) -> str | None:
    """A calendar day when the instant is midnight UTC (as most catalogs write it), else ISO 8601 in UTC."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()
    return value.isoformat().replace("+00:00", "Z")


def rightsholder_to_dict(rightsholder: Rightsholder) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rightsholder.id, "name": dict(rightsholder.name)}
    if rightsholder.country:
        out["country"] = rightsholder.country
    return out


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"id": entity.id}
    if entity.work is not None:
        out["work"] = entity.work
    out["owner"] = entity.owner
    out["names"] = {lang: list(names) for lang, names in entity.names.items()}
    optional: dict[str, Any] = {
        "description": dict(entity.description),
        "context": {lang: list(words) for lang, words in entity.context.items()},
        "ambiguous_names": list(entity.ambiguous_names),
        "references": list(entity.references),
    }
    out.update({key: value for key, value in optional.items() if value})
    return out


def permission_to_dict(permission: Permission) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": permission.id,
        "owner": permission.owner,
        "subject": permission.subject,
        "uses": [Use(u).value for u in permission.uses],
        "effect": Effect(permission.effect).value,
        "licensees": list(permission.licensees),
        "regions": list(permission.regions),
        "valid_from": format_timestamp(permission.valid_from),
        "valid_until": format_timestamp(permission.valid_until),
    }
    conditions = permission.conditions.to_dict()
    if conditions:
        out["conditions"] = conditions
    return out


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    """The catalog file form (format version 1) of a Catalog; `load` of its dump gives the Catalog back."""
    out: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "rightsholders": [rightsholder_to_dict(r) for r in catalog.rightsholders],
    }
    for section, kind in ENTITY_SECTIONS.items():
        out[section] = [entity_to_dict(e) for e in catalog.entities if e.kind is kind]
    out["permissions"] = [permission_to_dict(p) for p in catalog.permissions]
    return out


# ---------------------------------------------------------------- reference files


@dataclass(frozen=True, order=True)
class ReferenceFile:
    """One file an entity's `references` patterns matched: an absolute path."""

    entity_id: str
    path: Path


def resolve_references(catalog: Catalog) -> list[ReferenceFile]:
    """Expand every entity's `references` globs into files, sorted and without duplicates.

    Patterns are relative to the catalog file's folder (`Catalog.source_dir`); an absolute
    pattern is taken as it is (it may point outside that folder). `**` matches any depth.
    A pattern that matches no file is an error naming the entity, the pattern and the folder:
    a reference silently missing would leave a character unprotected. All such problems are
    reported at once (CatalogError).
    """
    found: set[ReferenceFile] = set()
    issues: list[CatalogIssue] = []
    where = catalog.source_dir
    for entity in catalog.entities:
        for i, pattern in enumerate(entity.references):
            field_name = format_field((_section_of(entity), entity.id, "references", i))
            if not os.path.isabs(pattern) and where is None:
                issues.append(
                    CatalogIssue(
                        "<catalog>", None, field_name,
                        f"{entity.id!r}: relative pattern {pattern!r} needs the catalog's folder, "
                        "and this catalog was not loaded from a file",
                    )
                )  # fmt: skip
                continue
            absolute = os.path.isabs(pattern)
            folder = os.path.dirname(pattern) if absolute else str(where)
            matches = glob.glob(pattern, root_dir=None if absolute else folder, recursive=True)
            files = [p.resolve() for p in (Path(folder, m) for m in matches) if p.is_file()]
            if not files:
                issues.append(
                    CatalogIssue(
                        where or "<catalog>", None, field_name,
                        f"{entity.id!r}: pattern {pattern!r} matches no file in {folder}",
                    )
                )  # fmt: skip
            found.update(ReferenceFile(entity.id, f) for f in files)
    if issues:
        raise CatalogError(issues)
    return sorted(found)


def _section_of(entity: Entity) -> str:
    return next(section for section, kind in ENTITY_SECTIONS.items() if kind is entity.kind)


# ---------------------------------------------------------------- dumping

_WRITERS: dict[Format, Callable[[dict[str, Any]], str]] = {
    Format.YAML: lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False, width=120),
    Format.JSON: lambda d: json.dumps(d, ensure_ascii=False, indent=2) + "\n",
}


def dumps_catalog(catalog: Catalog, fmt: str | Format = Format.YAML) -> str:
    """The catalog as YAML or JSON text."""
    return _WRITERS[Format(fmt)](catalog_to_dict(catalog))


def dump_catalog(catalog: Catalog, path: str | os.PathLike[str], fmt: str | Format | None = None) -> None:
    """Write a catalog file, format chosen by suffix unless given; written whole or not at all."""
    target = Path(path)
    text = dumps_catalog(catalog, Format(fmt) if fmt is not None else format_for(os.fspath(path)))
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a catalog is meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
