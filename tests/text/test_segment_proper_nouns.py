"""A Han name inside a longer word counts only where that word is a proper noun jieba knows (七龙珠,
the common Chinese title of Dragon Ball), never inside an ordinary word (超人 in 超人类)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.segment import inside_proper_noun

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "bird", "name": {"en": "Bird Studio"}, "country": "JP"},
        {"id": "dc", "name": {"en": "DC Comics"}, "country": "US"},
    ],
    "works": [{"id": "dragon-ball", "owner": "bird", "names": {"en": ["Dragon Ball"], "zh": ["龙珠"]}}],
    "characters": [{"id": "superman", "owner": "dc", "names": {"en": ["Superman"], "zh": ["超人"]}}],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("proper-nouns"))


def test_when_a_title_is_written_in_its_longer_common_form_then_it_is_found(guard):
    assert found(guard, "七龙珠里的武道大会擂台") == {"dragon-ball"}


def test_when_a_name_is_inside_an_ordinary_word_then_it_is_not(guard):
    assert found(guard, "超人类主义的未来城市") == set()


def test_when_the_name_is_a_small_part_of_the_proper_noun_then_it_does_not_count():
    text = "七龙珠"
    assert inside_proper_noun(text, 1, 3)
    assert not inside_proper_noun(text, 2, 3)  # 珠 alone: a third of the word
