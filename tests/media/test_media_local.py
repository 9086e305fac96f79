"""Local features (ORB + geometric check) find crops and captioned copies that PDQ loses.

The pictures are drawn here from a seed (filled shapes, lines and a few words on a coloured
background), so the tests need no files and every run sees the same pixels.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from kyodaku.domain.errors import InvalidInput
from kyodaku.media.local import (
    FORMAT_VERSION,
    LocalFeatures,
    LocalIndex,
    LocalMatch,
    LocalOptions,
    extract_features,
)

SIZE = (480, 360)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _picture(seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """A busy drawn picture: 30 shapes, some lines and two words, all placed by `seed`."""
    rng = random.Random(f"local-test:{seed}")
    w, h = size
    image = Image.new("RGB", size, _colour(rng))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.uniform(-0.1, 1.0) * w, rng.uniform(-0.1, 1.0) * h
        dx, dy = rng.uniform(0.04, 0.3) * w, rng.uniform(0.04, 0.3) * h
        shape = rng.randrange(4)
        if shape == 0:
            draw.rectangle([x, y, x + dx, y + dy], fill=_colour(rng), outline=_colour(rng), width=2)
        elif shape == 1:
            draw.ellipse([x, y, x + dx, y + dy], fill=_colour(rng), outline=(0, 0, 0), width=2)
        elif shape == 2:
            points = [(x + rng.uniform(0, dx), y + rng.uniform(0, dy)) for _ in range(rng.randint(3, 6))]
            draw.polygon(points, fill=_colour(rng))
        else:
            draw.line([(x, y), (x + dx, y + dy)], fill=_colour(rng), width=rng.randint(2, 6))
    font = ImageFont.load_default(size=28)
    for _ in range(2):
        word = "".join(rng.choice("abcdefghkmnprstuwxyz") for _ in range(rng.randint(4, 8)))
        draw.text((rng.uniform(0, 0.7) * w, rng.uniform(0, 0.85) * h), word, font=font, fill=_colour(rng))
    return image


def _crop(image: Image.Image, x_share: float, y_share: float) -> Image.Image:
    """A window of 90% x 90% whose top-left corner is at (x_share, y_share) of the free margin."""
    w, h = image.size
    cw, ch = round(w * 0.9), round(h * 0.9)
    x, y = round((w - cw) * x_share), round((h - ch) * y_share)
    return image.crop((x, y, x + cw, y + ch))


def _caption(image: Image.Image) -> Image.Image:
    out = image.copy()
    w, h = out.size
    bar = round(h * 0.12)
    draw = ImageDraw.Draw(out)
    draw.rectangle([0, h - bar, w, h], fill=(20, 20, 30))
    font = ImageFont.load_default(size=bar // 2)
    draw.text((w * 0.04, h - bar * 0.85), "repost lol epic", font=font, fill="white")
    return out


@pytest.fixture(scope="module")
def bank() -> tuple[LocalIndex, dict[int, Image.Image]]:
    pictures = {100 + k: _picture(k) for k in range(6)}
    index = LocalIndex.build([(key, extract_features(p)) for key, p in pictures.items()])
    return index, pictures


def test_when_a_90_percent_crop_is_queried_then_its_own_reference_matches_at_plausible_scale(bank) -> None:
    index, pictures = bank
    for n, (key, picture) in enumerate(pictures.items()):
        x_share, y_share = [(0.0, 1.0), (1.0, 0.0), (0.5, 0.5), (1.0, 1.0), (0.2, 0.7), (0.8, 0.3)][n]
        matches = index.match(extract_features(_crop(picture, x_share, y_share)))
        assert matches, f"crop of reference {key} found nothing"
        best = matches[0]
        assert best.key == key
        assert [m.key for m in matches] == [key], "a crop must not match the other references"
        assert best.scale == pytest.approx(1 / 0.9, abs=0.04)
        assert abs(best.rotation_deg) < 2.0
        assert best.inliers >= index.options.min_inliers
        assert best.inliers <= best.candidates
        assert best.coverage >= index.options.min_coverage


def test_when_the_bottom_is_covered_by_a_caption_bar_then_the_reference_matches_at_scale_one(bank) -> None:
    index, pictures = bank
    for key, picture in pictures.items():
        matches = index.match(extract_features(_caption(picture)))
        assert [m.key for m in matches] == [key]
        assert matches[0].scale == pytest.approx(1.0, abs=0.03)
        assert abs(matches[0].tx) < 3 and abs(matches[0].ty) < 3


def test_when_the_bank_holds_one_reference_then_its_crop_still_matches() -> None:
    picture = _picture(42)
    index = LocalIndex.build([(7, extract_features(picture))])
    matches = index.match(extract_features(_crop(picture, 0.3, 0.6)))
    assert [m.key for m in matches] == [7]


def test_when_unrelated_pictures_are_queried_then_nothing_matches(bank) -> None:
    index, _ = bank
    for seed in range(1000, 1012):
        features = extract_features(_picture(seed))
        assert len(features) > 100  # busy pictures: plenty of chances to match by accident
        assert index.match(features) == [], f"unrelated picture {seed} matched"


def test_when_the_copy_is_turned_90_degrees_then_local_matching_leaves_it_to_pdq(bank) -> None:
    index, pictures = bank
    key, picture = next(iter(pictures.items()))
    turned = picture.transpose(Image.Transpose.ROTATE_90)
    assert index.match(extract_features(turned)) == []
    wide = LocalIndex.build([(key, extract_features(picture))], LocalOptions(max_rotation_deg=180))
    matches = wide.match(extract_features(turned))  # the geometry is found; only the rule rejects it
    assert [m.key for m in matches] == [key]
    assert abs(abs(matches[0].rotation_deg) - 90) < 2


def test_when_the_picture_is_flat_then_it_has_no_features_and_matches_nothing(bank) -> None:
    index, pictures = bank
    blank = extract_features(Image.new("RGB", (640, 480), (200, 30, 90)))
    assert len(blank) == 0
    assert blank.size == (256, 192)
    assert index.match(blank) == []
    tiny = extract_features(np.full((3, 5), 128, dtype=np.uint8))
    assert len(tiny) == 0
    # A blank reference in the bank neither crashes the build nor steals a real picture's match.
    key, picture = next(iter(pictures.items()))
    mixed = LocalIndex.build([(1, blank), (key, extract_features(picture)), (2, tiny)])
    assert [m.key for m in mixed.match(extract_features(_crop(picture, 0.5, 0.5)))] == [key]
    assert mixed.match(blank) == []


def test_when_features_go_through_bytes_then_they_come_back_identical() -> None:
    features = extract_features(_picture(3))
    data = features.to_bytes()
    back = LocalFeatures.from_bytes(data)
    assert back.size == features.size
    np.testing.assert_array_equal(back.points, features.points)
    np.testing.assert_array_equal(back.descriptors, features.descriptors)
    np.testing.assert_array_equal(back.thumbnail, features.thumbnail)
    assert back.points.dtype == np.float32 and back.descriptors.dtype == np.uint8
    assert features.thumbnail.shape == (48, 64)  # 64 px on the long side of a 4:3 picture
    assert len(data) == 18 + 40 * len(features) + features.thumbnail.size
    empty = LocalFeatures.from_bytes(extract_features(Image.new("L", (50, 50))).to_bytes())
    assert len(empty) == 0 and empty.descriptors.shape == (0, 32)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b[:-1],
        lambda b: b + b"\0",
        lambda b: b"XXXX" + b[4:],
        lambda b: b[:4] + bytes([FORMAT_VERSION + 1]) + b[5:],
        lambda b: b[:10],
    ],
    ids=["truncated", "trailing", "magic", "version", "short-header"],
)
def test_when_feature_bytes_are_damaged_then_invalid_input(mangle) -> None:
    data = extract_features(_picture(4)).to_bytes()
    with pytest.raises(InvalidInput):
        LocalFeatures.from_bytes(mangle(data))


def test_when_the_index_is_empty_then_match_returns_nothing() -> None:
    index = LocalIndex.build([])
    assert len(index) == 0
    assert index.match(extract_features(_picture(5))) == []
    assert index.nbytes >= 0


def test_when_the_index_is_built_then_it_reports_its_size_and_ignores_later_changes() -> None:
    features = extract_features(_picture(6))
    index = LocalIndex.build([(1, features), (2, extract_features(_picture(7)))])
    assert len(index) == 2
    assert index.nbytes >= features.descriptors.nbytes
    with pytest.raises(ValueError):
        features.descriptors[0, 0] ^= 1  # read-only: a snapshot's index cannot be changed under it


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((64, 64), dtype=np.float32),
        np.zeros((64, 64, 3), dtype=np.uint8),
        np.zeros((0, 10), dtype=np.uint8),
        np.zeros(64, dtype=np.uint8),
        [[0, 1], [2, 3]],
        "picture.png",
    ],
    ids=["float", "colour-array", "empty", "1-d", "list", "str"],
)
def test_when_the_input_is_not_a_picture_then_invalid_input(bad) -> None:
    with pytest.raises(InvalidInput):
        extract_features(bad)


def test_when_features_or_items_are_malformed_then_invalid_input() -> None:
    thumb = np.zeros((8, 8), np.uint8)
    with pytest.raises(InvalidInput):
        LocalFeatures(np.zeros((3, 2), np.float64), np.zeros((3, 32), np.uint8), (10, 10), thumb)
    with pytest.raises(InvalidInput):
        LocalFeatures(np.zeros((3, 2), np.float32), np.zeros((2, 32), np.uint8), (10, 10), thumb)
    with pytest.raises(InvalidInput):
        LocalFeatures(np.zeros((3, 2), np.float32), np.zeros((3, 16), np.uint8), (10, 10), thumb)
    with pytest.raises(InvalidInput):
        LocalFeatures(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), (0, 10), thumb)
    with pytest.raises(InvalidInput):
        LocalFeatures(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), (10, 10), thumb[:0])
    with pytest.raises(InvalidInput):
        LocalFeatures(
            np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), (10, 10), thumb.astype(float)
        )
    good = extract_features(_picture(8))
    with pytest.raises(InvalidInput):
        LocalIndex.build([("a", good)])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        LocalIndex.build([(1, good.descriptors)])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        LocalIndex.build([(1, good)]).match(good.descriptors)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {"side": 0},
        {"ratio": 1.5},
        {"min_scale": 1.2},
        {"min_inliers": 2},
        {"min_coverage": -0.1},
        {"side": 2.5},
    ],
)
def test_when_options_are_out_of_range_then_invalid_input(fields) -> None:
    with pytest.raises(InvalidInput):
        LocalOptions(**fields)


def test_when_pictures_come_in_other_modes_then_they_give_the_same_features() -> None:
    picture = _picture(9)
    grey = extract_features(picture.convert("L"))
    from_rgb = extract_features(picture)
    from_array = extract_features(np.asarray(picture.convert("L")))
    np.testing.assert_array_equal(grey.descriptors, from_rgb.descriptors)
    np.testing.assert_array_equal(grey.descriptors, from_array.descriptors)
    rgba = picture.convert("RGBA")
    assert len(extract_features(rgba)) == len(from_rgb)
    assert len(extract_features(picture.convert("P"))) > 100


def test_when_two_references_match_then_the_better_comes_first() -> None:
    picture = _picture(10)
    # Reference 1 is the picture itself; reference 2 only its left 60%: fewer keypoints to agree on.
    w, h = picture.size
    half = picture.crop((0, 0, round(w * 0.6), h))
    index = LocalIndex.build(
        [(2, extract_features(half)), (1, extract_features(picture))], LocalOptions(max_scale=2.0)
    )
    matches = index.match(extract_features(_crop(picture, 0.0, 0.5)))
    assert [m.key for m in matches][:1] == [1]
    assert all(isinstance(m, LocalMatch) for m in matches)
    assert [m.inliers for m in matches] == sorted((m.inliers for m in matches), reverse=True)


def test_when_a_picture_shares_only_a_motif_then_the_pixel_check_rejects_it() -> None:
    # The query is another picture with a quarter of the reference pasted in at the same place:
    # plenty of consistent keypoints (one motif), but most of the picture is different. Local
    # matching looks for copies of the whole picture (crops, bars), not for collages.
    reference, other = _picture(20), _picture(21)
    w, h = reference.size
    box = (round(w * 0.3), round(h * 0.3), round(w * 0.8), round(h * 0.8))
    query = other.copy()
    query.paste(reference.crop(box), box[:2])
    loose = LocalOptions(min_agreement=0.0, min_coverage=0.0)
    found = LocalIndex.build([(1, extract_features(reference))], loose).match(extract_features(query))
    assert [m.key for m in found] == [1], "the geometry alone accepts the shared motif"
    assert found[0].agreement < LocalOptions().min_agreement
    strict = LocalIndex.build([(1, extract_features(reference))])
    assert strict.match(extract_features(query)) == []


@pytest.mark.parametrize("share", [0.12, 0.2])
def test_when_a_caption_bar_is_taller_then_the_reference_still_matches(share: float) -> None:
    picture = _picture(22)
    out = picture.copy()
    w, h = out.size
    ImageDraw.Draw(out).rectangle([0, round(h * (1 - share)), w, h], fill=(240, 240, 240))
    ImageDraw.Draw(out).text((10, round(h * (1 - share)) + 5), "ha ha", fill="black")
    index = LocalIndex.build([(3, extract_features(picture))])
    matches = index.match(extract_features(out))
    assert [m.key for m in matches] == [3]
    assert matches[0].agreement >= index.options.min_agreement
