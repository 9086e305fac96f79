"""Tag sites' brackets after a name ("elsa_(frozen)", "link (zelda)", "mario_(series)") as support for
an ambiguous name (text/tag_qualifier.py, matching/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions
from kyodaku.text.tag_qualifier import names_the_work, qualifier_after, qualifier_key

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal-catalog.yaml"
ZELDA = ["The Legend of Zelda", "ゼルダの伝説"]


def test_when_a_bracket_follows_the_name_then_it_is_read_as_written_and_as_a_key() -> None:
    text = "1boy, link_(Zelda_Breath), sword"
    assert qualifier_after(text, text.index("_(")) == ("(Zelda_Breath)", "zelda breath")
    assert qualifier_after("Pokémon (Pokémon)", 7) == ("(Pokémon)", "pokemon")
    assert qualifier_after("link, (zelda)", 4) is None  # a comma between: a tag of its own
    assert qualifier_after("link", 4) is None


@pytest.mark.parametrize(
    ("qualifier", "names"),
    [("the legend of zelda", True), ("zelda", True), ("legend", False), ("of", False), ("pokemon", False)],
)
def test_when_a_qualifier_is_compared_with_the_work_then_only_its_name_or_a_distinctive_word_counts(
    qualifier: str, names: bool
) -> None:
    assert names_the_work(qualifier, ZELDA) is names


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), end=st.integers(min_value=0, max_value=90))
def test_when_any_text_is_read_for_a_bracket_then_nothing_raises_and_the_key_is_plain(
    text: str, end: int
) -> None:
    found = qualifier_after(text, min(end, len(text)))
    if found is not None:
        written, key = found
        assert written in text and key == qualifier_key(key) and key


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_catalog(load_catalog(MINIMAL), GuardOptions(themes=False, semantic=False))


def _flagged(guard: Guard, text: str) -> set[str]:
    return {e.entity for e in guard.screen_prompt(text).entities if e.verdict.value in ("block", "review")}


@pytest.mark.parametrize(
    "text",
    ["1boy, link_(zelda), forest", "link (the legend of zelda), sword", "kirby_(character), stars"],
)
def test_when_an_ambiguous_name_carries_its_work_or_a_generic_bracket_then_it_is_the_entry(
    guard: Guard, text: str
) -> None:
    assert _flagged(guard, text) & {"link", "kirby"}


@pytest.mark.parametrize(
    "text",
    ["1boy, link_(legend), forest", "a chain link (metal), rust", "Kirby (my neighbour's dog), garden"],
)
def test_when_the_bracket_names_something_else_then_the_name_stays_unsupported(
    guard: Guard, text: str
) -> None:
    assert not _flagged(guard, text) & {"link", "kirby"}
