"""A Han name made of common nouns (龙猫, "dragon cat", the chinchilla's common name) in a clause
about keeping an animal (宠物 "pet", 养 "to raise") is that animal: it counts only with support."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.matching.text import kept_animal_use
from kyodaku.text.segment import kept_animal_clause

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "ghibli", "name": {"en": "Studio Ghibli Inc."}, "country": "JP"},
        {"id": "pokemon", "name": {"en": "The Pokémon Company"}, "country": "JP"},
    ],
    "characters": [
        {"id": "totoro", "owner": "ghibli", "names": {"en": ["Totoro"], "zh": ["龙猫", "龍貓"]}},
        {"id": "pikachu", "owner": "pokemon", "names": {"en": ["Pikachu"], "zh": ["皮卡丘"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("kept"))


@pytest.mark.parametrize(
    "text",
    ["宠物龙猫洗沙浴", "龙猫宠物在笼子里", "养龙猫需要注意什么", "宠物店里的龙猫和仓鼠", "龍貓寵物在籠子裡"],
)
def test_when_a_noun_compound_name_stands_beside_a_word_for_a_pet_then_it_is_the_animal(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("龙猫在雨中的车站等车", "totoro"),  # no word for keeping an animal
        ("营养丰富的龙猫饼干", "totoro"),  # 营 + 养 is one word, "nutrition", not "to raise"
        ("宠物皮卡丘", "pikachu"),  # a transliterated name is no compound of nouns
        ("我想养一只皮卡丘", "pikachu"),
        ("宠物店，龙猫在雨中", "totoro"),  # the pet word is in another clause
    ],
)
def test_when_the_name_is_no_kept_animal_then_it_stays_the_characters(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_the_pet_word_is_the_name_itself_then_it_is_not_counted():
    text = "宠物"
    assert not kept_animal_clause(text, 0, 2)  # only the words around the name count
    assert not kept_animal_use("宠物龙猫", (0, 2))  # 宠物 is no compound name of its own here
    assert kept_animal_use("宠物龙猫", (2, 4))
