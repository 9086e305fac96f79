"""A derived name that is an ordinary word ("Cloud" of Cloud Strife) is found only where the prompt
writes it as a name, capitalised, beside words of the entry's own description, or in disguise."""

from __future__ import annotations

import pytest

from helpers.guards import lexical_guard
from kyodaku.text.surface import disguised
from kyodaku.text.variants import MIN_READING_LIKENESS, _given_likeness

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "square", "name": {"en": "Square Enix Co., Ltd."}, "country": "JP"}],
    "characters": [
        {
            "id": "cloud-strife",
            "owner": "square",
            "names": {"en": ["Cloud Strife"], "ja": ["クラウド・ストライフ"]},
            "description": {
                "en": "A young mercenary with huge spiky blond hair and glowing blue eyes, carrying "
                "an enormous broadsword on his back."
            },
        }
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("derived-words"))


def test_when_the_first_name_is_capitalised_beside_its_own_description_then_it_names_the_character(guard):
    decision = guard.screen_prompt("Cloud with his spiky blond hair and a broadsword, standing in the rain")
    assert {f.entity for f in decision.findings} == {"cloud-strife"}
    assert all(any("own description" in s for s in f.support) for f in decision.findings)


@pytest.mark.parametrize(
    "text",
    [
        "Cloud over the mountains at dawn",  # capitalised, but nothing of the description
        "a cloud shaped like a mercenary with a broadsword",  # lower case: the word
        "dark clouds, a mercenary with a broadsword below them",
    ],
)
def test_when_the_word_has_no_description_beside_it_or_is_lower_case_then_it_is_the_word(guard, text):
    assert guard.screen_prompt(text).findings == ()


def test_when_the_word_is_disguised_then_it_names_the_character_without_more(guard):
    assert {f.entity for f in guard.screen_prompt("Cl0ud at the train station").findings} == {"cloud-strife"}


def test_when_the_given_name_is_spelled_in_hiragana_then_the_spelling_is_the_disguise(guard):
    # Japanese writes loanwords in katakana: くらうど is クラウド written so a filter misses it.
    decision = guard.screen_prompt("くらうど が大きな剣を持っている")
    assert {f.entity for f in decision.findings} == {"cloud-strife"}


def test_when_the_katakana_given_name_is_the_loanword_then_it_is_the_word(guard):
    # クラウド is "cloud" in Japanese as "Cloud" is in English: as ambiguous, so found only disguised.
    assert guard.screen_prompt("クラウドサービスの構成図").findings == ()
    assert {f.entity for f in guard.screen_prompt("クラウド・ストライフの肖像").findings} == {"cloud-strife"}


@pytest.mark.parametrize(
    ("written", "name", "expected"),
    [
        ("くらうど", "クラウド", True),
        ("ぴかちゅう", "ピカチュウ", True),
        ("なると", "ナルト", False),
        ("かび", "カービィ", False),  # mould, a word: no disguise of Kirby
        ("クラウド", "クラウド", False),
    ],
)
def test_when_a_katakana_name_is_written_in_hiragana_then_it_is_disguised_unless_a_word(
    written, name, expected
):
    assert disguised(written, name) is expected


def test_when_katakana_writes_an_english_given_name_by_ear_then_it_reads_as_that_name():
    assert _given_likeness("クラウド", "Cloud") == 1.0
    assert _given_likeness("ストライフ", "Cloud") < MIN_READING_LIKENESS
