"""Importing catalogs: idempotent, one version per import, checked as a whole, round-trips with export."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kyodaku.domain.errors import CatalogError
from kyodaku.domain.model import Catalog, Entity, EntityKind, Permission, Use
from kyodaku.registry.catalog import dump_catalog, load_catalog


def test_when_the_same_catalog_is_imported_twice_then_the_second_import_changes_nothing(store, two_owners):
    first = store.import_catalog(two_owners)
    second = store.import_catalog(two_owners)
    size = len(two_owners.rightsholders) + len(two_owners.entities) + len(two_owners.permissions)
    assert (first.version, first.created, first.updated, first.unchanged) == (1, size, 0, 0)
    assert (second.version, second.created, second.updated, second.unchanged, second.removed) == (
        1,
        0,
        0,
        size,
        0,
    )
    assert not second.changed and store.current_version() == 1 and len(store.history()) == 1


def test_when_a_catalog_is_exported_then_it_equals_the_imported_one(store, two_owners, tmp_path):
    store.import_catalog(two_owners)
    exported = store.export_catalog()
    assert replace(exported, version=two_owners.version) == two_owners
    dump_catalog(exported, tmp_path / "export.yaml")
    assert load_catalog(tmp_path / "export.yaml") == two_owners
    # and importing the export is again a no-op
    assert not store.import_catalog(load_catalog(tmp_path / "export.yaml")).changed


def test_when_a_catalog_changes_then_one_new_version_holds_all_changes(store, two_owners):
    store.import_catalog(two_owners)
    hero = two_owners.entity_map()["hero-a"]
    changed = replace(
        two_owners,
        entities=(
            *[e for e in two_owners.entities if e.id != "hero-a"],
            replace(hero, names={"en": ("Hero A2",)}),
        ),
        permissions=(*two_owners.permissions, Permission("p-new", "studio-b", "hero-b", (Use.GENERATE,))),
    )
    result = store.import_catalog(changed, actor="second")
    assert (result.version, result.created, result.updated) == (2, 1, 1)
    assert store.history(limit=1)[0].actor == "second"
    assert store.catalog_at(version=1).entity_map()["hero-a"].names == {
        "en": ("Hero A",),
        "ja": ("ヒーローA",),
    }


def test_when_an_import_prunes_then_entries_missing_from_the_catalog_are_removed(store, two_owners):
    store.import_catalog(two_owners)
    smaller = replace(
        two_owners,
        entities=tuple(e for e in two_owners.entities if e.id != "style-a"),
        permissions=tuple(p for p in two_owners.permissions if p.id != "deny-b-train"),
    )
    assert store.import_catalog(smaller).removed == 0  # without prune, nothing goes
    result = store.import_catalog(smaller, prune=True)
    assert (result.version, result.removed) == (2, 2)
    assert replace(store.export_catalog(), version=1) == smaller


def test_when_an_import_breaks_a_rule_then_nothing_is_written_and_every_issue_is_listed(store, two_owners):
    store.import_catalog(two_owners)
    bad = Catalog(
        entities=(Entity("ghost-style", EntityKind.STYLE, "nobody", {"en": ("G",)}),),
        permissions=(
            Permission("p-x", "studio-a", "hero-b", (Use.TRAIN,)),
            Permission("p-x", "studio-a", "*", ()),
        ),
    )
    with pytest.raises(CatalogError) as caught:
        store.import_catalog(bad, source="upload.yaml")
    assert [i.field for i in caught.value.issues] == ["permissions.p-x.id"]  # duplicates are found first
    bad = replace(bad, permissions=bad.permissions[:1])
    with pytest.raises(CatalogError) as caught:
        store.import_catalog(bad, source="upload.yaml")
    assert {(i.file, i.field) for i in caught.value.issues} == {
        ("upload.yaml", "styles.ghost-style.owner"),
        ("upload.yaml", "permissions.p-x.subject"),
    }
    assert store.current_version() == 1


def test_when_an_import_would_orphan_a_registered_entry_then_it_is_refused(store, two_owners):
    store.import_catalog(two_owners)
    moved = replace(
        two_owners.entity_map()["saga-a"], kind=EntityKind.STYLE
    )  # hero-a names saga-a as its work
    with pytest.raises(CatalogError, match="not a work"):
        store.import_catalog(Catalog(entities=(moved,)))
