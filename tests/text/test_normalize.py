"""The skeleton must make every evasion of a name meet the name itself."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.text.normalize import Gap, key, skeleton

EVASIONS = [
    ("full-width", "Ｐｉｋａｃｈｕ"),
    ("diacritic", "Pikachū"),
    ("leet", "P1kachu"),
    ("zero-width", "Pi\u200bka\u200dchu"),
    ("cyrillic lookalikes", "Рikасhu"),
    ("greek lookalikes", "Pικachu"),
    ("upper case", "PIKACHU"),
    ("katakana", "ピカチュウ"),
    ("hiragana", "ぴかちゅう"),
    ("half-width katakana", "ﾋﾟｶﾁｭｳ"),
    ("romaji long vowel", "Pikachuu"),
    ("doubled letter", "Pikkachu"),
    ("ck spelling", "Pickachu"),
]


@pytest.mark.parametrize(("case", "text"), EVASIONS, ids=[c for c, _ in EVASIONS])
def test_when_name_is_disguised_then_key_equals_plain_name(case, text):
    assert key(text) == key("Pikachu"), case


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kamado Tanjirou", "かまどたんじろう"),
        ("Son Goku", "そんごくう"),
        ("ソン・ゴクウ", "Son Gokuu"),
        ("Sephiroth", "Sefiroth"),
        ("Supermann", "Superman"),
        ("SuP3rM4n", "Superman"),
        ("Соник", "Sonic"),  # a word-final c reads k
        ("피카쮸", "피카츄"),  # ㅉ is a cuter ㅊ
        ("피카추", "피카츄"),  # after ㅊ the y-glide is silent
        ("Doc Ock", "Dok Okk"),
    ],
)
def test_when_spellings_read_alike_then_keys_meet(a, b):
    assert key(a) == key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pikachu", "Raichu"),
        ("Mario", "Maria"),
        ("Cloud", "Clown"),
        ("ピカチュウ", "ピカソ"),
        ("Alice", "Alike"),
        ("P i k a c h u", "P i k a k h u"),
    ],
)
def test_when_names_differ_then_keys_differ(a, b):
    assert key(a) != key(b)


def test_when_letters_are_spaced_then_each_carries_a_space_gap():
    sk = skeleton("P i k a c h u")
    assert sk.key == key("Pikachu")
    assert list(sk.gap[1:]) == [Gap.SPACE] * 6


def test_when_text_is_normalized_then_offsets_point_into_the_original():
    text = "see Ｐｉｋａｃｈｕ!"
    sk = skeleton(text)
    i = sk.key.index("pikachu")
    start, end = sk.span(i, i + 7)
    assert text[start:end] == "Ｐｉｋａｃｈｕ"


def test_when_a_number_stands_alone_then_it_is_not_read_as_letters():
    assert key("1940s") == "1940s"
    assert key("1999") == "1999"


def test_when_whole_word_is_cyrillic_then_it_is_read_by_sound():
    assert key("Пикачу") == key("Pikachu")
    assert key("Марио") == key("Mario")
    assert key("Рikасhu") == key("Pikachu")  # mixed with Latin: lookalikes, read by shape


def test_when_japanese_middle_dot_separates_then_it_is_a_gap():
    sk = skeleton("ダース・ベイダー")
    assert Gap.PUNCT in sk.gap


def test_when_hangul_is_normalized_then_syllables_stay_whole_one_for_one():
    sk = skeleton("피카츄 소닉")
    assert sk.key == "피카추소닉"  # folded syllable by syllable, never into jamo
    assert [sk.span(i, i + 1) for i in range(len(sk.key))] == [(0, 1), (1, 2), (2, 3), (4, 5), (5, 6)]


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(r"[A-Za-z]{1,14}[,.;:!?)]{0,2}", fullmatch=True)
    | st.from_regex(r"[cklthsyzjdfpmbnouCKLTH]{1,10}[,)]?", fullmatch=True)
)
def test_when_a_chunk_is_plain_ascii_then_the_quick_path_equals_the_full_skeleton(chunk):
    from kyodaku.text.normalize import _ASCII_WORD, _ascii_skeleton, _full_skeleton

    plain = _ASCII_WORD.fullmatch(chunk)
    assert plain is not None
    assert _ascii_skeleton(chunk, plain.end(1)) == _full_skeleton(chunk)


def test_when_a_doubled_letter_stands_before_a_fold_then_the_key_is_the_single_letters():
    # "tty" folded the second t only ("kitch") while "ty" gave "kich": doubled letters go first.
    from kyodaku.text.normalize import _full_skeleton

    for doubled, single in (("Hello Kitty", "Hello Kity"), ("Matty", "Maty"), ("Missy", "Misy")):
        assert skeleton(doubled).key == skeleton(single).key
        assert _full_skeleton(doubled).key == skeleton(doubled).key


def test_when_a_name_with_doubled_letters_is_spelled_out_with_punctuation_then_it_keys_as_written_together():
    # The doubled letters of "Hello Kitty" collapse; spelled out, a separator stood between them.
    assert key("K.i.t.t.y") == key("Kitty")
    assert key("H-e-l-l-o K-i-t-t-y") == key("Hello Kitty")
    assert key("E_e_v_e_e") == key("Eevee")
    sk = skeleton("L-i-n-k with a bow")  # l folds to i: the spelled-out "L-i" is one letter
    assert sk.key.startswith(key("Link")) and sk.start[0] == 0
    assert key("book-keeper") == key("book") + key("keeper")  # words keep their letters
