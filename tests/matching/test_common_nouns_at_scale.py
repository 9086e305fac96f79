"""Names that a 40,000-character catalog shares with ordinary words: romaji Japanese words
("chibi", "miko"), a distinctive name used as the common noun it also is ("a fuel bowser"),
and tag-list items that only meet a name across a comma."""

import pytest

from helpers.guards import found, lexical_guard

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "studio", "name": {"en": "Studio"}, "country": "JP"}],
    "works": [
        {"id": "plumbers", "owner": "studio", "names": {"en": ["Plumber Quest"]}},
        {"id": "idols", "owner": "studio", "names": {"en": ["Idol Stage Zeta"]}},
    ],
    "characters": [
        {"id": "bowser", "work": "plumbers", "names": {"en": ["Bowser"]}},
        {"id": "chibi", "work": "idols", "names": {"en": ["Chibi"]}},
        {"id": "naruto", "work": "idols", "names": {"en": ["Naruto"], "ja": ["ナルト"]}},
        {"id": "tailblue", "work": "idols", "names": {"en": ["Tailblue"]}},
        {"id": "hazama", "work": "idols", "names": {"en": ["Hazama"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("nouns"))


def test_when_a_distinctive_name_is_written_as_a_common_noun_then_it_needs_support(guard):
    decision = guard.screen_prompt("a fuel bowser at a remote outback airstrip")
    assert "bowser" not in {f.entity for f in decision.findings}
    assert any("common noun" in n for n in decision.notes)


def test_when_the_common_noun_has_context_of_its_work_or_is_capitalised_then_it_is_found(guard):
    assert "bowser" in found(guard, "Bowser sitting on a throne in a lava castle")
    assert "bowser" in found(guard, "a Plumber Quest poster with a fuel bowser")


def test_when_a_tag_is_an_ordinary_japanese_word_then_the_character_needs_support(guard):
    assert "chibi" not in found(guard, "1girl, chibi, smile, torii, outdoors")
    assert "chibi" in found(guard, "Chibi from Idol Stage Zeta singing")


def test_when_the_entry_registers_its_own_japanese_name_then_the_romaji_name_is_found(guard):
    assert "naruto" in found(guard, "naruto eating ramen, 1boy")


def test_when_tag_items_meet_a_name_across_a_comma_or_read_as_japanese_then_nothing_is_found(guard):
    assert found(guard, "fox ears, tail, blue eyes, hakama, sarashi") == set()
