"""Short names spelled by sound: one letter swapped for another that spells the same sound ("Kirbi"
for Kirby, "Elza" for Elsa). Names under six letters take no arbitrary edit; a sound-alike
spelling counts as the name where it is nobody's name and no word, and only with support where it
is a name of its own ("Elza")."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.matching.text import spelled_word_or_name
from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.fuzzy import SoundAlikeIndex, sound_alike_spellings

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"},
        {"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"},
    ],
    "characters": [
        {
            "id": "kirby",
            "owner": "nintendo",
            "names": {"en": ["Kirby"], "ja": ["カービィ"]},
            "description": {"en": "A tiny round pink puffball with stubby arms and large red feet."},
        },
        {
            "id": "elsa",
            "owner": "disney",
            "names": {"en": ["Elsa"], "ja": ["エルサ"]},
            "description": {"en": "A young queen with ice magic and a long platinum-blonde braid."},
        },
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("sound_alike"))


def _v(entity: str, name: str) -> NameVariant:
    k, splits = name_splits(name)
    return NameVariant(entity, "character", name, "en", k, splits, False, "distinctive name")


def test_when_a_letter_spells_the_same_sound_another_way_then_the_swap_is_derived():
    assert ("kirbi", "i for y") in sound_alike_spellings("kirby")
    assert ("elza", "z for s") in sound_alike_spellings("elsa")
    assert ("gocu", "c for k") in sound_alike_spellings("goku")


def test_when_the_other_letter_would_change_the_sound_then_no_swap_is_derived():
    # y before a vowel is a consonant ("Yoda" is no "Ioda"); c before i is /s/ ("Luci" is no "Luki");
    # s in "sh" is no z.
    assert [f for f, _ in sound_alike_spellings("yoda")] == []
    assert "luki" not in [f for f, _ in sound_alike_spellings("luci")]
    assert "azhe" not in [f for f, _ in sound_alike_spellings("ashe")]


def test_when_a_misspelt_short_name_is_no_word_and_opens_the_request_then_it_is_the_character(guard):
    assert found(guard, "Kirbi eating a strawberry") == {"kirby"}


def test_when_a_sound_alike_spelling_is_a_first_name_of_its_own_then_it_needs_support(guard):
    # "Elza" is a Portuguese and Hungarian first name: the title Elsa's description gives supports it,
    # nothing else does, not even being the picture's subject.
    assert spelled_word_or_name("Elza") != ""
    assert found(guard, "Queen Elza of Arendelle in a snowstorm") == {"elsa"}
    assert found(guard, "Elza Soares singing samba on a stage") == set()
    assert found(guard, "a portrait of Elza at the market") == set()


def test_when_a_person_is_introduced_by_the_misspelt_name_then_it_is_not_the_character(guard):
    assert found(guard, "My friend Kirbi at the beach") == set()


def test_when_the_spelling_is_two_letters_from_the_name_then_it_is_not_the_name(guard):
    assert found(guard, "Kirbie eating a strawberry") == set()


def test_when_the_swapped_spelling_is_in_lower_case_then_it_is_not_searched():
    index = SoundAlikeIndex([_v("kirby", "Kirby")])
    assert [h.variant.entity for h in index.find("Kirbi on a star")] == ["kirby"]
    assert index.find("1girl, kirbi, star") == []


def test_when_two_entries_share_a_swapped_spelling_then_neither_is_found_by_it():
    # "Kirbi" and "Kyrby" spell both "Kirby" and "Kyrbi" by sound; "Kyrbi" is b's own name.
    index = SoundAlikeIndex([_v("a", "Kirby"), _v("b", "Kyrbi")])
    assert index.find("Kirbi and Kyrby") == []
    assert index.find("Kyrbi") == []
    alone = SoundAlikeIndex([_v("a", "Kirby")])
    assert [h.variant.entity for h in alone.find("Kirbi and Kyrby")] == ["a", "a"]


# --- typing slips ------------------------------------------------------------------------------


def test_when_a_short_name_is_typed_with_a_slip_then_the_slip_is_derived():
    from kyodaku.text.fuzzy import slip_spellings

    slips = dict(slip_spellings("mario"))
    assert slips["amrio"] == "m and a swapped"
    assert slips["marrio"] == "r doubled"
    assert slips["mrio"] == "a left out"
    # A four-letter name loses no letter: three are too few to tell from other words.
    assert not any(note.endswith("left out") for _, note in slip_spellings("elsa"))


def test_when_a_slip_of_a_first_name_opens_the_request_then_it_is_held_like_the_name(guard, tmp_path):
    catalog = {
        "version": 1,
        "rightsholders": [{"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"}],
        "characters": [{"id": "mario", "owner": "nintendo", "names": {"en": ["Mario"]}}],
    }
    mario = lexical_guard(catalog, tmp_path)
    decision = mario.screen_prompt("Mrio jumping on a brick block")
    assert [f.entity for f in decision.findings] == ["mario"]
    assert "typing slip" in decision.findings[0].evidence.note
    # A slip that spells a first name of its own ("Maria") or a word needs support; none here.
    assert found(mario, "Maria jumping on a bed") == set()
    assert found(mario, "My friend Mrio at the beach") == set()
    assert found(guard, "Kirbyy eating a strawberry") == {"kirby"}
