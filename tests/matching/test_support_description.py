"""Support for an ambiguous name from its own description: two of its concrete words beside the
name ("Link in his green cap raising a shield"), or a title the description gives it ("Königin
Elsa" for "A young queen ...")."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.matching.support import described_title, description_pair

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"},
        {"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"},
    ],
    "characters": [
        {
            "id": "link",
            "owner": "nintendo",
            "names": {"en": ["Link"]},
            "description": {
                "en": "A young swordsman in a green tunic and a pointed cap, with a sword and a shield."
            },
        },
        {
            "id": "elsa",
            "owner": "disney",
            "names": {"en": ["Elsa"]},
            "description": {"en": "A young queen with ice magic and a long braid."},
        },
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("description"))


def test_when_two_concrete_words_of_its_description_are_beside_an_ambiguous_name_then_it_counts(guard):
    assert found(guard, "Link in his green cap raising a shield in the ruins") == {"link"}


def test_when_only_one_concrete_description_word_is_there_then_the_name_needs_more(guard):
    assert found(guard, "a chain link fence beside a shield") == set()


def test_when_words_are_plural_then_they_still_count_and_are_named_once():
    description = CATALOG["characters"][0]["description"]["en"]
    assert description_pair(description, "caps and shields and more shields") == ["cap", "shield"]
    assert description_pair(description, "green hair and a young face") == []  # too frequent


@pytest.mark.parametrize("text", ["Königin Elsa auf dem Weihnachtsmarkt", "Queen Elsa in a snowstorm"])
def test_when_a_title_its_description_gives_precedes_a_first_name_then_it_counts(guard, text):
    assert found(guard, text) == {"elsa"}


@pytest.mark.parametrize("text", ["my grandmother Elsa in her kitchen", "King Elsa of nowhere"])
def test_when_the_word_before_a_first_name_is_no_title_of_its_description_then_it_needs_support(guard, text):
    assert found(guard, text) == set()


def test_when_a_title_is_found_then_it_is_the_word_as_written():
    description = CATALOG["characters"][1]["description"]["en"]
    text = "reine Elsa au bal"
    assert described_title(description, text, (6, 10)) == "reine"
    assert described_title(description, "Elsa", (0, 4)) == ""


def test_when_a_title_stands_before_a_name_late_in_a_long_prompt_then_it_is_found():
    description = CATALOG["characters"][1]["description"]["en"]
    text = "1girl, solo, " * 40 + "Queen Elsa"
    start = text.index("Elsa")
    assert described_title(description, text, (start, start + 4)) == "Queen"


def test_when_the_word_before_a_name_is_longer_than_the_window_then_no_piece_of_it_is_a_title():
    description = CATALOG["characters"][1]["description"]["en"]
    text = "x" * 60 + "queen Elsa"  # one word of 65 letters ending in "queen": no title
    start = text.index("Elsa")
    assert described_title(description, text, (start, start + 4)) == ""


def test_when_a_description_uses_no_title_word_then_no_title_counts():
    assert described_title("A round pink creature with red feet.", "Queen Kirby", (6, 11)) == ""
