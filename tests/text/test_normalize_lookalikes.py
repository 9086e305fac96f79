"""Properties of the skeleton's newer readings over all of Unicode: letters Unicode names as Latin
small capitals or negative squared capitals, kanji drawn like katakana, tone numbers after a
pinyin syllable, Korean tense letters and ㅔ. The offset map must hold whatever the text."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.skeletons import assert_offsets_match_key
from kyodaku.text.normalize import KANJI_LIKE_KATAKANA, NAMED_LATIN, skeleton

ANY_CHAR = st.characters(codec=None, categories=None)
NEW_FORMS = st.sampled_from(
    [
        *NAMED_LATIN,
        *KANJI_LIKE_KATAKANA,
        *"ピカチュウトトロスーパーマン匹場",
        "1",
        "2",
        "5",
        "qiu",
        "ma",
        "까",
        "멘",
        "쎄",
        " ",
        "\u1111",
        "\u1175",
        "\u11a8",
        "\u110f",
        "・",
        "ッ",
        "ー",
        "ュ",
    ]
)
TEXT = st.lists(st.one_of(ANY_CHAR, NEW_FORMS), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_when_any_text_with_the_new_forms_is_normalized_then_offset_map_matches_key(text):
    assert_offsets_match_key(skeleton(text), text)


_SMALL = {v: k for k, v in NAMED_LATIN.items() if v.islower()}


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(sorted(_SMALL)), min_size=1, max_size=12))
def test_when_a_word_is_written_in_small_capitals_then_its_key_is_the_plain_words(word):
    assert skeleton("".join(_SMALL[c] for c in word)).key == skeleton(word).key


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["pi", "ka", "qiu", "ma", "li", "ou", "zhang", "xiong", "er", "a"]),
    st.sampled_from("12345"),
)
def test_when_a_pinyin_syllable_carries_a_tone_number_then_the_number_is_no_letter(syllable, tone):
    assert skeleton(f"{syllable}{tone} x").key == skeleton(f"{syllable} x").key


def test_when_every_named_latin_letter_is_read_then_it_is_one_ascii_letter():
    assert NAMED_LATIN and all(len(v) == 1 and v.isascii() and v.isalpha() for v in NAMED_LATIN.values())


def test_when_hangul_is_written_in_conjoining_jamo_then_its_key_is_the_syllables():
    text = "피카츄 인형 각"
    decomposed = unicodedata.normalize("NFD", text)
    sk = skeleton(decomposed)
    assert sk.key == skeleton(text).key
    assert sk.end[-1] == len(decomposed)
