"""A registered name that is also a province (ISO 3166-2) is the place where the prompt names its
country or a landform after it, and the character everywhere else (text/places.py)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.places import country_names, heard_subdivision, place_named, subdivisions
from kyodaku.text.surface import disguised

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "dc", "name": {"en": "DC Comics"}, "country": "US"},
        {"id": "pokemon", "name": {"en": "The Pokémon Company"}, "country": "JP"},
    ],
    "characters": [
        {"id": "batman", "owner": "dc", "names": {"en": ["Batman"]}},
        {"id": "pikachu", "owner": "pokemon", "names": {"en": ["Pikachu"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("places"))


@pytest.mark.parametrize(
    "text",
    [
        "the Batman river valley in south-eastern Turkey",
        "der Bahnhof von Batman in der Türkei",
        "Batman Province at dawn, wheat fields",
        "un pont ancien à Batman, en Turquie",
    ],
)
def test_when_a_province_is_named_with_its_country_or_a_landform_then_it_is_the_place(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Batman on a rooftop in Gotham", "batman"),
        ("Batman visiting Japan", "batman"),  # another country: the name stays the character's
        ("Pikachu in Turkey, at a bazaar", "pikachu"),  # not a province anywhere
    ],
)
def test_when_the_place_reading_has_no_ground_then_the_name_is_the_characters(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_a_country_is_looked_up_then_its_names_in_other_languages_come_with_it():
    names = country_names("TR")
    assert {"turkey", "türkei", "turquie", "トルコ", "土耳其"} <= set(names)
    assert "TR" in subdivisions()["batman"]


def test_when_the_country_is_only_part_of_a_longer_word_then_it_does_not_count():
    text = "Batman and a turkeys farm"
    assert not place_named(text, (0, 6))


# The same province written by sound in other scripts: the forms a catalog registers for the
# character are the forms those languages write the place with (text/places.py `heard_subdivision`).
CATALOG_BY_SOUND = {
    "version": 1,
    "rightsholders": [{"id": "dc", "name": {"en": "DC Comics"}, "country": "US"}],
    "characters": [
        {
            "id": "batman",
            "owner": "dc",
            "names": {"en": ["Batman"], "ja": ["バットマン"], "ko": ["배트맨"], "zh": ["蝙蝠侠"]},
        },
    ],
}


@pytest.fixture(scope="module")
def guard_by_sound(tmp_path_factory):
    return lexical_guard(CATALOG_BY_SOUND, tmp_path_factory.mktemp("places-by-sound"))


@pytest.mark.parametrize(
    "text",
    [
        "トルコのバットマン川の夕景",
        "터키 배트맨 강의 다리",  # the former Korean name of Türkiye
        "튀르키예 남동부 배트맨의 옛 다리",
        "город Батман в Турции на карте",  # Russian declines the country: в Турции
    ],
)
def test_when_a_province_written_by_sound_has_its_country_named_then_it_is_the_place(guard_by_sound, text):
    assert found(guard_by_sound, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "バットマンが東京の夜空を飛ぶ",  # no country named
        "Батман в Москве, ночь",  # another country
        "蝙蝠侠在土耳其的伊斯坦布尔",  # a translated name keeps no sound of the place
    ],
)
def test_when_a_name_written_by_sound_has_no_country_of_its_province_then_it_is_the_character(
    guard_by_sound, text
):
    assert found(guard_by_sound, text) == {"batman"}


def test_when_a_word_sounds_like_a_province_then_the_countries_having_one_are_given():
    assert heard_subdivision("バットマン") == {"TR"}
    assert heard_subdivision("배트맨") == {"TR"}
    assert heard_subdivision("Батман") == {"TR"}
    assert heard_subdivision("蝙蝠侠") == frozenset()  # Han keeps no frame
    assert heard_subdivision("リンク") == frozenset()  # R-N-K: under four consonants, too many places


def test_when_a_russian_country_name_is_declined_then_it_still_names_the_country():
    assert place_named("Батман в Турции", (0, 6))
    assert place_named("Батман и Турцией", (0, 6))
    assert not place_named("Батман и турцизмы", (0, 6))  # a longer word, not the country


def test_when_a_cyrillic_word_writes_a_province_by_sound_then_it_is_no_disguise():
    assert not disguised("Батман", "Batman")
    assert disguised("B\u0430tm\u0430n", "Batman")  # Cyrillic а inside a Latin word: a lookalike
    assert disguised("Бат_ман", "Batman")  # letters set apart: a disguise whatever the script
