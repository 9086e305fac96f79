"""Neighbours apart: a semantic hit counts only when it beats another work's best entry by the rival
margin; otherwise it is a note naming the runner-up, or a review when the prompt names a group.

The rule is checked with a fake encoder whose vectors the test chooses (thresholds are the floor,
0.5, since the background is empty); one clear case runs through the real multilingual encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import pytest

from helpers.encoders import FakeEncoder, unit
from kyodaku.domain.errors import ConfigurationError
from kyodaku.matching.text import SemanticMatcher
from kyodaku.options import GuardOptions
from kyodaku.text.embedding import DEFAULT_ENCODER, TextEncoder, get_encoder
from kyodaku.text.semantic import SemanticEntry, SemanticIndex, SemanticOptions, names_a_group

# Two works with one hero each, a sibling of the first hero, and a style.
ENTRIES = [
    SemanticEntry("caped-hero", "character", "desc caped hero", "en"),
    SemanticEntry("caped-sidekick", "character", "desc caped sidekick", "en"),
    SemanticEntry("web-hero", "character", "desc web hero", "en"),
    SemanticEntry("comic-style", "style", "desc comic style", "en"),
]
GROUPS = {"caped-hero": "caped-work", "caped-sidekick": "caped-work", "web-hero": "web-work"}
VECTORS = {
    "desc caped hero": [1, 0, 0, 0],
    "desc caped sidekick": unit(1, 0, 0.6, 0),
    "desc web hero": [0, 1, 0, 0],
    "desc comic style": [0, 0, 0, 1],
    # as close to both heroes: a tie between two works
    "a hero in a suit": unit(1, 1, 0, 0),
    "two superheroes fighting": unit(1, 1, 0, 0),
    # clearly the caped hero (the web hero is far below its threshold)
    "a hero with a cape": unit(1, 0.3, 0, 0),
    # the caped hero and, just as close, his sidekick (the same work)
    "the caped duo": unit(1, 0, 0.3, 0),
    # the caped hero and, just as close, the style
    "a caped hero drawn in comic style": unit(1, 0, 0, 1),
}
OPTIONS = SemanticOptions(floor=0.5, relative_window=0.05, rival_margin=0.05)


def build(options: SemanticOptions = OPTIONS) -> SemanticIndex:
    return SemanticIndex.build(ENTRIES, FakeEncoder(VECTORS, name="fake-neighbours"), options, background=[])


def by_entity(hits: Sequence) -> dict:
    return {h.entity: h for h in hits}


# --- the index ---------------------------------------------------------------------------------


def test_when_two_works_are_equally_close_then_both_hits_are_contested_and_name_each_other() -> None:
    hits = by_entity(build().search("a hero in a suit", GROUPS))
    assert set(hits) == {"caped-hero", "web-hero"}
    assert hits["caped-hero"].contested and hits["web-hero"].contested
    assert hits["caped-hero"].runner_up == "web-hero"
    assert hits["web-hero"].runner_up == "caped-hero"
    assert hits["caped-hero"].lead == pytest.approx(0.0, abs=1e-6)


def test_when_one_entry_beats_another_works_best_by_the_margin_then_it_counts_with_its_runner_up() -> None:
    hits = by_entity(build().search("a hero with a cape", GROUPS))
    hero = hits["caped-hero"]
    assert not hero.contested
    assert hero.runner_up == "web-hero"  # below its own threshold, still the rival to beat
    assert hero.lead is not None and hero.lead >= OPTIONS.rival_margin
    assert "web-hero" not in hits


def test_when_the_runner_up_is_a_sibling_of_the_same_work_then_both_count() -> None:
    hits = by_entity(build().search("the caped duo", GROUPS))
    # As close as each other, but of the same work: siblings, not rivals; the rival is the web hero.
    assert not hits["caped-hero"].contested
    assert not hits["caped-sidekick"].contested
    assert hits["caped-sidekick"].runner_up == "web-hero"


def test_when_a_style_is_as_close_as_a_character_then_they_are_not_rivals() -> None:
    hits = by_entity(build().search("a caped hero drawn in comic style", GROUPS))
    assert not hits["caped-hero"].contested
    assert not hits["comic-style"].contested
    assert hits["comic-style"].runner_up is None  # the only style: no rival in its lane


def test_when_no_groups_are_given_then_no_hit_is_contested() -> None:
    hits = build().search("a hero in a suit")
    assert {h.entity for h in hits} == {"caped-hero", "web-hero"}
    assert not any(h.contested for h in hits)
    assert all(h.runner_up is None for h in hits)


def test_when_the_rival_margin_is_off_then_a_tie_counts_for_both() -> None:
    index = build(SemanticOptions(floor=0.5, relative_window=0.05, rival_margin=None))
    hits = index.search("a hero in a suit", GROUPS)
    assert {h.entity for h in hits if not h.contested} == {"caped-hero", "web-hero"}


def test_when_the_rival_margin_is_negative_then_the_options_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        SemanticOptions(rival_margin=-0.01)


def test_when_an_index_is_saved_and_loaded_then_its_rival_margin_survives(tmp_path) -> None:
    index = build()
    index.save(tmp_path / "index.npz")
    loaded = SemanticIndex.load(tmp_path / "index.npz", index.encoder)
    assert loaded.options.rival_margin == OPTIONS.rival_margin


# --- group prompts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "two superheroes fighting above the city",
        "a team of cartoon mice having a picnic",
        "four spiky-haired anime fighters powering up",
        "ゲームのお姫様たちのお茶会",
        "一群超级英雄站在楼顶",
        "두 명의 슈퍼히어로가 싸운다",
        "zwei Superhelden kämpfen",
        "une équipe de super-héros",
        "varias princesas de videojuego",
    ],
)
def test_when_a_prompt_counts_beings_of_a_kind_then_it_names_a_group(text: str) -> None:
    assert names_a_group(text)


@pytest.mark.parametrize(
    "text",
    [
        "a mouse in red shorts with two white buttons",
        "un ratón con pantalón rojo con dos botones blancos",
        "a dragon with two horns",
        "薩爾達公主在城堡陽台上",
        "a grinning cat-shaped bus with many furry legs",
    ],
)
def test_when_a_count_is_of_things_not_beings_then_no_group_is_named(text: str) -> None:
    assert not names_a_group(text)


# --- the matcher -------------------------------------------------------------------------------


def screen(text: str, index: SemanticIndex) -> tuple[list, list[str]]:
    entities = {
        "caped-hero": SimpleNamespace(work="caped-work"),
        "caped-sidekick": SimpleNamespace(work="caped-work"),
        "web-hero": SimpleNamespace(work="web-work"),
        "comic-style": SimpleNamespace(work=None),
    }
    snapshot = SimpleNamespace(match=SimpleNamespace(semantic=index), entities=entities)
    content = SimpleNamespace(query=index.encode([text])[0], text=text, unavailable=None)
    result = SemanticMatcher(GuardOptions()).match(content, snapshot, [])  # type: ignore[arg-type]
    return result.findings, result.notes


def test_when_a_description_is_contested_then_the_matcher_notes_it_with_the_runner_up() -> None:
    findings, notes = screen("a hero in a suit", build())
    assert findings == []
    assert any("caped-hero" in n and "web-hero is as close" in n for n in notes)


def test_when_a_group_prompt_leaves_hits_contested_then_they_are_held_for_review() -> None:
    options = GuardOptions()
    findings, _ = screen("two superheroes fighting", build())
    assert {f.entity for f in findings} == {"caped-hero", "web-hero"}
    assert all(f.score < options.review_below for f in findings)
    assert all("names a group" in f.steps[-1].reason for f in findings)


def test_when_a_description_beats_its_rivals_then_the_finding_names_the_runner_up() -> None:
    findings, _ = screen("a hero with a cape", build())
    hero = next(f for f in findings if f.entity == "caped-hero")
    assert hero.score >= GuardOptions().semantic_min_score
    assert "runner-up web-hero" in (hero.evidence.note or "")


# --- the real encoder --------------------------------------------------------------------------

HEROES = [
    SemanticEntry(
        "flying-strongman",
        "character",
        "A muscular superhero with short black hair, in a blue suit with a red-and-yellow diamond emblem "
        "on the chest, a flowing red cape and red boots, flying with one fist forward.",
        "en",
    ),
    SemanticEntry(
        "web-slinger",
        "character",
        "A slim, acrobatic superhero in a full-body red-and-blue suit covered with a black web pattern "
        "and a full face mask with large white eye lenses, swinging on webs between skyscrapers.",
        "en",
    ),
]
HERO_GROUPS = {"flying-strongman": "strongman-comics", "web-slinger": "web-comics"}


@pytest.fixture(scope="module")
def heroes() -> SemanticIndex:
    use: TextEncoder = get_encoder(DEFAULT_ENCODER)
    return SemanticIndex.build(HEROES, use, SemanticOptions(rival_margin=0.05))


def test_when_a_prompt_clearly_describes_one_of_two_superheroes_then_only_that_one_counts(
    heroes: SemanticIndex,
) -> None:
    hits = heroes.search(
        "a superhero in a red and blue suit covered in a black web pattern, big white eye lenses, "
        "swinging between skyscrapers",
        HERO_GROUPS,
    )
    counted = [h.entity for h in hits if not h.contested]
    assert counted == ["web-slinger"]
    assert hits[0].runner_up == "flying-strongman"
