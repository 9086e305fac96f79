"""Insets (issue 14): a registered picture shown small inside another one (picture in picture) is too
small in the output's 256 px analysis; the rectangles an output shows inside itself are found
(media/local/insets.py) and analysed again at the resolution they have (bank.match_local)."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
from PIL import Image, ImageDraw

from helpers.banks import picture_bank
from helpers.pictures import blurred_noise, h264_clip, scribble
from kyodaku.matching.media import screen_media_hashes
from kyodaku.media.bank import MatchOptions, ReferenceBank
from kyodaku.media.hashing import hash_media
from kyodaku.media.local.insets import inset_boxes
from kyodaku.options import GuardOptions


def _picture(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A busy drawn picture: ellipses and lines placed by `seed` over a soft textured background."""
    return scribble(blurred_noise(seed, size, 8), f"inset:{seed}", shapes=60, extent=5, min_extent=6, width=3)


def _soft(seed: int, size: tuple[int, int]) -> Image.Image:
    """A smooth picture with no straight edges (clouds of colour): what a background usually is."""
    noise = np.random.default_rng(seed).integers(40, 220, (4, 6, 3)).astype(np.uint8)
    return Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=88)
    return buf.getvalue()


def _bank(*pictures: Image.Image, insets: bool = True) -> ReferenceBank:
    return picture_bank(pictures, MatchOptions(local_insets=insets))


def _inset_frame(inset: Image.Image, background: Image.Image, share: float, corner: int) -> Image.Image:
    """`inset` at `share` of the width of the 1280 x 720 `background`, in one corner, 16 px in, with
    a thin light outline as video players draw one (its sides are then edges all along)."""
    frame = background.resize((1280, 720)).convert("RGB")
    w = round(1280 * share)
    h = round(inset.height * w / inset.width)
    x = 16 if corner in (0, 2) else 1280 - w - 16
    y = 16 if corner in (0, 1) else 720 - h - 16
    ImageDraw.Draw(frame).rectangle((x - 3, y - 3, x + w + 2, y + h + 2), fill=(235, 235, 235))
    frame.paste(inset.convert("RGB").resize((w, h), Image.Resampling.BILINEAR), (x, y))
    return frame


def _grey_thumb(image: Image.Image, side: int = 256) -> np.ndarray:
    scale = side / max(image.size)
    small = image.convert("L").resize((round(image.width * scale), round(image.height * scale)))
    return np.asarray(small)


def test_when_a_picture_is_pasted_over_a_smooth_one_then_its_box_is_found():
    frame = _inset_frame(_picture(1), _soft(2, (1280, 720)), 0.3, corner=3)
    boxes = inset_boxes(_grey_thumb(frame))
    assert boxes
    # The pasted picture spans x 880..1264, y 416..704 of 1280 x 720: 176..253, 83..141 at 256 px.
    x0, y0, x1, y1 = boxes[0]
    assert abs(x0 - 176) <= 4 and abs(y0 - 83) <= 4
    assert abs(x1 - 253) <= 4 and abs(y1 - 141) <= 4


def test_when_a_picture_has_no_pasted_rectangle_then_no_box_is_found():
    assert inset_boxes(_grey_thumb(_soft(3, (1280, 720)))) == []
    assert inset_boxes(_grey_thumb(_picture(4, (1280, 720)))) == []


def test_when_a_picture_is_tiny_or_not_grey_then_no_box_is_asked_for():
    assert inset_boxes(np.zeros((10, 300), np.uint8)) == []
    assert inset_boxes(np.zeros((64, 64, 3), np.uint8)) == []


def test_when_a_picture_is_shown_at_a_quarter_of_the_width_then_the_inset_look_finds_it():
    reference, other = _picture(5), _picture(6)
    frame = _inset_frame(reference, _soft(7, (1280, 720)), 0.25, corner=1)
    data = _jpeg(frame)
    # The keypoints' look alone: the inset's PDQ hash (test_media_inset_hashes.py) is not asked for.
    options = dataclasses.replace(GuardOptions().hash_options(query=True), inset_hashes=False)
    query = hash_media(data, options)
    # Without the second look the inset is too small for the whole output's 256 px analysis.
    assert "ref0" not in screen_media_hashes(_bank(reference, other, insets=False), query)
    found = screen_media_hashes(_bank(reference, other), query)
    assert found == {"ref0"}


def test_when_an_inset_is_found_then_its_region_is_reported_in_the_outputs_frame():
    reference = _picture(8)
    frame = _inset_frame(reference, _soft(9, (1280, 720)), 0.25, corner=0)
    query = hash_media(_jpeg(frame), GuardOptions().hash_options(query=True))
    (match,) = _bank(reference, _picture(10)).match_local(query)
    assert match.reference.id == "ref0"
    # 320 px of 1280 at 256 px: the reference (256 px wide) is shown at ~0.25x, from x ~3, y ~3.
    assert 0.2 < match.scale < 0.3
    x0, y0, x1, y1 = match.detail["region"]
    assert abs(x0 - 3.2) <= 4 and abs(y0 - 3.2) <= 4
    assert abs(x1 - 67.2) <= 5 and abs(y1 - 51.2) <= 5
    assert "inset" in match.detail


def test_when_an_unrelated_picture_is_pasted_then_the_inset_look_finds_nothing():
    bank = _bank(_picture(11), _picture(12))
    frame = _inset_frame(_picture(13), _soft(14, (1280, 720)), 0.3, corner=2)
    query = hash_media(_jpeg(frame), GuardOptions().hash_options(query=True))
    assert inset_boxes(query.local.thumbnail)  # the second look does run
    assert screen_media_hashes(bank, query) == set()


def test_when_the_option_is_off_then_the_decoded_picture_is_not_kept():
    options = dataclasses.replace(GuardOptions(), local_insets=False)
    assert options.hash_options(query=True).keep_picture is False
    assert options.match_options().local_insets is False
    assert GuardOptions().hash_options(query=True).keep_picture is True


def test_when_a_video_shows_a_still_as_a_small_inset_then_its_frames_find_it(tmp_path):
    reference, other = _picture(15), _picture(16)
    frame = _inset_frame(reference, _soft(17, (1280, 720)), 0.25, corner=2)
    data = h264_clip([frame] * 24, tmp_path / "pip.mp4")
    query = hash_media(data, GuardOptions().hash_options(query=True))
    frames = [f for f, _t, _features in query.frame_local]
    assert len(frames) > len(set(frames))  # each sampled frame has its inset analysed as well
    assert screen_media_hashes(_bank(reference, other), query) == {"ref0"}
    # The inset look is what finds it in frames analysed at 256 px; at HashOptions.video_local_side's
    # 640 px the whole frame shows the inset with enough pixels to find it without that look as well.
    plain = dataclasses.replace(GuardOptions(), local_insets=False).hash_options(query=True)
    plain = dataclasses.replace(plain, video_local_side=0)
    assert "ref0" not in screen_media_hashes(_bank(reference, other), hash_media(data, plain))


def _run_on_frame(inset: Image.Image, background: Image.Image) -> Image.Image:
    """`inset` pasted at 480..864 x 200..488 of the 1280 x 720 `background`, its four sides drawn as
    light lines that run on past each corner (a "#"): each side continues as an edge of the frame,
    as an inset's side often continues an edge of the picture behind it."""
    frame = background.resize((1280, 720)).convert("RGB")
    x0, y0, x1, y1 = 480, 200, 864, 488
    frame.paste(inset.convert("RGB").resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR), (x0, y0))
    draw = ImageDraw.Draw(frame)
    for y in (y0 - 3, y1):
        draw.rectangle((x0 - 120, y, x1 + 120, y + 2), fill=(250, 250, 250))
    for x in (x0 - 3, x1):
        draw.rectangle((x, y0 - 90, x + 2, y1 + 90), fill=(250, 250, 250))
    return frame


def test_when_an_insets_sides_run_on_past_its_corners_then_its_box_is_found():
    boxes = inset_boxes(_grey_thumb(_run_on_frame(_picture(21), _soft(22, (1280, 720)))))
    assert boxes
    # The pasted picture spans x 480..864, y 200..488 of 1280 x 720: 96..173, 40..98 at 256 px.
    x0, y0, x1, y1 = boxes[0]
    assert abs(x0 - 96) <= 4 and abs(y0 - 40) <= 4
    assert abs(x1 - 173) <= 4 and abs(y1 - 98) <= 4


def test_when_an_inset_with_sides_running_on_is_registered_then_the_inset_look_finds_it():
    reference = _picture(23)
    frame = _run_on_frame(reference, _soft(24, (1280, 720)))
    query = hash_media(_jpeg(frame), GuardOptions().hash_options(query=True))
    assert screen_media_hashes(_bank(reference, _picture(25)), query) == {"ref0"}


def test_when_a_long_bar_lies_across_a_picture_then_it_is_no_inset():
    # A caption bar or a band between two long edges of a picture is a rectangle but no picture:
    # 1100 x 160 px of 1280 x 720 (19 % of the area, ~7 times as wide as high).
    frame = _soft(26, (1280, 720)).convert("RGB")
    ImageDraw.Draw(frame).rectangle((90, 280, 1189, 439), fill=(250, 250, 250))
    assert inset_boxes(_grey_thumb(frame)) == []
    # A plate of the same colour and edges, under three times as wide as high, is a box: the bound
    # is on the shape.
    frame = _soft(26, (1280, 720)).convert("RGB")
    ImageDraw.Draw(frame).rectangle((140, 240, 639, 479), fill=(250, 250, 250))
    assert inset_boxes(_grey_thumb(frame))
