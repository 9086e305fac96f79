"""Katakana words that are ordinary words, told from names by UniDic's record of their origin
(text/katakana_words.py), and what the matchers do with them: a Latin name that is the romaji of a
loanword is ambiguous, a loanword is never heard as a name, and a loanword is no hiragana word."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.ambiguity import JAPANESE_WORD_PREFIX, entity_ambiguities
from kyodaku.text.katakana_words import LOAN, NATIVE, PLACE, katakana_words, loanword, ordinary_katakana
from kyodaku.text.normalize import skeleton
from kyodaku.text.surface import hiragana_word_use


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


def test_when_a_latin_name_is_the_romaji_of_a_common_loanword_then_it_is_ambiguous():
    verdicts = entity_ambiguities([("en", "Pinku"), ("en", "Pikachu")])
    assert verdicts["Pinku"].ambiguous and verdicts["Pinku"].reason.startswith(JAPANESE_WORD_PREFIX)
    assert not verdicts["Pikachu"].ambiguous


def test_when_the_entry_registers_the_loanword_itself_as_its_japanese_name_then_the_name_stays_ambiguous():
    # Only a Japanese name of its own that spells the romaji (孫悟空 for "Goku") says the name is no
    # word; a character registered as ピンク is still named by the everyday word for pink.
    assert entity_ambiguities([("en", "Pinku"), ("ja", "ピンク")])["Pinku"].ambiguous
    assert not entity_ambiguities([("en", "Pinku"), ("ja", "桃色ピンク姫")])["Pinku"].ambiguous


def test_when_hiragana_spells_a_loanword_then_it_is_no_word_but_a_native_word_in_hiragana_is():
    assert loanword("ソニック") and not loanword("ネズミ")
    assert not hiragana_word_use("そにっく", "Sonic")  # Japanese writes "sonic" in katakana only
    assert hiragana_word_use("ねずみ", "Nezumi")  # 鼠 is written in hiragana as well


CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "studio", "name": {"en": "Studio Co., Ltd."}, "country": "JP"}],
    "works": [{"id": "saga", "owner": "studio", "names": {"en": ["Grey Wings Saga"]}}],
    "characters": [
        {"id": "pinku", "owner": "studio", "work": "saga", "names": {"en": ["Pinku"]}},
        {"id": "picnicker", "owner": "studio", "work": "saga", "names": {"en": ["Picnicker"]}},
        {"id": "umigame", "owner": "studio", "work": "saga", "names": {"en": ["Umigame"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("katakana"))


@pytest.mark.parametrize(
    "text",
    [
        "ピンクの浴衣を着た女の子が夏祭りで金魚すくい",  # pink: the character Pinku's romaji
        "野原でピクニックをする家族",  # picnic: heard as "Picnicker" by consonants
        "海で泳ぐウミガメ",  # sea turtle: the skeleton starts at ミ, one edit from "Umigame"
    ],
)
def test_when_an_ordinary_japanese_prompt_holds_a_katakana_word_then_no_name_is_found(guard, text):
    assert found(guard, text) == set()


def test_when_the_latin_name_is_written_with_its_work_then_it_is_still_found(guard):
    assert "pinku" in found(guard, "Pinku from Grey Wings Saga waving")
