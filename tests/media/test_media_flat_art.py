"""Flat drawn art in pictures in pictures and deep crops (issue 14, continued): the pixel check's rim
(`verify.RIM`), the second look past a trim that kept a scrap (`MatchOptions.local_untrimmed_kept`)
and the coverage a fully consistent match needs (`LocalOptions.consistent_ratio`).

Pictures are drawn here: plain colour fields with flat polygons, letters drawn with Pillow's own
font, a filled shape on white.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from helpers.banks import output_hashes, picture_bank
from helpers.pictures import flat_art
from kyodaku.media.bank import MatchOptions
from kyodaku.media.borders import drifts
from kyodaku.media.local import verify
from kyodaku.media.local.verify import _agreement


def _filled_letter(size: tuple[int, int], hole: tuple[int, int, int, int]) -> np.ndarray:
    """A black filled shape reaching every side of a white picture, with a white hole: as flat as a
    filled letter stamp, grey levels only 0 and 255."""
    picture = Image.new("L", size, 0)
    ImageDraw.Draw(picture).ellipse(hole, fill=255)
    return np.asarray(picture)


def test_when_an_inset_lands_a_px_off_then_its_flat_rim_cells_still_agree() -> None:
    # The reference (256 x 192 frame, a 64 px thumbnail as references keep) shown at 0.9x inside a
    # grey frame with a 2 px white border around it; the transform is 1.5 px off, as one from a few
    # dozen keypoints of a flat drawing is.
    reference = _filled_letter((256, 192), (90, 40, 170, 130))
    ref_thumb = np.asarray(Image.fromarray(reference).resize((64, 48), Image.Resampling.BOX))
    frame = Image.new("L", (256, 192), 120)
    shown = Image.fromarray(reference).resize((230, 173), Image.Resampling.BILINEAR)
    ImageDraw.Draw(frame).rectangle((11, 8, 13 + 230, 10 + 173), fill=255)
    frame.paste(shown, (13, 10))
    q_thumb = np.asarray(frame)
    off = np.array([[0.9, 0.0, 13 + 1.5], [0.0, 0.9, 10 + 1.5]])
    assert _agreement(off, ref_thumb, (256, 192), q_thumb, (256, 192)) >= 0.88
    # Without the rim the strip of white border in the outer cells fails them.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify, "RIM", 0.0)
        assert _agreement(off, ref_thumb, (256, 192), q_thumb, (256, 192)) < 0.88
    # A different flat shape in the same place still disagrees, rim or not.
    other = _filled_letter((256, 192), (20, 100, 120, 180))
    other_thumb = np.asarray(Image.fromarray(other).resize((64, 48), Image.Resampling.BOX))
    assert _agreement(off, other_thumb, (256, 192), q_thumb, (256, 192)) < 0.88


def _flat_art(seed: int) -> Image.Image:
    """Six small flat polygons in the lower right part of a plain picture."""
    return flat_art(seed, (480, 360), shapes=6, place=(0.62, 0.92, 0.6, 0.92), radius=(0.03, 0.06))


def _scrap(picture: Image.Image):
    """The bottom-right 60 % x 60 % of `picture`, hashed as an output: its trim keeps a scrap."""
    w, h = picture.size
    return output_hashes(picture.crop((round(0.4 * w), round(0.4 * h), w, h)))


def test_when_a_crop_of_flat_art_is_trimmed_to_a_scrap_then_the_whole_output_is_looked_at_again() -> None:
    pictures = [_flat_art(seed) for seed in range(6)]
    bank = picture_bank(pictures, finer=True)
    never = picture_bank(pictures, MatchOptions(local_untrimmed_kept=0.0), finer=True)
    # The finer band, allowed to zoom up to 8x (LocalOptions.fine_max_scale), places these scraps by
    # itself; bounded as the coarse band is (3.3x), it cannot, as a scrap zoomed further cannot be:
    # the case the whole output's second look is for.
    direct = sum(
        any(m.reference.id == f"ref{n}" for m in never.match_local(_scrap(picture)))
        for n, picture in enumerate(pictures)
    )
    assert direct >= 3
    for b in (bank, never):
        b.local.options = dataclasses.replace(b.local.options, fine_max_scale=b.local.options.max_scale)
    found = found_without = untrimmed = 0
    for n, picture in enumerate(pictures):
        hashed = _scrap(picture)
        # The plain colour is one colour from line to line: a trim that does not drift, keeping
        # less than half of the crop (the polygons' box).
        assert hashed.trim is not None and hashed.trim.kept < 0.5
        assert not drifts(np.asarray(hashed.picture.convert("L")), hashed.trim)
        matches = bank.match_local(hashed)
        if any(m.reference.id == f"ref{n}" for m in matches):
            found += 1
            untrimmed += any(m.detail.get("untrimmed") for m in matches if m.reference.id == f"ref{n}")
        found_without += any(m.reference.id == f"ref{n}" for m in never.match_local(hashed))
        assert all(m.reference.id == f"ref{n}" for m in matches)
    assert found >= 5
    assert untrimmed >= 3 and found_without <= found - 3
    # Another flat picture of the same kind, cropped alike, finds nothing.
    other = _flat_art(99)
    w, h = other.size
    assert bank.match_local(output_hashes(other.crop((round(0.4 * w), round(0.4 * h), w, h)))) == []


def _letter_stamp(letter: str, size: tuple[int, int]) -> Image.Image:
    """An outlined letter on white, as a letter stamp is (Pillow's bundled font, no system fonts)."""
    picture = Image.new("RGB", size, (255, 255, 255))
    font = ImageFont.load_default(size=70)
    ImageDraw.Draw(picture).text(
        (size[0] / 2, size[1] / 2), letter, font=font, anchor="mm", fill=(255, 255, 255),
        stroke_width=3, stroke_fill=(20, 20, 20),
    )  # fmt: skip
    return picture


def test_when_a_stamps_small_crop_matches_consistently_then_low_coverage_is_forgiven() -> None:
    # A 120 x 90 stamp cut 20 % per side: 72 x 54 px, enlarged to 256 px by the output's analysis,
    # where its JPEG blocks give corners no reference has. Analysed with the references' 31 px border:
    # with the outputs' 8 px, corners near the cut are described too, and this crop's coarse band gets
    # three times the inliers and coverage over min_coverage (tests/media/test_media_query_border.py):
    # the rule is checked where it is still needed.
    stamps = [_letter_stamp(letter, (120, 90)) for letter in "GSK"]
    bank = picture_bank(stamps, finer=True)
    w, h = stamps[0].size
    box = (round(0.1 * w), round(0.3 * h), round(0.7 * w), round(0.9 * h))
    hashed = output_hashes(stamps[0].crop(box), border=0)
    opts = bank.local.options
    forgiven = []
    for item_no in range(len(bank.local)):
        if bank.local.key_of(item_no) != 0:
            continue
        match, _reason = bank.local.verify(hashed.local, item_no)
        if match is not None and match.coverage < opts.min_coverage:
            forgiven.append((item_no, match))
    assert forgiven, "no band of the stamp matched below min_coverage"
    for item_no, match in forgiven:
        assert match.inliers >= opts.consistent_ratio * match.candidates
        assert match.coverage >= opts.consistent_coverage and match.agreement >= opts.min_agreement
        # The rule off, the same band fails on coverage alone.
        bank.local.options = dataclasses.replace(opts, consistent_ratio=1.0, consistent_coverage=1.0)
        try:
            assert bank.local.verify(hashed.local, item_no) == (None, "low coverage")
        finally:
            bank.local.options = opts
    # The other letters are not found in it.
    assert {m.reference.id for m in bank.match_local(hashed)} <= {"ref0"}
