"""Ordinary Russian against Latin names: a Cyrillic word of the language is no disguise, no
misspelling and no name heard by ear, and a lower-case word counts as a name only with support;
a name Russian writes in Cyrillic is still found (docs/screening.md, 3c and 4b)."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard, studio_catalog
from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.by_ear import ByEarIndex, russian_name_heard
from kyodaku.text.normalize import key
from kyodaku.text.russian_words import native_word
from kyodaku.text.surface import cyrillic_word, cyrillic_word_use, disguised


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    names = ("Naa", "Mashle", "Ruki", "Nina", "Sonic", "Darth Vader", "Belka", "Superman")
    return lexical_guard(studio_catalog(*names), tmp_path_factory.mktemp("cyrillic"))


@pytest.mark.parametrize(
    "text",
    [
        "Кошка спит на диване",  # на ("on") reads "na", the key of the short name Naa
        "На столе стоит ваза",  # capitalised at the start, still the preposition
        "Натюрморт, масло на холсте",  # масло ("oil paint") is one edit from Mashle
        "Портрет пекаря, руки в муке",  # руки ("hands"), the Latin name Ruki read in Cyrillic
        "Моя бабушка Нина поливает цветы",  # Russian writes the first name Nina so
        "Белка с орехом на стволе сосны",  # белка, "squirrel": the word "Belka" romanizes
        "Нарисуй моего кота по кличке Соник на подоконнике",  # a pet named after the character
    ],
)
def test_when_an_ordinary_russian_prompt_meets_latin_names_then_none_is_found(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Соник бежит по Невскому проспекту", "sonic"),  # Russian writes the word "sonic" otherwise
        ("Дарт Вейдер в московском метро", "darth-vader"),
        ("Супермен летит над Москвой", "superman"),  # супермен comes from the name, not the reverse
        ("Ruki waving at the crowd", "ruki"),  # the Latin spelling is untouched
    ],
)
def test_when_russian_writes_a_name_in_cyrillic_then_it_is_still_found(guard, text, entity):
    assert entity in found(guard, text)


def test_when_a_cyrillic_word_is_a_word_of_the_language_then_it_is_no_disguise():
    assert cyrillic_word("на") and not disguised("на", "Naa")
    assert cyrillic_word("тайга") and not disguised("тайга", "Taiga")
    assert not cyrillic_word("Соник") and disguised("Соник", "Sonic")  # a capitalised spelling
    assert disguised("Еlsа", "Elsa")  # Cyrillic letters inside a Latin word still are
    assert cyrillic_word_use("руки", "Ruki") and cyrillic_word_use("Руки", "Ruki")  # a Russian word
    assert not cyrillic_word_use("Соник", "Sonic")  # no Russian word: the name as Russian writes it


def test_when_a_latin_name_romanizes_a_russian_word_then_the_word_is_the_word():
    assert native_word("Белка", "Belka") and native_word("руки", "Ruki")
    assert not native_word("Супермен", "Superman")  # Russian took the word from the name
    assert not native_word("Наруто", "Naruto")  # no Russian word at all
    assert not native_word("Нина", "Nina")  # a first name, a proper noun to the dictionary


def variant(entity: str, name: str) -> NameVariant:
    return NameVariant(entity, "character", name, "en", key(name), name_splits(name)[1], False, "")


def test_when_cyrillic_words_have_a_names_consonants_but_not_its_form_then_it_is_not_heard():
    index = ByEarIndex([variant("sadatou", "Sadatou Ayano"), variant("thorton", "Thorton")])
    assert index.find("Сова сидит на ветке ночью") == []  # a preposition is no word of a name
    assert index.find("торт на день рождения") == []  # lower case: Russian capitalises names
    assert not russian_name_heard(["Сидит", "Ито"], "Sadatou Ayano")  # the vowels differ
    assert russian_name_heard(["Дартом", "Вейдером"], "Darth Vader")  # a case ending read off
