"""An ambiguous name written in disguise counts: nobody disguises the ordinary word (text/surface.py
`disguised`), so a disguise is the support the name needed, and a derived form that is an ordinary
word ("Sonic" of Sonic the Hedgehog) is found only so written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard
from kyodaku.text.normalize import skeleton
from kyodaku.text.surface import disguised

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "sega", "name": {"en": "Sega Corporation"}, "country": "JP"},
        {"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"},
        {"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"},
    ],
    "characters": [
        {"id": "sonic", "owner": "sega", "names": {"en": ["Sonic the Hedgehog"]}},
        {"id": "link", "owner": "nintendo", "names": {"en": ["Link"]}},
        {"id": "elsa", "owner": "disney", "names": {"en": ["Elsa"]}},
        {"id": "son-goku", "owner": "nintendo", "names": {"en": ["Son Goku"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("disguise"))


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("S_o_n_i_c running through a city", "sonic"),
        ("S o n i c running through a city", "sonic"),
        ("S.o.n.i.c on a loop", "sonic"),
        ("L-i-n-k drawing a sword", "link"),
    ],
)
def test_when_an_ambiguous_name_is_spelled_out_letter_by_letter_then_it_counts(guard, text, entity):
    assert found(guard, text) == {entity}


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("S0nic running through a city", "sonic"),
        ("L1nk drawing a sword", "link"),
        ("3lsa building a castle", "elsa"),
        ("Lіnk drawing a sword", "link"),  # a Cyrillic і
    ],
)
def test_when_a_digit_or_lookalike_stands_for_a_letter_then_the_name_counts(guard, text, entity):
    decision = guard.screen_prompt(text)
    assert {f.entity for f in decision.findings} == {entity}
    assert all(any("disguised" in s for s in f.support) for f in decision.findings)


@pytest.mark.parametrize(
    "text",
    [
        "a sonic boom over the desert",
        "Sonic running through a city",  # "Sonic" alone is derived, and an ordinary word
        "a link to the page",
        "Elsa, my neighbour, in her garden",
        "C-A-T spelled on the blackboard",
    ],
)
def test_when_the_ordinary_word_is_written_plainly_then_it_is_not_found_alone(guard, text):
    assert found(guard, text) == set()


def test_when_a_shorter_name_begins_a_spelled_out_name_then_only_the_whole_run_counts(guard):
    # "S_o_n" of "S_o_n_i_c" is no word: a spelled-out name ends where its letters end.
    assert found(guard, "S_o_n_i_c running through a city") == {"sonic"}
    assert found(guard, "S_o_n G_o_k_u flying") == {"son-goku"}


@pytest.mark.parametrize("word", ["1girl", "4chan", "8bit", "5star"])
def test_when_a_number_stands_before_a_word_then_the_digit_stays_a_digit(word):
    assert skeleton(word).key[0].isdigit()


def test_when_a_name_is_registered_with_a_digit_then_writing_it_is_no_disguise():
    assert not disguised("R2-D2", "R2-D2")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=12))
def test_when_any_text_is_checked_for_a_disguise_then_the_answer_is_yes_or_no(text, name):
    assert disguised(text, name) in (True, False)


@settings(max_examples=200, deadline=None)
@given(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12))
def test_when_a_name_is_typed_plainly_in_any_case_then_there_is_no_disguise(name):
    assert not disguised(name.upper(), name)
    assert not disguised(name.capitalize(), name)


@pytest.mark.parametrize(("written", "name"), [("Mário", "Mario"), ("José", "Jose")])
def test_when_an_accent_is_how_a_language_spells_the_name_then_it_is_no_disguise(written, name):
    assert not disguised(written, name)


@pytest.mark.parametrize(("written", "name"), [("Élsa", "Elsa"), ("Pikáchu", "Pikachu")])
def test_when_an_accent_makes_a_word_of_no_language_then_it_is_a_disguise(written, name):
    assert disguised(written, name)
