"""A work or character named right beside a style cue asks for its owner's registered style."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.matching.style_of_work import cue_after, cue_before

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "bird", "name": {"en": "Bird Studio"}, "country": "JP"},
        {"id": "ghibli", "name": {"en": "Studio Ghibli Inc."}, "country": "JP"},
        {"id": "sanrio", "name": {"en": "Sanrio Co., Ltd."}, "country": "JP"},
    ],
    "works": [
        {
            "id": "dragon-ball",
            "owner": "bird",
            "names": {"en": ["Dragon Ball"], "ko": ["드래곤볼"], "zh": ["龙珠"]},
        },
        {
            "id": "kiki",
            "owner": "ghibli",
            "names": {"en": ["Kiki's Delivery Service"], "ja": ["魔女の宅急便"]},
        },
        {"id": "hello-kitty-series", "owner": "sanrio", "names": {"en": ["Hello Kitty Friends"]}},
    ],
    "characters": [
        {"id": "totoro", "owner": "ghibli", "names": {"en": ["Totoro"], "ja": ["トトロ"]}},
    ],
    "styles": [
        {"id": "toriyama-style", "owner": "bird", "names": {"en": ["Akira Toriyama style"]}},
        {"id": "ghibli-style", "owner": "ghibli", "names": {"en": ["Studio Ghibli style"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("style-of-work"))


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("a capsule car, Dragon Ball art style", "toriyama-style"),
        ("my family drawn in the style of Dragon Ball", "toriyama-style"),
        ("드래곤볼 그림체로 우리 가족 그려줘", "toriyama-style"),
        ("龙珠的画风海报", "toriyama-style"),
        ("a seaside town, Kiki's Delivery Service-esque", "ghibli-style"),
        ("魔女の宅急便風の街並み", "ghibli-style"),
    ],
)
def test_when_a_work_is_named_as_the_source_of_a_style_then_the_style_is_credited_not_the_work(
    guard, text, style
):
    assert found(guard, text) == {style}


def test_when_a_character_is_named_beside_a_style_cue_then_both_the_character_and_the_style_count(guard):
    assert found(guard, "トトロ風の森") == {"totoro", "ghibli-style"}


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("a Dragon Ball movie poster", "dragon-ball"),  # a medium, not a manner
        ("a Totoro plush in watercolour style", "totoro"),  # the cue is the watercolour's
        ("トトロの風船", "totoro"),  # 風船 is a balloon
    ],
)
def test_when_the_cue_is_not_about_the_named_work_then_no_style_is_added(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_the_owner_registered_no_style_then_nothing_is_added(guard):
    assert found(guard, "Hello Kitty Friends style stationery") == {"hello-kitty-series"}


def test_when_a_cue_only_begins_a_longer_word_then_it_is_no_cue():
    assert cue_after("Dragon Ball stylish hat", len("Dragon Ball")) == ""
    assert cue_after("Dragon Ball-style hat", len("Dragon Ball")) == "style"
    assert cue_before("lifestyle Dragon Ball", len("lifestyle ")) == ""
    assert cue_before("in the style of Dragon Ball", len("in the style of ")) == "style"
