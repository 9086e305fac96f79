"""A rare description word that several works' descriptions share supports no ambiguous name alone,
but counts in a pair of its own description's words (snapshot.py `SHARED_WORD_GROUPS`,
matching/support.py `description_pair`)."""

from __future__ import annotations

import json

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.registry.catalog import load_catalog_text
from kyodaku.snapshot import SHARED_WORD_GROUPS, _shared_description_words


def _work(i: int, description: str) -> dict:
    return {
        "id": f"work-{i}",
        "owner": "studio",
        "names": {"en": [f"Saga Number {i}"]},
        "description": {"en": description},
    }


CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "studio", "name": {"en": "Studio Co., Ltd."}, "country": "JP"}],
    "works": [
        _work(1, "A mercenary city of glowing reactors and spiky-haired heroes."),
        _work(2, "Martial artists firing glowing blasts, with spiky blond hair."),
        _work(3, "A galaxy of glowing laser swords and blond pilots."),
    ],
    "characters": [
        {
            "id": "cloud",
            "owner": "studio",
            "work": "work-1",
            "names": {"en": ["Cloud"]},
            "description": {
                "en": "A mercenary with spiky blond hair, glowing eyes and a giant buster sword."
            },
        },
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("shared"))


def test_when_a_description_word_is_shared_by_enough_works_then_it_is_no_distinctive_word():
    shared = _shared_description_words(load_catalog_text(json.dumps(CATALOG), "catalog.json"))
    assert {"glowing", "blond"} <= shared  # three works each ("blond" through the character's work)
    assert "mercenary" not in shared  # one work (its character is of the same work)
    assert SHARED_WORD_GROUPS == 3


def test_when_only_a_shared_word_is_beside_an_ambiguous_name_then_it_is_not_supported(guard):
    assert found(guard, "a cloud over the glowing screen of a puppet theatre") == set()


def test_when_a_word_only_its_own_work_uses_is_beside_it_then_it_is_supported(guard):
    assert found(guard, "Cloud the mercenary in the rain") == {"cloud"}


def test_when_two_of_its_own_description_words_are_beside_it_then_shared_ones_count_as_a_pair(guard):
    assert found(guard, "Cloud with his spiky blond hair, standing in the rain") == {"cloud"}
