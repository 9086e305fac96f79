"""A derived name that is an ordinary word ("Cloud" of Cloud Strife) is found only where the prompt
writes it as a name, capitalised, beside words of the entry's own description, or in disguise."""

from __future__ import annotations

import pytest

from helpers.guards import lexical_guard

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
