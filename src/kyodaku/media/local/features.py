"""Extraction of one picture's local features, and their compact stored form (formats 1 and 2).

`extract_features` gives the ORB keypoints of a picture scaled to `LocalOptions.side` px on its
long side, their descriptors and a grey thumbnail; `LocalFeatures.to_bytes` / `from_bytes` is the
record the registry keeps per reference image, so references are not re-extracted at start-up.

**A finer band for references** (format 2, issue 14). An output is analysed at 256 px whatever it
shows. A deep crop (a third per side) shows a third of the reference over those 256 px: the
reference's content 2.9x larger than in the reference's own 256 px rendition, whose keypoints
were found where that part of the picture had ~85 px. ORB's pyramid covers the zoom on paper, but
the corners the crop shows at its finest levels were never seen in the reference: the detail was
not there at 256 px. So a reference also keeps keypoints found at up to `FINE_SIDE` px, in levels
that start above the coarse band's finest (`extract_finer`), with a larger thumbnail for the pixel
check; their positions are divided back into the 256 px frame, so a match on either band reports
the same scale and shift. References are stored once, so the band costs registration time and
memory (~37 KB stored, ~80 KB in the index, a reference), not a keypoint more on the output's side.

**Deep crops** (issue 14, continued). Three things kept crops of a third per side from the band
(measured on the tune half of bench/media_real.py, with the crop's true place known):

* *Where the band's keypoints lie.* ORB keeps a picture's strongest corners; in a photograph with
  one textured part nearly all of them lie there, and a crop of the calm part had no band keypoint
  within 9 px of any of its own ~200. The band is now kept cell by cell on a FINE_GRID grid
  (`_spread`), and holds FINE_MAX_FEATURES keypoints (1,200: a ninth of them in a crop of a third).
* *Smaller references.* A reference under 768 px had a band only down from its own size, or none
  under 384 px (a stamp, a sticker, a tile): "upscaling invents no corners". But the output side
  does enlarge: a crop of a third of a 300 px picture is 100 px, and `extract_features` enlarges it
  to 256 px before ORB looks at it, so its keypoints are corners *of the enlarged picture*, seen
  with ORB's fixed 31 px patch. The band now enlarges the reference the same way (linear
  interpolation) to 768 px, which gives the same corners and descriptors: what a crop of a third
  shows, at the zoom the crop shows it. References under FINE_MIN_SIDE get no band.
* *What the coverage test counts* (`verify._coverage`): see there.

The stored format is unchanged (format 2); a band stored before this keeps working, with the
smaller, unspread keypoint set it was registered with, until the reference is registered again.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np
from PIL import Image

from kyodaku.domain.errors import InvalidInput
from kyodaku.media.local.options import DEFAULT_OPTIONS, LocalOptions

DESCRIPTOR_BYTES = 32
"""ORB descriptors are 256 bits."""
FORMAT_MAGIC = b"KYLF"
FORMAT_VERSION = 2
"""Format 1: one band. Format 2: the same record followed by the finer band's own format-1 record.
A record with no finer band is still written as format 1 (outputs, small references), and both
are read."""
_HEADER = struct.Struct("<4sBxHHIHH")  # magic, version, pad, width, height, count, thumb w, thumb h
THUMB_SIDE = 64
"""Long side (px) of the grey thumbnail kept with the keypoints for the agreement check."""
QUERY_THUMB_SIDE = 256
"""Outputs (never stored) keep their whole scaled picture as the thumbnail: a reference shown at a
quarter of a frame's width still has 64 px of it to be compared with."""
FINE_SIDE = 768
"""Long side (px) of a reference's finer band: 3x the coarse 256, the zoom of a crop of a third per
side. A smaller reference is enlarged to it (module docstring, "Smaller references")."""
FINE_MIN_SIDE = 64
"""References smaller than this (px, long side) get no finer band: a crop of a third of them is a
~20 px scrap."""
FINE_MAX_FEATURES = 1200
"""Keypoints of the finer band. A crop of a third per side shows a ninth of the reference's area,
so about a ninth of them (spread by `_spread`): ~130 at 1,200 (tune half, crops of a third found:
500 -> 37 %, 800 -> 47 %, 1,200 -> 53 %, with the enlargement of small references and the spread)."""
FINE_GRID = 8
"""The finer band's keypoints are kept cell by cell on this grid (`_spread`): a crop of a third per
side covers about 7 of its 64 cells whole, wherever it is taken."""
FINE_THUMB_SIDE = 160
"""The finer band's thumbnail: a crop of a third per side keeps ~53 px of it for the pixel check
(the coarse 64 px thumbnail would leave 21)."""


def readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _boxes(value: object) -> bool:
    """Whether `value` is a tuple of (left, top, right, bottom) tuples of finite numbers."""
    return isinstance(value, tuple) and all(
        isinstance(b, tuple)
        and len(b) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in b)
        for b in value
    )


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
    finer: LocalFeatures | None = None
    """A reference's finer band (`extract_finer`): keypoints found at up to FINE_SIDE px, positions in
    this record's frame (`size`), its own larger thumbnail. None for outputs and small pictures."""
    edge_from: int | None = None
    """Keypoints from this index on were found in the band along the edge (`_topped_up`): their patch
    is partly ORB's mirror of the picture. None: every patch lies inside the picture. Not stored
    (references have no such keypoints)."""
    enlarged: float = 1.0
    """How many times the picture was enlarged before ORB looked at it (`rendition` enlarges a picture
    under `LocalOptions.side` px to it); 1.0: not enlarged. The shortlist asks fewer votes of a
    reference's finer band for an enlarged query (`LocalOptions.enlarged_fine_min_votes`). Not stored."""
    drawn_over: tuple[tuple[float, float, float, float], ...] = ()
    """Rectangles shown over the picture (an output's insets, padded: `insets.padded_boxes`), as
    (left, top, right, bottom) px of `thumbnail`, which for an output is its keypoint frame (`size`):
    the keypoints and pixels verification may leave out for a reference they partly hide
    (`LocalOptions.max_hidden`). Not stored."""

    def __post_init__(self) -> None:
        p, d, t = self.points, self.descriptors, self.thumbnail
        if self.finer is not None and (
            not isinstance(self.finer, LocalFeatures) or self.finer.finer is not None
        ):
            raise InvalidInput("LocalFeatures.finer must be a LocalFeatures without a finer band of its own")
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
        if self.edge_from is not None and not 0 <= self.edge_from <= len(p):
            raise InvalidInput(f"LocalFeatures.edge_from must be in 0..{len(p)}, got {self.edge_from!r}")
        e = self.enlarged
        if not (isinstance(e, int | float) and math.isfinite(e) and e > 0):
            raise InvalidInput(f"LocalFeatures.enlarged must be a positive number, got {e!r}")
        if not _boxes(self.drawn_over):
            raise InvalidInput("LocalFeatures.drawn_over must be a tuple of (left, top, right, bottom) boxes")
        if len(p) > 0xFFFFFFFF or not np.isfinite(p).all():
            raise InvalidInput("LocalFeatures.points must be finite")
        w, h = self.size
        if not (isinstance(w, int) and isinstance(h, int) and 0 < w <= 0xFFFF and 0 < h <= 0xFFFF):
            raise InvalidInput(f"LocalFeatures.size must be two positive integers, got {self.size!r}")
        if not isinstance(t, np.ndarray) or t.dtype != np.uint8 or t.ndim != 2 or t.size == 0:
            raise InvalidInput("LocalFeatures.thumbnail must be a non-empty 2-D uint8 array")
        if max(t.shape) > 1024:
            raise InvalidInput(f"LocalFeatures.thumbnail is too large: {t.shape}")
        object.__setattr__(self, "points", readonly(np.ascontiguousarray(p)))
        object.__setattr__(self, "descriptors", readonly(np.ascontiguousarray(d)))
        object.__setattr__(self, "thumbnail", readonly(np.ascontiguousarray(t)))

    def __len__(self) -> int:
        return len(self.points)

    @property
    def nbytes(self) -> int:
        own = self.points.nbytes + self.descriptors.nbytes + self.thumbnail.nbytes
        return own + (self.finer.nbytes if self.finer is not None else 0)

    def to_bytes(self) -> bytes:
        """A compact versioned form: an 18-byte header (magic "KYLF", version, sizes, count), then
        the points (float32 little-endian), the descriptors and the thumbnail (row-major); with a
        finer band, version 2 and the band's own version-1 record after that."""
        w, h = self.size
        th, tw = self.thumbnail.shape
        version = 1 if self.finer is None else 2
        header = _HEADER.pack(FORMAT_MAGIC, version, w, h, len(self), tw, th)
        body = self.points.astype("<f4").tobytes() + self.descriptors.tobytes() + self.thumbnail.tobytes()
        return header + body + (self.finer.to_bytes() if self.finer is not None else b"")

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> LocalFeatures:
        """Read `to_bytes` output back; anything else raises InvalidInput."""
        buf = bytes(data)
        if len(buf) < _HEADER.size:
            raise InvalidInput(f"local features: {len(buf)} bytes is too short for the header")
        magic, version, w, h, n, tw, th = _HEADER.unpack_from(buf)
        if magic != FORMAT_MAGIC:
            raise InvalidInput("local features: not a kyodaku local-feature record (bad magic)")
        if version not in (1, 2):
            raise InvalidInput(f"local features: format version {version} is not supported", version=version)
        expected = _HEADER.size + n * (8 + DESCRIPTOR_BYTES) + tw * th
        if len(buf) != expected and not (version == 2 and len(buf) > expected):
            raise InvalidInput(f"local features: expected {expected} bytes for {n} keypoints, got {len(buf)}")
        finer = None
        if version == 2:
            finer = cls.from_bytes(buf[expected:])
            if finer.finer is not None:
                raise InvalidInput("local features: a finer band cannot have a finer band of its own")
        start = _HEADER.size
        points = np.frombuffer(buf, dtype="<f4", count=2 * n, offset=start).astype(np.float32).reshape(n, 2)
        desc = np.frombuffer(buf, dtype=np.uint8, count=n * DESCRIPTOR_BYTES, offset=start + 8 * n)
        thumb = np.frombuffer(buf, dtype=np.uint8, count=tw * th, offset=start + n * (8 + DESCRIPTOR_BYTES))
        return cls(
            points, desc.reshape(n, DESCRIPTOR_BYTES).copy(), (w, h), thumb.reshape(th, tw).copy(), finer
        )


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


def rendition(
    image: Any, side: int, thumb_side: int = THUMB_SIDE
) -> tuple[np.ndarray, tuple[int, int], np.ndarray]:
    """The grey picture keypoints are found on (scaled to `side` px on its long side, but never
    upscaled past the default side: a side above it asks for the detail a large picture has, an
    inset in a frame, which upscaling a small one cannot invent), its size, and its thumbnail (for
    the pixel check) at up to `thumb_side` px."""
    grey = _grey(image)
    h, w = grey.shape
    s = min(side, max(w, h, DEFAULT_OPTIONS.side)) / max(w, h)
    sw, sh = max(1, round(w * s)), max(1, round(h * s))
    if (sw, sh) != (w, h):
        interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
        grey = cv2.resize(np.ascontiguousarray(grey), (sw, sh), interpolation=interp)
    grey = np.ascontiguousarray(grey)
    t = min(1.0, max(8, thumb_side) / max(sw, sh))
    tw, th = max(1, round(sw * t)), max(1, round(sh * t))
    # A query's thumbnail is often the picture itself (256 px): a resize to the same size is a copy.
    thumb = grey if (tw, th) == (sw, sh) else cv2.resize(grey, (tw, th), interpolation=cv2.INTER_AREA)
    return grey, (sw, sh), thumb


def placed(found: LocalFeatures, size: tuple[int, int], thumbnail: np.ndarray) -> LocalFeatures:
    """Keypoints found on a larger rendition of a picture, placed in its `size` rendition (positions
    scaled down; descriptors as found): scales, the pixel check and inset boxes then read as if they
    had been found there, with the detail of the larger one (video frames, insets cut again)."""
    k = np.float32(size[0] / max(1, found.size[0]))
    return LocalFeatures(
        np.ascontiguousarray(found.points * k, dtype=np.float32),
        found.descriptors,
        size,
        thumbnail,
        edge_from=found.edge_from,
    )


def extract_features(
    image: Any, options: LocalOptions | None = None, thumb_side: int = THUMB_SIDE
) -> LocalFeatures:
    """ORB keypoints of a picture scaled to `options.side` px on its long side.

    A flat or tiny picture gives few or no keypoints (an empty LocalFeatures, never an error); a
    value that is not a picture raises InvalidInput.
    """
    opts = options or DEFAULT_OPTIONS
    grey, (sw, sh), thumb = rendition(image, opts.side, thumb_side)
    grey = np.ascontiguousarray(grey)
    border = opts.border or opts.edge_threshold
    keypoints, desc = (), None
    edge_from: int | None = None
    # ORB's pyramid fails on strips thinner than its border (a 1-px wide picture, a 4000 x 16 banner):
    # those have no keypoints to give, which is an answer, not an error.
    if min(sw, sh) > 2 * border:
        try:
            if opts.spread_grid:
                orb = _orb(opts, opts.max_features * SPREAD_POOL, border)
                found = _spread(orb.detect(grey, None), (sw, sh), opts.max_features, opts.spread_grid)
                keypoints, desc = orb.compute(grey, found) if found else ((), None)
            elif border < opts.edge_threshold:
                keypoints, desc, edge_from = _topped_up(grey, opts)
            else:
                keypoints, desc = _orb(opts, opts.max_features, border).detectAndCompute(grey, None)
        except cv2.error:
            keypoints, desc, edge_from = (), None, None
    if desc is None or not keypoints:
        points = np.zeros((0, 2), np.float32)
        desc = np.zeros((0, DESCRIPTOR_BYTES), np.uint8)
    else:
        points = np.array([kp.pt for kp in keypoints], dtype=np.float32).reshape(-1, 2)
    if edge_from is not None and edge_from >= len(points):
        edge_from = None
    desc = np.ascontiguousarray(desc, dtype=np.uint8)
    width = image.width if isinstance(image, Image.Image) else image.shape[1]  # `rendition` checked it
    return LocalFeatures(points, desc, (sw, sh), thumb, edge_from=edge_from, enlarged=max(1.0, sw / width))


def _orb(opts: LocalOptions, count: int, border: int) -> Any:
    return cv2.ORB_create(
        nfeatures=count,
        fastThreshold=opts.fast_threshold,
        edgeThreshold=border,
        patchSize=opts.edge_threshold,
        nlevels=opts.levels,
        scaleFactor=opts.scale_factor,
    )


TOP_UP_BELOW = 0.5
"""With a narrow `LocalOptions.border`, the band along the edge is searched only when the inside of
the picture gave fewer than this share of `max_features` (see `_topped_up`)."""


def _topped_up(grey: np.ndarray, opts: LocalOptions) -> tuple[list, np.ndarray | None, int | None]:
    """ORB's keypoints as a reference's border would find them, topped up, level by level, with
    corners of the band along the edge (ORB's own band at each level, where a corner's patch reaches
    past the picture) when the inside gave fewer than TOP_UP_BELOW of `max_features`.

    Why a top-up and not one pass with the narrow border: ORB keeps its strongest corners, and the
    band (43 % of a square 256 px rendition, 57 % of a 16:9 one) then competes with the inside. In a
    picture in picture the background's strong corners along the frame's edge took the places of the
    inset's weaker ones (tune half of bench/media_real.py: a ladybug stamp at 40 % of a frame, found
    with 192 keypoints, missed with 300 once the band took its share). A picture whose inside has
    enough corners keeps exactly the keypoints it had; the band serves the flat ones, a crop of
    smooth art, where the corners at the cut are most of what there is (tune half: of the outputs
    the band turned from missed to found, 16 of 19 had under 150 keypoints inside). The second ORB
    pass costs only such pictures.

    Returns the keypoints, their descriptors, and the index the band's keypoints start at (None when
    none was added)."""
    count = opts.max_features
    inside: list = []
    desc = None
    if min(grey.shape) > 2 * opts.edge_threshold:
        found, desc = _orb(opts, count, opts.edge_threshold).detectAndCompute(grey, None)
        inside = list(found)
        if len(inside) >= TOP_UP_BELOW * count:
            return inside, desc, None
    quota = np.array(_level_quota(count, opts.levels, opts.scale_factor), np.int64)
    have = np.bincount(np.array([kp.octave for kp in inside], np.int64), minlength=len(quota))
    left = quota - have[: len(quota)]
    more, more_desc = _orb(opts, count, opts.border).detectAndCompute(grey, None)
    if more_desc is None or not more or left.sum() <= 0:
        return inside, desc, None
    h, w = grey.shape
    xy = np.array([kp.pt for kp in more], np.float64)
    edge = np.minimum.reduce([xy[:, 0], xy[:, 1], w - xy[:, 0], h - xy[:, 1]])
    octave = np.clip(np.array([kp.octave for kp in more], np.int64), 0, len(quota) - 1)
    in_band = edge < opts.edge_threshold * np.power(opts.scale_factor, octave)
    response = np.array([kp.response for kp in more], np.float64)
    order = np.lexsort((-response, octave))
    order = order[in_band[order]]
    level = octave[order]
    add = order[_rank_in_runs(level) < left[level]]
    if not len(add):
        return inside, desc, None
    keypoints = inside + [more[i] for i in add.tolist()]
    parts = [d for d in (desc, more_desc[add]) if d is not None and len(d)]
    return keypoints, np.ascontiguousarray(np.vstack(parts)), len(inside)


def _rank_in_runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Each element's place within its run of equal keys (0 for the first), for keys sorted so that
    equal ones are adjacent: how `_spread` ranks keypoints in their cell and `_topped_up` in their
    level, strongest first."""
    return np.arange(len(sorted_keys)) - np.searchsorted(sorted_keys, sorted_keys, side="left")


def _level_quota(count: int, levels: int, scale_factor: float) -> list[int]:
    """How many keypoints ORB keeps on each pyramid level for `count` in all (OpenCV's orb.cpp)."""
    factor = 1.0 / scale_factor
    per = count * (1 - factor) / (1 - factor**levels)
    quota = []
    for _ in range(levels - 1):
        quota.append(round(per))
        per *= factor
    quota.append(max(count - sum(quota), 0))
    return quota


SPREAD_POOL = 4
"""With `LocalOptions.spread_grid`, ORB first finds this many times `max_features` corners, among
which `_spread` keeps `max_features`."""


def _spread(keypoints: Any, size: tuple[int, int], count: int, grid: int) -> list:
    """`count` of `keypoints`, taken cell by cell on a `grid` x `grid` grid over a picture of `size`.

    ORB keeps a picture's strongest corners, and in a photograph with one textured part (foliage, a
    crowd) nearly all of them lie there: a crop of the calm part (water, a sky, a wall) then finds no
    reference keypoint of its own in the band, whatever it shows (measured on the tune half of
    bench/media_real.py: crops of a third per side whose band had no keypoint within 9 px of any of
    the crop's ~200). Here every keypoint is ranked within its cell and pyramid level by ORB's
    response, and the picture keeps the first of every cell and level, then the second, and so on:
    each part of the picture keeps keypoints at every scale, and what a calm cell cannot fill goes to
    the textured ones. Ties on rank go to the stronger response.
    """
    kps = list(keypoints)
    if len(kps) <= count:
        return kps
    w, h = size
    xy = np.array([kp.pt for kp in kps], np.float64)
    cell_x = np.clip((xy[:, 0] * grid / w).astype(np.int64), 0, grid - 1)
    cell_y = np.clip((xy[:, 1] * grid / h).astype(np.int64), 0, grid - 1)
    octave = np.array([kp.octave for kp in kps], np.int64)
    response = np.array([kp.response for kp in kps], np.float64)
    group = (octave * grid + cell_y) * grid + cell_x
    # Rank within each group: sort by (group, -response), then count the position from each group's start.
    order = np.lexsort((-response, group))
    rank = np.empty(len(order), np.int64)
    rank[order] = _rank_in_runs(group[order])
    chosen = np.lexsort((-response, rank))[:count]
    return [kps[i] for i in sorted(chosen.tolist())]


def extract_finer(
    image: Any, coarse: LocalFeatures, options: LocalOptions | None = None
) -> LocalFeatures | None:
    """A reference's finer band (see the module docstring): ORB on the picture at up to FINE_SIDE px,
    in the levels above the coarse band's finest one only (768 px down to ~300 px in steps of
    `scale_factor`: no corner is described twice), positions divided into `coarse`'s frame.

    A picture smaller than FINE_SIDE is enlarged to it first; none smaller than FINE_MIN_SIDE gets a
    band. None then, or when the band finds no keypoints.
    """
    opts = options or DEFAULT_OPTIONS
    grey = _grey(image)
    h, w = grey.shape
    if max(w, h) < FINE_MIN_SIDE:
        return None
    if max(w, h) < FINE_SIDE:
        # Enlarged as an output's small picture is enlarged to 256 px (`extract_features`): see the
        # module docstring, "Smaller references".
        f = FINE_SIDE / max(w, h)
        size = (max(1, round(w * f)), max(1, round(h * f)))
        grey = cv2.resize(np.ascontiguousarray(grey), size, interpolation=cv2.INTER_LINEAR)
    side = FINE_SIDE
    # Levels down to about sqrt(scale_factor) above the coarse side: 768 px gives 6 (768 ... 309 px).
    step = math.log(opts.scale_factor)
    levels = 1 + math.floor(math.log(side / (opts.side * math.sqrt(opts.scale_factor))) / step)
    fine_opts = replace(opts, side=side, levels=levels, max_features=FINE_MAX_FEATURES, spread_grid=FINE_GRID)
    band = extract_features(grey, fine_opts, thumb_side=FINE_THUMB_SIDE)
    if not len(band):
        return None
    fx, fy = coarse.size[0] / band.size[0], coarse.size[1] / band.size[1]
    points = (band.points * np.array([fx, fy], np.float32)).astype(np.float32)
    return LocalFeatures(points, np.array(band.descriptors), coarse.size, np.array(band.thumbnail))


def with_finer(coarse: LocalFeatures, image: Any, options: LocalOptions | None = None) -> LocalFeatures:
    """`coarse` with its finer band taken from `image` (the same picture, at its full resolution)."""
    return replace(coarse, finer=extract_finer(image, coarse, options))


def reference_grey(source: Any, max_pixels: int) -> np.ndarray | None:
    """A reference file's grey picture at up to FINE_SIDE px (JPEGs DCT-scaled), for `extract_finer`.

    Best effort: the file has already been decoded and hashed at 256 px, so anything unexpected here
    (a pixel count over `max_pixels`, a decoding error) only costs the finer band: None."""
    import io
    from pathlib import Path

    from PIL import ImageOps

    try:
        fh = io.BytesIO(bytes(source)) if isinstance(source, bytes | bytearray | memoryview) else None
        with Image.open(fh if fh is not None else Path(source)) as im:
            if im.width * im.height > max_pixels or im.width <= 0 or im.height <= 0:
                return None
            if (im.format or "").lower() == "jpeg":
                im.draft("L", (FINE_SIDE, FINE_SIDE))
            im.load()
            im = ImageOps.exif_transpose(im) or im
            factor = max(im.size) // FINE_SIDE
            if factor >= 2:
                im = im.reduce(factor)
            return np.array(_grey(im))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, InvalidInput):
        return None
