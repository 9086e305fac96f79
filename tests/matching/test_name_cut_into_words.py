"""A one-word name cut into pieces ("Pika chu") is still the name, unless the pieces are frequent
ordinary words written in lower case ("a bat man costume": a man dressed as a bat)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard

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
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("cut-names"))


@pytest.mark.parametrize(
    ("text", "entity"),
    [("Bat Man on a rooftop at night", "batman"), ("pika chu in a field", "pikachu")],
)
def test_when_a_name_is_cut_into_pieces_that_are_no_plain_words_then_it_is_the_name(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_the_pieces_are_frequent_words_in_lower_case_then_they_are_the_words(guard):
    assert found(guard, "a bat man costume made from garbage bags for a school play") == set()
