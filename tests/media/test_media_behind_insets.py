"""The picture behind a picture in picture (issue 14, continued): an inset hides a corner of the
registered picture it is pasted over. The pixel check leaves the output's insets out for a reference
that extends past them (`LocalOptions.max_hidden`, `LocalFeatures.drawn_over`), and a second look
takes the output's keypoints with its insets painted over (`bank._behind_insets`), so the background
gets ORB's keypoint budget.

Pictures are drawn here: busy scribbles over soft noise, pasted with the outline a player draws.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpers.banks import output_hashes, picture_bank
from helpers.pictures import blurred_noise, h264_clip, scribble
from kyodaku.domain.errors import InvalidInput
from kyodaku.matching.media import screen_media_hashes
from kyodaku.media import bank as bank_module
from kyodaku.media.bank import MatchOptions, _behind_insets
from kyodaku.media.hashing import hash_media
from kyodaku.media.local import LocalOptions, extract_features
from kyodaku.media.local import index as index_module
from kyodaku.media.local.index import LocalIndex
from kyodaku.media.local.verify import _agreement, _visible
from kyodaku.options import GuardOptions


def _busy(seed: int, size: tuple[int, int]) -> Image.Image:
    return scribble(
        blurred_noise(seed, size, 16), f"behind:{seed}", shapes=160, extent=8, min_extent=4, width=2
    )


def _over(background: Image.Image, inset: Image.Image, share: float = 0.4) -> Image.Image:
    """`inset` at `share` of the width of `background` (1280 x 720), in its lower left corner, with a
    light outline: a picture in picture."""
    frame = background.resize((1280, 720)).convert("RGB")
    w = round(1280 * share)
    h = round(inset.height * w / inset.width)
    x, y = 16, 720 - h - 16
    ImageDraw.Draw(frame).rectangle((x - 3, y - 3, x + w + 2, y + h + 2), fill=(235, 235, 235))
    frame.paste(inset.convert("RGB").resize((w, h), Image.Resampling.BILINEAR), (x, y))
    return frame


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"))


def _box_in(features, left: float, top: float, right: float, bottom: float) -> tuple[float, ...]:
    """A box given as shares of the picture, in px of `features`' thumbnail."""
    th, tw = features.thumbnail.shape
    return (left * tw, top * th, right * tw, bottom * th)


# ------------------------------------------------------------------------------- the pixel check


@pytest.fixture(scope="module")
def hidden_corner():
    """A drawn picture registered, and an output that is the picture with another pasted over its
    lower left corner (40 % of the width, 71 % of the height): (index, output features, box)."""
    reference = _busy(1, (1280, 720))
    output = _over(reference, _busy(2, (480, 480)))
    options = LocalOptions()
    registered = extract_features(_grey(reference), options)
    index = LocalIndex.build([(0, registered)], options)
    query = extract_features(_grey(output), options)
    box = _box_in(query, 0.0, 0.25, 0.43, 1.0)
    return index, query, box, registered


def test_when_an_inset_hides_a_corner_of_the_reference_then_the_pixels_disagree_without_the_rule(
    hidden_corner,
) -> None:
    index, query, _box, _registered = hidden_corner
    match, reason = index.verify(query, 0)
    assert match is None and reason == "pictures disagree"


def test_when_the_inset_is_marked_as_drawn_over_then_the_rest_agrees_and_it_is_a_match(hidden_corner) -> None:
    index, query, box, _registered = hidden_corner
    match, reason = index.verify(dataclasses.replace(query, drawn_over=(box,)), 0)
    assert reason == "match"
    assert match.insets_left_out is True
    assert match.agreement >= LocalOptions().min_agreement


def test_when_max_hidden_is_zero_then_the_inset_is_not_left_out(hidden_corner) -> None:
    _index, query, box, registered = hidden_corner
    off = LocalIndex.build([(0, registered)], LocalOptions(max_hidden=0.0))
    _match, reason = off.verify(dataclasses.replace(query, drawn_over=(box,)), 0)
    assert reason == "pictures disagree"


def test_when_the_boxes_would_hide_most_of_the_overlap_then_the_agreement_is_nothing() -> None:
    picture = _grey(_busy(3, (320, 240)))
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    size = (320, 240)
    assert _agreement(identity, picture, size, picture, size) == 1.0
    most = _visible(picture.shape, ((0.0, 0.0, 240.0, 240.0),))  # 75 % hidden
    assert _agreement(identity, picture, size, picture, size, most, 0.5) == 0.0
    some = _visible(picture.shape, ((0.0, 0.0, 100.0, 120.0),))  # ~16 % hidden
    assert _agreement(identity, picture, size, picture, size, some, 0.5) == 1.0


def test_when_drawn_over_is_not_a_tuple_of_boxes_then_the_features_are_refused() -> None:
    features = extract_features(_grey(_busy(4, (320, 240))))
    for bad in ([(0, 0, 1, 1)], ((0, 0, 1),), ((0, 0, float("nan"), 1),), ((0, 0, "1", 1),)):
        with pytest.raises(InvalidInput, match="drawn_over"):
            dataclasses.replace(features, drawn_over=bad)


def test_when_max_hidden_is_outside_zero_to_one_then_the_options_are_refused() -> None:
    for bad in (-0.1, 1.5):
        with pytest.raises(InvalidInput, match="max_hidden"):
            LocalOptions(max_hidden=bad)


# ---------------------------------------------------------------------------------- the bank


@pytest.fixture(scope="module")
def pip_output():
    """A registered 16:9 picture with an unregistered picture pasted over it at 40 %, as an output."""
    background = _busy(5, (1280, 720))
    query = output_hashes(_over(background, _busy(6, (480, 480))))
    assert query.insets, "the inset must be found for this test to mean anything"
    return background, query


def test_when_a_registered_picture_is_behind_a_picture_in_picture_then_it_is_found(pip_output) -> None:
    background, query = pip_output
    bank = picture_bank([background, _busy(7, (1280, 720))])
    (match,) = bank.match_local(query)
    assert match.reference.id == "ref0"
    assert match.detail["insets_left_out"] is True
    assert screen_media_hashes(bank, query) == {"ref0"}


def test_when_neither_the_rule_nor_the_look_is_on_then_the_background_is_not_found(
    pip_output, monkeypatch
) -> None:
    background, query = pip_output
    monkeypatch.setattr(index_module, "DEFAULT_OPTIONS", LocalOptions(max_hidden=0.0))
    bank = picture_bank([background], MatchOptions(local_behind_insets=False))
    assert bank.match_local(query) == []


def test_when_the_insets_are_painted_over_then_the_background_keeps_more_keypoints(pip_output) -> None:
    _background, query = pip_output
    behind = _behind_insets(query)
    assert behind is not None and behind.size == query.local.size and behind.drawn_over

    def outside(features) -> int:
        x0, y0, x1, y1 = behind.drawn_over[0]
        p = features.points
        return int(np.count_nonzero(~((p[:, 0] >= x0) & (p[:, 0] < x1) & (p[:, 1] >= y0) & (p[:, 1] < y1))))

    assert outside(behind) > outside(query.local)


def test_when_an_unrelated_picture_has_another_pasted_over_it_then_nothing_is_found(monkeypatch) -> None:
    calls = []
    original = bank_module._behind_insets
    monkeypatch.setattr(bank_module, "_behind_insets", lambda q: calls.append(1) or original(q))
    bank = picture_bank([_busy(8, (1280, 720)), _busy(9, (480, 480))])
    query = output_hashes(_over(_busy(10, (1280, 720)), _busy(11, (480, 480))))
    assert screen_media_hashes(bank, query) == set()
    assert calls  # the look ran


def test_when_a_video_shows_a_registered_picture_behind_an_inset_then_its_frames_find_it(
    tmp_path, monkeypatch
) -> None:
    background = _busy(12, (1280, 720))
    # An inset with fewer corners than the background (a face, a soft photograph): the frame's
    # keypoints still give the background the shortlist's votes, and verification decides.
    inset = scribble(
        blurred_noise(13, (480, 480), 32), "inset:13", shapes=12, extent=8, min_extent=4, width=2
    )
    frame = _over(background, inset)
    data = h264_clip([frame] * 24, tmp_path / "pip.mp4")
    query = hash_media(data, GuardOptions().hash_options(query=True))
    whole = [features for _n, _t, features in query.frame_local if features.drawn_over]
    assert whole, "each sampled frame's own keypoints carry the inset drawn over them"
    bank = picture_bank([background, _busy(14, (1280, 720))])
    assert "ref0" in screen_media_hashes(bank, query)
    # The pixel check with nothing left out refuses the frames: the inset hides too much of them.
    monkeypatch.setattr(index_module, "DEFAULT_OPTIONS", LocalOptions(max_hidden=0.0))
    assert "ref0" not in screen_media_hashes(picture_bank([background, _busy(14, (1280, 720))]), query)


def test_when_keypoints_lie_inside_a_drawn_over_box_then_coverage_does_not_count_them() -> None:
    from kyodaku.media.local.verify import _coverage

    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    grid = np.array([(x, y) for x in range(5, 100, 10) for y in range(5, 100, 10)], np.float64)  # 100 points
    size = (100, 100)
    assert _coverage(identity, 20, grid, size, grid, size) == pytest.approx(0.2)
    left_half = ((0.0, 0.0, 50.0, 100.0),)
    assert _coverage(identity, 20, grid, size, grid, size, hidden=left_half) == pytest.approx(0.4)


def test_when_a_background_is_found_then_its_evidence_says_what_was_left_out(pip_output) -> None:
    from kyodaku.media.evidence import local_finding

    background, query = pip_output
    (match,) = picture_bank([background]).match_local(query)
    finding = local_finding(match, query, "character", 31)
    assert "left out of the comparison" in finding.evidence.note
    assert finding.evidence.media["verification"]["insets_left_out"] is True


def test_when_a_busy_inset_takes_a_video_frames_keypoints_then_the_look_behind_it_finds_the_background(
    tmp_path, monkeypatch
) -> None:
    from kyodaku.media import hashing

    background = _busy(12, (1280, 720))
    data = h264_clip([_over(background, _busy(13, (480, 480)))] * 24, tmp_path / "busy-pip.mp4")
    options = GuardOptions().hash_options(query=True)
    bank = picture_bank([background, _busy(14, (1280, 720))])
    assert "ref0" in screen_media_hashes(bank, hash_media(data, options))
    # Without the look behind the inset, the frame's own keypoints give the background 3 votes.
    monkeypatch.setattr(hashing, "_frame_behind", lambda *args, **kwargs: None)
    assert "ref0" not in screen_media_hashes(bank, hash_media(data, options))
