"""Reading open data files: records, qualifiers, provenance, bad rows, format sniffing."""

from __future__ import annotations

import random

import pytest
from enrich_data import write

from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import EntityKind
from kyodaku.enrich.match import _key_signature, ascii_signature, guess_lang
from kyodaku.enrich.sources import DanbooruReader, PokeApiReader, open_source, split_tag
from kyodaku.text.normalize import key


def test_when_a_tag_has_a_qualifier_then_it_is_split_from_the_name_with_spaces_for_underscores():
    assert split_tag("link_(zelda)") == ("link", "zelda")
    assert split_tag("admiral_(kantai_collection)") == ("admiral", "kantai collection")
    assert split_tag("kirby") == ("kirby", None)
    assert split_tag("kirby:_star_allies") == ("kirby: star allies", None)


def test_when_danbooru_rows_are_read_then_characters_and_works_become_records_with_provenance(danbooru_file):
    data = DanbooruReader().read(danbooru_file)
    assert (data.rows, data.skipped, data.ignored) == (8, 0, 1)
    by_tag = {r.name.provenance.raw: r for r in data.records}
    goku = by_tag["son_goku"]
    assert goku.kind is EntityKind.CHARACTER
    assert [n.text for n in goku.aliases] == ["goku", "son gokuu"]  # "/sg" is a shortcut, not a name
    assert goku.name.provenance.line == 2
    assert goku.name.provenance.licence.licence == 'MIT (LICENSE "Copyright (c) 2022 Someone")'
    assert goku.name.provenance.licence.commit == "4170882f90b47be130a0ff9314f663c230b9153d"
    elsa = by_tag["elsa_(frozen)"]
    assert (elsa.name.text, elsa.name.qualifier, elsa.work_hint) == ("elsa", "frozen", "frozen")
    assert by_tag["dragon_ball"].kind is EntityKind.WORK
    assert "pripara" in data.other_works


def test_when_rows_are_malformed_then_each_is_skipped_and_counted_and_the_rest_is_read(tmp_path):
    path = write(
        tmp_path / "tags.csv",
        b"son_goku,4,5181,goku\n"
        b"just_one_field\n"
        b"mario,four,12,\n"
        b"a,4,1,b,c,d\n"
        b"\xff\xfebroken,4,1,\n"
        b"vegeta,4,2409,\n",
    )
    data = DanbooruReader().read(path)
    assert [r.name.text for r in data.records] == ["son goku", "vegeta"]
    assert data.skipped == 4
    assert any(":5: bytes that are not UTF-8" in p for p in data.problems)
    assert any(":3: expected a tag, then a numeric category" in p for p in data.problems)


def test_when_no_row_of_a_danbooru_file_can_be_read_then_invalid_input_says_why(tmp_path):
    path = write(tmp_path / "tags.csv", "nonsense\nmore nonsense\n")
    with pytest.raises(InvalidInput, match=r"no character \(4\) or copyright \(3\) row could be read"):
        DanbooruReader().read(path)


def test_when_the_source_file_is_missing_then_invalid_input_names_it(tmp_path):
    with pytest.raises(InvalidInput, match="does not exist"):
        open_source(f"danbooru:{tmp_path / 'absent.csv'}")
    with pytest.raises(InvalidInput, match="does not exist"):
        DanbooruReader().read(tmp_path / "absent.csv")


def test_when_pokeapi_names_are_read_then_one_record_per_species_with_each_language(pokeapi_dir):
    data = PokeApiReader().read(pokeapi_dir)
    assert len(data.records) == 1
    eevee = data.records[0]
    assert (eevee.name.text, eevee.name.lang, eevee.work_hint) == ("Eevee", "en", "Pokémon")
    langs = {(n.text, n.lang) for n in eevee.aliases}
    assert ("Eievui", "ja-Latn") in langs and ("イーブイ", "ja") in langs
    assert ("伊布", "zh-Hant") in langs and ("伊布", "zh-Hans") in langs
    assert all("Pokémon" not in n.text for n in eevee.aliases)  # the genus is not a name
    assert eevee.name.provenance.line == 7
    assert data.licence.licence == "BSD-3-Clause-style"


def test_when_a_pokeapi_file_has_another_header_then_invalid_input_shows_it(tmp_path):
    path = write(tmp_path / "pokemon_species_names.csv", "id,name\n1,Bulbasaur\n")
    with pytest.raises(InvalidInput, match="expected the header pokemon_species_id,local_language_id,name"):
        PokeApiReader().read(path)


def test_when_a_path_has_no_kind_then_its_format_is_sniffed(danbooru_file, pokeapi_dir, tmp_path):
    assert open_source(str(danbooru_file)).name == "danbooru"
    assert open_source(str(pokeapi_dir)).name == "pokeapi"
    assert open_source(str(pokeapi_dir / "pokemon_species_names.csv")).name == "pokeapi"
    other = write(tmp_path / "notes.txt", "hello\n")
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        open_source(str(other))


def test_when_the_kind_is_unknown_then_invalid_input_lists_the_known_ones(tmp_path):
    with pytest.raises(InvalidInput, match=r"unknown source kind 'wikidata'.*danbooru, pokeapi"):
        open_source("wikidata:dump.json")


def test_when_a_name_is_plain_ascii_then_its_signature_survives_the_key():
    """The filter that spares computing 140,000 skeletons must never drop a real match."""
    rng = random.Random(8)
    alphabet = "abcdefghijklmnopqrstuvwxyzLHPSTouiyh  _-.'"
    names = ["Kamado Tanjirou", "son_gokuu", "Tu-chi", "Phoebe", "Mbappé", "shi tsu", "Ttchy"]
    names += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(5000)]
    for name in names:
        signature = ascii_signature(name)
        if signature is not None:
            assert signature == _key_signature(key(name)), name
    assert ascii_signature("Mbappé") is None and ascii_signature("l33t") is None


def test_when_a_name_has_no_language_then_its_script_suggests_one():
    assert guess_lang("エルサ") == "ja"
    assert guess_lang("孫悟空") == "zh/ja?"
    assert guess_lang("손오공") == "ko"
    assert guess_lang("son goku") == "en"
    assert guess_lang("Пикачу") == "und?"
