"""Thresholds per script: a CJK segment is judged against the ordinary prompts of its own script."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from helpers.encoders import FakeEncoder
from kyodaku.text.semantic import (
    MIN_SCRIPT_BACKGROUND,
    SemanticEntry,
    SemanticIndex,
    SemanticOptions,
    encode_queries,
    script_group,
)


def test_when_a_text_has_kana_hangul_or_only_han_then_its_script_is_ja_ko_or_zh():
    assert script_group("ピカチュウが走る") == "ja"
    assert script_group("東京の街") == "ja"  # kana decides: Japanese mixes Han and kana
    assert script_group("피카츄가 달린다") == "ko"
    assert script_group("皮卡丘在上海") == "zh"
    assert script_group("a yellow mouse") == "other"
    assert script_group("Дарт Вейдер") == "other"


@given(st.text(max_size=40))
def test_when_any_text_is_grouped_then_it_gets_one_known_group(text):
    assert script_group(text) in {"ja", "ko", "zh", "other"}


def _vector(cos: float, axis: int) -> list[float]:
    """A unit vector at cosine `cos` from the entry's vector (axis 0), the rest on `axis`."""
    v = np.zeros(8)
    v[0], v[axis] = cos, np.sqrt(1 - cos**2)
    return list(v)


def _index(ja_background: int, **options) -> tuple[SemanticIndex, FakeEncoder]:
    latin = [f"ordinary prompt {i}" for i in range(30)]
    japanese = [f"普通のプロンプト{i}" for i in range(ja_background)]
    vectors = {
        "entry": _vector(1.0, 1),
        "日本語の描写": _vector(0.6, 3),
        "an english description": _vector(0.6, 4),
    }
    vectors.update({t: _vector(0.8, 2) for t in latin})  # English ordinary prompts near the entry
    vectors.update({t: _vector(0.1, 5) for t in japanese})  # Japanese ones far from it
    encoder = FakeEncoder(vectors, dim=8)
    entries = [SemanticEntry("thing", "character", "entry", "en")]
    base = SemanticOptions(floor=0.4, quantile=0.9, margin=0.03, relative_window=None)
    opts = SemanticOptions(**{**base.__dict__, **options})
    return SemanticIndex.build(entries, encoder, opts, latin + japanese), encoder


def _hits(index: SemanticIndex, encoder: FakeEncoder, text: str) -> list[str]:
    return [h.entity for h in index.search_encoded(encode_queries([text], encoder)[0])]


def test_when_calibrated_per_script_then_a_japanese_description_meets_the_japanese_bar():
    index, encoder = _index(MIN_SCRIPT_BACKGROUND, script_calibration=True)
    assert _hits(index, encoder, "日本語の描写") == ["thing"]
    hit = index.search_encoded(encode_queries(["日本語の描写"], encoder)[0])[0]
    assert hit.threshold < float(index.thresholds[0])  # judged by the Japanese bar, and says so


def test_when_calibrated_per_script_then_an_english_prompt_keeps_the_whole_backgrounds_bar():
    index, encoder = _index(MIN_SCRIPT_BACKGROUND, script_calibration=True)
    assert _hits(index, encoder, "an english description") == []


def test_when_not_calibrated_per_script_then_the_japanese_description_misses():
    index, encoder = _index(MIN_SCRIPT_BACKGROUND)
    assert index.script_thresholds == {}
    assert _hits(index, encoder, "日本語の描写") == []


def test_when_a_script_has_too_few_background_prompts_then_it_keeps_the_whole_backgrounds_bar():
    index, encoder = _index(MIN_SCRIPT_BACKGROUND - 1, script_calibration=True)
    assert "ja" not in index.script_thresholds
    assert _hits(index, encoder, "日本語の描写") == []


def test_when_an_index_is_saved_and_loaded_then_its_script_thresholds_come_back(tmp_path):
    index, encoder = _index(MIN_SCRIPT_BACKGROUND, script_calibration=True)
    index.save(tmp_path / "index.npz")
    loaded = SemanticIndex.load(tmp_path / "index.npz", encoder)
    assert set(loaded.script_thresholds) == {"ja"}
    assert np.array_equal(loaded.script_thresholds["ja"], index.script_thresholds["ja"])
    assert _hits(loaded, encoder, "日本語の描写") == ["thing"]
