"""Insets of flat drawn art cut again at full resolution (issue 14, continued): an inset found in an
output with few keypoints (a flat drawing at 40 % of a 1280 x 720 frame keeps ~13 in the ~640 x 360
draft decode) is cut again from the output decoded at full resolution and analysed at 512 px
(`bank._full_resolution_features`, `hashing.FullResolution`, MatchOptions.local_inset_full_below and
local_inset_full_side).

Pictures are drawn here: a plain colour field with a few flat-coloured polygons.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpers.banks import picture_bank
from helpers.pictures import flat_art, h264_clip, jpeg, png
from kyodaku.media import bank as bank_module
from kyodaku.media.bank import MatchOptions, _inset_features
from kyodaku.media.hashing import FullResolution, HashOptions, hash_media
from kyodaku.options import GuardOptions


def _flat_art(seed: int) -> Image.Image:
    """Flat drawn art: one plain colour, four flat-coloured pentagons placed by `seed`."""
    return flat_art(seed, (640, 480), shapes=4, place=(0.15, 0.85, 0.15, 0.85), radius=(0.05, 0.2))


def _soft(seed: int, size: tuple[int, int]) -> Image.Image:
    """A smooth background with no straight edges."""
    noise = np.random.default_rng(seed).integers(40, 220, (4, 6, 3)).astype(np.uint8)
    return Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)


def _pip(inset: Image.Image, seed: int) -> Image.Image:
    """`inset` at 40 % of the width of a 1280 x 720 frame, top right, 16 px in, with a light outline:
    x 752..1264, y 16..400."""
    frame = _soft(seed, (1280, 720)).convert("RGB")
    w, h = 512, round(inset.height * 512 / inset.width)
    x, y = 1280 - w - 16, 16
    ImageDraw.Draw(frame).rectangle((x - 3, y - 3, x + w + 2, y + h + 2), fill=(235, 235, 235))
    frame.paste(inset.resize((w, h), Image.Resampling.BILINEAR), (x, y))
    return frame


def _query(data: bytes):
    return hash_media(data, GuardOptions().hash_options(query=True))


@pytest.fixture(scope="module")
def flat():
    """Eight flat drawings registered (with their finer band, as registration stores them); the first
    shown at 40 % of a frame, JPEG q90."""
    pictures = [_flat_art(seed) for seed in range(8)]
    return pictures, _query(jpeg(_pip(pictures[0], 100), 90))


def _ratio_tested(bank):
    """The bank with verification from ratio-tested pairs only: the few corners of these drawings
    verify with both nearest neighbours (test_media_two_nearest.py) even from the draft's box, and
    this file is about the full-resolution cut."""
    bank.local.options = dataclasses.replace(bank.local.options, ratio_free_retry=False)
    return bank


def test_when_flat_art_is_shown_at_40_percent_then_the_full_resolution_cut_finds_it(flat):
    pictures, query = flat
    # Cut from the draft decode, its box keeps a handful of keypoints and is not found...
    (draft,) = _inset_features(query)
    assert len(draft[0]) < 30
    off = _ratio_tested(picture_bank(pictures, MatchOptions(local_inset_full_below=0), finer=True))
    assert [m.reference.id for m in off.match_local(query)] == []
    # ...cut again at full resolution, it has more, and its reference is found, in its place.
    (full,) = _inset_features(query, 60, 512)
    assert len(full[0]) > len(draft[0])
    (match,) = picture_bank(pictures, finer=True).match_local(query)
    assert match.reference.id == "ref0"
    # The output's keypoint frame is 256 x 144: the inset lies at 150.4..252.8 x 3.2..80.0, the
    # reference (256 px wide) shown at 0.4x.
    assert 0.36 < match.scale < 0.44
    x0, y0, x1, y1 = match.detail["region"]
    assert abs(x0 - 150.4) <= 5 and abs(y0 - 3.2) <= 5
    assert abs(x1 - 252.8) <= 5 and abs(y1 - 80.0) <= 5


def test_when_unregistered_flat_art_is_shown_at_40_percent_then_the_full_resolution_cut_finds_nothing(
    flat,
):
    pictures, _ = flat
    bank = picture_bank(pictures, finer=True)
    for seed in (91, 94, 98, 103):
        query = _query(jpeg(_pip(_flat_art(seed), 101), 90))
        (draft,), (full,) = _inset_features(query), _inset_features(query, 60, 512)
        assert len(draft[0]) < 60 and len(full[0]) > len(draft[0])  # the second look does run
        assert bank.match_local(query) == []


def _count_decodes(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = FullResolution.grey

    def grey(self, reduce: int = 1):
        calls.append(reduce)
        return original(self, reduce)

    monkeypatch.setattr(FullResolution, "grey", grey)
    return calls


def test_when_the_keypoint_floor_or_the_side_is_zero_then_nothing_is_decoded_again(flat, monkeypatch):
    pictures, query = flat
    calls = _count_decodes(monkeypatch)
    for options in (MatchOptions(local_inset_full_below=0), MatchOptions(local_inset_full_side=0)):
        assert _ratio_tested(picture_bank(pictures, options, finer=True)).match_local(query) == []
    assert calls == []
    picture_bank(pictures, finer=True).match_local(query)
    assert calls == [1]  # once, at full resolution (a 512 px box at 512 px)


def test_when_two_insets_are_weak_then_the_output_is_decoded_again_once(monkeypatch):
    frame = _soft(102, (1280, 720)).convert("RGB")
    for x, seed in ((40, 1), (720, 2)):
        ImageDraw.Draw(frame).rectangle((x - 3, 197, x + 514, 582), fill=(235, 235, 235))
        frame.paste(_flat_art(seed).resize((512, 384), Image.Resampling.BILINEAR), (x, 200))
    query = _query(jpeg(frame, 90))
    assert len(_inset_features(query)) == 2
    calls = _count_decodes(monkeypatch)
    assert len(bank_module._inset_features(query, 60, 512)) == 2
    assert calls == [1]


def test_when_an_output_is_decoded_again_then_it_is_grey_at_the_files_own_size():
    picture = _pip(_flat_art(3), 103)
    for data in (jpeg(picture, 90), png(picture)):
        full = _query(data).full_resolution
        assert full.grey().size == (1280, 720) and full.grey().mode == "L"
        # Reduced as far as asked and no further: JPEG by its DCT scaling, PNG by a box reduction.
        assert full.grey(2).size == (640, 360)
        assert full.grey(3).size[0] >= 1280 // 3


def test_when_the_file_changed_or_exceeds_the_pixel_limit_then_it_is_not_decoded_again(tmp_path):
    path = tmp_path / "out.jpg"
    path.write_bytes(jpeg(_pip(_flat_art(4), 104), 90))
    full = hash_media(path, GuardOptions().hash_options(query=True)).full_resolution
    assert full.grey().size == (1280, 720)
    assert dataclasses.replace(full, max_pixels=1280 * 720 - 1).grey() is None
    path.write_bytes(jpeg(Image.new("RGB", (640, 480), (9, 9, 9)), 90))
    assert full.grey() is None
    path.write_bytes(b"not a picture any more")
    assert full.grey() is None


def test_when_the_picture_is_not_kept_or_the_output_is_a_video_then_no_source_is_kept(tmp_path):
    picture = _pip(_flat_art(5), 105)
    assert hash_media(jpeg(picture, 90), HashOptions()).full_resolution is None
    clip = h264_clip([picture] * 16, tmp_path / "pip.mp4")
    assert hash_media(clip, GuardOptions().hash_options(query=True)).full_resolution is None
