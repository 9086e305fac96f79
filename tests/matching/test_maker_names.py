"""A name right before the Japanese suffix 製 ("made by") names the maker of a product, and counts
only with support (matching/text.py `maker_use`): a character makes nothing."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.matching.text import maker_use

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "sega", "name": {"en": "Sega"}, "country": "JP"},
        {"id": "pokemon", "name": {"en": "The Pokémon Company"}, "country": "JP"},
    ],
    "characters": [
        {
            "id": "sonic",
            "owner": "sega",
            "names": {"en": ["Sonic the Hedgehog"], "ja": ["ソニック・ザ・ヘッジホッグ"]},
        },
        {"id": "pikachu", "owner": "pokemon", "names": {"en": ["Pikachu"], "ja": ["ピカチュウ"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("makers"))


@pytest.mark.parametrize(
    "text",
    [
        "ソニック製の電動歯ブラシの広告写真",  # the derived given name ソニック as a maker
        "ソニック社製のイヤホンの商品写真",
    ],
)
def test_when_a_name_is_followed_by_the_suffix_for_made_by_then_it_is_a_maker(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("ソニックが金色のリングを集める", "sonic"),
        ("ソニックのぬいぐるみの写真", "sonic"),
        ("ピカチュウの木製フィギュア", "pikachu"),  # 製 after 木 (wood), not after the name
    ],
)
def test_when_made_by_does_not_follow_the_name_then_the_name_is_the_characters(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_a_han_name_precedes_the_suffix_then_it_is_not_read_as_a_maker():
    assert maker_use("ソニー製", (0, 3))
    assert maker_use("Sony製", (0, 4))
    assert not maker_use("蝙蝠侠製", (0, 3))  # 製 after a kanji may be a word's second half
