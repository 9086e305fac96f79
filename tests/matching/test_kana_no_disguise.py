"""Hiragana, Hangul and Han write a Latin name by its sound and draw nothing like a Latin letter, and
katakana writes loanwords as it writes names: such a spelling is no disguise, so it is no support for
an ambiguous name, unless it is a rare katakana word (text/surface.py `disguised`).
Found against the 40k Danbooru catalog, whose names are Latin: a syllable of every Japanese sentence
(咲く, 夕焼け) read as a short name "in disguise"."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard, studio_catalog
from kyodaku.text.surface import disguised


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(studio_catalog("Kuu", "Ke", work=True), tmp_path_factory.mktemp("kana"))


@pytest.mark.parametrize(
    ("written", "name", "expected"),
    [
        ("く", "Kuu", False),  # the syllable of 咲く
        ("くう", "Kuu", False),
        ("쿠", "Kuu", False),
        ("空", "Kuu", False),
        ("ピアノ", "Piano", False),  # katakana that is a common loanword is the loanword
        ("ト", "To", False),  # one katakana letter is no name
        ("ゴクウ", "Goku", True),  # a rare katakana writing is how Japanese writes the name
        ("クマの", "Kumano", False),  # a loanword or short katakana word and its particle
        ("ネオンの", "Neono", False),
        ("ゴクウの", "Gokuno", True),  # the rare katakana is the name, whatever the particle
        ("け、や", "Keya", False),  # kana with the sentence's own comma
        ("ぴ・か・ち・ゅ・う", "Pikachu", True),  # dotted out letter by letter
        ("Ｋｕｕ", "Kuu", True),  # full-width Latin letters are still drawn like the name
        ("Кuu", "Kuu", True),  # a Cyrillic К, drawn like a Latin K
        ("Kúu", "Kuu", True),  # an accent no language writes it with
    ],
)
def test_when_a_latin_name_is_written_in_another_script_then_only_lookalike_letters_disguise_it(
    written, name, expected
):
    assert disguised(written, name) is expected


@pytest.mark.parametrize("text", ["桃の花が咲く春の農園", "雲の上を飛ぶ旅客機、夕焼け"])
def test_when_an_ordinary_japanese_sentence_holds_the_syllable_of_a_short_name_then_nothing_is_found(
    guard, text
):
    assert found(guard, text) == set()


def test_when_the_short_name_is_written_in_latin_letters_with_its_work_then_it_is_found(guard):
    assert "kuu" in found(guard, "Kuu from Grey Wings Saga flying over the town")


def test_when_hiragana_is_one_edit_from_a_latin_names_reading_then_it_is_no_misspelling(tmp_path):
    guard = lexical_guard(studio_catalog("Oshida"), tmp_path)
    assert found(guard, "赤いドレスをした少女が歩く") == set()  # をした: "wearing", one edit from "oshida"
    assert found(guard, "Oshyda walking down the street") == {"oshida"}  # a Latin misspelling still is


def test_when_a_name_would_start_inside_a_kana_syllable_then_it_is_not_found(tmp_path):
    guard = lexical_guard(studio_catalog("Orin", "Aiza"), tmp_path)
    # ドリーイン ("dolly-in") reads "dorin": "orin" starts inside ド; バイザー ("visor") reads "baiza".
    assert found(guard, "カメラはゆっくりとドリーインする") == set()
    assert found(guard, "銀色のバイザーをつけた騎士") == set()
    assert found(guard, "オリンが笑っている") == {"orin"}  # the name's own kana, whole syllables


def test_when_a_katakana_word_and_its_particle_are_one_edit_from_a_name_then_it_is_no_misspelling(tmp_path):
    guard = lexical_guard(studio_catalog("Lamento"), tmp_path)
    # ラーメンと is ramen and the particle と, "ramento" together: one edit from the name's key.
    assert found(guard, "ラーメンと餃子のセット") == set()
    assert found(guard, "Lamentto singing on a stage") == {"lamento"}  # a Latin misspelling still is


def test_when_short_hiragana_of_two_siblings_stand_side_by_side_then_they_support_neither(tmp_path):
    guard = lexical_guard(studio_catalog("Anna", "Kara", work=True), tmp_path)
    # あんな ("such a") and から ("from"): the grammar of one ordinary sentence, and two first names.
    assert found(guard, "あんな海から来た鳥") == set()
    assert {"anna", "kara"} <= found(guard, "Anna and Kara from Grey Wings Saga")


def test_when_a_short_hiragana_reading_stands_beside_a_name_of_its_group_then_it_takes_no_support(tmp_path):
    guard = lexical_guard(studio_catalog("Liru", "Pikachu", work=True), tmp_path)
    # いる of 遊んでいる ("is playing") reads "iru", the key of the short name Liru.
    assert found(guard, "ピカチュウが森で遊んでいる") == {"pikachu"}


def test_when_a_katakana_word_is_one_part_of_a_dotted_full_name_then_it_is_no_misspelling(tmp_path):
    guard = lexical_guard(studio_catalog("Dorami"), tmp_path)
    # ドラギ of マリオ・ドラギ (Mario Draghi) is one edit from ドラミ, the reading of "Dorami".
    assert found(guard, "マリオ・ドラギ氏がブリュッセルで演説している写真") == set()
    assert found(guard, "ドラギが空を飛んでいる") == {"dorami"}  # alone, a misspelling still is
