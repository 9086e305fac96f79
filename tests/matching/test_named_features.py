"""A name followed by a capitalised generic word of geography is the first word of a place's name
("the Naruto Strait", "Link River"): it counts only with support (text/places.py `named_feature`)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.places import named_feature

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "shueisha", "name": {"en": "Shueisha Inc."}, "country": "JP"},
        {"id": "dc", "name": {"en": "DC Comics"}, "country": "US"},
    ],
    "characters": [
        {"id": "naruto-uzumaki", "owner": "shueisha", "names": {"en": ["Naruto Uzumaki"]}},
        {"id": "batman", "owner": "dc", "names": {"en": ["Batman"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("features"))


@pytest.mark.parametrize(
    "text",
    [
        "the Naruto Strait whirlpools seen from a bridge in Tokushima",
        "Batman Bridge over the Tamar River in Tasmania",
        "a ferry crossing Naruto Bay at dawn",
    ],
)
def test_when_a_capitalised_generic_of_geography_follows_the_name_then_it_is_a_place(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Naruto on a bridge at night", "naruto-uzumaki"),  # the generic is not right after it
        ("Batman over the Gotham River", "batman"),  # a river named, but not by the name
        ("Batman bridge jump, comic panel", "batman"),  # lower case: no toponym
        ("Naruto Uzumaki at the Naruto Strait", "naruto-uzumaki"),  # the full name stays the character
        ("Epic Batman Bridge Jump Comic Poster", "batman"),  # title case: capitals say nothing
    ],
)
def test_when_no_toponym_is_written_with_the_name_then_it_stays_the_characters(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_the_name_is_not_capitalised_then_it_begins_no_toponym():
    text = "naruto Strait"
    assert not named_feature(text, (0, 6))
    assert named_feature("Naruto Strait", (0, 6))


@pytest.fixture(scope="module")
def cjk_guard(tmp_path_factory):
    catalog = {
        **CATALOG,
        "characters": [
            {
                "id": "naruto-uzumaki",
                "owner": "shueisha",
                "names": {"en": ["Naruto Uzumaki"], "ko": ["나루토"]},
            },
            {"id": "batman", "owner": "dc", "names": {"en": ["Batman"], "zh": ["蝙蝠侠", "蝙蝠俠"]}},
        ],
    }
    return lexical_guard(catalog, tmp_path_factory.mktemp("features_cjk"))


@pytest.mark.parametrize(
    "text", ["나루토 해협의 소용돌이 사진", "나루토해협의 소용돌이", "蝙蝠侠机场的航站楼"]
)
def test_when_a_cjk_generic_of_geography_follows_the_name_then_it_is_a_place(cjk_guard, text):
    # 蝙蝠侠 also reads like its traditional spelling 蝙蝠俠: the homophone matcher must not undo
    # the place reading the alias matcher chose.
    assert found(cjk_guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("나루토가 해협을 건너는 장면", "naruto-uzumaki"),
        ("蝙蝠侠在屋顶上", "batman"),
        ("蝙蝠俠在屋頂上", "batman"),
    ],
)
def test_when_the_cjk_generic_is_not_right_after_the_name_then_it_stays_the_name(cjk_guard, text, entity):
    assert found(cjk_guard, text) == {entity}
