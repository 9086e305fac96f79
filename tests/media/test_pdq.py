"""media/pdq.py gives pdqhash's own hashes, bit for bit: the dihedral variants and the bits made in
numpy from pdqhash's coefficients must equal `pdqhash.compute_dihedral` and `pdqhash.compute` on
every block, whatever its content (photograph-like, drawn, random, flat, or anything hypothesis
makes) and size, with the quality alike."""

from __future__ import annotations

import io

import numpy as np
import pdqhash
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw, ImageFilter

from kyodaku.media.hashing import DIHEDRAL, HashOptions, hash_media
from kyodaku.media.pdq import pdq_hashes


def _reference(luma: np.ndarray, dihedral: bool) -> list[tuple[bytes, int]]:
    rgb = np.ascontiguousarray(np.repeat(luma[:, :, None], 3, axis=2))
    if dihedral:
        hashes, quality = pdqhash.compute_dihedral(rgb)
    else:
        one, quality = pdqhash.compute(rgb)
        hashes = [one]
    return [(np.packbits(np.asarray(h, np.uint8)).tobytes(), int(quality)) for h in hashes]


def _ours(luma: np.ndarray, dihedral: bool) -> list[tuple[bytes, int]]:
    return [(h.hash, h.quality) for h in pdq_hashes(luma, dihedral=dihedral)]


def _scene(seed: int) -> np.ndarray:
    """A drawn scene with smooth areas, edges and sensor-like noise, box-reduced to 64 x 64 as the
    hashing module reduces pictures."""
    rng = np.random.default_rng(seed)
    im = Image.new("L", (320, 240), int(rng.integers(0, 255)))
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(2, 12))):
        x, y = int(rng.integers(0, 300)), int(rng.integers(0, 220))
        box = (x, y, x + int(rng.integers(10, 160)), y + int(rng.integers(10, 120)))
        shade = int(rng.integers(0, 255))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=shade)
    im = im.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 3))))
    pixels = np.asarray(im, np.float64) + rng.normal(0, float(rng.uniform(0, 6)), (240, 320))
    noisy = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return np.asarray(noisy.resize((64, 64), Image.Resampling.BOX))


@pytest.mark.parametrize("dihedral", [True, False])
def test_when_blocks_are_drawn_scenes_then_the_hashes_are_pdqhashs_bit_for_bit(dihedral: bool) -> None:
    for seed in range(150):
        block = _scene(seed)
        assert _ours(block, dihedral) == _reference(block, dihedral), seed


def test_when_blocks_are_flat_or_nearly_then_the_hashes_are_pdqhashs_even_with_rounding_noise() -> None:
    # A flat block's coefficients are rounding noise: only pdqhash's own numbers hash like pdqhash.
    rng = np.random.default_rng(3)
    for level in (0, 1, 128, 254, 255):
        block = np.full((64, 64), level, np.uint8)
        assert _ours(block, True) == _reference(block, True)
        block[int(rng.integers(0, 64)), int(rng.integers(0, 64))] ^= 1
        assert _ours(block, True) == _reference(block, True)


def test_when_the_variants_are_made_then_each_is_the_hash_of_the_transformed_picture() -> None:
    # Not only pdqhash's answer: rotating or mirroring the block itself gives the same hash as the
    # variant of that name (hashing.DIHEDRAL's order), within a few bits of resampling-free rounding.
    block = _scene(11)
    transforms = {
        "rotate90": np.rot90(block, 1),
        "rotate180": np.rot90(block, 2),
        "rotate270": np.rot90(block, 3),
        "flip": block[::-1],
        "mirror": block[:, ::-1],
        "transpose": block.T,
    }
    variants = dict(zip(DIHEDRAL, pdq_hashes(block, dihedral=True), strict=True))
    assert len(variants) == 8
    for name, moved in transforms.items():
        (direct,) = pdq_hashes(np.ascontiguousarray(moved))
        a, b = np.frombuffer(direct.hash, np.uint8), np.frombuffer(variants[name].hash, np.uint8)
        assert int(np.unpackbits(a ^ b).sum()) <= 8, name


@settings(max_examples=150, deadline=None)
@given(arrays(np.uint8, (64, 64)), st.booleans())
def test_when_a_block_is_any_array_then_the_hashes_are_pdqhashs(block: np.ndarray, dihedral: bool) -> None:
    assert _ours(block, dihedral) == _reference(block, dihedral)


@settings(max_examples=60, deadline=None)
@given(st.tuples(st.integers(1, 140), st.integers(1, 140)).flatmap(lambda shape: arrays(np.uint8, shape)))
def test_when_a_picture_has_any_size_then_the_hashes_are_pdqhashs(picture: np.ndarray) -> None:
    assert _ours(picture, True) == _reference(picture, True)


def test_when_an_image_is_hashed_then_its_full_hashes_are_pdqhashs_of_its_canonical_block() -> None:
    im = Image.fromarray(_scene(5)).resize((300, 220))
    media = hash_media(_png(im), HashOptions(dihedral=True, local_features=False, trim_borders=False))
    full = [(f.hash, f.quality) for f in media.frames if f.region == "full"]
    block = np.asarray(im.resize((64, 64), Image.Resampling.BOX))
    assert full == _reference(block, True)


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()
