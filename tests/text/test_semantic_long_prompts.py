"""Long prompts of prose (text/semantic.py, "Long prompts"): their sentences are segments, and the
whole and the sentences are held against the background's long prompts and their sentences."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.encoders import FakeEncoder, unit
from kyodaku.text.semantic import (
    SemanticEntry,
    SemanticIndex,
    SemanticOptions,
    is_tag_list,
    long_prose,
    sentences,
    split_segments,
    with_content_versions,
)

VIDEO = (
    "A quiet harbour town at dawn, fog over the water. A short plumber with a thick moustache, a red cap "
    "and blue overalls walks along the pier, whistling. Gulls circle overhead. The camera dollies in, "
    "slow motion, golden hour, 35mm film."
)
TAGS = "masterpiece, best quality, 1boy, solo, short plumber, thick moustache, red cap, blue overalls, pier"


def test_when_a_prompt_has_three_sentences_or_more_then_it_is_long_prose_and_no_tag_list() -> None:
    assert long_prose(VIDEO) and not is_tag_list(VIDEO)
    assert is_tag_list(TAGS) and not long_prose(TAGS)
    assert not long_prose("a plumber. a pier.") and not long_prose("a plumber in a red cap")
    assert not long_prose("version 1.5, 2.0 and 3.1 of the logo")  # a full stop inside a number ends nothing


def test_when_a_prompt_is_long_prose_then_its_sentences_follow_the_whole_and_meet_the_long_background() -> (
    None
):
    segments = split_segments(VIDEO)
    assert segments[0].text == VIDEO and segments[0].content
    described = (
        "A short plumber with a thick moustache, a red cap and blue overalls walks along the pier, whistling"
    )
    texts = [s.text for s in segments]
    assert described in texts and "Gulls circle overhead" in texts
    assert all(s.content for s in segments if s.text in {x.text for x in sentences(VIDEO)})
    assert "golden hour" not in texts  # a tag-like clause is a feature, as in a tag list
    for seg in segments:
        assert VIDEO[seg.span[0] : seg.span[1]] == seg.text or seg is segments[0]


def test_when_the_background_holds_a_long_prompt_then_only_long_pieces_meet_its_sentences(tmp_path) -> None:
    plumber = "A plumber in a red cap and blue overalls fixes a sink"
    background = [
        f"A small flat in the city, morning light. {plumber}. He whistles. Handheld camera, 4K.",
        "a quiet street at dusk, rain",
    ]
    texts = with_content_versions(background, frozenset())
    assert plumber in texts and len(texts) == len(background) + 4  # its four sentences
    entry = "a plumber with a moustache in a red cap and blue overalls"
    short = "a plumber in a red cap and blue overalls"
    fake = FakeEncoder(
        {entry: unit(1, 0, 0, 0), plumber: unit(1, 0.05, 0, 0), short: unit(1, 0.2, 0, 0)},
        dim=4,
        name="fake-long",
    )
    options = SemanticOptions(background_veto=-0.05, relative_window=None, rival_margin=None)
    index = SemanticIndex.build(
        [SemanticEntry("mario", "character", entry, "en")], fake, options, background=background
    )
    assert index.background_content.tolist() == [True, False, True, True, True, True]  # the long prompt too
    assert [h.entity for h in index.search(short)] == ["mario"]  # a short prompt never meets them
    long_prompt = f"A kitchen at noon. {short}. He sighs. Slow motion, 4K."
    assert index.encode([long_prompt])[0].segments[1].content
    assert index.search(long_prompt) == []  # its sentence is as close to the background's sentence
    index.save(tmp_path / "index.npz")
    loaded = SemanticIndex.load(tmp_path / "index.npz", fake)
    assert np.array_equal(loaded.background_content, index.background_content)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_when_any_text_is_cut_into_sentences_then_each_is_its_own_slice_in_order(text: str) -> None:
    found = sentences(text)
    ends = [s.span[1] for s in found]
    assert ends == sorted(ends)
    for seg in found:
        assert 0 <= seg.span[0] < seg.span[1] <= len(text)
        assert text[seg.span[0] : seg.span[1]] == seg.text == seg.text.strip()
    for seg in split_segments(text):
        assert 0 <= seg.span[0] <= seg.span[1] <= len(text) and seg.text.strip()
