"""A character's name as the possessive opening a capitalised title ("a Kirby's Dream Land poster")
names something called after it: its work only with the work's own description's words beside
it; a shop or a place named after a person ("Luigi's Pizza Palace") otherwise."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.surface import possessive_title

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"}],
    "works": [
        {
            "id": "kirby-series",
            "owner": "nintendo",
            "names": {"en": ["Kirby series"]},
            "description": {"en": "A sugary pastel game world of candy-coloured hills and fruit trees."},
        }
    ],
    "characters": [
        {
            "id": "kirby",
            "work": "kirby-series",
            "names": {"en": ["Kirby"]},
            "description": {"en": "A tiny round pink puffball with stubby arms and large red feet."},
        }
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("titles"))


def _title(text: str, name: str) -> str | None:
    start = text.index(name)
    span = possessive_title(text, (start, start + len(name)))
    return text[span[0] : span[1]] if span else None


def test_when_a_possessive_name_opens_capitalised_words_in_a_lower_case_prompt_then_they_are_a_title():
    assert _title("a Kirby's Dream Land poster with candy hills", "Kirby") == "Kirby's Dream Land"
    assert _title("a poster of Kirby's Epic Yarn", "Kirby") == "Kirby's Epic Yarn"


def test_when_the_prompt_is_in_title_case_or_the_possession_is_lower_case_then_there_is_no_title():
    assert _title("A Kirby's Dream Land Poster", "Kirby") is None
    assert _title("Kirby's house by the sea", "Kirby") is None


def test_when_a_title_named_after_a_character_is_beside_its_works_description_then_the_work_is_found(guard):
    assert found(guard, "a Kirby's Dream Land poster with candy hills") == {"kirby-series"}


def test_when_nothing_describes_the_work_then_the_title_is_anybodys(guard):
    # A diner named after a Kirby: the possessive makes no subject of the first name either.
    assert found(guard, "a Kirby's Burger Barn sign at night") == set()
