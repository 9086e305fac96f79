"""A small registry with one reference picture, and a guard over it, for the ledger's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kyodaku_samples.synthetic import draw_image

CATALOG = """
version: 1
rightsholders:
  - {id: pokemon-company, name: {en: "The Pokémon Company"}, country: JP}
  - {id: dc, name: {en: "DC Comics"}, country: US}
works:
  - {id: pokemon, owner: pokemon-company, names: {en: ["Pokémon"]}}
characters:
  - id: pikachu
    work: pokemon
    names: {en: ["Pikachu"]}
    description: {en: "A small yellow electric mouse creature with red cheeks"}
    references: ["refs/pikachu.png"]
  - id: superman
    owner: dc
    names: {en: ["Superman"]}
    description: {en: "A superhero in a blue suit with a red cape"}
"""


@pytest.fixture(scope="session")
def provenance_world(tmp_path_factory) -> dict:
    from kyodaku.compiler import CatalogReferences
    from kyodaku.options import GuardOptions
    from kyodaku.registry.catalog import load_catalog, resolve_references
    from kyodaku.screening import Guard

    root = tmp_path_factory.mktemp("provenance")
    (root / "refs").mkdir()
    draw_image("character", 7, (512, 512)).save(root / "refs" / "pikachu.png")
    (root / "catalog.yaml").write_text(CATALOG, "utf-8")
    options = GuardOptions(semantic=False, local_features=False)
    catalog = load_catalog(root / "catalog.yaml")
    references = CatalogReferences(catalog, options.hash_options(query=False), resolve_references(catalog))
    guard = Guard.build(catalog, options, references)
    return {"root": root, "guard": guard, "catalog": root / "catalog.yaml"}


@pytest.fixture
def guard(provenance_world):
    return provenance_world["guard"]


@pytest.fixture
def keys(tmp_path) -> dict[str, Path]:
    from kyodaku.audit.signing import generate_keypair

    generate_keypair(tmp_path / "ledger.key", tmp_path / "ledger.pub")
    return {"private": tmp_path / "ledger.key", "public": tmp_path / "ledger.pub"}
