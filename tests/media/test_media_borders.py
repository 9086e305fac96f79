"""Borders out before hashing (issue 14): bars and frames are cut, the picture inside is hashed too.

Pictures are drawn here (a busy seeded drawing, noise-textured where a photograph would be), so
the tests need no files; property tests put random bars of random colours and noise around them.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from helpers.banks import picture_bank
from kyodaku.media.bank import BankReference, ReferenceBank, ReferenceHashes
from kyodaku.media.borders import find_borders
from kyodaku.media.evidence import image_finding
from kyodaku.media.hashing import HashOptions, hash_image, hash_media
from kyodaku.options import GuardOptions


def _picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A busy drawing over a textured background: no line of it is plain."""
    rng = random.Random(f"borders:{seed}")
    w, h = size
    base = np.random.default_rng(seed).integers(40, 216, (h, w, 3)).astype(np.uint8)
    image = Image.fromarray(base)
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        dx, dy = rng.uniform(10, w / 3), rng.uniform(10, h / 3)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + dx, y + dy), fill=colour) if rng.random() < 0.5 else draw.rectangle(
            (x, y, x + dx, y + dy), fill=colour
        )
    return image


def _jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _boxed(image: Image.Image, canvas: tuple[int, int], colour=(0, 0, 0)) -> tuple[Image.Image, tuple]:
    cw, ch = canvas
    s = min(cw / image.width, ch / image.height)
    nw, nh = round(image.width * s), round(image.height * s)
    out = Image.new("RGB", canvas, colour)
    x, y = (cw - nw) // 2, (ch - nh) // 2
    out.paste(image.resize((nw, nh)), (x, y))
    return out, (x, y, x + nw, y + nh)


def test_when_a_4_3_picture_is_pillarboxed_into_16_9_then_the_bars_are_found_within_2_px():
    boxed, box = _boxed(_picture(1), (640, 360))
    trim = find_borders(Image.open(io.BytesIO(_jpeg(boxed))))
    assert trim.found
    assert all(abs(a - b) <= 2 for a, b in zip(trim.box, box, strict=True)), (trim.box, box)


def test_when_a_picture_has_no_border_then_nothing_is_trimmed_and_the_reason_says_so():
    trim = find_borders(_picture(2))
    assert not trim.found
    assert trim.reason == "no plain border"


@pytest.mark.parametrize(
    "picture, reason",
    [
        (Image.new("RGB", (300, 200), (0, 0, 0)), "a single colour"),
        (Image.new("L", (1, 400), 128), "too small"),
        (Image.new("L", (400, 1), 7), "too small"),
        (Image.new("L", (4000, 16), 7), "a single colour"),
    ],
)
def test_when_a_picture_is_all_border_or_a_strip_then_no_trim_is_made_with_its_reason(picture, reason):
    trim = find_borders(picture)
    assert not trim.found
    assert reason in trim.reason


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 50),
    left=st.integers(0, 60),
    top=st.integers(0, 60),
    right=st.integers(0, 60),
    bottom=st.integers(0, 60),
    grey=st.integers(0, 255),
    noise=st.floats(0, 3),
)
def test_when_random_plain_bars_surround_a_picture_then_the_trimmed_box_is_the_picture(
    seed, left, top, right, bottom, grey, noise
):
    inner = _picture(seed, (200, 150))
    w, h = 200 + left + right, 150 + top + bottom
    canvas = np.full((h, w, 3), grey, np.float64)
    canvas += np.random.default_rng(seed).normal(0, noise, canvas.shape)
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
    image.paste(inner, (left, top))
    trim = find_borders(image)
    expected = (left, top, left + 200, top + 150)
    # Bars under 2 px are noise; otherwise the box is the picture within 3 px (a bar colour that
    # happens to equal the picture's edge may take a line or two of it).
    for got, want, bar in zip(trim.box, expected, (left, top, right, bottom), strict=True):
        assert abs(got - want) <= (2 if bar < 2 else 3), (trim, expected)


@settings(max_examples=80, deadline=None)
@given(
    w=st.integers(1, 300),
    h=st.integers(1, 300),
    seed=st.integers(0, 1000),
    mode=st.sampled_from(["L", "RGB"]),
)
def test_when_any_size_or_content_is_given_then_find_borders_never_crashes(w, h, seed, mode):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    if rng.random() < 0.5:
        data[: rng.integers(0, h + 1)] = rng.integers(0, 256)
    image = Image.fromarray(data).convert(mode)
    trim = find_borders(image)
    assert 0 <= trim.left <= trim.right <= w and 0 <= trim.top <= trim.bottom <= h
    assert trim.found or trim.reason


def _bank(*pictures: Image.Image) -> ReferenceBank:
    return picture_bank(pictures)


def test_when_a_registered_square_picture_is_pillarboxed_then_pdq_finds_it_and_the_evidence_names_the_trim():
    reference = _picture(3, (300, 300))
    bank = _bank(reference, _picture(4, (300, 300)))
    boxed, _ = _boxed(reference, (1280, 720))
    query = hash_image(_jpeg(boxed), GuardOptions().hash_options(query=True), name="boxed.jpg")
    matches = bank.match_image(query)
    assert [m.reference.id for m in matches] == ["ref0"]
    assert matches[0].trim is not None
    finding = image_finding(matches[0], query, "character", 31)
    assert finding.evidence.media["trim"]["of"] == [1280, 720]
    assert "inside the output's plain borders" in finding.evidence.note


def test_when_trimming_is_off_then_the_same_pillarboxed_copy_is_not_found_by_pdq():
    reference = _picture(3, (300, 300))
    bank = _bank(reference)
    boxed, _ = _boxed(reference, (1280, 720))
    options = HashOptions(dihedral=True, trim_borders=False)
    assert bank.match_image(hash_image(_jpeg(boxed), options)) == []


def test_when_a_picture_sits_at_half_the_width_of_a_plain_page_then_it_is_found():
    reference = _picture(5, (320, 240))
    bank = _bank(reference)
    page = Image.new("RGB", (640, 480), (245, 245, 245))
    page.paste(reference, (40, 200))
    query = hash_image(_jpeg(page), GuardOptions().hash_options(query=True))
    assert {m.reference.id for m in bank.match_image(query)} == {"ref0"}


def test_when_an_image_has_no_border_then_no_trimmed_hash_is_added():
    query = hash_image(_png(_picture(6)), GuardOptions().hash_options(query=True))
    assert query.trim is None
    assert all(f.trim is None for f in query.frames)


@pytest.mark.parametrize(
    "size, colour",
    [((1, 400), None), ((400, 1), None), ((4000, 16), None), ((16, 4000), None), ((300, 200), (0, 0, 0))],
)
def test_when_a_strip_an_extreme_aspect_or_an_all_black_picture_is_hashed_then_it_gets_hashes_not_a_crash(
    size, colour
):
    rng = np.random.default_rng(sum(size))
    if colour is None:
        image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    else:
        image = Image.new("RGB", size, colour)
    hashed = hash_image(_png(image), GuardOptions().hash_options(query=True), name="odd.png")
    assert hashed.frames and hashed.trim is None


def _on_white_page(seed: int) -> Image.Image:
    """Character art as rightsholders often register it: the drawing on a plain white page."""
    page = Image.new("RGB", (300, 300), (255, 255, 255))
    page.paste(_picture(seed, (200, 240)), (50, 30))
    return page


def test_when_a_reference_on_a_white_page_is_shown_letterboxed_then_pdq_finds_it_by_both_insides():
    reference = _on_white_page(11)
    bank = _bank(reference, _on_white_page(12))
    boxed, _ = _boxed(reference, (1280, 720))  # black bars around the white page: both come off
    query = hash_image(_jpeg(boxed), GuardOptions().hash_options(query=True), name="boxed.jpg")

    matches = bank.match_image(query)

    assert [m.reference.id for m in matches] == ["ref0"]
    assert matches[0].region == "trimmed"


def test_when_references_are_stored_untrimmed_then_the_same_letterboxed_page_is_not_found_by_pdq():
    reference = _on_white_page(11)
    untrimmed = replace(GuardOptions().hash_options(query=False), trim_borders=False)
    media = hash_media(_png(reference), untrimmed, name="r")
    bank = ReferenceBank.build(
        [ReferenceHashes.from_media(BankReference("ref0", "e0", media.sha256, "image", "r.png"), media)]
    )
    boxed, _ = _boxed(reference, (1280, 720))
    query = hash_image(_jpeg(boxed), GuardOptions().hash_options(query=True), name="boxed.jpg")

    assert bank.match_image(query) == []


def test_when_a_reference_has_borders_then_its_keypoints_describe_the_whole_picture_as_registered():
    reference = _on_white_page(13)
    media = hash_media(_png(reference), GuardOptions().hash_options(query=False), name="r.png")

    assert media.trim is not None and media.trim.found
    assert any(f.region == "trimmed" for f in media.frames)
    assert media.local is not None and media.local.size == (256, 256)  # the 300 px page, not its inside
