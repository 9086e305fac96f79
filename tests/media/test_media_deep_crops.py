"""Deep crops (issue 14, continued): a crop of a third per side of a reference, found through the
reference's finer band, which is now spread over the picture, enlarged for small references, and
not counted against a match by its keypoint count; and a second look at the whole output when its
border trim took a drifting sky for a border.

Pictures are drawn here from a seed: textured backgrounds under shapes and lines (tests/helpers).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from helpers.banks import output_hashes, picture_bank
from helpers.pictures import blurred_noise, scribble
from kyodaku.media.bank import MatchOptions
from kyodaku.media.borders import Trim, drifts, find_borders
from kyodaku.media.local import LocalOptions, extract_features, extract_finer
from kyodaku.media.local.verify import _coverage


def _detailed(seed: int, size: tuple[int, int]) -> Image.Image:
    """Small shapes and thin lines over a soft textured background."""
    w, h = size
    noise = (
        np.random.default_rng(seed).integers(40, 220, (max(1, h // 8), max(1, w // 8), 3)).astype(np.uint8)
    )
    background = Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)
    return scribble(background, f"deep:{seed}", shapes=120, extent=10, min_extent=3, width=1)


def _third(picture: Image.Image) -> Image.Image:
    w, h = picture.size
    return picture.crop((w // 3, h // 3, 2 * w // 3, 2 * h // 3))


def test_when_one_part_of_a_picture_is_busy_then_the_spread_band_keeps_keypoints_in_the_calm_part() -> None:
    # Left half: dense, strong detail. Right half: a few soft shapes on a smooth ground.
    picture = Image.new("RGB", (768, 576), (128, 128, 128))
    busy = scribble(Image.new("RGB", (384, 576), (128, 128, 128)), "busy", 900, 12, 3, 2)
    calm = scribble(blurred_noise(5, (384, 576), 48), "calm", 100, 8, 8, 1)
    picture.paste(busy, (0, 0))
    picture.paste(calm, (384, 0))
    grey = np.asarray(picture.convert("L"))

    def calm_share(grid: int) -> float:
        f = extract_features(grey, LocalOptions(side=768, max_features=300, spread_grid=grid))
        return float((f.points[:, 0] >= 384 + 16).mean())

    assert calm_share(8) > 4 * calm_share(0)
    assert calm_share(8) >= 0.08


def test_when_a_small_reference_is_cut_to_a_third_then_its_enlarged_finer_band_finds_the_crop() -> None:
    pictures = [_detailed(seed, (240, 180)) for seed in (1, 2, 3)]
    finer_bank, coarse_bank = picture_bank(pictures, finer=True), picture_bank(pictures, finer=False)
    grey = np.asarray(pictures[0].convert("L"))
    band = extract_finer(grey, extract_features(grey))
    assert band is not None and band.size == (256, 192)  # found at 768 px, placed in the coarse frame
    found_finer = found_coarse = 0
    for n, picture in enumerate(pictures):
        hashed = output_hashes(_third(picture))  # 80 x 60 px, enlarged to 256 px by the output's analysis
        matches = finer_bank.match_local(hashed)
        if matches and matches[0].reference.id == f"ref{n}":
            found_finer += 1
            assert 2.5 < matches[0].scale < 3.5
        found_coarse += any(m.reference.id == f"ref{n}" for m in coarse_bank.match_local(hashed))
    assert found_finer >= 2
    assert found_coarse < found_finer


def test_when_a_finer_band_is_verified_then_only_the_outputs_keypoints_are_counted_for_coverage() -> None:
    rng = np.random.default_rng(0)
    ref_pts = rng.uniform(0, 256, (1200, 2)).astype(np.float32)  # a dense band, all in view
    q_pts = rng.uniform(0, 256, (100, 2)).astype(np.float32)
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    counted = _coverage(identity, 20, ref_pts, (256, 256), q_pts, (256, 256))
    band = _coverage(identity, 20, ref_pts, (256, 256), q_pts, (256, 256), count_reference=False)
    assert counted == pytest.approx(20 / 1200)
    assert band == pytest.approx(20 / 100)


def _sky_over_ground(seed: int) -> Image.Image:
    """A smooth vertical gradient (a sky) over the top 70 %, detailed ground under it."""
    w, h = 640, 480
    sky_rows = int(h * 0.7)
    shade = np.linspace(235, 120, sky_rows)[:, None].repeat(w, axis=1)
    sky = np.stack([shade * 0.8, shade * 0.9, shade], axis=2).astype(np.uint8)
    picture = _detailed(seed, (w, h))
    picture.paste(Image.fromarray(sky), (0, 0))
    return picture


def test_when_a_border_is_one_colour_then_it_does_not_drift_and_a_sky_does() -> None:
    ground = _detailed(7, (480, 360))
    boxed = Image.new("RGB", (640, 360), (0, 0, 0))
    boxed.paste(ground, (80, 0))
    bar = np.asarray(boxed.convert("L"))
    trim = find_borders(bar)
    assert trim.found and not drifts(bar, trim)
    sky = np.asarray(_sky_over_ground(7).convert("L"))
    cut = find_borders(sky)
    assert cut.found and cut.top > 0.5 * cut.height  # the trim took the sky for a border
    assert drifts(sky, cut)
    assert not drifts(sky, Trim(0, 0, 640, 480, 640, 480))  # no cut, nothing to doubt


def test_when_the_trim_took_a_sky_for_a_border_then_the_whole_output_is_looked_at_again() -> None:
    pictures = [_sky_over_ground(seed) for seed in (11, 12)]
    # Without the closer look at the strip (test_media_closer_look.py), which finds this crop too.
    no_closer = MatchOptions(local_closer_below=0)
    bank = picture_bank(pictures, no_closer, finer=True)
    w, h = pictures[0].size
    crop = pictures[0].crop((w // 10, h // 10, w - w // 10, h - h // 10))
    # With the references' 31 px border the strip inside the trim has too few described corners of
    # its own (with the outputs' 8 px such corners are described: tests/media/test_media_query_border.py).
    hashed = output_hashes(crop, border=0)
    assert hashed.trim is not None and hashed.trim.kept < 0.5
    assert [m for m in bank.local.match(hashed.local)] == []  # the strip inside the trim: not enough
    [match] = bank.match_local(hashed)
    assert match.reference.id == "ref0" and match.detail["untrimmed"] is True
    assert 1.1 < match.scale < 1.4  # in the trimmed frame's terms: a crop of 80 % per side is 1.25
    # An unrelated picture with the same sky finds nothing; the look switched off, the crop neither.
    assert bank.match_local(output_hashes(_sky_over_ground(13))) == []
    off = dataclasses.replace(no_closer, local_untrimmed=False)
    assert picture_bank(pictures, off, finer=True).match_local(hashed) == []
