"""Indirect descriptions from a minimal catalog: the background veto compares like with like (a prompt
in another script than the description meets the ordinary prompts of the description's script), a
part the prompt agrees with on its feature stands without its whole description, and neighbours are
told apart on several of an entry's texts, not its single best one.

Checked with a fake encoder whose vectors the test chooses (cosines are written next to them).
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers.encoders import FakeEncoder
from kyodaku.text.description_parts import description_entries
from kyodaku.text.semantic import MIN_SCRIPT_BACKGROUND, SemanticEntry, SemanticIndex, SemanticOptions


def _vec(*pairs: tuple[int, float], dim: int = 10) -> list[float]:
    """A unit vector with the given (axis, cosine) components, the rest of its length on the last axis."""
    v = np.zeros(dim)
    for axis, value in pairs:
        v[axis] = value
    v[-1] = np.sqrt(max(0.0, 1 - float(np.sum(v[:-1] ** 2))))
    return list(v)


# --- the veto compares like with like --------------------------------------------------------------

LATIN_BACKGROUND = [f"an ordinary prompt {i}" for i in range(MIN_SCRIPT_BACKGROUND + 5)]
JAPANESE_BACKGROUND = [f"普通のプロンプト{i}" for i in range(MIN_SCRIPT_BACKGROUND)]
SCRIPT_VECTORS = {
    "an english description": _vec((0, 1.0)),
    # the same meaning in two scripts: cosine 0.6 with the description
    "日本語の描写": _vec((0, 0.6), (1, 0.8)),
    "the same thing in english": _vec((0, 0.6), (1, 0.8)),
    # ordinary Japanese prompts: 0.75 to the prompt (written alike), 0 to the description
    **{t: _vec((1, 0.9375), (2, 0.348)) for t in JAPANESE_BACKGROUND},
    # ordinary English prompts: far from both
    **{t: _vec((3, 1.0)) for t in LATIN_BACKGROUND},
}


def _script_index(script_calibration: bool) -> SemanticIndex:
    options = SemanticOptions(
        floor=0.4, relative_window=None, background_veto=-0.05, script_calibration=script_calibration
    )
    entries = [SemanticEntry("thing", "character", "an english description", "en")]
    encoder = FakeEncoder(SCRIPT_VECTORS, dim=10, name="fake-veto-scripts")
    return SemanticIndex.build(entries, encoder, options, LATIN_BACKGROUND + JAPANESE_BACKGROUND)


def test_when_a_cjk_prompt_meets_another_scripts_description_then_its_scripts_background_is_left_out():
    # Nearest ordinary prompt overall: a Japanese one at 0.75 (0.6 < 0.75 - 0.05: vetoed); without the
    # Japanese ones (written like the prompt, unlike the description) 0.0: the description stands.
    hits = _script_index(script_calibration=True).search("日本語の描写")
    assert [h.entity for h in hits] == ["thing"]


def test_when_a_prompt_is_in_the_descriptions_script_then_the_veto_keeps_the_whole_background():
    # The same vector written in English: compared with every ordinary prompt, as before.
    assert _script_index(script_calibration=True).search("the same thing in english") == []


def test_when_not_calibrated_per_script_then_the_veto_uses_the_whole_background_for_every_prompt():
    assert _script_index(script_calibration=False).search("日本語の描写") == []


def test_when_an_index_is_saved_and_loaded_then_its_background_scripts_come_back(tmp_path):
    index = _script_index(script_calibration=True)
    index.save(tmp_path / "index.npz")
    loaded = SemanticIndex.load(
        tmp_path / "index.npz", FakeEncoder(SCRIPT_VECTORS, dim=10, name=index.encoder_name)
    )
    assert [h.entity for h in loaded.search("日本語の描写")] == ["thing"]


# --- a part the prompt agrees with on its feature --------------------------------------------------

BACKGROUND = ["an ordinary prompt"]
PROMPT = "a prompt naming the feature"
AGREEMENT_VECTORS = {
    PROMPT: _vec((0, 1.0)),
    "an ordinary prompt": _vec((0, 0.5), (1, 0.866)),  # 0.50 to the prompt
    "a head, a feature": _vec((0, 0.6), (2, 0.8)),  # the part: 0.60 (above 0.50 + 0.03)
    "a head": _vec((0, 0.5), (4, 0.866)),  # its head alone: 0.50 (the feature adds to it)
    "a head like the prompt": _vec((0, 0.65), (4, 0.76)),  # another head: 0.65 (the feature adds nothing)
    "a head like the prompt, a feature": _vec((0, 0.6), (2, 0.8)),
    "a whole description": _vec((0, 0.44), (3, 0.898)),  # 0.44: vetoed (< 0.45), within 0.08 (>= 0.42)
    "a far description": _vec((0, 0.40), (3, 0.916)),  # 0.40: more than 0.08 below the background
}


def _agreement_index(description: str, head: str, **options) -> SemanticIndex:
    opts = SemanticOptions(floor=0.4, relative_window=None, background_veto=-0.05, **options)
    entries = [
        SemanticEntry("thing", "character", description, "en"),
        SemanticEntry("thing", "character", f"{head}, a feature", "en", "part", head),
    ]
    encoder = FakeEncoder(AGREEMENT_VECTORS, dim=10, name="fake-agreement")
    return SemanticIndex.build(entries, encoder, opts, BACKGROUND)


def test_when_a_prompt_agrees_with_a_parts_feature_then_the_part_stands_though_its_description_is_vetoed():
    hits = _agreement_index("a whole description", "a head").search(PROMPT)
    assert [(h.entity, h.source) for h in hits] == [("thing", "part")]


def test_when_a_prompt_is_as_close_to_the_parts_head_alone_then_the_part_needs_its_description():
    # "an orange tabby cat riding a city bus" is the head of Catbus's parts ("a tabby cat that is
    # also a bus"), not any of their features.
    assert _agreement_index("a whole description", "a head like the prompt").search(PROMPT) == []


def test_when_another_part_of_the_entry_is_closer_through_its_head_then_the_agreeing_part_does_not_stand():
    # Two parts: the agreeing one (0.60, head 0.50) and a closer one (0.62) whose head is closer still
    # (0.65): the prompt is the closer part's head, not the other's feature.
    opts = SemanticOptions(floor=0.4, relative_window=None, background_veto=-0.05)
    entries = [
        SemanticEntry("thing", "character", "a whole description", "en"),
        SemanticEntry("thing", "character", "a head, a feature", "en", "part", "a head"),
        SemanticEntry("thing", "character", "a closer part", "en", "part", "a head like the prompt"),
    ]
    vectors = {**AGREEMENT_VECTORS, "a closer part": _vec((0, 0.62), (5, 0.785))}
    index = SemanticIndex.build(
        entries, FakeEncoder(vectors, dim=10, name="fake-agreement"), opts, BACKGROUND
    )
    assert index.search(PROMPT) == []


def test_when_the_prompt_is_in_another_script_than_the_part_then_agreement_does_not_let_it_stand():
    # The same vectors, the prompt written in Japanese: across scripts the language moves the cosines,
    # so the part needs its description to pass the veto, as without agreement.
    japanese = "特徴を名指すプロンプト"
    vectors = {**AGREEMENT_VECTORS, japanese: AGREEMENT_VECTORS[PROMPT]}
    opts = SemanticOptions(floor=0.4, relative_window=None, background_veto=-0.05)
    entries = [
        SemanticEntry("thing", "character", "a whole description", "en"),
        SemanticEntry("thing", "character", "a head, a feature", "en", "part", "a head"),
    ]
    index = SemanticIndex.build(
        entries, FakeEncoder(vectors, dim=10, name="fake-agreement"), opts, BACKGROUND
    )
    assert [h.entity for h in index.search(PROMPT)] == ["thing"]
    assert index.search(japanese) == []


def test_when_the_description_is_far_below_the_background_then_an_agreeing_part_does_not_stand():
    assert _agreement_index("a far description", "a head").search(PROMPT) == []


def test_when_feature_agreement_is_off_then_every_part_needs_its_description():
    assert _agreement_index("a whole description", "a head", feature_veto=None).search(PROMPT) == []


def test_when_a_description_is_cut_into_parts_then_each_part_carries_its_head():
    text = "A round thing, with a red nose, a bell on a collar and a pocket."
    entries = description_entries("thing", "character", text, "en")
    assert [e.head for e in entries] == [None, "A round thing", "A round thing"]
    assert [e.text for e in entries[1:]] == [
        "A round thing, with a red nose",
        "A round thing, a bell on a collar and a pocket",
    ]


def test_when_an_index_with_parts_is_saved_and_loaded_then_it_finds_the_same(tmp_path):
    index = _agreement_index("a whole description", "a head")
    index.save(tmp_path / "index.npz")
    loaded = SemanticIndex.load(
        tmp_path / "index.npz", FakeEncoder(AGREEMENT_VECTORS, dim=10, name="fake-agreement")
    )
    assert np.array_equal(loaded.head_vectors, index.head_vectors)
    assert [h.entity for h in loaded.search(PROMPT)] == ["thing"]


# --- neighbours told apart on several texts ---------------------------------------------------------

# One entry matches the prompt on a single text (a shared feature), another on several.
RIVAL_VECTORS = {
    "the prompt": _vec((0, 1.0)),
    "one-trick description": _vec((0, 0.45), (1, 0.893)),  # margin 0.05
    "one-trick part 1": _vec((0, 0.60), (2, 0.8)),  # 0.20: the best single text
    "one-trick part 2": _vec((0, 0.42), (3, 0.907)),  # 0.02
    "well-described description": _vec((0, 0.55), (4, 0.835)),  # 0.15
    "well-described part 1": _vec((0, 0.54), (5, 0.842)),  # 0.14
    "well-described part 2": _vec((0, 0.53), (6, 0.848)),  # 0.13
}
RIVAL_ENTRIES = [
    SemanticEntry("one-trick", "character", "one-trick description", "en"),
    SemanticEntry("one-trick", "character", "one-trick part 1", "en", "part"),
    SemanticEntry("one-trick", "character", "one-trick part 2", "en", "part"),
    SemanticEntry("well-described", "character", "well-described description", "en"),
    SemanticEntry("well-described", "character", "well-described part 1", "en", "part"),
    SemanticEntry("well-described", "character", "well-described part 2", "en", "part"),
]
RIVAL_GROUPS = {"one-trick": "work-a", "well-described": "work-b"}


def _rival_hits(rows: int) -> dict:
    options = SemanticOptions(floor=0.4, relative_window=None, rival_evidence_rows=rows)
    index = SemanticIndex.build(
        RIVAL_ENTRIES, FakeEncoder(RIVAL_VECTORS, dim=10, name="fake-rivals"), options, []
    )
    return {h.entity: h for h in index.search("the prompt", RIVAL_GROUPS)}


def test_when_an_entry_matches_on_several_texts_then_it_beats_a_neighbour_that_matches_on_one():
    hits = _rival_hits(3)  # evidence: (0.15 + 0.14 + 0.13) / 3 = 0.14 against (0.20 + 0.05 + 0.02) / 3 = 0.09
    assert not hits["well-described"].contested
    assert hits["one-trick"].contested and hits["one-trick"].runner_up == "well-described"
    assert hits["well-described"].lead == pytest.approx(0.05, abs=1e-3)  # the lead the test decided by


def test_when_the_neighbour_test_weighs_the_best_text_alone_then_the_single_strong_match_wins():
    hits = _rival_hits(1)
    assert not hits["one-trick"].contested
    assert hits["well-described"].contested


def test_when_rival_evidence_rows_is_below_one_then_the_options_are_refused():
    from kyodaku.domain.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        SemanticOptions(rival_evidence_rows=0)
