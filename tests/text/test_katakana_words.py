"""Katakana words that are ordinary words, told from names by UniDic's record of their origin
(text/katakana_words.py), and what the matchers do with them: a Latin name met as such a word
counts only with support, and such a word is never heard as a name or misspelt into one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard, studio_catalog
from kyodaku.text.by_ear import bare_key
from kyodaku.text.katakana_words import (
    LOAN,
    NATIVE,
    PLACE,
    katakana_words,
    loan_compound,
    ordinary_compound,
    ordinary_katakana,
)
from kyodaku.text.normalize import skeleton
from kyodaku.text.surface import katakana_word_use


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("ピンク", LOAN),
        ("マント", LOAN),
        ("レンズ", LOAN),
        ("ネズミ", NATIVE),
        ("スイカ", NATIVE),
        ("エルサレム", PLACE),
    ],
)
def test_when_a_katakana_word_is_an_ordinary_word_or_place_then_the_list_holds_it(word, kind):
    assert ordinary_katakana(word).kind == kind


def test_when_a_word_is_written_in_half_width_katakana_then_it_is_looked_up_as_the_word():
    assert ordinary_katakana("ﾋﾟﾝｸ").word == "ピンク"


@pytest.mark.parametrize(
    ("word", "name", "expected"),
    [
        ("バスツアー", "Beastars", True),  # bus + tour: the compound's own meaning
        ("ローアングル", "Oranguru", True),  # low + angle
        ("バットマン", "Batman", False),  # bat + man: the name is made of those very words
        ("キャットバス", "Catbus", False),
        ("ピカチュウ", "Pikachu", False),  # no compound of loanwords at all
        ("チャーリザード", "Charizard", False),  # チャー has no foreign word to read it by
    ],
)
def test_when_a_katakana_word_is_a_compound_of_loanwords_then_it_is_no_other_name(word, name, expected):
    assert ordinary_compound(word, name) is expected


@pytest.mark.parametrize("name", ["ピカチュウ", "マリオ", "ミク", "トトロ", "エルサ", "ゼルダ", "カービィ"])
def test_when_a_katakana_word_is_a_characters_name_then_the_list_leaves_it_out(name):
    # Frequent in Japanese text as the loanwords are, but proper nouns to UniDic (or unknown to it).
    assert ordinary_katakana(name) is None


def test_when_the_list_is_read_then_every_entry_is_katakana_keyed_as_the_matchers_key_it():
    words = list(katakana_words().values())
    assert len(words) > 10_000
    for w in words[::250]:
        assert all(0x30A1 <= ord(c) <= 0x30FA or c == "ー" for c in w.word)
        assert skeleton(w.word).key == w.key
        assert w.kind in (LOAN, NATIVE, PLACE)


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    names = ("Pinku", "Picnicker", "Umigame", "Beastars", "Usagi", "Nissin", "Elli")
    catalog = studio_catalog(*names, work=True)
    return lexical_guard(catalog, tmp_path_factory.mktemp("katakana"))


@pytest.mark.parametrize(
    "text",
    [
        "ピンクの浴衣を着た女の子が夏祭りで金魚すくい",  # pink: the character Pinku's romaji
        "野原でピクニックをする家族",  # picnic: heard as "Picnicker" by consonants
        "海で泳ぐウミガメ",  # sea turtle: the skeleton starts at ミ, one edit from "Umigame"
        "ヨーロッパのバスツアーで古城を巡る",  # bus tour: heard as "Beastars" by its consonants
        "ウサギの写真",  # a photo of a rabbit: "Usagi" as the depicted subject had held it for review
        "ミシンの写真",  # sewing machine: the n of ン and の is one key letter, one edit from "Nissin"
        "イェーイ・ヨコハマの写真",  # "yay": the ェ of イェ read alone was "ei", the name "Elli"
    ],
)
def test_when_an_ordinary_japanese_prompt_holds_a_katakana_word_then_no_name_is_found(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("written", "name", "expected"),
    [
        ("ピンク", "Pinku", True),
        ("マントを", "Manto", True),  # a particle rides along: the key folds を into "manto"
        ("ピカチュウ", "Pikachu", False),  # a name, not on the list
        ("ピンク", "ピンク", False),  # a katakana name is the catalog's own writing
        ("ピンクのドレス", "Pinku", False),  # more than a particle beside the word
    ],
)
def test_when_a_latin_name_is_met_as_a_listed_katakana_word_then_it_is_a_word_use(written, name, expected):
    assert katakana_word_use(written, name) is expected


def test_when_the_latin_name_is_written_in_latin_letters_then_it_is_found_without_support(guard):
    # Nobody writes "pinku" in an English prompt to mean pink: only the katakana is the word.
    assert found(guard, "Pinku waving at the crowd") == {"pinku"}


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=20),
    st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30FC), max_size=12),
)
def test_when_any_text_is_looked_up_then_the_katakana_rules_answer_without_raising(text, katakana):
    for word in (text, katakana):
        assert isinstance(katakana_word_use(word, "Pinku"), bool)
        assert isinstance(ordinary_compound(word, "Beastars"), bool)
        parts = loan_compound(word)
        # A compound is the word itself, cut into two or three listed loanwords.
        assert parts is None or ("".join(p.word for p in parts) == word and 2 <= len(parts) <= 3)
    assert isinstance(bare_key(katakana), str)
