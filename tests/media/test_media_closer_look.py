"""A closer look at a weak output (issue 14, continued): an output whose own keypoints are fewer than
`MatchOptions.local_closer_below` is analysed again, whole, at `local_closer_side` px
(`bank._closer_features`): enlarged when it has fewer pixels, cut from the full-resolution decode when
the file has more than its draft; its keypoints are placed in the first look's frame.

Pictures are drawn here: a smooth background with a few faint lines (what a soft wallpaper shows), and
busy shapes for an output that needs no second look.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpers.banks import picture_bank
from helpers.pictures import blurred_noise, jpeg, scribble
from kyodaku.media import bank as bank_module
from kyodaku.media.bank import MatchOptions, _closer_features, _closer_untrimmed
from kyodaku.media.hashing import FullResolution, hash_media
from kyodaku.options import GuardOptions


def _soft(seed: int, size: tuple[int, int]) -> Image.Image:
    """A smooth background under ten faint lines: few corners at 256 px."""
    ground = blurred_noise(seed, size, 96)
    return Image.blend(ground, scribble(ground.copy(), f"soft:{seed}", 10, 3, 40, 2), 0.3)


def _busy(seed: int) -> Image.Image:
    return scribble(blurred_noise(seed, (640, 480), 16), f"busy:{seed}", 200, 10, 4, 1)


def _query(picture: Image.Image):
    return hash_media(jpeg(picture, 90), GuardOptions().hash_options(query=True))


def _wallpaper_crop() -> Image.Image:
    """A soft 2000 x 1500 picture cut to its middle 80 %: 1600 x 1200."""
    return _soft(4, (2000, 1500)).crop((200, 150, 1800, 1350))


@pytest.fixture(scope="module")
def weak():
    """The soft crop as a 400 x 300 output: its whole file is its draft decode, so the closer look
    enlarges it."""
    query = _query(_wallpaper_crop().resize((400, 300), Image.Resampling.BOX))
    assert query.trim is None and len(query.local) < 60
    return query


def test_when_an_output_has_few_keypoints_then_the_closer_look_finds_more_in_the_same_frame(weak) -> None:
    closer = _closer_features(weak, 512)
    assert closer is not None and len(closer) > len(weak.local)
    assert closer.size == weak.local.size
    assert (closer.points >= 0).all() and (closer.points <= np.array(closer.size)).all()


def test_when_the_closer_look_has_no_more_keypoints_than_the_first_then_it_gives_none() -> None:
    flat = _query(Image.new("RGB", (400, 300), (120, 130, 140)))
    assert len(flat.local) == 0
    assert _closer_features(flat, 512) is None


def _spy(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = bank_module._closer_features

    def closer(query, side):
        found = original(query, side)
        calls.append(0 if found is None else len(found))
        return found

    monkeypatch.setattr(bank_module, "_closer_features", closer)
    return calls


def test_when_an_output_is_weak_then_it_gets_the_closer_look_and_a_busy_one_does_not(
    weak, monkeypatch
) -> None:
    bank = picture_bank([_busy(seed) for seed in range(3)], finer=True)
    calls = _spy(monkeypatch)
    busy = _query(_busy(9))
    assert len(busy.local) >= 60
    bank.match_local(busy)
    assert calls == []
    bank.match_local(weak)
    assert len(calls) == 1 and calls[0] > len(weak.local)


@pytest.mark.parametrize("options", [MatchOptions(local_closer_below=0), MatchOptions(local_closer_side=0)])
def test_when_the_closer_look_is_switched_off_then_it_is_not_taken(weak, monkeypatch, options) -> None:
    bank = picture_bank([_busy(seed) for seed in range(3)], options, finer=True)
    calls = _spy(monkeypatch)
    bank.match_local(weak)
    assert calls == []


def test_when_a_weak_output_has_more_pixels_than_its_draft_then_the_closer_look_decodes_it_again(
    monkeypatch,
) -> None:
    query = _query(_wallpaper_crop())  # 1600 x 1200, drafted to 400 x 300
    assert len(query.local) < 60 and query.picture.size == (400, 300)
    calls: list[tuple[int, int]] = []
    original = FullResolution.grey

    def grey(self, reduce: int = 1):
        found = original(self, reduce)
        calls.append(found.size)
        return found

    monkeypatch.setattr(FullResolution, "grey", grey)
    closer = _closer_features(query, 512)
    assert len(calls) == 1 and max(calls[0]) >= 512  # decoded at least as large as the look needs
    assert closer is not None and closer.size == query.local.size
    assert len(closer) > len(query.local) and np.isfinite(closer.points).all()


@pytest.mark.parametrize("seed", [2, 7])
def test_when_a_weak_outputs_trim_took_its_soft_parts_for_borders_then_the_whole_picture_is_looked_at_closer(
    seed,
) -> None:
    # A soft picture cut to 80 % per side: the trim keeps a strip of it (its smooth parts look like
    # bars), and neither the strip nor the whole picture at 256 px has corners enough to verify.
    reference = _soft(seed, (2000, 1500))
    query = _query(reference.crop((200, 150, 1800, 1350)))
    assert query.trim is not None and query.trim.kept < 0.9 and len(query.local) < 60
    closer = _closer_untrimmed(query, 512)
    assert closer is not None
    features, (left, top, factor, width, height) = closer
    assert (width, height) == features.size == (256, 192)  # the whole 400 x 300 draft's frame
    x0, y0, x1, y1 = query.trim.box
    kx, ky = query.local.size[0] / (x1 - x0), query.local.size[1] / (y1 - y0)
    assert (left, top) == (pytest.approx(-x0 * kx), pytest.approx(-y0 * ky))
    assert factor == pytest.approx(400 / 256 * kx)  # a whole-frame px in the trimmed frame's px
    pictures = [reference, _soft(11, (2000, 1500)), _soft(12, (2000, 1500))]
    (match,) = picture_bank(pictures, finer=True).match_local(query)
    assert match.reference.id == "ref0" and match.detail["untrimmed"] is True
    off = picture_bank(pictures, MatchOptions(local_closer_below=0), finer=True)
    assert off.match_local(query) == []


def test_when_a_weak_output_was_not_trimmed_then_there_is_no_closer_look_past_a_trim(weak) -> None:
    assert weak.trim is None
    assert _closer_untrimmed(weak, 512) is None
