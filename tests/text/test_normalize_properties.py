"""Properties of the skeleton over all of Unicode, not only the cases we thought of.

The skeleton's offset map is what every evidence span is built from, so it must hold for any
text: one map entry per key character, each pointing at a real span of the source, in order.
Characters whose normalization changes length (ß -> ss, ﬃ -> ffi, ㌀ -> アパート, ⅻ -> xii)
used to break that and crash the matchers.
"""

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers.skeletons import assert_offsets_match_key
from kyodaku.text.normalize import _full_skeleton, key, skeleton

# Every code point, lone surrogates included: the normalizer must not assume valid UTF-8 input.
ANY_CHAR = st.characters(codec=None, categories=None)
# Letters from the scripts names come in, mixed with everything else, so matches are likely.
SCRIPTS = st.sampled_from(
    list("Pikachu Totoro Mario ßẞﬁﬃﬆ㌀㍿ⅻǅİŉ ピカチュウがーッァヴ ぴかちゅう ｱｲｳﾋﾟｶ ゙゚")
    + list("超人类皮卡丘 피카츄가 Пикачу 0@!$ \u0301\u200d")
)
TEXT = st.text(st.one_of(ANY_CHAR, SCRIPTS), max_size=60)


@settings(max_examples=500, deadline=None)
@given(TEXT)
@example("Maß")
@example("Straße ẞ ﬁﬃﬆ ㌀ ⅻ")
@example("ｱか゚カ\u200d kß0人超ｲ츄ﬁウ")
def test_when_any_text_is_normalized_then_offset_map_matches_key(text):
    assert_offsets_match_key(skeleton(text), text)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_when_text_is_normalized_twice_then_key_is_stable(text):
    # The key is a pure function of the text (the per-character cache must not leak state).
    assert key(text) == key(text) == skeleton(text).key


# Kana spelled out one by one ("ピ カ チ ュ ウ") is read as one word on purpose, so this property
# is about the alphabetic scripts, where a space always ends a word.
WORDS = st.text(st.sampled_from(list("Pikachu Mario ßẞﬁﬃﬆⅻǅİŉ Пикачу 0@!$\u0301\u200d")), max_size=30)


@settings(max_examples=200, deadline=None)
@given(WORDS, WORDS)
def test_when_text_is_split_at_a_space_then_each_side_keeps_its_spans(left, right):
    text = f"{left} {right}"
    sk = skeleton(text)
    cut = len(left)
    for i in range(len(sk.key)):
        # A key character never straddles the space that separates two words.
        assert sk.end[i] <= cut or sk.start[i] > cut


def test_when_letter_expands_under_case_folding_then_each_letter_points_at_its_source():
    sk = skeleton("Maß")
    assert sk.key == "mas"  # ss collapses like any doubled letter
    assert [(sk.start[i], sk.end[i]) for i in range(3)] == [(0, 1), (1, 2), (2, 3)]


def test_when_ligature_expands_then_key_reads_the_letters_inside_it():
    assert key("ﬁnal ﬀantasy") == key("final fantasy")
    assert key("㌀") == key("アパート")


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.one_of(TEXT, st.sampled_from([" ", "  ", "\u3000", "\t", "\n", "\u00a0"])), max_size=8).map(
        "".join
    )
)
@example("ピ カ チ ュ ウ")
@example("ッ カ")
@example("Mario ! Luigi")
@example(" ´Pikachu ゛カ")
@example("\rー:0")
@example("A:C A")
@example("S o n i c running, S_o_n_i_c")
def test_when_skeleton_is_built_word_by_word_then_it_equals_the_whole_text_reference(text):
    # The cached word-by-word path is an optimisation only: it must agree with the reference.
    assert skeleton(text) == _full_skeleton(text)


def test_when_a_character_is_whitespace_then_its_normal_form_is_whitespace_too():
    # The word-by-word path splits on str.isspace(); the reference treats NFKC whitespace as a gap.
    for code in range(0x110000):
        ch = chr(code)
        if ch.isspace():
            assert all(c.isspace() for c in unicodedata.normalize("NFKC", ch)), hex(code)
