"""Small outputs (issue 14, continued): a picture under half of `LocalOptions.side` is enlarged before
ORB looks at it, its features say so (`LocalFeatures.enlarged`), and a reference's finer band then
needs only `enlarged_fine_min_votes` shortlist votes instead of `fine_min_votes`.

Pictures are drawn here from a seed: small shapes and thin lines over a soft textured background.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from helpers.pictures import scribble
from kyodaku.domain.errors import InvalidInput
from kyodaku.media.local import LocalOptions, extract_features, extract_finer
from kyodaku.media.local.index import LocalIndex


def _detailed(seed: int, size: tuple[int, int]) -> Image.Image:
    w, h = size
    noise = np.random.default_rng(seed).integers(40, 220, (h // 8, w // 8, 3)).astype(np.uint8)
    background = Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)
    return scribble(background, f"small:{seed}", shapes=120, extent=10, min_extent=3, width=1)


def _grey(picture: Image.Image) -> np.ndarray:
    return np.asarray(picture.convert("L"))


def test_when_a_small_picture_is_analysed_then_its_features_record_how_much_it_was_enlarged() -> None:
    small = extract_features(_grey(_detailed(1, (64, 48))))
    large = extract_features(_grey(_detailed(2, (512, 384))))
    assert small.size == (256, 192)
    assert small.enlarged == pytest.approx(4.0)
    assert large.enlarged == 1.0  # reduced to 256 px, never enlarged


def test_when_an_enlarged_output_is_shortlisted_then_a_finer_band_needs_only_the_lower_vote_floor() -> None:
    # A floor no band reaches for outputs at their own size, and the default one for enlarged outputs:
    # which floor applied is then the only thing that decides whether the band is verified.
    options = LocalOptions(fine_min_votes=10_000, enlarged_fine_min_votes=3)
    pictures = [_detailed(seed, (240, 180)) for seed in (1, 2, 3)]
    items = []
    for key, picture in enumerate(pictures):
        grey = _grey(picture)
        coarse = extract_features(grey, options)
        items.append((key, dataclasses.replace(coarse, finer=extract_finer(grey, coarse))))
    index = LocalIndex.build(items, options)
    fine_of_first = 1  # items are numbered coarse band, then finer band, per reference
    assert index.key_of(fine_of_first) == 0

    crop = _grey(pictures[0])[60:120, 80:160]  # a third per side: 80 x 60 px, enlarged 3.2x
    query = extract_features(crop, options)
    assert query.enlarged >= options.enlarged_from
    enlarged = dict(index.shortlist(query))
    as_if_full_size = dict(index.shortlist(dataclasses.replace(query, enlarged=1.0)))
    assert enlarged.get(fine_of_first, 0) >= options.enlarged_fine_min_votes
    assert fine_of_first not in as_if_full_size


@pytest.mark.parametrize("value", [0.5, float("nan"), float("inf"), True, "2"])
def test_when_enlarged_from_is_not_a_number_of_at_least_one_then_local_options_refuse_it(value) -> None:
    with pytest.raises(InvalidInput, match="enlarged_from"):
        LocalOptions(enlarged_from=value)


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan")])
def test_when_features_claim_a_non_positive_enlargement_then_they_are_refused(value) -> None:
    features = extract_features(_grey(_detailed(3, (64, 48))))
    with pytest.raises(InvalidInput, match="enlarged"):
        dataclasses.replace(features, enlarged=value)
