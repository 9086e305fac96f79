"""Descriptions are also matched by their parts: the head (what the thing is) with one feature.

The cutting is plain text work; the veto rule is checked with vectors the test chooses; one
model-backed test shows why parts exist: a prompt naming the thing and one feature."""

from __future__ import annotations

import pytest

from helpers.encoders import FakeEncoder, unit
from kyodaku.text.description_parts import description_entries, description_parts
from kyodaku.text.embedding import UniversalSentenceEncoder
from kyodaku.text.semantic import SemanticEntry, SemanticIndex, SemanticOptions, encode_queries

PLUMBER = (
    "A short, stout plumber with a big black moustache, a red cap with a red letter M in a white circle, "
    "a red shirt, blue overalls with gold buttons, white gloves and brown boots."
)


def test_when_a_description_has_features_then_each_part_is_its_head_and_one_feature():
    parts = description_parts(PLUMBER)
    head = "A short, stout plumber with a big black moustache"
    assert parts[0] == f"{head}, a red cap with a red letter M in a white circle"
    assert all(p.startswith(head + ", ") for p in parts)
    assert len(parts) == 4  # cap, shirt, overalls, gloves and boots


def test_when_a_description_is_short_then_it_has_no_parts():
    assert description_parts("A yellow mouse with red cheeks.") == []
    assert description_parts("A yellow mouse, red cheeks.") == []


def test_when_entries_are_made_then_the_description_comes_before_its_parts():
    entries = description_entries("pipe-hero", "character", PLUMBER, "en")
    assert [e.source for e in entries] == ["description"] + ["part"] * 4
    assert {e.entity for e in entries} == {"pipe-hero"}


def _index(background: list[str]) -> tuple[SemanticIndex, FakeEncoder]:
    encoder = FakeEncoder(
        {
            "whole": unit(1, 0, 0, 0),
            "part": unit(0, 1, 0, 0),
            "prompt": unit(0.45, 1, 0, 0),
            "ordinary twin of the prompt": unit(0.5, 1, 0.1, 0),
            "unrelated": unit(0, 0, 0, 1),
        }
    )
    entries = [
        SemanticEntry("thing", "character", "whole", "en", "description"),
        SemanticEntry("thing", "character", "part", "en", "part"),
    ]
    options = SemanticOptions(floor=0.5, quantile=0.5, margin=0.0, background_veto=-0.05)
    return SemanticIndex.build(entries, encoder, options, background), encoder


def test_when_the_whole_description_is_vetoed_then_its_part_does_not_count():
    index, encoder = _index(["unrelated", "ordinary twin of the prompt"])
    query = encode_queries(["prompt"], encoder)[0]
    assert index.search_encoded(query) == []


def test_when_the_whole_description_passes_the_veto_then_its_part_counts():
    index, encoder = _index(["unrelated", "unrelated"])
    query = encode_queries(["prompt"], encoder)[0]
    hits = index.search_encoded(query)
    assert [(h.entity, h.source, h.matched_text) for h in hits] == [("thing", "part", "part")]


@pytest.fixture(scope="module")
def real_index() -> SemanticIndex:
    entries = description_entries("pipe-hero", "character", PLUMBER, "en")
    return SemanticIndex.build(entries, UniversalSentenceEncoder(), SemanticOptions(background_veto=-0.05))


def test_when_a_prompt_names_the_thing_and_one_feature_then_a_part_is_nearer_than_the_description(
    real_index,
):
    prompt = "a stout plumber with a black moustache wearing a red cap with the letter M"
    query = real_index.encode([prompt])[0]
    cosines = (query.vectors[0] @ real_index.vectors.T).tolist()
    sources = [e.source for e in real_index.entries]
    whole = cosines[sources.index("description")]
    best_part = max(c for c, s in zip(cosines, sources, strict=True) if s == "part")
    assert best_part > whole
    hits = real_index.search_encoded(query)
    assert [(h.entity, h.source) for h in hits] == [("pipe-hero", "part")]


def test_when_parts_are_switched_off_then_only_the_description_is_an_entry():
    entries = description_entries("pipe-hero", "character", PLUMBER, "en", parts=False)
    assert [e.source for e in entries] == ["description"]
