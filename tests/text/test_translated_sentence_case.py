"""Russian writes a title in sentence case ("Звёздные войны" for Star Wars) and drops its
prepositions and possessives like the other languages' ("Мой сосед Тоторо"): both are read as
translations of registered names, with the real encoder."""

from __future__ import annotations

import pytest

from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.embedding import DEFAULT_ENCODER, get_encoder
from kyodaku.text.normalize import key
from kyodaku.text.translated import TranslatedNameIndex, candidates, content_words


def variant(entity: str, name: str) -> NameVariant:
    return NameVariant(entity, "work", name, "en", key(name), name_splits(name)[1], False, "")


@pytest.fixture(scope="module")
def index() -> TranslatedNameIndex:
    names = [variant("star-wars", "Star Wars"), variant("totoro-film", "My Neighbor Totoro")]
    return TranslatedNameIndex(names, get_encoder(DEFAULT_ENCODER))


def test_when_a_cyrillic_title_is_in_sentence_case_then_its_two_words_are_a_candidate():
    assert [c.text for c in candidates("Звёздные войны, постер")] == ["Звёздные войны"]


def test_when_a_cyrillic_sentence_opens_with_a_name_then_no_longer_phrase_is_a_candidate():
    assert [c.text for c in candidates("Человек-паук летит над городом")] == ["Человек-паук"]


def test_when_russian_possessives_and_prepositions_stand_in_a_title_then_they_are_no_content_words():
    assert content_words("Мой сосед Тоторо") == ("сосед", "Тоторо")
    assert content_words("Легенда о Зельде") == ("Легенда", "Зельде")


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Звёздные войны, постер", "star-wars"),
        ("фанаты Звёздных войн", "star-wars"),
        ("Мой сосед Тоторо, постер", "totoro-film"),
    ],
)
def test_when_a_russian_title_translates_a_name_then_it_is_found(index, text, entity):
    assert {h.variant.entity for h in index.find(text)} == {entity}


def test_when_a_russian_sentence_opening_translates_no_name_then_nothing_is_found(index):
    assert index.find("Красная площадь ночью") == []


@pytest.mark.parametrize(
    "text",
    [
        "Девочка катается на велосипеде по двору",  # the phrase holds the verb
        "Рыжая лиса в снегу прислушивается к шороху",  # the verb ends the clause
    ],
)
def test_when_a_russian_sentence_opens_with_its_subject_and_a_verb_then_the_opening_is_no_candidate(text):
    assert candidates(text) == []


def test_when_a_sentence_case_title_stands_later_in_a_sentence_with_a_verb_then_it_is_still_a_candidate():
    assert "Звёздные войны" in [c.text for c in candidates("Мальчик смотрит Звёздные войны")]


@pytest.fixture(scope="module")
def phrases() -> TranslatedNameIndex:
    names = [
        variant("red-fox", "Red Fox"),
        variant("rolling-girl", "Rolling Girl"),
        variant("girls-avenue", "Girl's Avenue"),
        variant("star-wars", "Star Wars"),
    ]
    return TranslatedNameIndex(names, get_encoder(DEFAULT_ENCODER))


@pytest.mark.parametrize(
    "text",
    [
        "Девочка катается на велосипеде по двору летним вечером",
        "Рыжая лиса в снегу прислушивается к шороху",
    ],
)
def test_when_an_ordinary_russian_sentence_opens_with_words_of_a_phrase_name_then_nothing_is_found(
    phrases, text
):
    assert phrases.find(text) == []


def test_when_the_title_opens_a_russian_tag_list_then_its_name_is_found(phrases):
    assert {h.variant.entity for h in phrases.find("Звёздные войны, постер")} == {"star-wars"}
