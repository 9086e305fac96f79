"""How a prompt uses a name: as the subject acting with a verb in any tense ("Luigi repariert eine
Heizung"), as the name of a place ("la ville de Batman"), or, in lower case, as the ordinary
Japanese word it reads as ("naruto fishcake slices")."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.matching.text import japanese_word_use, place_use
from kyodaku.text.subject import Frame, name_role

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"},
        {"id": "dc", "name": {"en": "DC Comics"}, "country": "US"},
        {"id": "shueisha", "name": {"en": "Shueisha Inc."}, "country": "JP"},
    ],
    "characters": [
        {"id": "luigi", "owner": "nintendo", "names": {"en": ["Luigi"]}},
        {"id": "batman", "owner": "dc", "names": {"en": ["Batman"]}},
        {"id": "naruto", "owner": "shueisha", "names": {"en": ["Naruto"], "ja": ["ナルト"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("sense"))


@pytest.mark.parametrize(
    "text",
    ["Luigi repariert eine Heizung in einem Keller", "Luigi repairs a boiler", "Luigi mange une pizza"],
)
def test_when_a_first_name_opens_the_prompt_with_a_verb_and_its_object_then_it_is_the_subject(guard, text):
    assert name_role(text, (0, 5)).frame is Frame.ACTION
    assert found(guard, text) == {"luigi"}


@pytest.mark.parametrize("text", ["Luigi pizzeria sign at night", "Luigi's pizzeria at night"])
def test_when_no_verb_stands_before_an_object_then_the_first_name_is_no_actor(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    "text",
    ["vue aérienne de la ville de Batman", "the city of Batman at night", "die Stadt Batman im Winter"],
)
def test_when_a_name_follows_a_word_for_a_place_then_it_needs_support(guard, text):
    start = text.index("Batman")
    assert place_use(text, (start, start + 6))
    assert found(guard, text) == set()


def test_when_a_name_is_not_introduced_as_a_place_then_it_counts(guard):
    assert found(guard, "Batman over the city at night") == {"batman"}


def test_when_a_romaji_name_in_lower_case_reads_as_a_japanese_word_then_it_needs_support(guard):
    text = "a bowl of ramen with naruto fishcake slices"
    start = text.index("naruto")
    assert japanese_word_use(text, (start, start + 6), "Naruto")
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    "text",
    ["Naruto eating ramen", "ramen with Naruto fishcake", "naruto eating ramen, 1boy", "1boy, naruto, ninja"],
)
def test_when_the_romaji_name_is_written_as_a_name_then_its_own_japanese_name_keeps_it_distinctive(
    guard, text
):
    start = text.casefold().index("naruto")
    assert not japanese_word_use(text, (start, start + 6), "Naruto")
    assert found(guard, text) == {"naruto"}
