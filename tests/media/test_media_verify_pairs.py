"""Verification's descriptor pairs (media/local/verify.py), when both nearest neighbours are tried
(a repeated pattern's ratio-tested pairs RANSAC cannot place), the finer band's zoom bound, and what
a shortlist verifies (media/local/index.py).

The pairs come from `cv2.batchDistance` as arrays; they must be exactly the pairs that the loop
over `BFMatcher.knnMatch` gave, in the same order, since RANSAC's outcome depends on the order of
its points. The loop is kept here as the specification, and both run on random descriptors with
planted near copies and ties.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from helpers.banks import output_hashes, picture_bank
from helpers.pictures import blurred_noise, scribble
from kyodaku.domain.errors import InvalidInput
from kyodaku.media.local import LocalOptions, extract_features
from kyodaku.media.local.features import LocalFeatures, with_finer
from kyodaku.media.local.index import LocalIndex
from kyodaku.media.local.verify import (
    ReferencePicture,
    Verdict,
    _both_nearest,
    _nearest_two,
    _ratio_tested,
    verify_reference,
)


def _loop_ratio_tested(query: np.ndarray, reference: np.ndarray, opts: LocalOptions) -> list[tuple[int, int]]:
    """The pairs as the knnMatch loop chose them (each reference descriptor's nearest query, first
    on a tie, in the order the reference descriptors were first seen)."""
    knn = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(query, reference, k=2)
    best: dict[int, tuple[float, int]] = {}
    for pair in knn:
        if len(pair) < 2:
            continue
        first, second = pair
        if first.distance > opts.max_distance or first.distance >= opts.ratio * second.distance:
            continue
        seen = best.get(first.trainIdx)
        if seen is None or first.distance < seen[0]:
            best[first.trainIdx] = (first.distance, first.queryIdx)
    return [(ref, q) for ref, (_, q) in best.items()]


def _loop_both_nearest(query: np.ndarray, reference: np.ndarray, max_distance: int, limit: int):
    knn = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(query, reference, k=2)
    near = [m for pair in knn for m in pair if m.distance <= max_distance and m.queryIdx < limit]
    return [(m.trainIdx, m.queryIdx) for m in near]


def _descriptors(seed: int, n_ref: int, n_query: int, flips: int) -> tuple[np.ndarray, np.ndarray]:
    """Random reference descriptors, and queries that are near copies of some of them (`flips`
    random bits flipped), exact duplicates of each other (ties), or random."""
    rng = np.random.default_rng(seed)
    reference = rng.integers(0, 256, (n_ref, 32), dtype=np.uint8)
    rows = []
    for _ in range(n_query):
        kind = rng.integers(0, 3)
        if kind == 0:
            row = reference[rng.integers(0, n_ref)].copy()
            bits = np.unpackbits(row)
            bits[rng.choice(256, size=flips, replace=False)] ^= 1
            rows.append(np.packbits(bits))
        elif kind == 1 and rows:
            rows.append(rows[int(rng.integers(0, len(rows)))].copy())  # a tie with an earlier query
        else:
            rows.append(rng.integers(0, 256, 32, dtype=np.uint8))
    return np.ascontiguousarray(np.stack(rows)), reference


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_ref=st.integers(2, 120),
    n_query=st.integers(1, 120),
    flips=st.integers(0, 80),
)
def test_when_descriptors_are_paired_then_the_pairs_and_their_order_are_the_knn_loops(
    seed, n_ref, n_query, flips
) -> None:
    query, reference = _descriptors(seed, n_ref, n_query, flips)
    opts = LocalOptions()
    ref_idx, q_idx = _ratio_tested(_nearest_two(query, reference), opts)
    expected = _loop_ratio_tested(query, reference, opts)
    assert list(zip(ref_idx.tolist(), q_idx.tolist(), strict=True)) == expected
    limit = int(np.random.default_rng(seed).integers(0, n_query + 1))
    ref_idx, q_idx = _both_nearest(_nearest_two(query, reference), opts.max_distance, limit)
    assert list(zip(ref_idx.tolist(), q_idx.tolist(), strict=True)) == _loop_both_nearest(
        query, reference, opts.max_distance, limit
    )


def test_when_two_queries_are_as_near_to_one_reference_descriptor_then_the_first_keeps_it() -> None:
    reference = np.zeros((2, 32), np.uint8)
    reference[1] = 255  # far from everything below
    query = np.zeros((3, 32), np.uint8)
    query[2, 0] = 1  # one bit further than the two exact copies
    ref_idx, q_idx = _ratio_tested(_nearest_two(query, reference), LocalOptions())
    assert ref_idx.tolist() == [0] and q_idx.tolist() == [0]


def _picture(seed: int) -> Image.Image:
    noise = np.random.default_rng(seed).integers(40, 220, (72, 96, 3)).astype(np.uint8)
    background = Image.fromarray(noise).resize((768, 576), Image.Resampling.BICUBIC)
    return scribble(background, f"pairs:{seed}", shapes=160, extent=10, min_extent=6, width=2)


def _count_verifications(monkeypatch) -> list[tuple[int, str]]:
    """(key, band) of every item `LocalIndex` verifies from now on, in order."""
    verified: list[tuple[int, str]] = []
    original = LocalIndex._verify

    def counting(self, query, item, votes=None):
        verified.append((item.key, item.band))
        return original(self, query, item, votes)

    monkeypatch.setattr(LocalIndex, "_verify", counting)
    return verified


def test_when_a_coarse_band_verifies_then_the_same_references_finer_band_is_not_verified(monkeypatch) -> None:
    pictures = [_picture(1), _picture(2)]
    bank = picture_bank(pictures, finer=True)
    verified = _count_verifications(monkeypatch)
    w, h = pictures[0].size
    crop = pictures[0].crop((w // 10, h // 10, w - w // 10, h - h // 10))  # the coarse band finds it
    found = bank.local.match(output_hashes(crop).local)
    assert [m.key for m in found] == [0] and found[0].band == "coarse"
    assert (0, "coarse") in verified and (0, "fine") not in verified
    # A picture with the references' fine detail only in its middle third: the coarse band alone
    # cannot place it, so the finer band is still verified and finds it.
    verified.clear()
    deep = pictures[1].crop((w // 3, h // 3, 2 * w // 3, 2 * h // 3))
    found = bank.local.match(output_hashes(deep).local)
    assert (1, "fine") in verified
    assert [m.key for m in found] == [1] and found[0].band == "fine"


def test_when_nothing_is_found_then_every_shortlisted_band_is_verified(monkeypatch) -> None:
    greys = [np.asarray(_picture(seed).convert("L")) for seed in (1, 2)]
    items = [(n, with_finer(extract_features(grey), grey)) for n, grey in enumerate(greys)]
    # One vote shortlists a band. The query has the first picture's descriptors of both bands at
    # shuffled places: votes in both bands, and no placement that verifies.
    index = LocalIndex.build(items, LocalOptions(min_votes=1, fine_min_votes=1))
    own = items[0][1]
    points = np.concatenate([own.points, own.finer.points])
    shuffled = np.random.default_rng(0).permutation(len(points))
    query = LocalFeatures(
        np.ascontiguousarray(points[shuffled]),
        np.ascontiguousarray(np.concatenate([own.descriptors, own.finer.descriptors])),
        own.size,
        own.thumbnail,
    )
    shortlisted = [(index._items[n].key, index._items[n].band) for n, _ in index.shortlist(query)]
    assert {band for _, band in shortlisted} == {"coarse", "fine"}
    verified = _count_verifications(monkeypatch)
    assert index.match(query) == []
    assert sorted(verified) == sorted(shortlisted)


def test_when_a_crop_is_deeper_than_the_coarse_bands_zoom_then_the_finer_band_still_places_it() -> None:
    pictures = [_picture(seed) for seed in (1, 2, 3)]
    bank = picture_bank(pictures, finer=True)
    w, h = pictures[1].size
    cw, ch = round(w * 0.27), round(h * 0.27)  # 27 % of each side: a zoom of ~3.7x
    box = ((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch)
    query = output_hashes(pictures[1].crop(box)).local
    [match] = bank.local.match(query)
    assert match.key == 1 and match.band == "fine"
    assert LocalOptions().max_scale < match.scale < LocalOptions().fine_max_scale
    # Bounded as the coarse band is, the finer band's placement would be refused as implausible.
    bank.local.options = dataclasses.replace(bank.local.options, fine_max_scale=LocalOptions().max_scale)
    assert bank.local.match(query) == []
    # The same crop of a picture that is not registered finds nothing.
    assert bank.local.match(output_hashes(_picture(9).crop(box)).local) == []


def test_when_the_finer_bands_zoom_bound_is_below_the_coarse_bands_then_the_options_are_refused() -> None:
    with pytest.raises(InvalidInput, match="fine_max_scale"):
        LocalOptions(max_scale=3.3, fine_max_scale=3.0)


def _tiled(seed: int, tile: int = 96, size: tuple[int, int] = (768, 576)) -> Image.Image:
    """One small drawing repeated over the picture, under a faint picture of its own: most corners
    repeat, so their two nearest reference descriptors are about as near."""
    shape = scribble(Image.new("RGB", (tile, tile), (235, 235, 235)), f"tile{seed}", 6, 30, 10, 3)
    pattern = Image.new("RGB", size)
    for y in range(0, size[1], tile):
        for x in range(0, size[0], tile):
            pattern.paste(shape, (x, y))
    return Image.blend(pattern, blurred_noise(seed, size, 24), 0.25)


def _middle(picture: Image.Image) -> Image.Image:
    w, h = picture.size
    return picture.crop((int(0.2 * w), int(0.2 * h), int(0.8 * w), int(0.8 * h)))  # 20 % per side


def test_when_ransac_fits_nothing_on_ratio_tested_pairs_of_repeated_shapes_then_both_nearest_are_tried():
    found = {False: 0, True: 0}
    for seed in (4, 7, 8, 12):
        pictures = [_tiled(seed), _tiled(seed + 50)]
        index = picture_bank(pictures).local  # the coarse band alone
        query = output_hashes(_middle(pictures[0])).local
        for retry in (False, True):
            index.options = dataclasses.replace(index.options, retry_unfitted=retry)
            match, reason = index.verify(query, 0)
            if match is not None:
                found[retry] += 1
                assert match.pairs == "two nearest" and 1.4 < match.scale < 2.0  # 60 % of each side: 1.67x
            else:
                assert reason == "too few inliers"  # enough ratio-tested pairs, no placement on them
            # A picture of the same kind that is not registered is found by neither.
            assert index.match(output_hashes(_middle(_tiled(seed + 100))).local) == []
    assert found[False] == 0 and found[True] >= 3


def test_when_a_shortlisted_reference_has_few_votes_then_an_unfitted_verification_is_not_retried() -> None:
    pictures = [_tiled(4), _tiled(54)]
    index = picture_bank(pictures).local
    query = output_hashes(_middle(pictures[0])).local
    item = index._items[0]
    reference = ReferencePicture(
        item.key,
        index._descriptors[item.start : item.stop],
        index._points[item.start : item.stop],
        item.size,
        item.thumbnail,
    )
    need = 2 * index.options.min_inliers  # the pairs the retry itself needs
    few = verify_reference(query, dataclasses.replace(reference, votes=need - 1), index.options)
    many = verify_reference(query, dataclasses.replace(reference, votes=need), index.options)
    assert few == Verdict(None, "too few inliers")
    assert many.match is not None and many.match.pairs == "two nearest"
    # Verified directly (no shortlist, no votes), as calibration does: retried.
    assert verify_reference(query, reference, index.options).match is not None
