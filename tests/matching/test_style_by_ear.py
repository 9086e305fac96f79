"""A style's bare name written by ear in Cyrillic or katakana ("в стиле Диснея", "Гибли") asks for
the style only beside a style cue; Russian case endings on the name are read through."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"},
        {"id": "ghibli", "name": {"en": "Studio Ghibli Inc."}, "country": "JP"},
    ],
    "styles": [
        {"id": "disney-style", "owner": "disney", "names": {"en": ["Disney animation style"]}},
        {"id": "ghibli-style", "owner": "ghibli", "names": {"en": ["Studio Ghibli style"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("style-by-ear"))


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("замок в стиле Диснея", "disney-style"),  # genitive: Дисней -> Диснея
        ("лиса в стиле Дисней", "disney-style"),
        ("рисунок в стиле Гибли", "ghibli-style"),
    ],
)
def test_when_a_style_name_is_written_by_ear_beside_a_cue_then_the_style_is_found(guard, text, style):
    assert found(guard, text) == {style}


@pytest.mark.parametrize("text", ["акции Диснея выросли", "офис Гибли в Токио"])
def test_when_no_cue_asks_for_the_style_then_the_company_is_just_named(guard, text):
    decision = guard.screen_prompt(text)
    assert decision.findings == ()
    assert any("no style cue" in n for n in decision.notes)


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("Волшебный лес с поющими зверями, под Дисней", "disney-style"),  # под + accusative: "like"
        ("Bosque encantado, muy a lo Disney", "disney-style"),
        ("una casetta nel bosco alla Ghibli", "ghibli-style"),
    ],
)
def test_when_a_preposition_that_asks_for_a_style_stands_right_before_its_name_then_it_is_found(
    guard, text, style
):
    assert found(guard, text) == {style}


@pytest.mark.parametrize(
    "text",
    [
        "Кот спит под Диснеем",  # под + instrumental: "under Disney"
        "Кот спит под дождём, Дисней рядом",  # the preposition is not right before the name
        "Disney a lo largo del río",  # "a lo" after the name, not before it
    ],
)
def test_when_the_preposition_is_not_right_before_the_name_or_takes_its_other_case_then_nothing_is_found(
    guard, text
):
    assert found(guard, text) == set()
