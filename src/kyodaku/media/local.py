"""Local features: ORB keypoints matched with a geometric check, for the copies PDQ cannot follow.

PDQ (`kyodaku.media.hashing`) survives resizing, JPEG, blur, noise and colour changes, and with its
dihedral variants mirrors and 90-degree turns, but it is a global hash and very shift-sensitive: a
window of 90% x 90% of a picture moves its hash by about 84 of 256 bits, far past the 31-bit match
threshold. A crop or a caption bar keeps most of a picture's *local* structure, though, so this
module matches that: corners with their binary descriptors (ORB), found again in the query, placed
consistently with one similarity transform (a shift and a moderate zoom, no turn).

Pipeline:

1. **Extract** (`extract_features`): grey image scaled to `side` px on its long side (256 by
   default, the size JPEGs are draft-decoded to), then ORB: at most `max_features` keypoints with
   256-bit descriptors, and a 64 px grey thumbnail. References and queries go through the same
   function, so a 90% crop shows its content 1.11x larger than the reference does, whatever the
   original resolutions. About 2 ms a picture and 12 KB (300 keypoints + thumbnail).
2. **Shortlist** (`LocalIndex.shortlist`): every reference descriptor sits in one stacked (N, 32)
   matrix with parallel arrays (which reference, which point). Each query descriptor looks up the
   bank descriptors that share one of 11 whole 3-byte windows with it and lie within
   `vote_radius` bits; a reference gets one vote per query descriptor that found at least one of
   its descriptors. References with at least `min_votes` votes are verified, most votes first, at
   most `max_verify` of them.
3. **Verify** each shortlisted reference on its own (`LocalIndex.verify`):
   * matches: nearest and second-nearest reference descriptor for every query descriptor (brute
     force, 300 x 300), Lowe's `ratio` test and `max_distance`, one query descriptor per
     reference descriptor;
   * geometry: `cv2.estimateAffinePartial2D` with RANSAC (rotation, uniform scale, shift); at
     least `min_inliers` inliers, scale within `min_scale..max_scale` and rotation within
     `max_rotation_deg` (a crop or caption zooms by at most ~1.25x and never turns; mirrored and
     rotated copies are PDQ's job); the inliers must be at least `min_coverage` of the keypoints
     that fall inside the overlap (`_coverage`);
   * pixels: the reference's thumbnail, moved by that transform, must look like the query's on at
     least `min_agreement` of the grid cells they share (`_agreement`, which forgives a band of up
     to a quarter of the height at the top or bottom: caption bars).
   The last test is what tells a copy from two different pictures that share one motif (the same
   face template, the same word in the same font): such pairs reach 25-50 consistent inliers and
   10-20% coverage, as many as a true crop, but their pixels agree around the motif only.

Why window tables for the shortlist, and not an exact search (measured on this project's drawn
pictures, one core; see `bench/local_features.py`):

* `cv2.BFMatcher.knnMatch` over the stacked matrix is exact but costs ~12 ns a descriptor pair with
  this OpenCV build: 240 ms a query (300 descriptors) against 60,000 descriptors (~240 references).
* `kyodaku.media.index.HashIndex` (exact multi-index hashing, built for PDQ) needs 272 bucket
  probes a descriptor for radius 31 and searches one descriptor at a time from Python: 20-70 ms a
  query at 1,000 references. 16-bit substrings also collide a lot on ORB descriptors (their bits
  are far from uniform): ~1M candidates a query at 10,000 references.
* True matches of a 90% crop lie at a median of 23 bits (90th percentile 33), so the radius must
  be ~31, but the shortlist need not be exact: it only has to rank the right reference among the
  few verified, and verification decides. Two descriptors 23 bits apart agree on at least one of
  the 11 windows ~7 times in 10 (31 bits: ~4 in 10), two random ones almost never (2^-24 a window),
  so a crop's own reference keeps most of its votes while the candidates to check drop to ~3k a
  query at 1,000 references and ~30k at 10,000 (~2 and ~8 ms), all query descriptors at once.

Memory: a keypoint costs 32 bytes of descriptor, 8 of position, 4 of owner and 88 in the window
tables (11 x (key + row), uint32 each): ~34 KB a reference with its thumbnail, ~340 MB for 10,000.

An index is immutable once built, like the PDQ index: it lives inside a screening snapshot that is
swapped atomically.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from kyodaku.domain.errors import InvalidInput

cv2.setNumThreads(1)  # figures are per core; the service scales by processes, not OpenCV threads

DESCRIPTOR_BYTES = 32
"""ORB descriptors are 256 bits."""
FORMAT_MAGIC = b"KYLF"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<4sBxHHIHH")  # magic, version, pad, width, height, count, thumb w, thumb h
THUMB_SIDE = 64
"""Long side (px) of the grey thumbnail kept with the keypoints for the agreement check."""
AGREE_GRID = 8
"""The agreement check compares the pictures cell by cell on an 8 x 8 grid over the query."""
AGREE_NCC = 0.6
"""A textured cell agrees when the two pictures' pixels correlate at least this much there."""
FLAT_STD = 5.0
"""A cell whose grey levels vary less than this (standard deviation) in both pictures is flat..."""
FLAT_TOLERANCE = 5.0
"""...and agrees when the two means differ by less than this many grey levels."""
BAND_ROWS = 2
"""The agreement check forgives up to this many rows of cells at the top or at the bottom (25%
of the height): where caption bars, tickers and letterboxes go."""
MIN_CELLS = 8
"""Fewer compared cells than this (a sliver of overlap) never count as agreement."""
WINDOW_BYTES = 3
WINDOW_STARTS = tuple(range(0, DESCRIPTOR_BYTES, WINDOW_BYTES))
"""The shortlist's 11 lookup tables key descriptors by 3-byte windows at bytes 0, 3, ..., 30 (the
last wraps around to byte 0)."""


@dataclass(frozen=True)
class LocalOptions:
    """Extraction and matching parameters. The defaults were chosen on the development seeds of
    bench/local_features.py (drawn pictures; banks of 200 and 10,000 references, 2,000 unrelated
    pictures) and then checked once on its held-out seeds: see that script's docstring."""

    # extraction
    side: int = 256
    """Long side of the scaled grey image the keypoints are found in (px): the size JPEGs are
    draft-decoded to, so no detail is invented by upscaling."""
    max_features: int = 300
    """ORB keeps the strongest this many (500 gave more motif-only matches and 2x the match time)."""
    fast_threshold: int = 5
    """FAST corner threshold (grey levels); 5 instead of ORB's 20 finds corners on soft gradients."""
    edge_threshold: int = 31
    """ORB's border and patch size (px): keypoints closer to the border have no descriptor."""
    # shortlist
    vote_radius: int = 31
    """A query descriptor votes for every reference with a descriptor within this many bits (that
    shares one of the 11 three-byte windows with it)."""
    min_votes: int = 3
    """References with fewer votes are not verified."""
    max_verify: int = 16
    """At most this many references (most votes first) are verified per query: ~1.2 ms each."""
    # verification
    max_distance: int = 64
    """Bits: a descriptor pair further apart than this is no candidate match at all."""
    ratio: float = 0.8
    """Lowe's ratio test within one reference: nearest < ratio x second nearest (0.9 doubled the
    false matches before the coverage test)."""
    reproj_threshold: float = 4.0
    """RANSAC inlier tolerance in px of the scaled image."""
    ransac_iters: int = 2000
    min_inliers: int = 8
    """Verified matches need this many RANSAC inliers."""
    min_coverage: float = 0.05
    """Share of the overlapping keypoints the transform must explain (see `_coverage`)."""
    min_agreement: float = 0.88
    """Share of the overlap's grid cells where the pictures' pixels must agree (see `_agreement`).
    The decisive test. On the development seeds copies agreed on >= 0.91 (crop_10; caption bars,
    blur, JPEG, noise, resizing on >= 0.98), while unrelated pictures that got past the geometry
    (same character template, same font) stayed below 0.88 against 10,000 references."""
    min_inlier_ratio: float = 0.0
    min_scale: float = 0.75
    max_scale: float = 1.35
    """Plausible zoom of the query over the reference: a 90% crop is 1.11, an 80% one 1.25."""
    max_rotation_deg: float = 8.0
    """Copies that turn are PDQ's job (dihedral variants); crops and captions do not rotate."""

    def __post_init__(self) -> None:
        ints = {
            "side": (self.side, 32),
            "max_features": (self.max_features, 1),
            "fast_threshold": (self.fast_threshold, 1),
            "edge_threshold": (self.edge_threshold, 2),
            "vote_radius": (self.vote_radius, 0),
            "min_votes": (self.min_votes, 1),
            "max_verify": (self.max_verify, 1),
            "max_distance": (self.max_distance, 0),
            "ransac_iters": (self.ransac_iters, 1),
            "min_inliers": (self.min_inliers, 3),
        }
        for name, (value, low) in ints.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InvalidInput(f"LocalOptions.{name} must be an integer >= {low}, got {value!r}")
        if self.side > 4096 or self.vote_radius > 256 or self.max_distance > 256:
            raise InvalidInput("LocalOptions: side <= 4096, vote_radius and max_distance <= 256")
        if not 0 < self.ratio <= 1:
            raise InvalidInput(f"LocalOptions.ratio must be in (0, 1], got {self.ratio!r}")
        if not all(0 <= x <= 1 for x in (self.min_coverage, self.min_agreement, self.min_inlier_ratio)):
            raise InvalidInput(
                "LocalOptions.min_coverage, min_agreement and min_inlier_ratio must be in [0, 1]"
            )
        if not 0 < self.min_scale <= 1 <= self.max_scale:
            raise InvalidInput("LocalOptions needs 0 < min_scale <= 1 <= max_scale")
        if self.reproj_threshold <= 0 or not 0 <= self.max_rotation_deg <= 180:
            raise InvalidInput("LocalOptions needs reproj_threshold > 0 and 0 <= max_rotation_deg <= 180")


DEFAULT_OPTIONS = LocalOptions()


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class LocalFeatures:
    """The keypoints of one picture: positions in the scaled image and their ORB descriptors."""

    points: np.ndarray
    """(n, 2) float32 keypoint coordinates (x, y) in the scaled image."""
    descriptors: np.ndarray
    """(n, 32) uint8 ORB descriptors, same order as `points`."""
    size: tuple[int, int]
    """(width, height) of the scaled image."""
    thumbnail: np.ndarray
    """(th, tw) uint8 grey picture, THUMB_SIDE px on its long side: what the agreement check
    compares once the keypoints have given a transform."""

    def __post_init__(self) -> None:
        p, d, t = self.points, self.descriptors, self.thumbnail
        if not isinstance(p, np.ndarray) or p.dtype != np.float32 or p.ndim != 2 or p.shape[1] != 2:
            raise InvalidInput("LocalFeatures.points must be a float32 array of shape (n, 2)")
        if (
            not isinstance(d, np.ndarray)
            or d.dtype != np.uint8
            or d.ndim != 2
            or d.shape[1] != DESCRIPTOR_BYTES
        ):
            raise InvalidInput(f"LocalFeatures.descriptors must be uint8 of shape (n, {DESCRIPTOR_BYTES})")
        if len(p) != len(d):
            raise InvalidInput(f"LocalFeatures has {len(p)} points but {len(d)} descriptors")
        if len(p) > 0xFFFFFFFF or not np.isfinite(p).all():
            raise InvalidInput("LocalFeatures.points must be finite")
        w, h = self.size
        if not (isinstance(w, int) and isinstance(h, int) and 0 < w <= 0xFFFF and 0 < h <= 0xFFFF):
            raise InvalidInput(f"LocalFeatures.size must be two positive integers, got {self.size!r}")
        if not isinstance(t, np.ndarray) or t.dtype != np.uint8 or t.ndim != 2 or t.size == 0:
            raise InvalidInput("LocalFeatures.thumbnail must be a non-empty 2-D uint8 array")
        if max(t.shape) > 1024:
            raise InvalidInput(f"LocalFeatures.thumbnail is too large: {t.shape}")
        object.__setattr__(self, "points", _readonly(np.ascontiguousarray(p)))
        object.__setattr__(self, "descriptors", _readonly(np.ascontiguousarray(d)))
        object.__setattr__(self, "thumbnail", _readonly(np.ascontiguousarray(t)))

    def __len__(self) -> int:
        return len(self.points)

    @property
    def nbytes(self) -> int:
        return self.points.nbytes + self.descriptors.nbytes + self.thumbnail.nbytes

    def to_bytes(self) -> bytes:
        """A compact versioned form: an 18-byte header (magic "KYLF", version, sizes, count), then
        the points (float32 little-endian), the descriptors and the thumbnail (row-major)."""
        w, h = self.size
        th, tw = self.thumbnail.shape
        header = _HEADER.pack(FORMAT_MAGIC, FORMAT_VERSION, w, h, len(self), tw, th)
        return (
            header
            + self.points.astype("<f4").tobytes()
            + self.descriptors.tobytes()
            + self.thumbnail.tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> LocalFeatures:
        """Read `to_bytes` output back; anything else raises InvalidInput."""
        buf = bytes(data)
        if len(buf) < _HEADER.size:
            raise InvalidInput(f"local features: {len(buf)} bytes is too short for the header")
        magic, version, w, h, n, tw, th = _HEADER.unpack_from(buf)
        if magic != FORMAT_MAGIC:
            raise InvalidInput("local features: not a kyodaku local-feature record (bad magic)")
        if version != FORMAT_VERSION:
            raise InvalidInput(f"local features: format version {version} is not supported", version=version)
        expected = _HEADER.size + n * (8 + DESCRIPTOR_BYTES) + tw * th
        if len(buf) != expected:
            raise InvalidInput(f"local features: expected {expected} bytes for {n} keypoints, got {len(buf)}")
        start = _HEADER.size
        points = np.frombuffer(buf, dtype="<f4", count=2 * n, offset=start).astype(np.float32).reshape(n, 2)
        desc = np.frombuffer(buf, dtype=np.uint8, count=n * DESCRIPTOR_BYTES, offset=start + 8 * n)
        thumb = np.frombuffer(buf, dtype=np.uint8, count=tw * th, offset=start + n * (8 + DESCRIPTOR_BYTES))
        return cls(points, desc.reshape(n, DESCRIPTOR_BYTES).copy(), (w, h), thumb.reshape(th, tw).copy())


def _grey(image: Any) -> np.ndarray:
    """A 2-D uint8 array from a PIL image of any mode (alpha composited on white) or a 2-D uint8 array."""
    if isinstance(image, Image.Image):
        if image.width <= 0 or image.height <= 0:
            raise InvalidInput(f"image has no pixels ({image.width}x{image.height})")
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
        return np.asarray(image if image.mode == "L" else image.convert("L"))
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or image.ndim != 2:
            raise InvalidInput(
                f"an image array must be 2-D uint8 (grey), got {image.dtype} {image.shape}",
                dtype=str(image.dtype),
                shape=list(image.shape),
            )
        if image.size == 0:
            raise InvalidInput(f"image has no pixels {image.shape}")
        return image
    raise InvalidInput(f"expected a PIL image or a 2-D uint8 array, got {type(image).__name__}")


def extract_features(image: Any, options: LocalOptions | None = None) -> LocalFeatures:
    """ORB keypoints of a picture scaled to `options.side` px on its long side.

    A flat or tiny picture gives few or no keypoints (an empty LocalFeatures, never an error); a
    value that is not a picture raises InvalidInput.
    """
    opts = options or DEFAULT_OPTIONS
    grey = _grey(image)
    h, w = grey.shape
    s = opts.side / max(w, h)
    sw, sh = max(1, round(w * s)), max(1, round(h * s))
    if (sw, sh) != (w, h):
        interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
        grey = cv2.resize(np.ascontiguousarray(grey), (sw, sh), interpolation=interp)
    orb = cv2.ORB_create(
        nfeatures=opts.max_features,
        fastThreshold=opts.fast_threshold,
        edgeThreshold=opts.edge_threshold,
        patchSize=opts.edge_threshold,
    )
    grey = np.ascontiguousarray(grey)
    keypoints, desc = orb.detectAndCompute(grey, None)
    t = THUMB_SIDE / max(sw, sh)
    thumb = cv2.resize(grey, (max(1, round(sw * t)), max(1, round(sh * t))), interpolation=cv2.INTER_AREA)
    if desc is None or not keypoints:
        points = np.zeros((0, 2), np.float32)
        desc = np.zeros((0, DESCRIPTOR_BYTES), np.uint8)
    else:
        points = np.array([kp.pt for kp in keypoints], dtype=np.float32).reshape(-1, 2)
    return LocalFeatures(points, np.ascontiguousarray(desc, dtype=np.uint8), (sw, sh), thumb)


@dataclass(frozen=True)
class LocalMatch:
    """One verified reference: how many matches agree with one transform, and that transform."""

    key: int
    inliers: int
    """Descriptor matches consistent with the transform (RANSAC inliers)."""
    candidates: int
    """Descriptor matches that passed the distance and ratio tests (what RANSAC started from)."""
    inlier_ratio: float
    scale: float
    """Query size / reference size of the matched content: 1/0.9 = 1.11 for a 90% crop."""
    rotation_deg: float
    tx: float
    ty: float
    """Where the reference's origin lands in the query's scaled image (px)."""
    coverage: float = 0.0
    """Inliers over the keypoints that overlap, the smaller of the query's and the reference's share."""
    agreement: float = 0.0
    """Share of the overlapping grid cells where the two pictures' pixels agree (`_agreement`)."""


@dataclass(frozen=True)
class _Verdict:
    match: LocalMatch | None
    reason: str


def _window_keys(codes: np.ndarray, start: int) -> np.ndarray:
    """The 24-bit value of bytes start, start+1, start+2 (mod 32) of every code, as uint32."""
    cols = [(start + k) % DESCRIPTOR_BYTES for k in range(WINDOW_BYTES)]
    key = codes[:, cols[0]].astype(np.uint32)
    for shift, col in enumerate(cols[1:], start=1):
        key |= codes[:, col].astype(np.uint32) << np.uint32(8 * shift)
    return key


class _WindowTables:
    """Candidate pairs (query descriptor, bank row) that agree on a whole 3-byte window and lie
    within a radius: a fast, approximate radius search for the shortlist (see the module docstring).

    Per window, the rows sorted by that window's value and the sorted values (uint32 each: 8 bytes
    a descriptor a table, 88 with the 11 tables). A lookup is two `searchsorted` per table over all
    query descriptors at once, then the exact distance of every candidate.
    """

    def __init__(self, codes: np.ndarray) -> None:
        self._words = codes.view(np.uint64)
        self._tables: list[tuple[np.ndarray, np.ndarray]] = []
        for start in WINDOW_STARTS:
            key = _window_keys(codes, start)
            order = np.argsort(key, kind="stable").astype(np.uint32)
            self._tables.append((_readonly(key[order]), _readonly(order)))

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + r.nbytes for k, r in self._tables)

    def pairs(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
        found_q, found_rows = [], []
        for (keys, rows), start in zip(self._tables, WINDOW_STARTS, strict=True):
            qk = _window_keys(queries, start)
            lo = np.searchsorted(keys, qk, side="left")
            counts = np.searchsorted(keys, qk, side="right") - lo
            total = int(counts.sum())
            if total == 0:
                continue
            ends = np.cumsum(counts)
            positions = np.arange(total, dtype=np.int64) + np.repeat(lo - (ends - counts), counts)
            found_rows.append(rows[positions])
            found_q.append(np.repeat(np.arange(len(queries), dtype=np.int64), counts))
        if not found_rows:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        q = np.concatenate(found_q)
        r = np.concatenate(found_rows).astype(np.int64)
        qwords = np.ascontiguousarray(queries).view(np.uint64)
        d = np.bitwise_count(self._words[r] ^ qwords[q]).sum(axis=1, dtype=np.uint16)
        keep = d <= radius
        return q[keep], r[keep]


@dataclass(frozen=True, eq=False)
class _Item:
    key: int
    start: int
    stop: int
    size: tuple[int, int]
    thumbnail: np.ndarray


class LocalIndex:
    """Immutable bank of reference keypoints; `match` returns the verified references, best first."""

    def __init__(
        self,
        items: list[_Item],
        descriptors: np.ndarray,
        points: np.ndarray,
        owner: np.ndarray,
        options: LocalOptions,
    ) -> None:
        self._items = items
        self._descriptors = descriptors
        self._points = points
        self._owner = owner
        self.options = options
        self._search = _WindowTables(descriptors) if len(descriptors) else None
        self._matcher = cv2.BFMatcher(cv2.NORM_HAMMING)

    @classmethod
    def build(
        cls, items: Sequence[tuple[int, LocalFeatures]], options: LocalOptions | None = None
    ) -> LocalIndex:
        """Stack the references' descriptors; `items` are (key, features) pairs (keys may repeat:
        one work with several pictures; each picture is verified alone, the best one reported)."""
        opts = options or DEFAULT_OPTIONS
        entries: list[_Item] = []
        descs, points = [], []
        start = 0
        for n, entry in enumerate(items):
            try:
                key, features = entry
            except (TypeError, ValueError):
                raise InvalidInput(f"item {n} must be a (key, LocalFeatures) pair") from None
            if isinstance(key, bool) or not isinstance(key, int | np.integer):
                raise InvalidInput(f"item {n}: key must be an integer, got {key!r}")
            if not isinstance(features, LocalFeatures):
                raise InvalidInput(f"item {n}: expected LocalFeatures, got {type(features).__name__}")
            entries.append(_Item(int(key), start, start + len(features), features.size, features.thumbnail))
            descs.append(features.descriptors)
            points.append(features.points)
            start += len(features)
        descriptors = _readonly(np.concatenate(descs) if descs else np.zeros((0, DESCRIPTOR_BYTES), np.uint8))
        stacked_points = _readonly(np.concatenate(points) if points else np.zeros((0, 2), np.float32))
        owner = np.repeat(np.arange(len(entries), dtype=np.int32), [e.stop - e.start for e in entries])
        return cls(entries, descriptors, stacked_points, _readonly(owner), opts)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def descriptor_count(self) -> int:
        return len(self._descriptors)

    @property
    def nbytes(self) -> int:
        """Bytes of the index's arrays (descriptors, points, owners, and the search structure)."""
        search = self._search.nbytes if self._search is not None else 0
        thumbs = sum(item.thumbnail.nbytes for item in self._items)
        return self._descriptors.nbytes + self._points.nbytes + self._owner.nbytes + search + thumbs

    def key_of(self, item_no: int) -> int:
        """The key of the reference with this item number (the order `build` was given)."""
        return self._items[item_no].key

    def shortlist(
        self, query: LocalFeatures, min_votes: int | None = None, limit: int | None = None
    ) -> list[tuple[int, int]]:
        """(item number, votes) of the references worth verifying, most votes first.

        A reference's votes are the query descriptors with at least one of its descriptors within
        `vote_radius` bits. `min_votes` and `limit` default to the options' `min_votes` and
        `max_verify` (the bench passes 1 and the bank's size to see every reference's votes).
        """
        if not isinstance(query, LocalFeatures):
            raise InvalidInput(f"expected LocalFeatures, got {type(query).__name__}")
        opts = self.options
        floor = opts.min_votes if min_votes is None else min_votes
        if self._search is None or len(query) == 0:
            return []
        q, rows = self._search.pairs(query.descriptors, opts.vote_radius)
        if len(q) == 0:
            return []
        # One vote per (query descriptor, reference): unique pairs, then count per reference.
        n_items = len(self._items)
        pair_ids = np.unique(q.astype(np.int64) * n_items + self._owner[rows])
        votes = np.bincount(pair_ids % n_items, minlength=n_items)
        (chosen,) = np.nonzero(votes >= max(1, floor))
        order = np.lexsort((chosen, -votes[chosen]))[: opts.max_verify if limit is None else max(0, limit)]
        return [(int(chosen[i]), int(votes[chosen[i]])) for i in order]

    def match(self, query: LocalFeatures) -> list[LocalMatch]:
        """The verified references for `query`, best (most inliers) first, one per key."""
        best: dict[int, LocalMatch] = {}
        for item_no, _votes in self.shortlist(query):
            verdict = self._verify(query, self._items[item_no])
            m = verdict.match
            if m is not None and (m.key not in best or _rank(m) < _rank(best[m.key])):
                best[m.key] = m
        return sorted(best.values(), key=_rank)

    def verify(self, query: LocalFeatures, item_no: int) -> tuple[LocalMatch | None, str]:
        """Verify `query` against one reference (by item number), skipping the shortlist.

        Returns the match, or None and the reason it failed (for calibration and debugging).
        """
        if not isinstance(query, LocalFeatures):
            raise InvalidInput(f"expected LocalFeatures, got {type(query).__name__}")
        if not 0 <= item_no < len(self._items):
            raise InvalidInput(f"item {item_no} is not in this index of {len(self._items)}")
        v = self._verify(query, self._items[item_no])
        return v.match, v.reason

    def _verify(self, query: LocalFeatures, item: _Item) -> _Verdict:
        opts = self.options
        ref_desc = self._descriptors[item.start : item.stop]
        ref_pts = self._points[item.start : item.stop]
        if len(ref_desc) < 2 or len(query) < 2:
            return _Verdict(None, "too few keypoints")
        knn = self._matcher.knnMatch(query.descriptors, ref_desc, k=2)
        best_for_ref: dict[int, tuple[float, int]] = {}
        for pair in knn:
            if len(pair) < 2:
                continue
            first, second = pair
            if first.distance > opts.max_distance or first.distance >= opts.ratio * second.distance:
                continue
            seen = best_for_ref.get(first.trainIdx)
            if seen is None or first.distance < seen[0]:
                best_for_ref[first.trainIdx] = (first.distance, first.queryIdx)
        candidates = len(best_for_ref)
        if candidates < opts.min_inliers:
            return _Verdict(None, "too few candidate matches")
        ref_idx = np.fromiter(best_for_ref.keys(), dtype=np.int64, count=candidates)
        q_idx = np.fromiter((v[1] for v in best_for_ref.values()), dtype=np.int64, count=candidates)
        src, dst = ref_pts[ref_idx], query.points[q_idx]
        transform, mask = cv2.estimateAffinePartial2D(
            src,
            dst,
            method=cv2.RANSAC,
            ransacReprojThreshold=opts.reproj_threshold,
            maxIters=opts.ransac_iters,
            confidence=0.995,
            refineIters=10,
        )
        if transform is None or mask is None:
            return _Verdict(None, "no transform")
        inliers = int(mask.sum())
        if inliers < opts.min_inliers:
            return _Verdict(None, "too few inliers")
        a, b = float(transform[0, 0]), float(transform[1, 0])
        scale = math.hypot(a, b)
        rotation = math.degrees(math.atan2(b, a))
        if not opts.min_scale <= scale <= opts.max_scale:
            return _Verdict(None, "implausible scale")
        if abs(rotation) > opts.max_rotation_deg:
            return _Verdict(None, "implausible rotation")
        ratio = inliers / candidates
        if ratio < opts.min_inlier_ratio:
            return _Verdict(None, "low inlier ratio")
        coverage = _coverage(transform, inliers, ref_pts, item.size, query.points, query.size)
        if coverage < opts.min_coverage:
            return _Verdict(None, "low coverage")
        agreement = _agreement(transform, item.thumbnail, item.size, query.thumbnail, query.size)
        if agreement < opts.min_agreement:
            return _Verdict(None, "pictures disagree")
        match = LocalMatch(
            key=item.key,
            inliers=inliers,
            candidates=candidates,
            inlier_ratio=ratio,
            scale=scale,
            rotation_deg=rotation,
            tx=float(transform[0, 2]),
            ty=float(transform[1, 2]),
            coverage=coverage,
            agreement=agreement,
        )
        return _Verdict(match, "match")


def _rank(m: LocalMatch) -> tuple[int, float, int]:
    return (-m.inliers, -m.coverage, m.key)


def _inside_mask(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    return (points[:, 0] >= 0) & (points[:, 0] < w) & (points[:, 1] >= 0) & (points[:, 1] < h)


def _coverage(
    transform: np.ndarray,
    inliers: int,
    ref_pts: np.ndarray,
    ref_size: tuple[int, int],
    q_pts: np.ndarray,
    q_size: tuple[int, int],
) -> float:
    """Inliers / keypoints that the transform puts inside the other picture, with the larger of the
    reference's and the query's count: the smaller share of the overlapping keypoints explained.
    A copy explains a large share; one motif shared by two different pictures, a small one."""
    lin = transform[:, :2].astype(np.float64)
    shift = transform[:, 2].astype(np.float64)
    forward = int(_inside_mask(ref_pts @ lin.T + shift, q_size).sum())
    backward = int(_inside_mask((q_pts - shift) @ np.linalg.inv(lin).T, ref_size).sum())  # scale > 0
    return inliers / max(forward, backward, inliers, 1)


def _pixel_map(scale_x: float, scale_y: float) -> np.ndarray:
    """3x3 map from a picture's pixel coordinates to a resized copy's (pixel centres at +0.5)."""
    return np.array([[scale_x, 0.0, (scale_x - 1) / 2], [0.0, scale_y, (scale_y - 1) / 2], [0.0, 0.0, 1.0]])


def _cell_sums(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sum of `values` over each cell of the grid whose row and column starts are given."""
    return np.add.reduceat(np.add.reduceat(values, rows, axis=0), cols, axis=1)


def _agreement(
    transform: np.ndarray,
    ref_thumb: np.ndarray,
    ref_size: tuple[int, int],
    q_thumb: np.ndarray,
    q_size: tuple[int, int],
) -> float:
    """Share of the grid cells where the reference, moved by `transform`, looks like the query.

    The keypoints say *where* the reference would sit in the query; this checks that it is really
    there. The reference's thumbnail is warped into the query's; on an AGREE_GRID x AGREE_GRID grid
    over the query, each cell that the reference covers for at least half is compared: textured
    cells agree when their pixels correlate (>= AGREE_NCC, so brightness and contrast changes do
    not matter), cells flat in both pictures when their grey levels are close (FLAT_TOLERANCE).
    The score is the best share over the grid with 0 to BAND_ROWS rows left out at the top or at
    the bottom, so a caption bar of up to a quarter of the height costs nothing. A copy agrees
    almost everywhere; two different pictures that share a motif, a face template or a word, agree
    around the motif only.
    """
    qh, qw = q_thumb.shape
    rh, rw = ref_thumb.shape
    to_query = _pixel_map(qw / q_size[0], qh / q_size[1]) @ np.vstack([transform, [0.0, 0.0, 1.0]])
    full = (to_query @ np.linalg.inv(_pixel_map(rw / ref_size[0], rh / ref_size[1])))[:2]
    warped = cv2.warpAffine(ref_thumb.astype(np.float32), full, (qw, qh), flags=cv2.INTER_LINEAR)
    cover = cv2.warpAffine(np.ones((rh, rw), np.float32), full, (qw, qh), flags=cv2.INTER_LINEAR)
    valid = (cover > 0.999).astype(np.float64)
    x = warped.astype(np.float64) * valid
    y = q_thumb.astype(np.float64) * valid
    rows = (np.arange(AGREE_GRID) * qh) // AGREE_GRID
    cols = (np.arange(AGREE_GRID) * qw) // AGREE_GRID
    if qh < AGREE_GRID or qw < AGREE_GRID:
        rows, cols = np.unique(rows), np.unique(cols)
    n = _cell_sums(valid, rows, cols)
    area = _cell_sums(np.ones_like(valid), rows, cols)
    used = n >= 0.5 * area
    if used.sum() < MIN_CELLS:
        return 0.0
    n = np.where(used, n, 1.0)
    mx, my = _cell_sums(x, rows, cols) / n, _cell_sums(y, rows, cols) / n
    vx = np.maximum(_cell_sums(x * x, rows, cols) / n - mx * mx, 0.0)
    vy = np.maximum(_cell_sums(y * y, rows, cols) / n - my * my, 0.0)
    cov = _cell_sums(x * y, rows, cols) / n - mx * my
    sx, sy = np.sqrt(vx), np.sqrt(vy)
    flat = np.maximum(sx, sy) < FLAT_STD
    with np.errstate(divide="ignore", invalid="ignore"):
        ncc = np.where(np.minimum(sx, sy) > 1.0, cov / (sx * sy), 0.0)
    agree = np.where(flat, np.abs(mx - my) < FLAT_TOLERANCE, ncc >= AGREE_NCC) & used
    agree_rows, used_rows = agree.sum(axis=1), used.sum(axis=1)
    best = 0.0
    for k in range(min(BAND_ROWS, len(used_rows) - 1) + 1):
        for keep in (slice(k, None), slice(None, len(used_rows) - k)):
            cells = int(used_rows[keep].sum())
            if cells >= MIN_CELLS:
                best = max(best, int(agree_rows[keep].sum()) / cells)
    return best


__all__ = [
    "DEFAULT_OPTIONS",
    "FORMAT_VERSION",
    "LocalFeatures",
    "LocalIndex",
    "LocalMatch",
    "LocalOptions",
    "extract_features",
]
