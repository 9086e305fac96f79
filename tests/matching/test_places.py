"""A registered name that is also a province (ISO 3166-2) is the place where the prompt names its
country or a landform after it, and the character everywhere else (text/places.py)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.places import country_names, place_named, subdivisions

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
