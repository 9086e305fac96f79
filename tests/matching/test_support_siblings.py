"""Two characters of one work named side by side support each other, even by ambiguous names;
people's full names and romanizations that are words elsewhere do not count."""

import pytest
import yaml

from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"}],
    "works": [
        {
            "id": "super-mario",
            "owner": "nintendo",
            "names": {"en": ["Super Mario"]},
            "description": {"en": "Platform games in a kingdom of mushrooms."},
        }
    ],
    "characters": [
        {
            "id": "mario",
            "work": "super-mario",
            "names": {"en": ["Mario"], "zh": ["马力欧"]},
            "description": {"en": "A short plumber in a red cap and blue overalls."},
        },
        {
            "id": "luigi",
            "work": "super-mario",
            "names": {"en": ["Luigi"]},
            "description": {"en": "A tall plumber in a green cap and blue overalls."},
        },
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    path = tmp_path_factory.mktemp("siblings") / "catalog.yaml"
    path.write_text(yaml.safe_dump(CATALOG, allow_unicode=True), encoding="utf-8")
    return Guard.from_catalog(load_catalog(path), GuardOptions(semantic=False, themes=False))


def _found(guard, text):
    return {f.entity for f in guard.screen_prompt(text).findings}


def test_when_two_ambiguous_siblings_are_named_together_then_both_are_found(guard):
    assert _found(guard, "Mario und Luigi reparieren ein Rohr in Berlin") == {"mario", "luigi"}


def test_when_an_ambiguous_name_stands_alone_then_it_is_not_found(guard):
    # Not as the subject of the prompt either ("Luigi repariert ein Rohr" makes him the one acting:
    # tests/matching/test_sense_of_use.py), so nothing but a sibling could support the name here.
    assert _found(guard, "ein Rohr von Luigi in Berlin") == set()


def test_when_the_siblings_names_are_halves_of_peoples_names_then_nothing_is_found(guard):
    assert _found(guard, "Mario Draghi and Luigi Pirandello at a table") == set()
    # Only one half is a person's name: the other is still one of two people, not a sibling pair.
    assert _found(guard, "Mario Draghi met Luigi in Rome") == set()


def test_when_a_sibling_support_is_given_then_the_evidence_names_the_sibling(guard):
    decision = guard.screen_prompt("Mario and Luigi on a go-kart")
    support = [s for f in decision.findings if f.entity == "mario" for s in f.support]
    assert any("luigi" in s for s in support), support


def test_when_a_romanization_folds_to_a_word_of_another_language_then_it_is_not_a_name(guard):
    # Pinyin of 马力欧 is "ma li ou"; its key "maio" is Portuguese for May, and an Italian surname.
    assert _found(guard, "a politician named Di Maio at a summit") == set()
    assert "mario" in _found(guard, "马力欧在跳")


COLOURS = {
    "version": 1,
    "rightsholders": [{"id": "innersloth", "name": {"en": "Innersloth"}, "country": "US"}],
    "works": [{"id": "among-us", "owner": "innersloth", "names": {"en": ["Among Us"]}}],
    "characters": [
        {"id": f"{c}-crewmate", "work": "among-us", "names": {"en": [c.title()]}}
        for c in ("red", "blue", "black", "white")
    ],
}


def test_when_siblings_are_named_by_ordinary_words_then_they_do_not_support_each_other(tmp_path):
    path = tmp_path / "colours.yaml"
    path.write_text(yaml.safe_dump(COLOURS), encoding="utf-8")
    guard = Guard.from_catalog(load_catalog(path), GuardOptions(semantic=False, themes=False))
    assert _found(guard, "1girl, red eyes, blue hair, black shirt, white background") == set()
    # The work's own name is still context for them.
    assert _found(guard, "Among Us crewmates Red and Blue in the cafeteria") >= {
        "red-crewmate",
        "blue-crewmate",
    }
