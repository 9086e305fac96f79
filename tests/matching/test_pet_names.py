"""A character's name given to somebody's pet names the pet: it counts only with support."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.surface import pet_name_use

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "ghibli", "name": {"en": "Studio Ghibli Inc."}, "country": "JP"}],
    "characters": [
        {
            "id": "totoro",
            "owner": "ghibli",
            "names": {"en": ["Totoro"], "ja": ["トトロ"], "ko": ["토토로"], "zh": ["龙猫"]},
        }
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("pets"))


@pytest.mark.parametrize(
    "text",
    [
        "my cat Totoro sleeping on the sofa",
        "our old dog Totoro in the garden",
        "my hamster named Totoro",
        "mein Hund Totoro im Park",
        "mon chat Totoro sur le canapé",
        "il mio gatto Totoro dorme",
        "うちの猫のトトロが寝ている",
        "우리 고양이 토토로",
    ],
)
def test_when_a_pet_is_called_by_the_name_then_the_name_is_the_pets(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    "text", ["Totoro and my cat under a tree", "my cat and Totoro", "a cat named Totoro"]
)
def test_when_no_possessive_and_animal_stand_right_before_it_then_the_name_is_the_characters(guard, text):
    assert found(guard, text) == {"totoro"}


def test_when_a_word_only_begins_like_an_animal_then_it_is_no_pet():
    text = "my category Totoro"
    start = text.index("Totoro")
    assert not pet_name_use(text, (start, start + 6))
