"""A name spelled out with a name dot between its letters (ピ・カ・チ・ュ・ウ, 皮·卡·丘) is the name set
apart to slip past a filter, not one part of a person's full name (マリオ・ドラギ), whose parts are
never one kana or character long."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard
from kyodaku.text.surface import dotted_name_part

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "tpc", "name": {"en": "The Pokémon Company"}, "country": "JP"}],
    "works": [{"id": "pokemon", "owner": "tpc", "names": {"en": ["Pokémon"]}}],
    "characters": [
        {
            "id": "pikachu",
            "work": "pokemon",
            "names": {"en": ["Pikachu"], "ja": ["ピカチュウ"], "zh": ["皮卡丘"]},
        },
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("dots"))


@pytest.mark.parametrize("text", ["ピ・カ・チ・ュ・ウ", "ピ・カ・チ・ュ・ウのぬいぐるみ", "皮·卡·丘在唱歌"])
def test_when_a_name_is_spelled_with_a_dot_between_its_letters_then_it_is_found(guard, text):
    assert found(guard, text) == {"pikachu"}


def test_when_a_dot_joins_the_name_to_a_longer_name_part_then_it_is_still_a_full_name(guard):
    assert dotted_name_part("ピカチュウ・ドラギ", (0, 5))
    assert found(guard, "ピカチュウ・ドラギ") == set()


@given(
    st.lists(st.sampled_from("アイウエオカキクケコサシスセソタチツテトナニヌネノ"), min_size=2, max_size=8)
)
def test_when_every_part_is_one_kana_then_no_part_is_a_full_names_part(letters):
    text = "・".join(letters)
    for i in range(len(letters)):
        start = 2 * i
        assert not dotted_name_part(text, (start, start + 1))
