"""A phone photograph is stored sideways with an EXIF orientation tag saying how to turn it for
display. The guard hashes the picture as it is displayed (media/hashing.py `_load` applies the tag),
so a copy saved upright and a copy saved sideways with the tag hash alike without relying on the
dihedral variants, and the keypoints see the displayed picture too."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from kyodaku.media.hashing import hash_media
from kyodaku.options import GuardOptions


def _photo() -> Image.Image:
    """A landscape picture with no symmetry: a gradient, a bright disc off centre and a dark bar."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:240, 0:360]
    grey = 40 + 0.4 * x + 0.2 * y
    grey = np.where((x - 90) ** 2 + (y - 70) ** 2 < 40**2, 235, grey)
    grey = np.where((x > 250) & (x < 330) & (y > 150) & (y < 200), 15, grey)
    grey = np.clip(grey + rng.normal(0, 3, grey.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(np.stack([grey, np.roll(grey, 17, axis=1), grey[::-1]], axis=2))


def _saved(image: Image.Image, fmt: str, orientation: int | None = None) -> bytes:
    buf = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(buf, fmt, exif=exif.tobytes(), **({"quality": 95} if fmt == "JPEG" else {}))
    return buf.getvalue()


def _original(hashes):
    return next(f for f in hashes.frames if f.region == "full" and f.variant == "original")


def _bits(a: bytes, b: bytes) -> int:
    return int(np.unpackbits(np.frombuffer(a, np.uint8) ^ np.frombuffer(b, np.uint8)).sum())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_when_an_image_carries_an_exif_orientation_then_it_is_hashed_as_displayed(fmt, orientation):
    upright = _photo()
    # Stored so that turning it by the tag gives the upright picture back (Pillow's reading of it).
    stored = {3: upright.rotate(180), 6: upright.rotate(90, expand=True), 8: upright.rotate(-90, expand=True)}
    sideways = _saved(stored[orientation], fmt, orientation)
    assert ImageOps.exif_transpose(Image.open(io.BytesIO(sideways))).size == upright.size

    options = GuardOptions().hash_options(query=True)
    tagged = hash_media(sideways, options)
    plain = hash_media(_saved(upright, fmt), options)
    untagged = hash_media(_saved(stored[orientation], fmt), options)  # the same pixels, no tag

    assert _bits(_original(tagged).hash, _original(plain).hash) <= 8
    assert _bits(_original(untagged).hash, _original(plain).hash) >= 64
    # The keypoints are taken from the displayed picture: a landscape rendition, as the upright one.
    assert tagged.local.size == plain.local.size
