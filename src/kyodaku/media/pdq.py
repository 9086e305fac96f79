"""PDQ hashes from pdqhash's own coefficients, with the dihedral variants and the bits made in numpy.

Why: kyodaku hashes every picture as a small box-reduced block (media/hashing.py) and asks for all
eight dihedral variants, so that mirrored and rotated copies match. `pdqhash.compute_dihedral` on a
64 x 64 block costs ~0.4 ms, three quarters of it Python glue after the C++ has finished (a
256-element list comprehension per hash, eight times). The training-data scanner pays it twice per
image (the picture and the picture inside its borders), millions of times (docs/benchmarks.md 8e).

How: `pdqhash.compute_float` runs Meta's reference code up to the 16 x 16 DCT coefficients and
returns them with the quality: the same float32 numbers `compute_dihedral` thresholds. From them,
as pdqhashing.cpp does: the dihedral variants transform the coefficients, not the picture (a
transpose and sign flips of odd rows or columns: dct16OriginalToRotate90 and its siblings), and a
bit is set where a coefficient exceeds the lower median of the 256 (Torben's median: the 128th
smallest). Flips and transposes are exact in floating point and the median is one of the values,
so the hashes are pdqhash's bit for bit (tests/media/test_pdq.py compares them over random,
photographic, flat and arbitrary blocks), at ~0.13 ms for all eight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pdqhash

MIN_SIDE = 64
"""Smallest block side taken through the coefficients (PDQ's own working size)."""

_ODD = (np.arange(16) % 2).astype(bool)
_ROW_ODD = _ODD[:, None]
_COL_ODD = _ODD[None, :]
_CHECKER = _ROW_ODD ^ _COL_ODD  # (row + column) odd


@dataclass(frozen=True)
class PdqHash:
    """One PDQ hash: 32 bytes, packed from pdqhash's bit vector in its order; quality 0-100."""

    hash: bytes
    quality: int


def _variants(c: np.ndarray) -> list[np.ndarray]:
    """The coefficients of the eight dihedral transforms of the block whose coefficients are `c`, in
    pdqhash.compute_dihedral's order: original, rotate 90, 180, 270, flip x, flip y, transpose,
    anti-transpose."""
    return [
        c,
        np.where(_COL_ODD, c, -c).T,
        np.where(_CHECKER, -c, c),
        np.where(_ROW_ODD, c, -c).T,
        np.where(_ROW_ODD, c, -c),
        np.where(_COL_ODD, c, -c),
        c.T,
        np.where(_CHECKER, -c, c).T,
    ]


def _reference(rgb: np.ndarray, dihedral: bool) -> list[PdqHash]:
    if dihedral:
        hashes, quality = pdqhash.compute_dihedral(rgb)
    else:
        one, quality = pdqhash.compute(rgb)
        hashes = [one]
    return [PdqHash(np.packbits(np.asarray(h, np.uint8)).tobytes(), int(quality)) for h in hashes]


def pdq_hashes(luma: np.ndarray, dihedral: bool = False) -> list[PdqHash]:
    """PDQ of a 2-D uint8 luma picture: one hash, or the eight dihedral variants in
    pdqhash.compute_dihedral's order. The coefficient path serves blocks of at least `MIN_SIDE`
    a side (kyodaku passes 64 x 64); smaller ones go to pdqhash whole, whose hashing functions
    answer them differently from its coefficient function (a 47 x 4 strip: quality 0 there)."""
    rgb = np.ascontiguousarray(np.repeat(luma[:, :, None], 3, axis=2))  # pdqhash takes their luma
    if min(luma.shape) < MIN_SIDE:
        return _reference(rgb, dihedral)
    values, quality = pdqhash.compute_float(rgb)
    coefficients = np.asarray(values, np.float64)[::-1].reshape(16, 16)  # it returns them reversed
    variants = _variants(coefficients) if dihedral else [coefficients]
    flat = np.stack([v.ravel() for v in variants])
    median = np.partition(flat, 127, axis=1)[:, 127:128]
    bits = flat > median
    packed = np.packbits(bits[:, ::-1], axis=1)  # pdqhash's bit vector runs from the last coefficient
    return [PdqHash(row.tobytes(), int(quality)) for row in packed]
