"""PDQ hashes of the rectangles an output shows inside itself (issue 14, pictures in pictures):
`insets.snap_box` moves a box found on the 256 px thumbnail onto the edges of the decoded picture,
and `hashing._inset_hashes` hashes it; the bank compares those rows with the references' whole
pictures (region "inset"), and the evidence names the box in the output's own pixels.

Pictures are drawn here: flat drawn art (a plain field with flat-coloured pentagons) and a smooth
background with no straight edges.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from helpers.banks import picture_bank
from helpers.pictures import flat_art, h264_clip, jpeg
from kyodaku.matching.media import screen_media_hashes
from kyodaku.media.evidence import image_finding
from kyodaku.media.hashing import INSET, hash_media
from kyodaku.media.local.insets import found_boxes, padded_boxes, snap_box
from kyodaku.options import GuardOptions

INSET_BOX = (752, 16, 1264, 400)
"""Where `_pip` pastes the picture (x0, y0, x1, y1 in the 1280 x 720 output)."""


def _flat_art(seed: int) -> Image.Image:
    """Ten flat-coloured pentagons: enough edges for a PDQ hash of full quality (four give some
    drawings a quality under the bank's floor, and no hash of theirs is stored)."""
    return flat_art(seed, (640, 480), shapes=10, place=(0.1, 0.9, 0.1, 0.9), radius=(0.08, 0.25))


def _soft(seed: int, size: tuple[int, int]) -> Image.Image:
    noise = np.random.default_rng(seed).integers(40, 220, (4, 6, 3)).astype(np.uint8)
    return Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)


def _pip(inset: Image.Image, seed: int) -> Image.Image:
    """`inset` (4:3) at 40 % of the width of a 1280 x 720 frame at INSET_BOX, with a 2 px white
    outline as players draw it."""
    frame = _soft(seed, (1280, 720)).convert("RGB")
    x0, y0, x1, y1 = INSET_BOX
    ImageDraw.Draw(frame).rectangle((x0 - 2, y0 - 2, x1 + 1, y1 + 1), fill=(255, 255, 255))
    frame.paste(inset.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR), (x0, y0))
    return frame


def _query(data: bytes, **changes):
    return hash_media(data, dataclasses.replace(GuardOptions().hash_options(query=True), **changes))


@pytest.fixture(scope="module")
def flat():
    """Eight flat drawings registered; the first shown at 40 % of a frame (JPEG q90), and a ninth,
    unregistered drawing shown the same way."""
    pictures = [_flat_art(seed) for seed in range(8)]
    bank = picture_bank(pictures)
    return bank, jpeg(_pip(pictures[0], 100), 90), jpeg(_pip(_flat_art(50), 101), 90)


def test_when_a_registered_drawing_is_shown_at_40_percent_then_its_inset_hash_finds_it(flat):
    bank, shown, _ = flat
    query = _query(shown)
    insets = [f for f in query.frames if f.region == INSET]
    assert insets, "the inset was not hashed"
    matches = bank.match_image(query)
    assert [m.reference.id for m in matches] == ["ref0"]
    (match,) = matches
    assert match.region == INSET and match.distance <= bank.options.threshold
    # The box is named in the output's own pixels, within a few px of where the picture was pasted.
    assert all(abs(a - b) <= 6 for a, b in zip(match.inset, INSET_BOX, strict=True))


def test_when_inset_hashes_are_off_then_pdq_alone_does_not_find_the_inset(flat):
    bank, shown, _ = flat
    query = _query(shown, inset_hashes=False)
    assert not [f for f in query.frames if f.region == INSET]
    assert bank.match_image(query) == []


def test_when_the_inset_hash_decides_then_the_evidence_names_the_box(flat):
    bank, shown, _ = flat
    query = _query(shown)
    assert screen_media_hashes(bank, query, False) == {"ref0"}  # PDQ alone, keypoints off
    (match,) = bank.match_image(query)
    finding = image_finding(match, query, "character", bank.options.threshold)
    assert finding.evidence.media["region"] == INSET
    assert finding.evidence.media["inset"] == list(match.inset)
    assert f"shown in a rectangle inside the output at {list(match.inset)}" in finding.evidence.note


def test_when_an_unregistered_drawing_is_shown_the_same_way_then_nothing_is_found(flat):
    bank, _, other = flat
    query = _query(other)
    assert [f for f in query.frames if f.region == INSET], "the inset was not hashed"
    assert bank.match_image(query) == []


def test_when_a_clip_shows_a_registered_drawing_at_40_percent_then_its_frames_inset_hashes_find_it(
    flat, tmp_path
):
    bank, _, _ = flat
    pictures = [_flat_art(seed) for seed in range(8)]
    frames = [_pip(pictures[0], 100).resize((640, 360), Image.Resampling.BILINEAR)] * 24
    clip = hash_media(h264_clip(frames, tmp_path / "pip.mp4"), GuardOptions().hash_options(query=True))
    shown = [f for f in clip.frames if f.region == INSET]
    assert {f.frame for f in shown} == {0, 1, 2}  # 3 s at 1 sampled frame/s
    (match,) = bank.match_video(clip)
    assert match.reference.id == "ref0"
    # Without them, no frame's hash is the drawing's.
    plain = dataclasses.replace(clip, frames=tuple(f for f in clip.frames if f.region != INSET))
    assert bank.match_video(plain) == []


def test_when_the_boxes_were_found_at_hashing_then_the_keypoint_look_reuses_the_same_boxes(flat):
    _, shown, _ = flat
    query = _query(shown)
    assert query.insets == found_boxes(query.local) != []
    assert padded_boxes(query.local, query.insets) == padded_boxes(query.local)
    assert _query(shown, inset_hashes=False).insets is None  # not looked for: the bank finds them


def test_when_a_box_is_found_a_few_pixels_off_then_snap_box_moves_it_onto_the_edges():
    grey = np.full((360, 640), 90, np.uint8)
    grey[40:240, 300:560] = 200  # a pasted rectangle: x 300..560, y 40..240
    assert snap_box(grey, (303.4, 37.0, 556.2, 243.9)) == (300, 40, 560, 240)


def test_when_a_box_is_too_small_then_snap_box_gives_none():
    grey = np.full((100, 100), 50, np.uint8)
    assert snap_box(grey, (10, 10, 20, 60)) is None


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 255),
    st.floats(-20, 120),
    st.floats(-20, 120),
    st.floats(0, 140),
    st.floats(0, 140),
)
def test_when_the_picture_is_one_colour_then_snap_box_keeps_the_box_inside_it(level, x0, y0, w, h):
    grey = np.full((100, 120), level, np.uint8)
    box = snap_box(grey, (x0, y0, x0 + w, y0 + h))
    if box is not None:
        a, b, c, d = box
        assert 0 <= a < c <= 120 and 0 <= b < d <= 100
        assert c - a >= 16 and d - b >= 16


@settings(max_examples=40, deadline=None)
@given(
    st.integers(8, 400),
    st.integers(8, 400),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0.05, 1),
    st.floats(0.05, 1),
    st.integers(0, 2**16),
)
def test_when_any_picture_shows_a_pasted_rectangle_then_its_inset_hashes_lie_inside_it(
    w, h, fx, fy, fw, fh, seed
):
    """Any size (strips and slivers included), any place and share of the rectangle, a light outline
    as players draw it (at 64-400 px and 25-70 % most such pictures get inset hashes)."""
    background = _soft(seed, (w, h)).convert("RGB")
    pasted = _flat_art(seed).resize((max(1, round(w * fw)), max(1, round(h * fh))))
    x, y = round(fx * (w - pasted.width)), round(fy * (h - pasted.height))
    ImageDraw.Draw(background).rectangle(
        (x - 2, y - 2, x + pasted.width + 1, y + pasted.height + 1), fill="white"
    )
    background.paste(pasted, (x, y))
    query = _query(jpeg(background, 90))
    for f in query.frames:
        if f.region == INSET:
            x0, y0, x1, y1 = f.inset
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
