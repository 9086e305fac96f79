"""The word-by-word tokenizer gives the encoder exactly the pieces the library's tokenizer gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.text.embedding import UniversalSentenceEncoder
from kyodaku.text.word_pieces import BOUNDARY, WordMemoTokenizer

PROMPTS = [
    "1girl, solo, long hair, masterpiece, best quality, looking at viewer",
    "a small yellow electric mouse with red cheeks, storming the beaches of Normandy at dawn",
    "ピカチュウが東京の街を走る、アニメ風",
    "皮卡丘在上海的街头奔跑，宫崎骏风格",
    "피카츄가 서울 거리를 달린다, 지브리 느낌",
    "Straße  mit   Maß und ﬁ ligatures ㌀ ⅻ",
    "Дарт Вейдер в стиле аниме",
    "   leading and trailing spaces   ",
    f"a{BOUNDARY}b {BOUNDARY}{BOUNDARY} c",
    "",
]


@pytest.fixture(scope="module")
def tokenizers() -> tuple[object, WordMemoTokenizer]:
    model = UniversalSentenceEncoder._load(1)
    memo = model._backend.sp
    assert isinstance(memo, WordMemoTokenizer), "the shared model should tokenize word by word"
    return memo.inner, memo


def test_when_prompts_in_many_scripts_are_tokenized_then_the_pieces_equal_the_librarys(tokenizers):
    library, memo = tokenizers
    for text in PROMPTS:
        assert memo.encode(text) == library.encode(text, out_type=int, add_bos=True, add_eos=True), text
    assert memo.encode(PROMPTS) == library.encode(PROMPTS, out_type=int, add_bos=True, add_eos=True)


def test_when_a_word_repeats_then_it_is_tokenized_once(tokenizers):
    _, memo = tokenizers
    memo.encode("zzqx-unusual-word-for-the-memo zzqx-unusual-word-for-the-memo")
    before = memo.word_pieces.cache_info()
    memo.encode("zzqx-unusual-word-for-the-memo")
    after = memo.word_pieces.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_when_any_unicode_text_is_tokenized_then_the_pieces_equal_the_librarys(tokenizers, text):
    library, memo = tokenizers
    try:
        expected = library.encode(text, out_type=int, add_bos=False, add_eos=False)
    except UnicodeError as exc:  # lone surrogates: both must refuse them alike
        with pytest.raises(type(exc)):
            memo.encode(text, add_bos=False, add_eos=False)
        return
    assert memo.encode(text, add_bos=False, add_eos=False) == expected


def test_when_texts_are_embedded_then_the_vectors_equal_those_of_the_librarys_tokenizer(tokenizers):
    library, memo = tokenizers
    model = UniversalSentenceEncoder._load(1)
    texts = [t for t in PROMPTS if t.strip()]
    with_memo = model.encode(texts)
    model._backend.sp = library
    try:
        with_library = model.encode(texts)
    finally:
        model._backend.sp = memo
    assert np.array_equal(with_memo, with_library)


class _Vocabulary:
    """A tokenizer-shaped object: only what `applies_to` reads."""

    def __init__(self, pieces: list[str]) -> None:
        self._pieces = pieces
        self._normalizer = self._viterbi = object()
        self._unk_id, self._bos_id, self._eos_id = 0, 1, 2


def test_when_a_piece_holds_the_boundary_inside_then_word_by_word_does_not_apply():
    assert WordMemoTokenizer.applies_to(_Vocabulary([f"{BOUNDARY}new", "york"]))
    assert not WordMemoTokenizer.applies_to(_Vocabulary([f"{BOUNDARY}new{BOUNDARY}york"]))
    assert not WordMemoTokenizer.applies_to(object())
