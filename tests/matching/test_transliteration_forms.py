"""Names written in forms a rule derives from the registered names and general knowledge of how
people write: small capitals and negative squared letters, kanji drawn like katakana, camel case
and lower-case hashtags, Korean tense letters and ㅔ for ㅐ, pinyin with tone numbers and of dotted
names, Russian case endings of names in -а, Serbian Cyrillic, romaji with the particle の apart.
Each was missed by the transliteration probe of 2026-12-06 (docs/benchmarks.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard
from kyodaku.text.alias import camel_cut
from kyodaku.text.normalize import skeleton

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "rh", "name": {"en": "Rights Holder"}, "country": "JP"}],
    "works": [
        {"id": "pokemon", "owner": "rh", "names": {"en": ["Pokémon"]}},
        {"id": "star-wars", "owner": "rh", "names": {"en": ["Star Wars"]}},
        {"id": "dc", "owner": "rh", "names": {"en": ["DC Universe"]}},
        {
            "id": "my-neighbor-totoro",
            "owner": "rh",
            "names": {"en": ["My Neighbor Totoro"], "ja": ["となりのトトロ"]},
        },
        {"id": "doraemon-series", "owner": "rh", "names": {"en": ["Doraemon series"]}},
    ],
    "characters": [
        {
            "id": "pikachu",
            "work": "pokemon",
            "names": {"en": ["Pikachu"], "ja": ["ピカチュウ"], "zh": ["皮卡丘"], "ko": ["피카츄"]},
        },
        {"id": "darth-vader", "work": "star-wars", "names": {"en": ["Darth Vader"], "zh": ["达斯·维达"]}},
        {"id": "yoda", "work": "star-wars", "names": {"en": ["Yoda"], "ja": ["ヨーダ"]}},
        {"id": "batman", "work": "dc", "names": {"en": ["Batman"], "ja": ["バットマン"], "ko": ["배트맨"]}},
        {"id": "superman", "work": "dc", "names": {"en": ["Superman"], "ja": ["スーパーマン"]}},
        {"id": "totoro", "work": "my-neighbor-totoro", "names": {"en": ["Totoro"], "ja": ["トトロ"]}},
        {"id": "doraemon", "work": "doraemon-series", "names": {"en": ["Doraemon"], "zh": ["哆啦A梦"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("forms"))


@pytest.mark.parametrize(
    ("text", "entity"),
    [("ᴘɪᴋᴀᴄʜᴜ sticker", "pikachu"), ("ʙᴀᴛᴍᴀɴ logo", "batman"), ("🅿🅸🅺🅰🅲🅷🆄 poster", "pikachu")],
)
def test_when_a_name_is_in_small_capitals_or_squared_letters_then_it_is_found(guard, text, entity):
    assert entity in found(guard, text)


@pytest.mark.parametrize(
    ("text", "entity"),
    [("ピ力チュウのぬいぐるみ", "pikachu"), ("トト口と傘", "totoro"), ("ス一パ一マンのマント", "superman")],
)
def test_when_a_kanji_drawn_like_katakana_stands_for_a_letter_then_the_name_is_found(guard, text, entity):
    assert entity in found(guard, text)


@pytest.mark.parametrize(("text", "entity"), [("トトロ二つ", "totoro"), ("バットマン一つ", "batman")])
def test_when_a_numeral_counts_a_name_written_before_it_then_the_name_stays_whole(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_a_lookalike_kanji_begins_a_kanji_word_after_a_name_then_it_stays_kanji(guard):
    assert found(guard, "ピカチュウ一匹") == {"pikachu"}
    assert skeleton("カメラ工場").key.endswith("工場")


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("#DarthVaderFanArt tonight", "darth-vader"),
        ("iLoveTotoro sticker", "totoro"),
        ("pikachuLover99", "pikachu"),
    ],
)
def test_when_a_name_is_a_word_of_a_camel_case_run_then_it_is_found(guard, text, entity):
    assert entity in found(guard, text)


def test_when_a_capital_follows_mc_then_it_is_no_new_word():
    assert not camel_cut(skeleton("McDonald"), 2)
    assert camel_cut(skeleton("BigDonald"), 3)


@pytest.mark.parametrize(
    ("text", "entity"), [("#pikachulover plush", "pikachu"), ("#teambatman poster", "batman")]
)
def test_when_a_lowercase_hashtag_holds_a_name_among_words_then_it_is_found(guard, text, entity):
    assert entity in found(guard, text)


def test_when_the_rest_of_a_hashtag_is_no_word_then_the_name_is_not_found(guard):
    assert found(guard, "#batmanxyzq") == set()
    assert found(guard, "teambatman without a mark") == set()


@pytest.mark.parametrize(("text", "entity"), [("피까츄 스티커", "pikachu"), ("배트멘 포스터", "batman")])
def test_when_korean_writes_a_tense_letter_or_e_for_ae_then_the_name_is_found(guard, text, entity):
    assert entity in found(guard, text)


@pytest.mark.parametrize("text", ["새가 나무 위에 앉아 있다", "떡볶이를 먹는 아이", "빵집 앞의 고양이"])
def test_when_an_ordinary_korean_sentence_has_tense_letters_then_nothing_is_found(guard, text):
    assert found(guard, text) == set()


def test_when_hangul_is_written_in_conjoining_jamo_then_the_name_is_found(guard):
    assert "pikachu" in found(guard, "\u1111\u1175\u110f\u1161\u110e\u1172 인형")


@pytest.mark.parametrize(
    ("text", "entity"), [("バ・ッ・ト・マ・ン", "batman"), ("ス ー パ ー マ ン の 絵", "superman")]
)
def test_when_kana_spelled_out_one_by_one_hold_a_small_kana_or_long_mark_then_the_name_is_found(
    guard, text, entity
):
    assert entity in found(guard, text)


def test_when_pinyin_carries_tone_numbers_then_the_name_is_found(guard):
    assert "pikachu" in found(guard, "Pi2 Ka3 Qiu1 sticker")
    assert skeleton("mp3 win10").key == skeleton("mp3 win10").key.replace(" ", "")  # no syllable: kept
    assert "3" in skeleton("mp3").key


@pytest.mark.parametrize(
    ("text", "entity"), [("Da Si Wei Da with a saber", "darth-vader"), ("Duo La A Meng", "doraemon")]
)
def test_when_a_dotted_or_lettered_chinese_name_is_in_pinyin_then_it_is_found(guard, text, entity):
    assert entity in found(guard, text)


@pytest.mark.parametrize("text", ["мудрость Йоды", "рядом с Йодой"])
def test_when_a_russian_name_in_a_takes_a_case_ending_then_it_is_found(guard, text):
    assert "yoda" in found(guard, text)


def test_when_serbian_cyrillic_letters_spell_a_name_then_it_is_found(guard):
    assert "darth-vader" in found(guard, "Дарт Вејдер у ходнику")


def test_when_a_kana_title_is_in_romaji_with_its_particle_apart_then_it_is_found(guard):
    assert "my-neighbor-totoro" in found(guard, "Tonari no Totoro poster")


_PIECES = st.sampled_from(
    ["Pikachu", "ᴘɪᴋᴀᴄʜᴜ", "🅿🅸🅺", "ピ力チュウ", "トト口", "一", "口", "工", "#", "@", "team", "lover",
     "Mc", "Qiu1", "Pi2", "Йоды", "Вејдер", "피까츄", "배트멘", "の", " ", "\n", "·", "A"]
)  # fmt: skip
_TEXT = (
    st.lists(st.one_of(_PIECES, st.characters(codec="utf-8")), max_size=12)
    .map("".join)
    .filter(str.strip)  # empty prompts and lone surrogates are refused as input
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_when_any_text_mixes_these_forms_then_screening_never_raises_and_spans_stay_inside(guard, text):
    decision = guard.screen_prompt(text)
    assert not decision.failed_closed
    for finding in decision.findings:
        start, end = finding.evidence.span
        assert 0 <= start <= end <= len(text)
