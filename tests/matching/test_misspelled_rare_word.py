"""A two-word name with its rarer word misspelled into another first name ("Micky Mouse", "Donal
Duck") is found one edit away, beside the other word written as registered; a window of
dictionary words alone ("black hat", one edit from "Black Cat") is still never looked up."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"}],
    "works": [{"id": "mickey-and-friends", "owner": "disney", "names": {"en": ["Mickey Mouse & Friends"]}}],
    "characters": [
        {"id": "mickey-mouse", "work": "mickey-and-friends", "names": {"en": ["Mickey Mouse"]}},
        {"id": "donald-duck", "work": "mickey-and-friends", "names": {"en": ["Donald Duck"]}},
        {"id": "black-cat", "work": "mickey-and-friends", "names": {"en": ["Black Cat"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("rare-word"))


@pytest.mark.parametrize(
    ("text", "entity"),
    [("Micky Mouse on a steamboat", "mickey-mouse"), ("Donal Duck yelling at a chipmunk", "donald-duck")],
)
def test_when_the_rare_word_of_a_name_is_misspelled_beside_its_other_word_then_it_is_found(
    guard, text, entity
):
    assert found(guard, text) == {entity}


@pytest.mark.parametrize(
    "text",
    ["a black hat on a table", "Micky Dolenz on stage", "Donal Dunne the farmer", "a duck and a mouse"],
)
def test_when_no_word_of_the_name_stands_as_written_beside_a_rare_one_then_nothing_is_found(guard, text):
    assert found(guard, text) == set()


FULL_NAME = {
    "version": 1,
    "rightsholders": [{"id": "square-enix", "name": {"en": "Square Enix"}, "country": "JP"}],
    "works": [{"id": "final-fantasy", "owner": "square-enix", "names": {"en": ["Final Fantasy"]}}],
    "characters": [
        {"id": "cloud-strife", "work": "final-fantasy", "names": {"en": ["Cloud Strife"]}},
    ],
}


@pytest.fixture(scope="module")
def full_name_guard(tmp_path_factory):
    return lexical_guard(FULL_NAME, tmp_path_factory.mktemp("full-name"))


@pytest.mark.parametrize("text", ["Cloud Strfie with a giant sword", "cloud strfie on a motorbike"])
def test_when_a_full_name_is_misspelled_around_its_ordinary_given_name_then_it_is_found(
    full_name_guard, text
):
    # "Cloud" alone is an ordinary word the alias matcher sets aside; the window is the full name.
    assert found(full_name_guard, text) == {"cloud-strife"}


@pytest.mark.parametrize("text", ["a cloud over the sea", "a cloud strike on the server", "a clod of strife"])
def test_when_the_window_is_the_set_aside_word_itself_or_ordinary_words_then_nothing_is_found(
    full_name_guard, text
):
    assert found(full_name_guard, text) == set()
