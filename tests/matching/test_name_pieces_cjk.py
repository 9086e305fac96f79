"""How a Chinese or Japanese name sits among the words around it: a syllable run of a longer
transliterated word (卡比 in 卡比巴拉, "capybara"), one part of a person's full name joined by a
name dot (路易吉·皮兰德娄, Luigi Pirandello), a compound of common nouns counted like a noun (一只龙猫,
"a chinchilla"); and a character's title in other languages ("Prinzessin Peach")."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard
from kyodaku.text.segment import compound_of_common_nouns, inside_transliteration
from kyodaku.text.surface import dotted_name_part, hiragana_word_use
from kyodaku.text.titles import TITLES, localized_titles

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"},
        {"id": "ghibli", "name": {"en": "Studio Ghibli Inc."}, "country": "JP"},
        {"id": "square", "name": {"en": "Square Enix Co., Ltd."}, "country": "JP"},
    ],
    "works": [
        {"id": "neighbour", "owner": "ghibli", "names": {"en": ["My Neighbor Totoro"], "zh": ["邻居"]}},
    ],
    "characters": [
        {"id": "kirby", "owner": "nintendo", "names": {"en": ["Kirby"], "zh": ["卡比"]}},
        {"id": "luigi", "owner": "nintendo", "names": {"en": ["Luigi"], "zh": ["路易吉"]}},
        {"id": "peach", "owner": "nintendo", "names": {"en": ["Princess Peach"]}},
        {"id": "totoro", "owner": "ghibli", "work": "neighbour", "names": {"en": ["Totoro"], "zh": ["龙猫"]}},
        {
            "id": "catbus",
            "owner": "ghibli",
            "work": "neighbour",
            "names": {"en": ["Catbus"], "zh": ["猫巴士"]},
        },
        {"id": "cloud", "owner": "square", "names": {"en": ["Cloud Strife"], "zh": ["克劳德·斯特莱夫"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("cjk-pieces"))


def test_when_a_han_name_runs_into_more_transliterated_syllables_then_it_is_not_the_name(guard):
    assert found(guard, "卡比巴拉在温泉里泡澡") == set()  # capybara in a hot spring


def test_when_a_han_name_stands_as_its_own_word_then_it_counts(guard):
    assert found(guard, "卡比在温泉里泡澡") == {"kirby"}


def test_when_the_next_word_is_no_transliteration_then_the_name_is_not_inside_one():
    text = "卡比吃蛋糕"
    assert not inside_transliteration(text, 0, 2)
    assert inside_transliteration("卡比巴拉", 0, 2)


def test_when_a_name_dot_joins_the_name_to_a_surname_then_it_is_another_persons_name(guard):
    assert found(guard, "路易吉·皮兰德娄的肖像") == set()  # a portrait of Luigi Pirandello


def test_when_the_dotted_full_name_is_the_entrys_own_then_it_counts(guard):
    assert found(guard, "克劳德·斯特莱夫的海报") == {"cloud"}


def test_when_registered_names_are_listed_with_name_dots_then_each_counts(guard):
    assert found(guard, "卡比·路易吉的海报") == {"kirby", "luigi"}  # a list, not one person's name


def test_when_no_name_dot_follows_then_the_name_counts(guard):
    assert found(guard, "路易吉的海报") == {"luigi"}


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("マリオ・ドラギ", (0, 3), True),
        ("ドラギ・マリオ", (4, 7), True),
        ("路易吉·皮兰德娄", (0, 3), True),
        ("マリオ・", (0, 3), False),  # nothing after the dot
        ("マリオ・Draghi", (0, 3), False),  # not the same script: a list, not a full name
        ("マリオのイラスト", (0, 3), False),
    ],
)
def test_when_a_name_dot_sits_between_words_of_one_script_then_it_joins_a_full_name(text, span, expected):
    assert dotted_name_part(text, span) is expected


def test_when_a_compound_of_common_nouns_is_counted_with_a_classifier_then_it_needs_support(guard):
    assert found(guard, "一只灰色的龙猫宠物在跑轮上奔跑") == set()  # a grey pet chinchilla
    assert found(guard, "两只龙猫") == set()


def test_when_the_compound_stands_without_a_classifier_then_it_counts(guard):
    assert found(guard, "龙猫在树下等公交车") == {"totoro"}


def test_when_a_counted_compound_has_support_then_it_counts(guard):
    assert "totoro" in found(guard, "一只龙猫和猫巴士在雨中")  # a sibling of the same work


def test_when_jieba_cuts_a_name_into_common_nouns_then_it_is_a_compound_otherwise_not():
    assert compound_of_common_nouns("龙猫")  # 龙 + 猫
    assert compound_of_common_nouns("龍貓")  # the traditional spelling, through OpenCC
    for name in ("皮卡丘", "蜘蛛侠", "猫巴士", "米老鼠"):  # a transliteration; a name-tagged piece; ...
        assert not compound_of_common_nouns(name), name


@pytest.mark.parametrize(
    "text", ["Prinzessin Peach im Schloss", "la princesse Peach dans son château", "Principessa Peach"]
)
def test_when_a_titled_name_is_written_with_another_languages_title_then_it_counts(guard, text):
    assert found(guard, text) == {"peach"}


def test_when_a_name_has_no_leading_title_then_no_title_form_is_derived():
    assert localized_titles("Cloud Strife") == []
    assert localized_titles("Princess") == []


@settings(max_examples=200, deadline=None)
@given(
    title=st.sampled_from(sorted({e for e in TITLES.values()})),
    rest=st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True),
)
def test_when_a_title_is_localized_then_only_the_title_changes(title, rest):
    name = f"{title.capitalize()} {rest}"
    forms = localized_titles(name)
    assert forms, name
    for form, how in forms:
        head, _, tail = form.partition(" ")
        assert tail == rest and TITLES[head.casefold()] == title and name in how


JAPANESE = {
    "version": 1,
    "rightsholders": [{"id": "shueisha", "name": {"en": "Shueisha Inc."}, "country": "JP"}],
    "characters": [
        {"id": "naruto", "owner": "shueisha", "names": {"en": ["Naruto Uzumaki"], "ja": ["うずまきナルト"]}},
    ],
}


@pytest.fixture(scope="module")
def japanese_guard(tmp_path_factory):
    return lexical_guard(JAPANESE, tmp_path_factory.mktemp("hiragana"))


def test_when_a_katakana_name_is_written_in_hiragana_that_spells_a_word_then_it_is_that_word(japanese_guard):
    assert found(japanese_guard, "なると の ラーメン") == set()  # the fishcake, 鳴門


def test_when_the_name_is_written_in_katakana_then_it_counts(japanese_guard):
    assert found(japanese_guard, "ナルトがラーメンを食べる") == {"naruto"}


@pytest.mark.parametrize(
    ("written", "name", "expected"),
    [
        ("なると", "Naruto", True),  # 鳴門, an ordinary word
        ("なると", "ナルト", True),
        ("ぴかちゅう", "Pikachu", False),  # no word: the name spelled in hiragana
        ("るいーじ", "Luigi", False),  # a long-vowel mark is katakana spelling, never a native word's
        ("なると", "なると", False),  # registered in hiragana: the catalog wrote it so
        ("かび", "カービィ", True),  # mould: in Japanese text as written, if rarer than the lexicon
        ("かびぃ", "カービィ", False),  # no word: the small ぃ is the name's spelling
        ("から", "Kara", True),  # a short Latin name in hiragana: the particle it spells
        ("ような", "Yona", True),  # grammar no word list holds as a word
    ],
)
def test_when_hiragana_spells_an_ordinary_word_then_it_is_read_as_the_word(written, name, expected):
    assert hiragana_word_use(written, name) is expected


KOREAN = {
    "version": 1,
    "rightsholders": [{"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"}],
    "works": [{"id": "mario-world", "owner": "nintendo", "names": {"en": ["Super Mario"]}}],
    "characters": [
        {
            "id": "mario",
            "owner": "nintendo",
            "work": "mario-world",
            "names": {"en": ["Mario"], "ko": ["마리오"]},
        },
        {
            "id": "luigi",
            "owner": "nintendo",
            "work": "mario-world",
            "names": {"en": ["Luigi"], "ko": ["루이지"]},
        },
    ],
}


@pytest.fixture(scope="module")
def korean_guard(tmp_path_factory):
    return lexical_guard(KOREAN, tmp_path_factory.mktemp("hangul"))


def test_when_a_hangul_first_name_is_half_of_a_persons_full_name_then_it_is_not_the_character(korean_guard):
    assert found(korean_guard, "마리오 드라기가 브뤼셀에서 연설") == set()  # Mario Draghi


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("마리오가 버섯을 먹는다", {"mario"}),  # the subject of the sentence: the one acting
        ("마리오 그림", {"mario"}),  # a picture of him
        ("마리오와 루이지", {"mario", "luigi"}),  # two first names of one work support each other
    ],
)
def test_when_a_hangul_first_name_is_the_subject_or_beside_a_sibling_then_it_counts(
    korean_guard, text, expected
):
    assert found(korean_guard, text) == expected


PLACES = {
    "version": 1,
    "rightsholders": [{"id": "dc", "name": {"en": "DC Comics"}, "country": "US"}],
    "characters": [
        {"id": "batman", "owner": "dc", "names": {"en": ["Batman"], "ja": ["バットマン"], "ko": ["배트맨"]}}
    ],
}


@pytest.fixture(scope="module")
def place_guard(tmp_path_factory):
    return lexical_guard(PLACES, tmp_path_factory.mktemp("places"))


@pytest.mark.parametrize("text", ["バトマン県の街並み", "バットマン市の市場", "배트맨 시의 거리 풍경"])
def test_when_an_administrative_place_suffix_follows_the_name_then_it_is_a_place(place_guard, text):
    assert found(place_guard, text) == set()  # Batman, the province and city in Turkey


@pytest.mark.parametrize("text", ["バットマンが街を守る", "배트맨 시리즈 포스터", "バットマン市場のポスター"])
def test_when_the_next_word_only_starts_like_a_place_suffix_then_the_name_counts(place_guard, text):
    assert found(place_guard, text) == {"batman"}


def test_when_the_alias_matcher_set_a_name_aside_then_no_other_reading_finds_it_there(place_guard):
    # バトマン is バットマン exactly (doubled letters fold), one edit from "Batman" and B-T-M-N by
    # ear: neither the fuzzy nor the by-ear matcher may undo the place reading.
    assert found(place_guard, "バトマン県の街並み") == set()
    assert found(place_guard, "バトマンが街を守る") == {"batman"}


def test_when_a_word_runs_into_the_set_aside_name_then_one_edit_does_not_find_it(japanese_guard):
    assert found(japanese_guard, "ラーメンになるとを乗せる") == set()  # に + なると (the fishcake) + を


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("卡比巴拉一只的龙猫·・マリオ市県배트맨시의 ぴなると、,abcAB")),
        max_size=24,
    ),
    data=st.data(),
)
def test_when_any_text_and_span_are_read_then_the_readers_answer_without_raising(text, data):
    from kyodaku.matching.text import counted_noun_use, place_use

    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for answer in (
        inside_transliteration(text, start, end),
        dotted_name_part(text, (start, end)),
        place_use(text, (start, end)),
        counted_noun_use(text, (start, end)),
        hiragana_word_use(text[start:end], "Naruto"),
    ):
        assert answer in (True, False)
