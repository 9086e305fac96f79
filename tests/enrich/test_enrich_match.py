"""Matching source records to catalog entries, and which names are proposed."""

from __future__ import annotations

import pytest
from enrich_data import write

from kyodaku.enrich import enrich
from kyodaku.enrich.sources import DanbooruReader, PokeApiReader
from kyodaku.registry.catalog import load_catalog, load_catalog_text


def _proposed(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in result.proposals:
        out.setdefault(p.entry, set()).add(p.name)
    return out


@pytest.fixture
def result(catalog_file, danbooru_file, pokeapi_dir):
    sources = [DanbooruReader().read(danbooru_file), PokeApiReader().read(pokeapi_dir)]
    return enrich(load_catalog(catalog_file), sources)


def _catalog(characters: str, works: str = "") -> object:
    text = (
        "version: 1\nrightsholders:\n  - {id: studio, name: {en: Studio}}\n"
        f"works:\n  - {{id: saga, owner: studio, names: {{en: [The Saga]}}}}\n{works}"
        f"characters:\n{characters}permissions: []\n"
    )
    return load_catalog_text(text, "c.yaml")


def _danbooru(tmp_path, rows: str):
    return DanbooruReader().read(write(tmp_path / "tags.csv", rows))


def test_when_a_record_matches_then_its_other_names_are_proposed_with_provenance(result):
    goku = [p for p in result.proposals if p.entry == "son-goku"]
    assert [p.name for p in goku] == ["goku"]
    assert goku[0].provenance[0]["line"] == 2 and goku[0].provenance[0]["raw"] == "goku"
    assert goku[0].provenance[0]["licence"].startswith("MIT")
    assert goku[0].evidence[0]["record"] == "son_goku"
    assert (goku[0].lang, goku[0].lang_from, goku[0].accepted) == ("en", "script", False)


def test_when_a_name_is_already_registered_then_it_is_not_proposed_even_spelled_otherwise(result):
    assert "son gokuu" not in _proposed(result)["son-goku"]  # same key as "Son Goku"
    assert "伊布" not in _proposed(result)["eevee"]  # registered under zh; the source says zh-Hans/zh-Hant
    assert "dragonball" not in _proposed(result)["dragon-ball"]


def test_when_the_qualifier_names_the_entrys_work_then_the_match_is_qualified(result):
    elsa = [p for p in result.proposals if p.entry == "elsa"]
    assert {p.name for p in elsa} == {"elsa of arendelle", "queen elsa", "エルサ"}
    assert {p.evidence[0]["match"] for p in elsa} == {"qualified"}


def test_when_the_qualifier_names_another_work_then_that_record_is_a_homonym_and_skipped(result):
    assert _proposed(result)["mario"] == {"mario mario"}  # not "mario san" of mario_(pripara)
    assert result.sources[0].homonyms_skipped >= 1


def test_when_a_work_record_is_qualified_then_its_bare_title_is_not_proposed(tmp_path):
    catalog = _catalog(
        "  - {id: sonic, work: saga, names: {en: [Sonic the Hedgehog]}}\n",
        "  - {id: sonic-series, owner: studio, names: {en: [Sonic series]}}\n",
    )
    data = _danbooru(tmp_path, 'sonic_(series),3,11362,"sonic_adventure_series"\n')
    proposed = _proposed(enrich(catalog, [data]))
    assert proposed == {"sonic-series": {"sonic adventure series"}}


def test_when_a_name_is_a_common_word_then_it_is_proposed_marked_ambiguous(tmp_path):
    catalog = _catalog("  - {id: cloud-strife, work: saga, names: {en: [Cloud Strife]}}\n")
    data = _danbooru(tmp_path, 'cloud_strife,4,9518,"cloud,/cs"\n')
    (cloud,) = enrich(catalog, [data]).proposals
    assert cloud.name == "cloud"
    assert cloud.ambiguity["ambiguous"] is True and "common word" in cloud.ambiguity["reason"]


def test_when_names_are_junk_then_they_are_dropped(tmp_path):
    catalog = _catalog("  - {id: hero, work: saga, names: {en: [Hero Prime]}}\n")
    data = _danbooru(tmp_path, 'hero_prime,4,100,"x,123,:),/hp,hero_the_first"\n')
    result = enrich(catalog, [data])
    assert [p.name for p in result.proposals] == ["hero the first"]
    assert result.sources[0].junk_dropped == 3


def test_when_an_entry_matches_two_records_equally_then_it_is_reported_not_proposed(tmp_path):
    catalog = _catalog("  - {id: spider-man, work: saga, names: {en: [Spider-Man, Peter Parker]}}\n")
    data = _danbooru(tmp_path, 'spider-man,4,1315,"spiderman"\npeter_parker,4,900,"parker"\n')
    result = enrich(catalog, [data])
    assert result.proposals == []
    (report,) = result.reports
    assert report.problem == "several-records" and report.entries == ("spider-man",)
    assert {r.split(" ")[0] for r in report.records} == {"spider-man", "peter_parker"}


def test_when_a_record_matches_two_entries_then_it_is_reported_not_proposed(tmp_path):
    catalog = _catalog(
        "  - {id: link, work: saga, names: {en: [Link]}}\n"
        "  - {id: link-the-other, work: saga, names: {en: [Link Hero, Link]}}\n"
    )
    data = _danbooru(tmp_path, 'link,4,15233,"link_the_hero_of_time"\n')
    result = enrich(catalog, [data])
    assert result.proposals == []
    assert [(r.problem, r.entries) for r in result.reports] == [
        ("several-entries", ("link", "link-the-other"))
    ]


def test_when_a_weaker_match_competes_with_an_exact_one_then_the_exact_one_wins(tmp_path):
    catalog = _catalog("  - {id: cloud-strife, work: saga, names: {en: [Cloud Strife]}}\n")
    rows = 'cloud_strife,4,9518,"strife_cloud"\ncloud_strife_(bahamut_garb),4,135,"cloud_in_armor"\n'
    result = enrich(catalog, [_danbooru(tmp_path, rows)])
    assert _proposed(result) == {"cloud-strife": {"strife cloud"}}


def test_when_only_weak_matches_exist_then_they_are_reported_not_proposed(tmp_path):
    catalog = _catalog("  - {id: cloud-strife, work: saga, names: {en: [Cloud Strife]}}\n")
    rows = 'cloud_strife_(bahamut_garb),4,135,"cloud_in_armor"\n'
    result = enrich(catalog, [_danbooru(tmp_path, rows)])
    assert result.proposals == [] and [r.problem for r in result.reports] == ["weak-only"]


def test_when_a_name_of_another_entry_is_found_then_it_is_reported_not_proposed(tmp_path):
    catalog = _catalog("  - {id: mario, work: saga, names: {en: [Mario]}}\n")
    result = enrich(catalog, [_danbooru(tmp_path, 'mario,4,4748,"the_saga,jumpman"\n')])
    assert _proposed(result) == {"mario": {"jumpman"}}  # "the saga" names the work
    assert [(r.problem, r.entries) for r in result.reports] == [("name-of-another-entry", ("mario", "saga"))]


def test_when_a_han_name_comes_without_language_then_it_is_marked_undecided(tmp_path):
    catalog = _catalog("  - {id: goku, work: saga, names: {en: [Son Goku]}}\n")
    (p,) = enrich(catalog, [_danbooru(tmp_path, 'son_goku,4,5181,"孫悟空"\n')]).proposals
    assert (p.name, p.lang, p.lang_from) == ("孫悟空", "zh/ja?", "script")


def test_when_the_source_gives_a_variant_the_entry_files_under_its_base_then_the_base_is_used(
    tmp_path, pokeapi_dir
):
    write(
        pokeapi_dir / "pokemon_species_names.csv",
        "pokemon_species_id,local_language_id,name,genus\n133,9,Eevee,\n133,4,伊布布,\n",
    )
    catalog = load_catalog_text(
        "version: 1\nrightsholders: [{id: pc, name: {en: PC}}]\n"
        "works: [{id: pokemon, owner: pc, names: {en: [Pokémon]}}]\n"
        "characters: [{id: eevee, work: pokemon, names: {en: [Eevee], zh: [伊布]}}]\n",
        "c.yaml",
    )
    (p,) = enrich(catalog, [PokeApiReader().read(pokeapi_dir)]).proposals
    assert (p.name, p.lang, p.lang_from) == ("伊布布", "zh", "source")


def test_when_an_owner_is_given_then_only_its_entries_get_proposals(catalog_file, danbooru_file):
    result = enrich(load_catalog(catalog_file), [DanbooruReader().read(danbooru_file)], owner="disney")
    assert set(_proposed(result)) == {"elsa"}
    assert {p.owner for p in result.proposals} == {"disney"}
