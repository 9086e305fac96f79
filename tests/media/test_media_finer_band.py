"""A reference's finer keypoint band (issue 14): keypoints found at up to 768 px, stored with the
coarse 256 px ones (record format 2), so that a deep crop, which shows a third of the reference over
an output's 256 px, meets the detail it shows. Old format-1 records are still read.

Pictures are drawn here from a seed (a textured background under shapes and lines).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpers.banks import picture_bank
from helpers.pictures import scribble
from kyodaku.domain.errors import InvalidInput
from kyodaku.matching.media import screen_media_hashes
from kyodaku.media.bank import BankReference, ReferenceBank, ReferenceHashes, with_finer_band
from kyodaku.media.hashing import hash_media
from kyodaku.media.local import LocalFeatures, extract_features, extract_finer, reference_grey
from kyodaku.options import GuardOptions


def _picture(seed: int, size: tuple[int, int] = (768, 576)) -> Image.Image:
    """Fine detail (small shapes, thin lines) over a textured background, placed by `seed`."""
    w, h = size
    noise = np.random.default_rng(seed).integers(40, 220, (h // 8, w // 8, 3)).astype(np.uint8)
    background = Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)
    return scribble(background, f"finer:{seed}", shapes=160, extent=10, min_extent=6, width=2)


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _bank(pictures: list[Image.Image], finer: bool) -> ReferenceBank:
    return picture_bank(pictures, finer=finer)


@pytest.fixture(scope="module")
def pictures() -> list[Image.Image]:
    return [_picture(1), _picture(2), _picture(3)]


@pytest.fixture(scope="module")
def banks(pictures) -> tuple[ReferenceBank, ReferenceBank]:
    return _bank(pictures, finer=True), _bank(pictures, finer=False)


def test_when_a_reference_is_registered_then_its_finer_band_lies_in_the_coarse_frame(pictures) -> None:
    grey = np.asarray(pictures[0].convert("L"))
    coarse = extract_features(grey)
    finer = extract_finer(grey, coarse)
    assert finer is not None and len(finer) > 0
    assert finer.size == coarse.size == (256, 192)
    w, h = coarse.size
    assert (finer.points[:, 0] < w).all() and (finer.points[:, 1] < h).all()
    assert max(finer.thumbnail.shape) == 160  # the pixel check's finer thumbnail


def test_when_a_reference_is_smaller_than_64_px_then_it_has_no_finer_band() -> None:
    grey = np.asarray(_picture(4, (60, 45)).convert("L"))
    assert extract_finer(grey, extract_features(grey)) is None
    larger = np.asarray(_picture(4, (64, 48)).convert("L"))
    assert extract_finer(larger, extract_features(larger)) is not None


def test_when_features_with_a_finer_band_go_through_bytes_then_both_bands_come_back(pictures) -> None:
    grey = np.asarray(pictures[1].convert("L"))
    coarse = extract_features(grey)
    both = LocalFeatures(coarse.points, coarse.descriptors, coarse.size, coarse.thumbnail,
                         extract_finer(grey, coarse))  # fmt: skip
    data = both.to_bytes()
    assert data[4] == 2 and coarse.to_bytes()[4] == 1  # format 2 only when there is a finer band
    back = LocalFeatures.from_bytes(data)
    assert back.finer is not None
    np.testing.assert_array_equal(back.finer.descriptors, both.finer.descriptors)
    np.testing.assert_array_equal(back.finer.points, both.finer.points)
    np.testing.assert_array_equal(back.descriptors, coarse.descriptors)
    assert LocalFeatures.from_bytes(coarse.to_bytes()).finer is None  # format-1 records still read
    with pytest.raises(InvalidInput):
        LocalFeatures.from_bytes(data[:-1])  # a truncated finer band
    with pytest.raises(InvalidInput):
        LocalFeatures(coarse.points, coarse.descriptors, coarse.size, coarse.thumbnail, both)


def test_when_a_third_is_cut_from_every_side_then_the_finer_band_finds_the_crop(pictures, banks) -> None:
    finer_bank, coarse_bank = banks
    query = GuardOptions().hash_options(query=True)
    hits_finer = hits_coarse = 0
    for n, picture in enumerate(pictures):
        w, h = picture.size
        crop = picture.crop((w // 3, h // 3, 2 * w // 3, 2 * h // 3))
        hashed = hash_media(_jpeg(crop), query)
        found = finer_bank.match_local(hashed)
        if found and found[0].reference.id == f"ref{n}":
            hits_finer += 1
            assert found[0].detail["band"] == "fine"
            assert 2.5 < found[0].scale < 3.4  # in the coarse frame: the crop shows a third of it
        hits_coarse += f"ref{n}" in screen_media_hashes(coarse_bank, hashed)
    assert hits_finer >= 2  # a third of a picture: most, not all (the bench measures the rate)
    assert hits_coarse < hits_finer


def test_when_a_plain_copy_or_an_unrelated_picture_is_screened_then_the_finer_band_changes_nothing(
    pictures, banks
) -> None:
    finer_bank, _ = banks
    query = GuardOptions().hash_options(query=True)
    assert screen_media_hashes(finer_bank, hash_media(_jpeg(pictures[2]), query)) == {"ref2"}
    assert screen_media_hashes(finer_bank, hash_media(_jpeg(_picture(9)), query)) == set()


def test_when_a_reference_file_cannot_be_decoded_again_then_it_keeps_its_coarse_band(pictures) -> None:
    options = GuardOptions().hash_options(query=False)
    data = _png(pictures[0])
    media = hash_media(data, options)
    assert reference_grey(b"not a picture", options.max_pixels) is None
    assert with_finer_band(media, b"not a picture", options.max_pixels) is media
    assert with_finer_band(media, data, max_pixels=1000) is media  # over the pixel limit: no band
    assert with_finer_band(media, data, options.max_pixels).local.finer is not None


def test_when_the_bank_is_built_without_the_finer_band_then_only_coarse_items_are_indexed(pictures) -> None:
    from kyodaku.media.bank import MatchOptions

    rows = []
    options = GuardOptions().hash_options(query=False)
    data = _png(pictures[0])
    media = with_finer_band(hash_media(data, options), data, options.max_pixels)
    rows.append(ReferenceHashes.from_media(BankReference("ref0", "e0", media.sha256, "image", "r0"), media))
    assert len(ReferenceBank.build(rows).local) == 2  # the coarse band and the finer one
    assert len(ReferenceBank.build(rows, MatchOptions(local_fine_band=False)).local) == 1


def test_when_a_crop_is_found_then_the_finding_names_the_region_on_both_sides(pictures, banks) -> None:
    from kyodaku.media.evidence import local_finding

    finer_bank, _ = banks
    w, h = pictures[1].size
    crop = pictures[1].crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4))
    hashed = hash_media(_jpeg(crop), GuardOptions().hash_options(query=True))
    [match] = finer_bank.match_local(hashed)
    region = local_finding(match, hashed, "character", 31).evidence.media["region"]
    assert region["of"] == [crop.width, crop.height]
    x0, y0, x1, y1 = region["output_box"]
    assert x0 <= 4 and y0 <= 4 and x1 >= crop.width - 4 and y1 >= crop.height - 4  # all of the output
    assert np.allclose(region["reference_share"], [0.25, 0.25, 0.75, 0.75], atol=0.03)  # its middle


def test_when_an_earlier_tier_found_the_reference_then_its_keypoints_are_not_verified(
    pictures, banks
) -> None:
    finer_bank, _ = banks
    hashed = hash_media(_jpeg(pictures[0]), GuardOptions().hash_options(query=True))
    assert [m.key for m in finer_bank.local.match(hashed.local)] == [0]
    assert finer_bank.local.match(hashed.local, skip={0}) == []
    assert finer_bank.match_local(hashed, exclude={"ref0"}) == []
