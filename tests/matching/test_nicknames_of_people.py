"""A character's name of several words built on a common given name ("Super Mario") that a prompt
gives to a real person with that given name, named in full beside it (text/senses.py
`nickname_use`): the person's nickname, which counts only with support."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard
from kyodaku.text.senses import nickname_use

CATALOG = {
    "version": 1,
    "rightsholders": [{"id": "nintendo", "name": {"en": "Nintendo"}, "country": "JP"}],
    "works": [{"id": "super-mario", "owner": "nintendo", "names": {"en": ["Super Mario"]}}],
    "characters": [{"id": "mario", "work": "super-mario", "names": {"en": ["Mario"]}}],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("nicknames"))


@pytest.mark.parametrize(
    "text",
    [
        "Mario Lemieux, Super Mario, lifting the Stanley Cup in 1991",
        "Mario Götze, genannt Super-Mario, beim WM-Finale 2014",
        "Mario Draghi, surnommé Super Mario, à la BCE",
        "Super Mario Balotelli pulling up his shirt after a goal",
    ],
)
def test_when_a_person_with_the_given_name_is_named_beside_it_then_the_name_is_his_nickname(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Super Mario jumping on a mushroom enemy",
        "super mario bros on a retro tv",
        "Super Mario Odyssey poster on a wall",  # an English word of a title, not a family name
        "Super Mario Galaxy box art",
        "Mario Rossi visiting a Super Mario exhibition",  # the person and the work apart
    ],
)
def test_when_no_person_of_that_given_name_is_beside_it_then_it_stays_the_work(guard, text):
    assert "super-mario" in found(guard, text)


def test_when_a_registered_name_follows_the_given_name_then_it_is_no_family_name():
    text = "Super Mario Luigi"
    assert not nickname_use(text, (0, 11), [(12, 17)])


def test_when_the_person_and_the_character_are_items_of_a_list_then_it_is_no_nickname():
    text = "Donald Rourke, Donald Duck and Goofy at a theme park"
    assert not nickname_use(text, (15, 26))
    assert nickname_use("Donald Rourke, Donald Duck, at a rally", (15, 26))


def test_when_the_nickname_is_set_aside_then_it_supports_no_character_of_its_work(guard):
    # "Super Mario" would otherwise be the work named beside "Mario", and support it.
    assert found(guard, "Mario Lemieux, Super Mario, at the Stanley Cup parade") == set()
    assert found(guard, "Mario from Super Mario jumping on a brick") >= {"mario", "super-mario"}
