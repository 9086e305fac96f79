"""A registered still shown filling a frame of another shape (issue 14): references store PDQ hashes
of their centre cuts to the common frame shapes, and a video frame within a strict distance of an
image reference decides alone, as one image's hash does."""

from __future__ import annotations

from dataclasses import replace

from PIL import Image

from helpers.banks import picture_bank
from helpers.pictures import blurred_noise, flat_art, h264_clip, jpeg, png
from kyodaku.matching.media import screen_media_hashes
from kyodaku.media.bank import BankReference, MatchOptions, ReferenceBank, ReferenceHashes, _FrameHit
from kyodaku.media.evidence import image_finding, video_finding
from kyodaku.media.hashing import CUT_REGIONS, aspect_cut_box, hash_media
from kyodaku.options import GuardOptions

CANVAS = (640, 360)


def _filled(picture: Image.Image, size: tuple[int, int] = CANVAS) -> Image.Image:
    """The picture filling a frame of `size`'s shape, cut at its centre, as a player fills a frame."""
    box = aspect_cut_box(picture.width, picture.height, (size[0], size[1])) or (0, 0, *picture.size)
    return picture.crop(box).resize(size, Image.Resampling.BILINEAR)


def _drawing(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """Flat drawn art: large shapes, which H.264 keeps and PDQ hashes with a high quality."""
    return flat_art(seed, size, 6, (0.1, 0.9, 0.1, 0.9), (0.1, 0.3))


def _query(**changes):
    return replace(GuardOptions().hash_options(query=True), **changes)


def test_when_a_cut_keeps_almost_the_whole_side_then_it_has_no_box():
    assert aspect_cut_box(1920, 1080, (16, 9)) is None  # the same shape
    assert aspect_cut_box(1000, 570, (16, 9)) is None  # 98.7 % of the height kept: PDQ follows that
    assert aspect_cut_box(640, 480, (16, 9)) == (0, 60, 640, 420)  # a quarter of a 4:3 height cut
    assert aspect_cut_box(640, 480, (1, 1)) == (80, 0, 560, 480)
    assert aspect_cut_box(2000, 20, (1, 1)) == (990, 0, 1010, 20)
    assert aspect_cut_box(2000, 10, (1, 1)) is None  # under CUT_MIN_SIDE: nothing worth hashing
    assert aspect_cut_box(0, 10, (1, 1)) is None


def test_when_a_reference_is_hashed_then_each_deep_cut_is_a_named_row_and_an_output_gets_none():
    data = png(blurred_noise(1, (640, 480), 4))
    reference = hash_media(data, GuardOptions().hash_options(query=False))
    cuts = [f.region for f in reference.frames if f.region.startswith("cut-")]
    assert cuts == ["cut-16:9", "cut-1:1", "cut-3:4", "cut-9:16"]  # 4:3 itself is the whole picture
    assert set(cuts) <= set(CUT_REGIONS)
    output = hash_media(data, _query())
    assert not [f for f in output.frames if f.region.startswith("cut-")]


def test_when_a_square_picture_fills_a_wide_frame_then_pdq_finds_it_through_its_centre_cut():
    square = blurred_noise(2, (480, 480), 4)
    with_cuts = picture_bank([square, blurred_noise(3, (480, 480), 4)])
    output = hash_media(jpeg(_filled(square, (1280, 720)), 90), _query(local_features=False))
    (match,) = with_cuts.match_image(output)
    assert match.reference.id == "ref0" and match.cut == "cut-16:9"
    finding = image_finding(match, output, "character", 31)
    assert finding.evidence.media["reference_cut"] == "cut-16:9"
    assert "centre cut to 16:9" in finding.evidence.note
    # Without the cut rows, the whole picture's hash is too far from a frame that lost a quarter.
    uncut = hash_media(png(square), replace(GuardOptions().hash_options(query=False), aspect_cuts=False))
    reference = BankReference("ref0", "e0", uncut.sha256, "image", "ref0.png")
    assert ReferenceBank.build([ReferenceHashes.from_media(reference, uncut)]).match_image(output) == []


def _zoom(still: Image.Image, end: float, frames: int = 48) -> list[Image.Image]:
    """A Ken Burns zoom: from the still filling the 16:9 frame to `end` of it, drifting to a corner."""
    base = _filled(still, (still.width, round(still.width * 9 / 16)))
    out = []
    for k in range(frames):
        z = 1 - (1 - end) * k / (frames - 1)
        w, h = base.width * z, base.height * z
        x, y = (base.width - w) * 0.8, (base.height - h) * 0.2
        out.append(base.resize(CANVAS, Image.Resampling.BILINEAR, box=(x, y, x + w, y + h)))
    return out


def test_when_a_zoom_starts_on_the_still_filling_the_frame_then_its_first_frame_decides(tmp_path):
    still = _drawing(4)
    clip = h264_clip(_zoom(still, 0.5), tmp_path / "zoom.mp4")
    hashed = hash_media(clip, _query())
    bank = picture_bank([still, _drawing(40)])
    (match,) = bank.match_video(hashed)
    assert match.reference.id == "ref0" and match.cuts == ("cut-16:9",)
    note = video_finding(match, hashed, "character", 31).evidence.note
    assert "one frame within" in note and "centre cut to 16:9" in note
    # vPDQ's rule alone (two frames) does not find it: only the first frame is the still filling the
    # frame, the zoom leaves PDQ behind.
    strict = picture_bank([still, _drawing(40)], MatchOptions(single_frame_distance=0))
    assert strict.match_video(hashed) == []


def test_when_a_slideshow_shows_unregistered_pictures_then_no_frame_decides(tmp_path):
    registered = [_drawing(seed) for seed in range(10, 16)]
    bank = picture_bank(registered)
    shown = [_filled(_drawing(seed)) for seed in range(50, 56)]
    clip = h264_clip([p for p in shown for _ in range(8)], tmp_path / "slides.mp4")
    assert screen_media_hashes(bank, hash_media(clip, _query())) == set()
    # ...while the same slideshow with one registered picture among them finds that one.
    shown[3] = _filled(registered[2])
    clip = h264_clip([p for p in shown for _ in range(8)], tmp_path / "slides2.mp4")
    assert screen_media_hashes(bank, hash_media(clip, _query())) == {"ref2"}


def test_when_one_frame_is_near_but_not_within_the_strict_distance_then_it_does_not_decide_alone():
    bank = picture_bank([blurred_noise(5, (320, 240), 4)], MatchOptions(single_frame_distance=16))
    assert bank._decides_alone(0, {0: _FrameHit(16, 0, 0.0)})
    assert not bank._decides_alone(0, {0: _FrameHit(17, 0, 0.0)})
    clip = replace(bank, references=(replace(bank.references[0], media_type="video"),))
    assert not clip._decides_alone(0, {0: _FrameHit(4, 0, 0.0)})  # clips keep vPDQ's two frames
