"""Function words: the mark of prose (text/function_words.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.text.function_words import FUNCTION_WORDS, has_function_word


def test_when_a_text_holds_an_article_or_preposition_of_a_listed_language_then_it_has_one() -> None:
    for text in ("a mouse", "Mario AND Luigi", "chat avec un ruban", "der Ritter", "кот в сапогах"):
        assert has_function_word(text), text


def test_when_a_text_is_made_of_content_words_only_then_it_has_none() -> None:
    for text in ("long golden blonde hair", "1girl", "red_eyes", "", "黄色い電気ネズミ", "theater", "other"):
        assert not has_function_word(text), text


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200), st.sampled_from(sorted(FUNCTION_WORDS)))
def test_when_any_text_gets_a_function_word_of_its_own_then_it_has_one(text: str, word: str) -> None:
    assert isinstance(has_function_word(text), bool)
    assert has_function_word(f"{text} {word.upper()} ")
