"""Containment (issue 14): a registered picture inside a larger one (a frame of video, a picture in
picture) or a deep crop of it is found by the local-feature tier, and a video shows a still the way
an image does: letterboxed, zoomed and panned, with temporal voting so one chance frame never decides.
"""

from __future__ import annotations

import io

from PIL import Image

from helpers.banks import picture_bank
from helpers.pictures import blurred_noise, h264_clip, mpegts_clip, scribble
from kyodaku.matching.media import screen_media_hashes
from kyodaku.media.bank import ReferenceBank, _voted
from kyodaku.media.hashing import hash_media
from kyodaku.options import GuardOptions


def _picture(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A busy drawn picture: shapes and lines placed by `seed` over a textured background."""
    return scribble(
        blurred_noise(seed, size, 4), f"contain:{seed}", shapes=40, extent=4, min_extent=8, width=3
    )


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _bank(*pictures: Image.Image) -> ReferenceBank:
    return picture_bank(pictures)


def _found(bank: ReferenceBank, data: bytes) -> set[str]:
    return screen_media_hashes(bank, hash_media(data, GuardOptions().hash_options(query=True)))


def test_when_a_picture_is_shown_at_half_the_width_over_another_then_the_inset_is_found():
    # The inset is at 0.5x the reference's scale: the local tier accepted 0.75-1.35x before issue 14.
    inset, background = _picture(1), _picture(2, (1280, 720))
    bank = _bank(inset, _picture(3))
    frame = background.copy()
    frame.paste(inset.resize((640, 480)), (620, 230))
    found = _found(bank, _png(frame))
    assert "ref0" in found
    assert "ref1" not in found


def test_when_a_fifth_is_cut_from_every_side_then_the_crop_is_found():
    reference = _picture(4, (640, 480))
    bank = _bank(reference, _picture(5))
    crop = reference.crop((128, 96, 512, 384))
    assert _found(bank, _png(crop)) == {"ref0"}


def test_when_an_unrelated_picture_is_screened_then_nothing_is_found():
    bank = _bank(_picture(6), _picture(7))
    assert _found(bank, _png(_picture(8, (1280, 720)))) == set()


def test_when_one_sampled_frame_matches_alone_then_the_vote_does_not_count_it():
    assert _voted([3], list(range(10)), 2, 0.5) == []
    assert _voted([3, 4], list(range(10)), 2, 0.5) == []  # two neighbours, 20 %, no run of three
    assert _voted([3, 4, 5], list(range(10)), 2, 0.5) == [3, 4, 5]
    assert _voted([0, 2, 4, 6, 8], list(range(10)), 2, 0.5) == []  # scattered chance frames
    assert _voted([0], [0], 2, 0.5) == [0]  # a one-frame video is judged like an image


def test_when_a_still_is_letterboxed_in_a_video_then_it_is_found(tmp_path):
    reference = _picture(9, (360, 360))
    bank = _bank(reference, _picture(10))
    frame = Image.new("RGB", (640, 360), (0, 0, 0))
    frame.paste(reference, (140, 0))
    assert _found(bank, h264_clip([frame] * 24, tmp_path / "boxed.mp4")) == {"ref0"}


def test_when_a_video_zooms_slowly_into_a_still_then_it_is_found(tmp_path):
    reference = _picture(11, (640, 360))
    bank = _bank(reference, _picture(12))
    frames = []
    for k in range(32):
        z = 1 - 0.4 * k / 31
        w, h = 640 * z, 360 * z
        x, y = (640 - w) * 0.3, (360 - h) * 0.6
        frames.append(reference.resize((640, 360), Image.Resampling.BILINEAR, box=(x, y, x + w, y + h)))
    hashed = hash_media(h264_clip(frames, tmp_path / "zoom.mp4"), GuardOptions().hash_options(query=True))
    assert "ref0" in screen_media_hashes(bank, hashed)
    matches = bank.match_video_local(hashed, {m.reference.id for m in bank.match_video(hashed)})
    assert all(m.matched_frames >= 2 for m in matches)


def test_when_a_video_changes_resolution_mid_stream_then_it_is_hashed_without_a_crash():
    first = mpegts_clip([_picture(13, (320, 240))] * 8)
    second = mpegts_clip([_picture(14, (160, 90))] * 8)
    hashed = hash_media(first + second, GuardOptions().hash_options(query=True), name="sizes.ts")
    assert hashed.media_type == "video" and hashed.frame_count >= 2


def test_when_a_clip_is_corrupt_in_the_middle_then_it_is_screened_or_refused_with_a_reason():
    from kyodaku.domain.errors import KyodakuError

    clip = bytearray(mpegts_clip([_picture(15, (320, 240))] * 16))
    middle = len(clip) // 2
    clip[middle : middle + 2000] = bytes(2000)
    try:
        hashed = hash_media(bytes(clip), GuardOptions().hash_options(query=True), name="broken.ts")
    except KyodakuError as exc:
        assert "broken.ts" in str(exc)
    else:
        assert hashed.frame_count >= 1
