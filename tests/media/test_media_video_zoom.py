"""Ken Burns zooms over a registered still (issue 14): the keypoint tier sees each sampled frame at up
to HashOptions.video_local_side px, keeps a smooth sky that the border trim cut, and its temporal vote
lets one frame of a zoom path fail verification between two that pass."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import Image

from helpers.banks import picture_bank
from helpers.pictures import blurred_noise, h264_clip, scribble
from kyodaku.matching.media import screen_media_hashes
from kyodaku.media.bank import _voted
from kyodaku.media.borders import find_borders
from kyodaku.media.hashing import _frame_box, hash_media
from kyodaku.options import GuardOptions

CANVAS = (640, 360)


def _smooth_photo(seed: int) -> Image.Image:
    """A photograph's calm kind of picture: a sky-like gradient with faint texture over it (a quarter
    of blurred noise's contrast), whose corners H.264 mostly smooths away at 256 px."""
    noise = np.asarray(blurred_noise(seed, CANVAS, 2).convert("L"), np.float32)
    sky = np.linspace(60, 200, CANVAS[1], dtype=np.float32)[:, None]
    grey = np.clip(sky + 0.25 * (noise - noise.mean()), 0, 255).astype(np.uint8)
    return Image.fromarray(grey, "L").convert("RGB")


def _zoom(still: Image.Image, end: float, frames: int = 48) -> list[Image.Image]:
    """A slow zoom from the whole still to `end` of its width and height, drifting to one side."""
    out = []
    for k in range(frames):
        z = 1 - (1 - end) * k / (frames - 1)
        w, h = still.width * z, still.height * z
        x, y = (still.width - w) * 0.3, (still.height - h) * 0.6
        out.append(still.resize(CANVAS, Image.Resampling.BILINEAR, box=(x, y, x + w, y + h)))
    return out


def _query(**changes):
    return replace(GuardOptions().hash_options(query=True), **changes)


def test_when_a_video_zooms_to_half_over_a_smooth_still_then_it_is_found(tmp_path):
    still = _smooth_photo(1)
    bank = picture_bank([still, _smooth_photo(101)], finer=True)
    clip = h264_clip(_zoom(still, 0.5), tmp_path / "zoom.mp4")
    assert screen_media_hashes(bank, hash_media(clip, _query())) == {"ref0"}
    # The cause: at 256 px its frames keep too few corners for the keypoint tier.
    assert screen_media_hashes(bank, hash_media(clip, _query(video_local_side=0))) == set()


def test_when_frames_are_analysed_at_a_larger_side_then_their_keypoints_sit_in_the_usual_rendition(
    tmp_path,
):
    clip = h264_clip(_zoom(_smooth_photo(2), 0.6, 24), tmp_path / "zoom.mp4")
    larger = hash_media(clip, _query()).frame_local
    usual = hash_media(clip, _query(video_local_side=0)).frame_local
    assert [(n, f.size) for n, _t, f in larger] == [(n, f.size) for n, _t, f in usual]
    for _n, _t, features in larger:
        w, h = features.size
        assert features.thumbnail.shape == (h, w)  # what the inset look and the pixel check read
        assert (features.points >= 0).all() and (features.points[:, 0] < w).all()
        assert (features.points[:, 1] < h).all()
    assert sum(len(f) for _n, _t, f in larger) > 2 * sum(len(f) for _n, _t, f in usual)


def _busy(seed: int) -> np.ndarray:
    picture = scribble(
        blurred_noise(seed, (256, 144), 4), f"zoom:{seed}", shapes=30, extent=4, min_extent=8, width=3
    )
    return np.asarray(picture.convert("L")).copy()


def test_when_a_frames_trim_cuts_a_drifting_sky_then_its_keypoints_come_from_the_whole_frame():
    grey = _busy(3)
    grey[:64] = np.linspace(120, 200, 64, dtype=np.float32)[:, None].astype(np.uint8)
    frame = Image.fromarray(grey, "L")
    cut = find_borders(frame)
    assert cut.found and cut.top >= 60  # the trim took the sky for a border
    assert _frame_box(frame, cut) is None


def test_when_a_frame_has_black_bars_then_its_keypoints_come_from_inside_them():
    grey = _busy(4)
    grey[:30] = 0
    grey[-30:] = 0
    frame = Image.fromarray(grey, "L")
    cut = find_borders(frame)
    assert _frame_box(frame, cut) == cut.box
    assert cut.top >= 30 and cut.bottom <= 114


def test_when_matched_frames_alternate_with_failed_ones_then_a_reach_of_two_counts_them():
    sampled = list(range(6))
    assert _voted([0, 2, 4, 5], sampled, 2, 0.5, reach=2) == [0, 2, 4, 5]
    assert _voted([0, 2, 4, 5], sampled, 2, 0.5, reach=1) == []  # only 4 and 5 touch: 2 of 6
    assert _voted([0, 3], sampled, 2, 0.5, reach=2) == []  # three apart: no neighbour
    assert _voted([1], sampled, 2, 0.5, reach=2) == []  # one chance frame never decides


def test_when_a_video_zooms_over_an_unrelated_still_then_nothing_is_found(tmp_path):
    bank = picture_bank([_smooth_photo(5), _smooth_photo(6)], finer=True)
    busy = Image.fromarray(_busy(7), "L").resize(CANVAS).convert("RGB")
    for n, still in enumerate((_smooth_photo(7), busy)):
        clip = h264_clip(_zoom(still, 0.5, 24), tmp_path / f"zoom{n}.mp4")
        assert screen_media_hashes(bank, hash_media(clip, _query())) == set()
