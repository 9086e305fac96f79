"""Enrichment from the real open data in ../shared/data (skipped when it is not beside the clone)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kyodaku.enrich import enrich, open_source
from kyodaku.registry.catalog import load_catalog, load_catalog_text

ROOT = Path(__file__).parents[2]
DATA = ROOT.parent / "shared" / "data"
DANBOORU = DATA / "danbooru-tags" / "danbooru.csv"
POKEAPI = DATA / "pokeapi"

pytestmark = pytest.mark.skipif(
    not (DANBOORU.is_file() and POKEAPI.is_dir()),
    reason=f"{DATA} is absent (../shared not beside the clone): no real Danbooru or PokeAPI data",
)


@pytest.fixture(scope="module")
def sources():
    start = time.perf_counter()
    read = [open_source(f"danbooru:{DANBOORU}").read(), open_source(f"pokeapi:{POKEAPI}").read()]
    return read, time.perf_counter() - start


def test_when_the_real_files_are_read_then_every_row_is_understood_and_licensed(sources):
    (danbooru, pokeapi), _ = sources
    assert (danbooru.rows, danbooru.skipped) == (140_782, 0)
    assert len(danbooru.records) == 40_931 + 9_478  # characters and copyrights (README)
    assert (len(pokeapi.records), pokeapi.skipped) == (1025, 0)
    assert danbooru.licence.licence.startswith("MIT") and len(danbooru.licence.commit or "") == 40
    assert pokeapi.licence.commit == "bbef3d99ddfa8277f726414c89b471267aef8a8e"


def test_when_the_demo_catalog_is_enriched_then_it_takes_seconds_and_both_sources_propose(sources):
    read, reading = sources
    start = time.perf_counter()
    result = enrich(load_catalog(ROOT / "examples" / "demo-catalog.yaml"), read)
    assert reading + time.perf_counter() - start < 60, "enriching the demo catalog must take seconds"
    assert {p.source for p in result.proposals} == {"danbooru", "pokeapi"}


def test_when_real_records_match_then_the_expected_names_are_proposed(sources):
    catalog = load_catalog_text(
        """\
version: 1
rightsholders:
  - {id: nintendo, name: {en: Nintendo}}
  - {id: pokemon-company, name: {en: The Pokémon Company}}
  - {id: bird-studio, name: {en: Bird Studio}}
works:
  - {id: super-mario, owner: nintendo, names: {en: [Super Mario]}}
  - {id: kirby-series, owner: nintendo, names: {en: [Kirby series]}}
  - {id: pokemon, owner: pokemon-company, names: {en: [Pokémon]}}
  - {id: dragon-ball, owner: bird-studio, names: {en: [Dragon Ball]}}
characters:
  - {id: mario, work: super-mario, names: {en: [Mario]}}
  - {id: eevee, work: pokemon, names: {en: [Eevee]}}
  - {id: son-goku, work: dragon-ball, names: {en: [Son Goku]}}
""",
        "small.yaml",
    )
    result = enrich(catalog, sources[0])
    proposed = {(p.entry, p.name, p.lang) for p in result.proposals}
    assert ("son-goku", "goku", "en") in proposed
    assert ("kirby-series", "hoshi no kirby", "en") in proposed
    assert {("eevee", "Eievui", "ja-Latn"), ("eevee", "イーブイ", "ja"), ("eevee", "Évoli", "fr")} <= proposed
    assert not any(p.entry == "mario" and "pripara" in str(p.evidence) for p in result.proposals)
