"""Tag lists: boilerplate tags derived from the background's tag lists, left out of a prompt's whole
segment and of the background's content versions; of a tag list's clauses only prose stands alone
(text/semantic.py, "Tag lists")."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.encoders import FakeEncoder, unit
from kyodaku.text.semantic import (
    MIN_TAG_LISTS,
    TAG_LIST_CLAUSES,
    SemanticEntry,
    SemanticIndex,
    SemanticOptions,
    boilerplate_tags,
    clauses,
    content_segment,
    encode_queries,
    is_prose,
    split_segments,
    tag_key,
)

SUBJECTS = [
    "knight",
    "cat",
    "robot",
    "dragon",
    "chef",
    "pilot",
    "witch",
    "fox",
    "owl",
    "maid",
    "samurai",
    "slime",
]


def _tag_list(subject: str, i: int) -> str:
    """An ordinary tag list: two quality tags every list carries, its own subject and details."""
    own = [f"{subject} {k}" for k in range(TAG_LIST_CLAUSES)]
    return ", ".join(["masterpiece", "best quality", *own, f"detail {i}"])


BACKGROUND = [_tag_list(s, i) for i, s in enumerate(SUBJECTS)] + ["a quiet street at dusk, rain"]


def test_when_ordinary_tag_lists_share_tags_then_those_are_boilerplate_and_their_own_are_not() -> None:
    tags = boilerplate_tags(BACKGROUND)
    assert {"masterpiece", "best quality"} <= tags
    assert not tags & {"knight 0", "detail 3", "a quiet street at dusk", "rain"}


def test_when_a_background_has_few_tag_lists_then_no_tag_is_boilerplate() -> None:
    assert boilerplate_tags(BACKGROUND[: MIN_TAG_LISTS - 1]) == frozenset()
    assert (
        boilerplate_tags(["masterpiece, best quality, a cat"] * 50) == frozenset()
    )  # too short for tag lists


def test_when_a_prompt_carries_boilerplate_then_its_whole_segment_leaves_it_out() -> None:
    text = "Masterpiece, best_quality, 1boy, short blonde hair, red cape, longsword, depth of field"
    segments = split_segments(text, boilerplate=frozenset({"masterpiece", "best quality", "depth of field"}))
    whole = segments[0]
    assert whole.text == "1boy, short blonde hair, red cape, longsword"
    assert text[whole.span[0] : whole.span[1]] == "1boy, short blonde hair, red cape, longsword"
    assert "longsword" in {s.text for s in segments[1:]}  # a short list's clauses are still segments


def test_when_a_prompt_is_a_tag_list_then_only_its_prose_clauses_stand_beside_its_whole() -> None:
    """A single tag is a feature many entries share, not a description: it gets no segment; a
    description written as prose inside the list still does."""
    prose = "a small yellow mouse with red cheeks"
    tags = ["1girl", "long golden blonde hair", "blue eyes", prose, "pink ball gown", "castle"]
    boilerplate = frozenset({"masterpiece", "best quality", "depth of field"})
    listed = ", ".join(["masterpiece", "best quality", *tags, "depth of field"])
    assert len(clauses(listed)) >= TAG_LIST_CLAUSES
    segments = split_segments(listed, boilerplate=boilerplate)
    assert [s.text for s in segments] == [", ".join(tags), prose]
    assert listed[segments[1].span[0] : segments[1].span[1]] == prose
    # no boilerplate known: the prompt whole, and "depth of field" reads as prose too
    assert [s.text for s in split_segments(listed)] == [listed, prose, "depth of field"]
    short = ", ".join(tags[: TAG_LIST_CLAUSES - 3])
    assert "long golden blonde hair" in {s.text for s in split_segments(short, boilerplate=boilerplate)}


def test_when_a_clause_has_a_function_word_and_three_words_then_it_reads_as_prose() -> None:
    assert is_prose("a small yellow mouse with red cheeks")
    assert is_prose("chevalier en armure blanche")
    assert not is_prose("long golden blonde hair")
    assert not is_prose("a knight")  # too short to describe
    assert not is_prose("glowing red laser sword")


def test_when_a_prompt_has_no_boilerplate_or_one_other_clause_then_its_whole_segment_is_the_prompt() -> None:
    boilerplate = frozenset({"masterpiece", "best quality"})
    plain = "a small yellow mouse with red cheeks, in a forest"
    assert split_segments(plain, boilerplate=boilerplate)[0].text == plain
    one_left = "masterpiece, a small yellow mouse with red cheeks"
    assert split_segments(one_left, boilerplate=boilerplate)[0].text == one_left


def test_when_the_index_is_built_then_its_background_holds_the_content_versions_and_queries_use_them(
    tmp_path,
) -> None:
    fake = FakeEncoder(dim=16)
    index = SemanticIndex.build(
        [SemanticEntry("x", "character", "a knight", "en")], fake, background=BACKGROUND
    )
    assert {"masterpiece", "best quality"} <= index.boilerplate
    assert len(index.background) == len(BACKGROUND) + len(SUBJECTS)  # each tag list once more, without them
    query = index.encode(["masterpiece, best quality, a blonde knight, a red cape"])[0]
    assert query.segments[0].text == "a blonde knight, a red cape"
    path = tmp_path / "index.npz"
    index.save(path)
    assert SemanticIndex.load(path, fake).boilerplate == index.boilerplate


def test_when_queries_are_encoded_without_boilerplate_then_the_whole_prompt_comes_first() -> None:
    text = "masterpiece, best quality, a blonde knight, a red cape"
    assert encode_queries([text], FakeEncoder())[0].segments[0].text == text


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    tags=st.lists(st.text(max_size=12), max_size=6),
)
def test_when_any_text_is_split_with_any_boilerplate_then_segments_lie_in_it_and_keep_no_boilerplate(
    text: str, tags: list[str]
) -> None:
    boilerplate = frozenset(tag_key(t) for t in tags)
    segments = split_segments(text, boilerplate=boilerplate)
    for seg in segments:
        assert 0 <= seg.span[0] <= seg.span[1] <= len(text)
        assert seg.text.strip()
    if segments and segments[0].text != text.strip() and boilerplate:
        kept = [c.text for c in clauses(text) if tag_key(c.text) not in boilerplate]
        assert segments[0].text == ", ".join(kept)


def test_when_a_background_tag_list_is_close_to_an_entry_then_only_content_segments_are_held_against_it(
    tmp_path,
) -> None:
    """Like with like: the content version of an ordinary tag list bars content segments, not prose."""
    near = content_segment(clauses(BACKGROUND[0]), boilerplate_tags(BACKGROUND))
    assert near is not None
    prose = "a paladin in white armour"
    tags = "masterpiece, best quality, paladin, white armour"
    fake = FakeEncoder(
        {"the entry": unit(1, 0, 0, 0), near.text: unit(1, 0, 0, 0), prose: unit(1, 0.2, 0, 0),
         "paladin, white armour": unit(1, 0.2, 0, 0)},
        dim=4,
        name="fake-4d",  # the background vectors are cached by encoder name
    )  # fmt: skip
    options = SemanticOptions(background_veto=-0.05, relative_window=None, rival_margin=None)
    index = SemanticIndex.build(
        [SemanticEntry("e", "character", "the entry", "en")], fake, options, background=BACKGROUND
    )
    assert int(index.background_content.sum()) == len(SUBJECTS)
    assert index.content_thresholds is not None and index.content_thresholds[0] > index.thresholds[0]
    assert [h.entity for h in index.search(prose)] == ["e"]
    assert index.encode([tags])[0].segments[0].content
    assert index.search(tags) == []
    path = tmp_path / "index.npz"
    index.save(path)
    loaded = SemanticIndex.load(path, fake)
    assert np.array_equal(loaded.background_content, index.background_content)
    assert np.array_equal(loaded.content_thresholds, index.content_thresholds)
    assert [h.entity for h in loaded.search(prose)] == ["e"] and loaded.search(tags) == []
