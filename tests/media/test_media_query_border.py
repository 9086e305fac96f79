"""ORB's border on outputs (issue 14, deep crops): an output's corners are found up to 8 px from its
edge (`LocalOptions.border`, `GuardOptions.query_keypoint_border`), since a crop's cut runs through
the reference, where the reference has described corners; references keep the 31 px patch as their
border, so nothing stored changes and descriptors stay comparable.

Pictures are drawn here from a seed (tests/helpers/pictures.py).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from helpers.banks import output_hashes, picture_bank
from helpers.pictures import blurred_noise, scribble
from kyodaku.domain.errors import InvalidInput
from kyodaku.media.local import LocalOptions, extract_features
from kyodaku.media.local.features import LocalFeatures
from kyodaku.media.local.verify import ReferencePicture, Verdict, verify_reference
from kyodaku.options import GuardOptions


def _busy(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    return scribble(blurred_noise(seed, size, 24), f"busy{seed}", 400, 10, 3, 2)


def _edge_distance(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    return np.minimum.reduce([points[:, 0], points[:, 1], w - points[:, 0], h - points[:, 1]])


def _flat(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A smooth picture with a few shapes: few corners, some of them near the edge."""
    return scribble(blurred_noise(seed, size, 160), f"flat{seed}", 14, 90, 40, 2)


def test_when_the_inside_has_few_corners_then_the_band_along_the_edge_tops_it_up() -> None:
    grey = np.asarray(_flat(1).convert("L"))
    wide = extract_features(grey, LocalOptions())
    narrow = extract_features(grey, LocalOptions(border=8))
    assert 0 < len(wide) < 0.5 * LocalOptions().max_features  # a flat picture: the top-up applies
    assert _edge_distance(wide.points, wide.size).min() >= 30  # ORB's 31 px band: nothing nearer
    assert len(narrow) > len(wide)
    assert _edge_distance(narrow.points, narrow.size).min() < 30
    assert narrow.descriptors.shape == (len(narrow), wide.descriptors.shape[1])
    # The inside's keypoints are kept as they were, descriptors and all; the band only adds, after them.
    assert np.array_equal(narrow.points[: len(wide)], wide.points)
    assert np.array_equal(narrow.descriptors[: len(wide)], wide.descriptors)
    assert narrow.edge_from == len(wide) and wide.edge_from is None


def test_when_the_inside_has_enough_corners_then_the_keypoints_are_the_references_way() -> None:
    grey = np.asarray(_busy(1).convert("L"))
    wide = extract_features(grey, LocalOptions())
    narrow = extract_features(grey, LocalOptions(border=8))
    assert len(wide) >= 0.5 * LocalOptions().max_features
    assert np.array_equal(narrow.points, wide.points)
    assert np.array_equal(narrow.descriptors, wide.descriptors)
    assert narrow.edge_from is None


def test_when_a_strip_is_thinner_than_the_patch_then_the_band_alone_gives_its_corners() -> None:
    strip = np.asarray(_busy(2, (640, 48)).convert("L"))
    assert len(extract_features(strip, LocalOptions())) == 0
    found = extract_features(strip, LocalOptions(border=8))
    assert len(found) > 0 and found.descriptors.shape[0] == len(found)


def test_when_the_guard_hashes_outputs_and_references_then_only_outputs_get_the_narrow_border() -> None:
    guard = GuardOptions()
    assert guard.hash_options(query=True).local_border == guard.query_keypoint_border == 8
    assert guard.hash_options(query=False).local_border == 0
    assert guard.match_options().local_untrimmed_border == 8


@pytest.mark.parametrize("border", [1, 3, 32, -1])
def test_when_a_border_is_below_fasts_circle_or_above_the_patch_then_the_options_are_refused(border) -> None:
    with pytest.raises(InvalidInput, match="border"):
        LocalOptions(border=border)


def _ring(seed: int) -> Image.Image:
    """Detail only around a calm middle: a third-per-side crop of it shows its detail near its cut."""
    picture = _busy(seed, (768, 576))
    calm = blurred_noise(seed + 100, (200, 140), 64)
    picture.paste(calm, (284, 218))
    return picture


def test_when_a_deep_crop_keeps_its_detail_near_the_cut_then_the_narrow_border_finds_it() -> None:
    pictures = [_ring(seed) for seed in (21, 22, 23)]
    bank = picture_bank(pictures, finer=True)
    w, h = pictures[0].size
    crop = pictures[0].crop((w // 3, h // 3, w - w // 3, h - h // 3))
    found = bank.match_local(output_hashes(crop, 8))
    assert [m.reference.id for m in found] == ["ref0"]
    assert 2.4 < found[0].scale < 3.6  # a third per side: ~2.9x
    # With the references' 31 px border most of that detail lies in the band and has no descriptor.
    assert bank.match_local(output_hashes(crop, 0)) == []
    # A crop of an unregistered picture of the same kind finds nothing either way.
    other = _ring(40).crop((w // 3, h // 3, w - w // 3, h - h // 3))
    assert bank.match_local(output_hashes(other, 8)) == []


def _twice(features: LocalFeatures) -> ReferencePicture:
    """`features` as a reference that has every descriptor twice: the ratio test then keeps no pair,
    and only the retry with both nearest neighbours can verify."""
    return ReferencePicture(
        0,
        np.concatenate([features.descriptors, features.descriptors]),
        np.concatenate([features.points, features.points]),
        features.size,
        features.thumbnail,
    )


def test_when_only_keypoints_of_the_edge_band_would_pair_then_both_nearest_neighbours_are_not_tried() -> None:
    features = extract_features(np.asarray(_busy(3).convert("L")), LocalOptions())
    reference, opts = _twice(features), LocalOptions()
    verdict = verify_reference(features, reference, opts)
    assert verdict.match is not None and verdict.match.pairs == "two nearest"
    # The same keypoints marked as the band's (their patches partly mirrored): no retry on them.
    band = dataclasses.replace(features, edge_from=0)
    assert verify_reference(band, reference, opts) == Verdict(None, "too few candidate matches")
    # Half of them inside: the retry runs on that half.
    half = dataclasses.replace(features, edge_from=len(features) // 2)
    assert verify_reference(half, reference, opts).match is not None


@pytest.mark.parametrize("edge_from", [-1, 10_000])
def test_when_the_band_index_is_outside_the_keypoints_then_the_features_are_refused(edge_from) -> None:
    features = extract_features(np.asarray(_busy(3).convert("L")), LocalOptions())
    with pytest.raises(InvalidInput, match="edge_from"):
        dataclasses.replace(features, edge_from=edge_from)
