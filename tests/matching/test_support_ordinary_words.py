"""Ordinary words and phrases in a big catalog: a phrase of frequent words needs support or a
title's capitals, another entry's name supports an ambiguous one only when it is no ordinary word
as written, and ordinary words are not misspellings nor run-together names."""

import pytest

from helpers.guards import found, lexical_guard

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "studio", "name": {"en": "Studio"}, "country": "JP"}],
    "works": [
        {"id": "one-piece", "owner": "studio", "names": {"en": ["One Piece"]}},
        {"id": "colour-quest", "owner": "studio", "names": {"en": ["Colour Quest Zeta"]}},
    ],
    "characters": [
        {"id": "red", "work": "colour-quest", "names": {"en": ["Red"]}},
        {"id": "iamp", "work": "colour-quest", "names": {"en": ["Iamp"]}},
        {"id": "ty-lee", "work": "colour-quest", "names": {"en": ["Ty Lee"]}},
        {"id": "friede", "work": "colour-quest", "names": {"en": ["Friede"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("ordinary"))


def test_when_a_phrase_of_ordinary_words_is_written_as_a_title_then_it_is_found(guard):
    decision = guard.screen_prompt("Luffy from One Piece on a ship")
    (finding,) = [f for f in decision.findings if f.entity == "one-piece"]
    assert any("written as a name" in s for s in finding.support)


def test_when_a_phrase_of_ordinary_words_is_written_as_words_then_it_is_not_found(guard):
    assert found(guard, "1girl, one piece swimsuit, beach, smile") == set()
    assert found(guard, "a one-piece swimsuit by the pool") == set()


def test_when_a_name_meets_an_ordinary_word_after_folding_then_it_does_not_support(guard):
    # "lamp" folds onto "Iamp" (l and I look alike): a word in the prompt, not Red's sibling.
    assert found(guard, "red dress, desk lamp, smile") == set()
    assert "red" in found(guard, "Red and Iamp racing on bikes")


def test_when_a_word_is_one_edit_from_a_name_but_in_the_dictionary_then_it_is_no_misspelling(guard):
    assert found(guard, "frilled dress, long hair") == set()
    assert "friede" in found(guard, "Friedde in a garden")


def test_when_an_ordinary_word_reads_like_a_two_word_name_then_it_is_not_that_name(guard):
    assert found(guard, "a red tie and a white shirt") == set()
    assert "ty-lee" in found(guard, "Ty Lee doing a handstand")


def test_when_a_frequent_word_name_has_its_work_in_another_clause_then_it_is_a_word(guard):
    assert "red" not in found(guard, "Colour Quest Zeta, red eyes, smile")
    assert "red" in found(guard, "Red from Colour Quest Zeta on a bike")


SHARED = {
    "version": 1,
    "rightsholders": [
        {"id": f"rh{i}", "name": {"en": f"Holder {i}"}, "country": c}
        for i, c in enumerate(("JP", "US", "FR", "KR"))
    ],
    "works": [
        {"id": f"work-{i}", "owner": f"rh{i}", "names": {"en": [f"Saga Zorblat {i}"]}} for i in range(4)
    ],
    "characters": [
        *({"id": f"qarvo-{i}", "work": f"work-{i}", "names": {"en": ["Qarvo"]}} for i in range(3)),
        {"id": "bluesky", "work": "work-3", "names": {"en": ["Bluesky"]}},
        {"id": "zentrovax", "work": "work-3", "names": {"en": ["Zentrovax"]}},
    ],
}


@pytest.fixture(scope="module")
def shared_guard(tmp_path_factory):
    return lexical_guard(SHARED, tmp_path_factory.mktemp("shared"))


def test_when_three_works_share_a_name_then_it_alone_names_none_of_them(shared_guard):
    assert found(shared_guard, "Qarvo standing in the rain") == set()
    # The work's name says which one is meant.
    assert found(shared_guard, "Qarvo from Saga Zorblat 1 standing in the rain") >= {"qarvo-1"}


def test_when_ordinary_words_spell_a_one_word_name_then_it_is_not_that_name(shared_guard):
    assert found(shared_guard, "a clear blue sky over the sea") == set()
    assert "bluesky" in found(shared_guard, "Bluesky waving from a balcony")
    assert "zentrovax" in found(shared_guard, "Zentrovax on a beach")
