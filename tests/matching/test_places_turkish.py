"""Turkish puts the generic word of a place after its name, in the possessive ("Batman ili", the
province of Batman), and writes a proper noun's case ending after an apostrophe ("Batman'da", in
Batman): a Turkish province's name so written is the place (text/places.py `_AFTER`,
`_TURKISH_IN_FROM`)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.places import place_named

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "dc", "name": {"en": "DC Comics"}, "country": "US"}],
    "characters": [{"id": "batman", "owner": "dc", "names": {"en": ["Batman"]}}],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("places-tr"))


@pytest.mark.parametrize(
    "text",
    [
        "Hasankeyf köyü, Batman ili, sabah",
        "Batman İli sınırında bir köprü",
        "Batman nehri kıyısında söğütler",
    ],
)
def test_when_a_turkish_generic_follows_a_provinces_name_then_it_is_the_place(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize("text", ["Batman'daki eski köprü, gün batımı", "Batman'dan kalkan bir tren"])
def test_when_a_turkish_provinces_name_takes_the_locative_or_ablative_then_it_is_the_place(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    "text", ["Batman ile Robin çatıda", "Batman, gece bir çatıda", "Batman'ın pelerini rüzgârda"]
)
def test_when_no_generic_follows_the_name_then_it_is_the_character(guard, text):
    assert found(guard, text) == {"batman"}


def test_when_the_name_is_no_province_then_a_turkish_generic_does_not_make_it_a_place():
    assert place_named("Batman ili", (0, 6))
    assert not place_named("Pikachu ili", (0, 7))
    assert not place_named("Pikachu'da bir gün", (0, 7))
