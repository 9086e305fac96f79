"""The invisible watermark carries a 64-bit ledger short id through the edits a published output suffers.

Every picture here is made by the test: photograph-like ones from numpy (lit gradient, colour
blotches, shapes, sensor noise) and drawn ones from kyodaku_samples.synthetic. Payloads are random
64-bit numbers so that no test can pass by a decoder that returns a constant. The edits mirror
bench/watermark_bench.py (which measures rates over 200 pictures); here each is checked on a few.
"""

from __future__ import annotations

import io
import math
from functools import cache
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from kyodaku.domain.errors import InvalidInput
from kyodaku.provenance.watermark import (
    WatermarkOptions,
    WatermarkReading,
    detect,
    detect_video,
    embed,
    embed_video,
)
from kyodaku_samples.synthetic import draw_frames, draw_image, encode_video


def photo_like(seed: int, size: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    array = np.empty((h, w, 3), np.float32)
    for c in range(3):
        a, b = rng.uniform(-1, 1, 2)
        array[..., c] = 120 + 70 * (a * xx / w + b * yy / h)
    grid = rng.normal(0, 45, (5, 5, 3)).astype(np.float32)
    blotches = np.asarray(
        Image.fromarray(np.clip(grid + 128, 0, 255).astype(np.uint8)).resize(size, Image.BICUBIC)
    )
    array += blotches.astype(np.float32) - 128
    picture = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    for _ in range(6):
        x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(10, min(w, h) // 4))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    noisy = np.asarray(picture).astype(np.float32) + rng.normal(0, 4, (h, w, 1))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def random_payload(seed: int) -> int:
    return int.from_bytes(np.random.default_rng(seed).bytes(8), "big")


def reload(image: Image.Image, fmt: str, **params) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
        return decoded.convert("RGB")


def half(image: Image.Image) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.BILINEAR)


def psnr(a: Image.Image, b: Image.Image) -> float:
    x, y = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return 10 * math.log10(255.0**2 / float(np.mean((x - y) ** 2)))


@cache
def fixed_picture() -> Image.Image:
    return photo_like(5, (384, 288))


PICTURES = [
    ("photo", lambda: photo_like(1, (640, 480))),
    ("scene", lambda: draw_image("scene", 3, (512, 384))),
    ("character", lambda: draw_image("character", 4, (360, 540))),
    ("text", lambda: draw_image("text", 2, (400, 400))),
]


@pytest.mark.parametrize(("kind", "make"), PICTURES, ids=[k for k, _ in PICTURES])
def test_when_a_picture_is_marked_then_detect_reads_its_payload_back(kind, make) -> None:
    original = make()
    payload = random_payload(len(kind))
    marked = embed(original, payload)
    reading = detect(marked)
    assert isinstance(reading, WatermarkReading)
    assert (reading.found, reading.payload) == (True, payload), reading.why
    assert reading.scale == pytest.approx(1.0)
    assert psnr(original, marked) >= 38.0
    assert marked.size == original.size and marked.mode == original.mode


@pytest.mark.parametrize(("kind", "make"), PICTURES, ids=[k for k, _ in PICTURES])
def test_when_a_marked_picture_is_halved_and_saved_as_jpeg_q75_then_the_payload_survives(kind, make) -> None:
    payload = random_payload(100 + len(kind))
    copy = reload(half(embed(make(), payload)), "JPEG", quality=75)
    reading = detect(copy)
    assert reading.payload == payload, reading.why


def test_when_a_marked_picture_is_cropped_by_10_percent_then_the_grid_is_resynchronized() -> None:
    original = photo_like(11, (600, 450))
    payload = random_payload(11)
    marked = embed(original, payload)
    copy = marked.crop((37, 11, 37 + 540, 11 + 405))
    reading = detect(copy)
    assert reading.payload == payload, reading.why
    assert reading.scale == pytest.approx(1 / 0.9, abs=0.03)


def test_when_a_marked_picture_becomes_a_screenshot_with_a_caption_bar_then_the_payload_survives() -> None:
    payload = random_payload(12)
    marked = embed(draw_image("scene", 12, (500, 500)), payload)
    shot = marked.resize((400, 400), Image.Resampling.BILINEAR)
    canvas = Image.new("RGB", (400, 440), (20, 20, 20))
    canvas.paste(shot, (0, 0))
    ImageDraw.Draw(canvas).text((10, 410), "look at this", fill=(255, 255, 255))
    reading = detect(reload(canvas, "WEBP", quality=80))
    assert reading.payload == payload, reading.why


@pytest.mark.parametrize(("kind", "make"), PICTURES, ids=[k for k, _ in PICTURES])
def test_when_a_picture_is_unmarked_then_no_watermark_is_found(kind, make) -> None:
    reading = detect(make())
    assert (reading.found, reading.payload) == (False, None)
    assert reading.candidates >= 1 and reading.false_match_bound < 1e-8
    assert "no watermark" in reading.why


def test_when_a_picture_is_marked_with_another_key_then_the_default_key_finds_nothing() -> None:
    marked = embed(fixed_picture(), random_payload(3), WatermarkOptions(key="someone-else"))
    assert detect(marked).found is False
    assert detect(marked, WatermarkOptions(key="someone-else")).payload == random_payload(3)


@pytest.mark.parametrize("size", [(127, 400), (400, 100), (64, 64)])
def test_when_a_picture_is_too_small_then_embed_raises_invalid_input(size) -> None:
    with pytest.raises(InvalidInput, match="too small"):
        embed(Image.new("RGB", size, (90, 120, 150)), 1)


def test_when_a_picture_is_tiny_then_detect_says_so_instead_of_raising() -> None:
    reading = detect(Image.new("RGB", (20, 20)))
    assert reading.found is False and "too small" in reading.why


@pytest.mark.parametrize("payload", [-1, 1 << 64, 2.5, True])
def test_when_the_payload_is_not_a_64_bit_integer_then_embed_raises_invalid_input(payload) -> None:
    with pytest.raises(InvalidInput):
        embed(fixed_picture(), payload)


def test_when_an_rgba_picture_is_marked_then_alpha_is_unchanged_and_the_payload_reads_back() -> None:
    rgb = fixed_picture()
    alpha = Image.linear_gradient("L").resize(rgb.size)
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    payload = random_payload(21)
    marked = embed(rgba, payload)
    assert marked.mode == "RGBA"
    assert np.array_equal(np.asarray(marked)[..., 3], np.asarray(alpha))
    assert detect(marked).payload == payload


def test_when_a_picture_is_marked_then_only_its_luma_changes_not_its_colour() -> None:
    original = fixed_picture()
    marked = embed(original, random_payload(22))
    before = np.asarray(original.convert("YCbCr"), np.int16)
    after = np.asarray(marked.convert("YCbCr"), np.int16)
    assert np.abs(after[..., 0] - before[..., 0]).max() > 3  # the mark is in Y
    assert np.abs(after[..., 1:] - before[..., 1:]).max() <= 1  # Cb, Cr: rounding only


@pytest.mark.parametrize(("mode", "expected"), [("L", "L"), ("LA", "LA"), ("P", "RGB"), ("CMYK", "RGB")])
def test_when_a_picture_has_another_mode_then_it_is_marked_in_a_mode_that_can_hold_the_mark(
    mode, expected
) -> None:
    source = fixed_picture().convert(mode)
    payload = random_payload(23)
    marked = embed(source, payload)
    assert marked.mode == expected
    if mode == "LA":
        assert np.array_equal(np.asarray(marked)[..., 1], np.asarray(source)[..., 1])
    assert detect(marked).payload == payload


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=(1 << 64) - 1))
def test_when_any_64_bit_payload_is_embedded_then_it_reads_back_exactly(payload: int) -> None:
    reading = detect(embed(fixed_picture(), payload))
    assert reading.payload == payload, reading.why
    assert reading.errors_corrected is not None and reading.errors_corrected <= reading.coded_bits


def test_when_a_marked_video_is_reencoded_at_a_lower_bitrate_then_detect_video_finds_the_payload(
    tmp_path: Path,
) -> None:
    source = encode_video(
        tmp_path / "src.mp4", draw_frames(4, seconds=0.5, fps=24.0, size=(256, 192)), fps=24
    )
    payload = random_payload(31)
    marked = embed_video(source, tmp_path / "marked.mp4", payload)
    with av.open(str(marked)) as container:
        frames = [frame.to_image() for frame in container.decode(video=0)]
    assert len(frames) == 12
    low = encode_video(tmp_path / "low.mp4", frames, fps=24, codec="libx264", crf=None, bitrate=200_000)
    assert low.stat().st_size < marked.stat().st_size
    reading = detect_video(low)
    assert reading.payload == payload, reading.why
    assert reading.frames >= 2
    assert detect_video(source).found is False
