"""A work titled with one ordinary word is written as a title: capitalised mid-sentence."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.surface import capitalised_mid_sentence

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"}],
    "works": [{"id": "frozen", "owner": "disney", "names": {"en": ["Frozen"]}}],
    "characters": [{"id": "link", "owner": "disney", "names": {"en": ["Link"]}}],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("title-case"))


@pytest.mark.parametrize("text", ["a Frozen movie poster with an ice palace", "a Frozen birthday cake"])
def test_when_a_one_word_title_is_capitalised_mid_sentence_then_it_names_the_work(guard, text):
    assert found(guard, text) == {"frozen"}


@pytest.mark.parametrize(
    "text", ["a frozen lake at dawn", "Frozen lake at dawn", "A Frozen Lake At Dawn", "a FROZEN pizza"]
)
def test_when_the_word_is_lower_case_first_or_the_prompt_is_title_case_then_it_is_a_word(guard, text):
    assert found(guard, text) == set()


def test_when_a_characters_common_word_name_is_capitalised_then_that_alone_is_no_support(guard):
    assert found(guard, "a Link cable on the desk") == set()  # any person's name is capitalised


def test_when_the_name_follows_a_full_stop_then_it_starts_a_sentence():
    text = "ice everywhere. Frozen fish at the market"
    start = text.index("Frozen")
    assert not capitalised_mid_sentence(text, (start, start + 6))
