"""References with borders of their own (issue 14, "borders out for outputs, references and video
frames alike"): a film registered with its letterbox bars is found in a clip that shows it without
them, because the reference also stores the hash of each sampled frame's inside; a reference
hashed untrimmed is not (the same clip, the same bank otherwise)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw

from helpers.pictures import h264_clip
from kyodaku.media.bank import BankReference, ReferenceBank, ReferenceHashes
from kyodaku.media.hashing import HashOptions, hash_media
from kyodaku.options import GuardOptions


def _scene(seed: int, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(f"reference-trim:{seed}")
    w, h = size
    image = Image.fromarray(np.random.default_rng(seed).integers(40, 216, (h, w, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(20):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        box = (x, y, x + rng.uniform(10, w / 3), y + rng.uniform(10, h / 3))
        draw.ellipse(box, fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return image


def _film(tmp_path, bars: bool) -> bytes:
    """Four seconds of three shots at 4:3; with `bars`, pillarboxed into 16:9 as broadcast."""
    frames = []
    for shot in range(3):
        picture = _scene(shot, (480, 360))
        if bars:
            framed = Image.new("RGB", (640, 360), (0, 0, 0))
            framed.paste(picture, (80, 0))
            picture = framed
        frames += [picture] * 11
    return h264_clip(frames, tmp_path / f"film-{bars}.mp4")


def _bank(data: bytes, options: HashOptions) -> ReferenceBank:
    media = hash_media(data, options, name="film.mp4")
    reference = BankReference(
        "film", "e", media.sha256, "video", "film.mp4", media.frame_count, media.duration
    )
    return ReferenceBank.build([ReferenceHashes.from_media(reference, media)])


def test_when_a_film_is_registered_with_bars_then_a_clip_without_them_is_found(tmp_path):
    bank = _bank(_film(tmp_path, bars=True), GuardOptions().hash_options(query=False))
    query = hash_media(_film(tmp_path, bars=False), GuardOptions().hash_options(query=True), name="q.mp4")

    matches = bank.match_video(query)

    assert [m.reference.id for m in matches] == ["film"]
    assert matches[0].query_share >= 0.5


def test_when_the_same_film_is_stored_untrimmed_then_the_clip_without_bars_is_not_found(tmp_path):
    untrimmed = replace(GuardOptions().hash_options(query=False), trim_borders=False)
    bank = _bank(_film(tmp_path, bars=True), untrimmed)
    query = hash_media(_film(tmp_path, bars=False), GuardOptions().hash_options(query=True), name="q.mp4")

    assert bank.match_video(query) == []
