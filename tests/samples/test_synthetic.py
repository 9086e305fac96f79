"""Synthetic reference media (samples/kyodaku_samples) and the benchmark edits (bench/_media_edits.py)."""

import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from kyodaku_samples.synthetic import KINDS, draw_frames, draw_image, encode_video

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _media_edits import IMAGE_EDITS, VIDEO_EDITS

SMALL = (96, 80)


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


@pytest.mark.parametrize("kind", KINDS)
def test_when_the_same_kind_and_seed_are_drawn_twice_then_the_pixels_are_identical(kind):
    assert np.array_equal(_pixels(draw_image(kind, 7, SMALL)), _pixels(draw_image(kind, 7, SMALL)))


@pytest.mark.parametrize("kind", KINDS)
def test_when_two_seeds_are_drawn_then_the_images_clearly_differ(kind):
    a, b = _pixels(draw_image(kind, 1, SMALL)), _pixels(draw_image(kind, 2, SMALL))
    assert np.abs(a - b).mean() > 10  # not a near-copy: on average more than 10 levels apart


@pytest.mark.parametrize("kind", KINDS)
def test_when_a_kind_is_drawn_then_it_is_an_rgb_image_of_the_requested_size(kind):
    image = draw_image(kind, 3, (120, 72))
    assert image.mode == "RGB"
    assert image.size == (120, 72)
    assert _pixels(image).std() > 5  # something is drawn, not a blank canvas


def test_when_the_kind_is_unknown_then_draw_image_names_the_known_ones():
    with pytest.raises(ValueError, match="character"):
        draw_image("photo", 1)


def test_when_frames_are_drawn_twice_then_the_clip_is_identical_and_moves():
    first = [_pixels(f) for f in draw_frames(4, seconds=1.0, fps=8, size=(64, 48))]
    second = [_pixels(f) for f in draw_frames(4, seconds=1.0, fps=8, size=(64, 48))]
    assert len(first) == 8
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert any(not np.array_equal(first[0], f) for f in first[1:])


def test_when_a_clip_is_encoded_then_pyav_decodes_about_fps_times_seconds_frames_of_its_size(tmp_path):
    path = encode_video(tmp_path / "clip.mp4", draw_frames(5, seconds=2.0, fps=12, size=(97, 64)), fps=12)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_image() for frame in container.decode(stream)]
    assert abs(len(frames) - 24) <= 1
    assert {f.size for f in frames} == {(96, 64)}  # odd width rounded down to even for yuv420p


def test_when_the_codec_has_no_encoder_then_encode_video_falls_back_to_mpeg4(tmp_path):
    path = encode_video(tmp_path / "clip.mp4", draw_frames(6, 0.5, 8, (48, 32)), fps=8, codec="no-such-codec")
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == "mpeg4"


@pytest.fixture(scope="module")
def picture() -> Image.Image:
    return draw_image("scene", 11, (200, 120))


@pytest.mark.parametrize("name", sorted(IMAGE_EDITS))
def test_when_an_image_edit_is_applied_then_it_returns_a_changed_rgb_image(name, picture):
    edited = IMAGE_EDITS[name](picture, np.random.default_rng(0))
    assert isinstance(edited, Image.Image)
    assert edited.mode == "RGB"
    if edited.size == picture.size:
        assert not np.array_equal(_pixels(edited), _pixels(picture))


def test_when_an_image_edit_is_applied_twice_with_the_same_seed_then_the_results_are_identical(picture):
    for edit in IMAGE_EDITS.values():
        a = edit(picture, np.random.default_rng(5))
        b = edit(picture, np.random.default_rng(5))
        assert np.array_equal(_pixels(a), _pixels(b))


def test_when_cropped_then_about_ninety_percent_of_each_side_is_kept(picture):
    cropped = IMAGE_EDITS["crop_10"](picture, np.random.default_rng(1))
    assert cropped.size == (180, 108)


def test_when_rotated_then_width_and_height_swap(picture):
    assert IMAGE_EDITS["rotate_90"](picture, np.random.default_rng(2)).size == (120, 200)


def test_when_resized_then_the_sides_halve_or_double(picture):
    assert IMAGE_EDITS["resize_50"](picture, np.random.default_rng(0)).size == (100, 60)
    assert IMAGE_EDITS["resize_200"](picture, np.random.default_rng(0)).size == (400, 240)


def test_when_mirrored_then_the_columns_are_reversed(picture):
    assert np.array_equal(
        _pixels(IMAGE_EDITS["mirror"](picture, np.random.default_rng(0))), _pixels(picture)[:, ::-1]
    )


def test_when_a_caption_bar_is_added_then_only_the_bottom_eighth_changes(picture):
    edited = _pixels(IMAGE_EDITS["caption_bar"](picture, np.random.default_rng(3)))
    original = _pixels(picture)
    bar = round(120 * 0.12)
    assert np.array_equal(edited[: 120 - bar - 1], original[: 120 - bar - 1])
    assert not np.array_equal(edited[120 - bar :], original[120 - bar :])


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "ref.mp4"
    return encode_video(path, draw_frames(9, seconds=2.0, fps=24, size=(96, 64)), fps=24)


def _probe(path: Path) -> tuple[int, tuple[int, int], float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        return len(frames), (frames[0].width, frames[0].height), float(stream.average_rate)


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("reencode", lambda n, size, fps: n == 48 and size == (96, 64)),
        ("scale_50", lambda n, size, fps: n == 48 and size == (48, 32)),
        ("trim", lambda n, size, fps: 18 <= n <= 30),
        ("fps_change", lambda n, size, fps: n == 30 and fps == 15),
        ("watermark", lambda n, size, fps: n == 48 and size == (96, 64)),
    ],
)
def test_when_a_video_edit_is_applied_then_the_output_decodes_with_the_expected_shape(
    name, check, clip, tmp_path
):
    out = VIDEO_EDITS[name](clip, tmp_path / f"{name}.mp4", np.random.default_rng(0))
    assert check(*_probe(out)), _probe(out)
