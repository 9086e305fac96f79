"""A first name followed by an English epithet ("Elsa the lioness", "Luigi the baker") names
whoever the epithet says; it is the character only when the epithet is what the character is by
its own description (matching/subject.py `_epithet_of_another`)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "disney", "name": {"en": "Disney"}, "country": "US"}],
    "works": [{"id": "frozen", "owner": "disney", "names": {"en": ["Frozen"]}}],
    "characters": [
        {
            "id": "elsa",
            "work": "frozen",
            "names": {"en": ["Elsa"]},
            "description": {"en": "A young queen with ice magic and a long platinum-blonde braid."},
        }
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("epithets"))


@pytest.mark.parametrize(
    "text",
    ["Elsa the tabby cat asleep on a windowsill", "Elsa the old midwife in her village, 1930s photograph"],
)
def test_when_an_epithet_names_something_the_character_is_not_then_the_first_name_is_anothers(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Elsa the young queen on a balcony",  # her description's own noun
        "Elsa the Snow Queen on a balcony",  # capitalised: a title, not an epithet
        "Elsa on a balcony at night",  # no epithet at all
    ],
)
def test_when_the_epithet_is_what_the_character_is_or_absent_then_the_name_is_the_characters(guard, text):
    assert found(guard, text) == {"elsa"}


def test_when_the_entry_has_no_description_then_an_epithet_leaves_the_subject_reading(tmp_path):
    bare = {**CATALOG, "characters": [{**CATALOG["characters"][0], "description": {}}]}
    assert found(lexical_guard(bare, tmp_path), "Elsa the tabby cat asleep on a windowsill") == {"elsa"}
