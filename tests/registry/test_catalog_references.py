"""Catalog `references:` globs: resolved against the catalog's folder, sorted, unique, round-tripped.

Resolving is only about files, so the files here are plain bytes, not media.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kyodaku.domain.errors import CatalogError
from kyodaku.registry.catalog import dumps_catalog, load_catalog, load_catalog_text, resolve_references
from kyodaku.registry.store import RegistryStore


def some_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(path.name.encode())
    return path


def _catalog_with(tmp_path: Path, patterns: list[str]) -> Path:
    text = (
        "version: 1\n"
        "rightsholders: [{id: studio, name: {en: Studio}, country: JP}]\n"
        "characters:\n"
        f"  - {{id: hero, owner: studio, names: {{en: [Hero]}}, references: {json.dumps(patterns)}}}\n"
    )
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_when_patterns_overlap_then_resolved_files_are_sorted_and_unique(tmp_path):
    for name in ("b.png", "a.png", "deep/er/c.jpg"):
        some_file(tmp_path / "refs" / name)
    (tmp_path / "refs" / "folder.png").mkdir()  # a folder matching the glob is not a file
    catalog = load_catalog(_catalog_with(tmp_path, ["refs/*.png", "refs/a.png", "refs/**/*.jpg"]))
    assert catalog.source_dir == str(tmp_path.resolve())
    found = resolve_references(catalog)
    assert [(f.entity_id, f.path.relative_to(tmp_path.resolve()).as_posix()) for f in found] == [
        ("hero", "refs/a.png"),
        ("hero", "refs/b.png"),
        ("hero", "refs/deep/er/c.jpg"),
    ]


def test_when_a_pattern_matches_nothing_then_the_error_names_entity_pattern_and_folder(tmp_path):
    some_file(tmp_path / "refs" / "a.png")
    catalog = load_catalog(_catalog_with(tmp_path, ["refs/*.png", "refs/missing-*.png"]))
    with pytest.raises(CatalogError) as caught:
        resolve_references(catalog)
    [issue] = caught.value.issues
    assert "'hero'" in issue.message and "refs/missing-*.png" in issue.message
    assert str(tmp_path.resolve()) in issue.message
    assert issue.field == "characters.hero.references[1]"


def test_when_a_pattern_is_absolute_then_it_may_point_outside_the_catalog_folder(tmp_path):
    outside = some_file(tmp_path / "elsewhere" / "x.png")
    folder = tmp_path / "catalogs"
    folder.mkdir()
    catalog = load_catalog(_catalog_with(folder, [str(tmp_path / "elsewhere" / "*.png")]))
    assert [f.path for f in resolve_references(catalog)] == [outside.resolve()]


def test_when_a_catalog_came_from_text_then_a_relative_pattern_cannot_be_resolved(tmp_path):
    text = _catalog_with(tmp_path, ["refs/*.png"]).read_text(encoding="utf-8")
    catalog = load_catalog_text(text, "upload.yaml")
    assert catalog.source_dir is None
    with pytest.raises(CatalogError, match="not loaded from a file"):
        resolve_references(catalog)


def test_when_patterns_are_dumped_and_loaded_then_they_round_trip_and_duplicates_are_refused(tmp_path):
    catalog = load_catalog(_catalog_with(tmp_path, ["refs/*.png", "clips/*.mp4"]))
    again = load_catalog_text(dumps_catalog(catalog), "again.yaml")
    assert again.entity_map()["hero"].references == ("refs/*.png", "clips/*.mp4")
    with pytest.raises(CatalogError, match="same value twice"):
        load_catalog(_catalog_with(tmp_path, ["refs/*.png", "refs/*.png"]))


def test_when_entries_carry_reference_patterns_then_catalog_at_keeps_them(loaded: RegistryStore):
    entity = loaded.get_entity("hero-b")
    loaded.put_entity(replace(entity, references=("refs/hero-b/*.png",)), "test")
    assert loaded.catalog_at().entity_map()["hero-b"].references == ("refs/hero-b/*.png",)
    assert loaded.catalog_at(1).entity_map()["hero-b"].references == ()
