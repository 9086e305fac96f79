"""A match whose pixels agree on nearly every cell needs only `LocalOptions.consistent_coverage` of
its overlapping keypoints explained (issue 14, continued: crops of soft or repetitive art, whose
true inliers are 3-5 % of keypoints that are mostly texture). `LocalOptions.agreeing_coverage`.

The geometry is real (a drawn picture and a crop of it); the coverage and the agreement are set.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image

from helpers.pictures import scribble
from kyodaku.media.local import LocalOptions, extract_features
from kyodaku.media.local.index import LocalIndex


def _grey(seed: int, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    noise = np.random.default_rng(seed).integers(40, 220, (h // 8, w // 8, 3)).astype(np.uint8)
    background = Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)
    drawn = scribble(background, f"agree:{seed}", shapes=120, extent=10, min_extent=3, width=1)
    return np.asarray(drawn.convert("L"))


def _copy_verdict(monkeypatch, options: LocalOptions, coverage: float, agreement: float) -> str:
    """Verify a crop of a drawn picture against the picture, the coverage and the pixel agreement
    set to the given values (the geometry, pairs and RANSAC are the real ones)."""
    from kyodaku.media.local import verify

    monkeypatch.setattr(verify, "_coverage", lambda *args, **kwargs: coverage)
    monkeypatch.setattr(verify, "_agreement", lambda *args, **kwargs: agreement)
    grey = _grey(5, (480, 360))
    index = LocalIndex.build([(0, extract_features(grey, options))], options)
    _match, reason = index.verify(extract_features(grey[40:320, 50:420], options), 0)
    return reason


def test_when_a_low_coverage_match_agrees_on_nearly_every_cell_then_it_is_a_match(monkeypatch) -> None:
    options = LocalOptions(consistent_ratio=1.0)  # the other way past min_coverage, closed here
    assert _copy_verdict(monkeypatch, options, 0.04, 1.0) == "match"
    assert _copy_verdict(monkeypatch, options, 0.04, 0.95) == "low coverage"
    assert _copy_verdict(monkeypatch, options, 0.02, 1.0) == "low coverage"  # under consistent_coverage
    off = dataclasses.replace(options, agreeing_coverage=1.01)
    assert _copy_verdict(monkeypatch, off, 0.04, 1.0) == "low coverage"
