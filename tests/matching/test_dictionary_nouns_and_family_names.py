"""Two other senses of a distinctive name, read from the grammar around it (text/senses.py): a
common noun the dictionary lists, in lower case after a determiner ("Nietzsche's superman"), and
a family name after a common given name ("Muriel Bowser"). Each counts only with support."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.senses import dictionary_noun_use, family_name_use, gloss_use

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "dc", "name": {"en": "DC"}, "country": "US"},
        {"id": "nintendo", "name": {"en": "Nintendo"}, "country": "JP"},
        {"id": "shueisha", "name": {"en": "Shueisha"}, "country": "JP"},
        {"id": "pokemon", "name": {"en": "The Pokémon Company"}, "country": "JP"},
    ],
    "works": [{"id": "demon-slayer", "owner": "shueisha", "names": {"en": ["Demon Slayer"]}}],
    "characters": [
        {"id": "superman", "owner": "dc", "names": {"en": ["Superman"]}},
        {"id": "batman", "owner": "dc", "names": {"en": ["Batman"]}},
        {"id": "bowser", "owner": "nintendo", "names": {"en": ["Bowser"]}},
        {"id": "pikachu", "owner": "pokemon", "names": {"en": ["Pikachu"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("senses"))


@pytest.mark.parametrize(
    "text",
    [
        "Nietzsche's superman standing on a glacier, allegorical etching",
        "an old colonel's batman carrying a tea tray, 1900 photograph",
        "a man holding the superman pose on a gym floor",
        "a superman effort by the rescue team",
        "Saint George the demon slayer on a church window",
    ],
)
def test_when_a_dictionary_noun_follows_a_determiner_in_lower_case_then_it_is_the_word(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Superman lifting a train over a river", "superman"),
        ("superman flying over the city", "superman"),  # no determiner: a name, as tags write it
        ("a superman costume on a hanger", "superman"),  # a thing made in the likeness
        ("a batman poster on a bedroom wall", "batman"),  # a depiction noun
        ("two batman figures on a shelf", "batman"),  # in the plural
        ("the batman 2022 poster in a cinema lobby", "batman"),  # a year between
        ("it's batman on the roof", "batman"),  # a contraction, not a possessive
        ("the pikachu plush on a shelf", "pikachu"),  # in no dictionary
        # Prompts typed in lower case: after an article, no noun follows the name for it to modify.
        ("the batman standing on a rooftop at night", "batman"),
        ("photo of the batman in the rain", "batman"),
        ("a superman flying over the city", "superman"),
        ("a batman with a cape", "batman"),
        ("the batman returns to gotham", "batman"),
        ("the batman", "batman"),
    ],
)
def test_when_the_name_has_no_determiner_or_is_the_likeness_then_it_is_the_character(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_a_common_given_name_precedes_a_name_then_it_is_a_family_name(guard):
    assert found(guard, "Councillor Muriel Bowser opening a library") == set()


@pytest.mark.parametrize(
    "text",
    [
        "King Bowser on his throne",  # a title that is an ordinary word
        "Bowser roaring on a castle bridge",
        "Jack and Bowser racing karts",
    ],
)
def test_when_no_given_name_precedes_the_name_then_it_is_the_character(guard, text):
    assert found(guard, text) == {"bowser"}


def test_when_the_word_before_is_a_registered_name_then_it_is_no_given_name():
    assert family_name_use("Muriel Bowser", (7, 13))
    assert not family_name_use("Mario Bowser", (6, 12), [(0, 5)])  # two names listed
    assert not family_name_use("Muriel bowser", (7, 13))  # a family name is capitalised


def test_when_the_word_is_in_no_dictionary_then_a_determiner_does_not_make_it_a_noun():
    assert dictionary_noun_use("the superman exercise", (4, 12))
    assert not dictionary_noun_use("the pikachu exercise", (4, 11))
    assert not dictionary_noun_use("The Superman exercise", (4, 12))  # capitalised: the name


GLOSSED = {
    "version": 1,
    "rightsholders": [{"id": "pokemon", "name": {"en": "The Pokémon Company"}, "country": "JP"}],
    "characters": [{"id": "eevee", "owner": "pokemon", "names": {"en": ["Eevee"], "ja": ["イーブイ"]}}],
}


@pytest.fixture(scope="module")
def glossed(tmp_path_factory):
    return lexical_guard(GLOSSED, tmp_path_factory.mktemp("gloss"))


def test_when_a_katakana_name_glosses_the_latin_word_before_it_then_it_is_that_words_reading(glossed):
    assert found(glossed, "EV（イーブイ）の急速充電器の写真") == set()
    assert found(glossed, "an EV (イーブイ) charger in a car park") == set()


@pytest.mark.parametrize(
    "text",
    [
        "イーブイのぬいぐるみ",
        "Eevee（イーブイ）のぬいぐるみ",
        "イーブイ（EV）のぬいぐるみ",
        "（イーブイ）のぬいぐるみ",
    ],
)
def test_when_the_katakana_name_glosses_nothing_or_the_name_itself_then_it_is_the_character(glossed, text):
    assert found(glossed, text) == {"eevee"}
    assert gloss_use(text, (text.index("イーブイ"), text.index("イーブイ") + 4)) is text.startswith("Eevee")
