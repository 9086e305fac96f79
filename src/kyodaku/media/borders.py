"""Borders out before hashing: letterbox and pillarbox bars, mats, frames and page backgrounds.

Why: PDQ is a global hash of the whole picture. A 4:3 picture pillarboxed into 16:9 puts a quarter
of its area in two black bars, a screenshot shows a picture at half the page's width on a plain
background; either moves the hash far past its threshold (measured on photographs in
bench/media_real.py: letterbox 1:1 and frame at 50% were never found). Bars and frames are plain,
the picture is not, so cutting the plain lines off each side gives the picture back within a pixel
or two, and its hash with it.

How: on the decoded grey picture (~256 px, what hashing works on), each side is scanned inward one
line (row or column) at a time. A line belongs to the border when nearly all of its pixels
(`LINE_SHARE`) lie within `TOLERANCE` grey levels of the line's median (plain, allowing noise and
JPEG ringing) and that median stays within `DRIFT` of the previous border line's (so a gradient
canvas is followed, a picture's edge is not). Encoders blur a bar's edge into the picture over a
pixel or two; the first line that is *mostly* border-coloured after the bar is taken too (at most
`BLUR_LINES`). The scan is done twice, so a mat inside a frame comes off as well. Every side is
independent (a title bar on top, a page margin at the sides).

What it never does: trim a picture to less than `MIN_KEEP` of a side or under `MIN_PIXELS`
(an all-border picture, a single colour, a 1-px strip answer "no trim" with the reason), or
decide anything: the caller hashes both the trimmed and the untrimmed picture, and a finding
made on the trimmed one carries the box in its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

TOLERANCE = 14
"""Grey levels a border pixel may differ from its line's median (noise, JPEG ringing)."""
LINE_SHARE = 0.97
"""Share of a line's pixels that must lie within TOLERANCE for the line to be border."""
DRIFT = 10
"""Grey levels the median may move from one border line to the next (gradient canvases)."""
BLUR_LINES = 2
"""Lines after the bar that may be taken as its blurred edge."""
BLUR_SHARE = 0.6
"""...when this share of their pixels is still within 2 x TOLERANCE of the bar's colour."""
MIN_KEEP = 0.12
"""A trim never keeps less than this share of the width or of the height."""
MIN_PIXELS = 16
"""...nor fewer pixels than this along a side."""
MIN_BAR = 2
"""Bars thinner than this (px of the analysed picture) are noise, not a border: no trim."""


@dataclass(frozen=True)
class Trim:
    """The box of picture left once the borders are cut off, in the analysed picture's pixels,
    and why there is no trim when there is none."""

    left: int
    top: int
    right: int
    bottom: int
    width: int
    height: int
    reason: str = ""

    @property
    def found(self) -> bool:
        return (self.left, self.top, self.right, self.bottom) != (0, 0, self.width, self.height)

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.right, self.bottom

    @property
    def kept(self) -> float:
        """Share of the area left."""
        return (self.right - self.left) * (self.bottom - self.top) / max(1, self.width * self.height)

    def scaled(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The box in a picture of another size (the original file's pixels, for the evidence)."""
        sx, sy = width / max(1, self.width), height / max(1, self.height)
        return (round(self.left * sx), round(self.top * sy), round(self.right * sx), round(self.bottom * sy))

    def to_dict(self, width: int | None = None, height: int | None = None) -> dict[str, Any]:
        box = self.scaled(width, height) if width and height else self.box
        return {
            "box": list(box),
            "of": [width or self.width, height or self.height],
            "kept": round(self.kept, 3),
        }


def _none(w: int, h: int, reason: str) -> Trim:
    return Trim(0, 0, w, h, w, h, reason)


def _line_stats(lines: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, plain-or-not, and the lines themselves (int16) of lines[start:stop]."""
    head = lines[start:stop].astype(np.int16, order="C")
    med = _median(head)
    plain = np.count_nonzero(np.abs(head - med[:, None]) <= TOLERANCE, axis=1)
    close = plain / head.shape[1] >= LINE_SHARE
    return med, close, head


def _median(rows: np.ndarray) -> np.ndarray:
    """np.median(rows, axis=1), by one partition (np.median's generic path costs ~4x more on the
    short chunks of lines examined here, and this runs on every picture screened)."""
    n = rows.shape[1]
    k = n // 2
    if n % 2:
        return np.partition(rows, k, axis=1)[:, k].astype(np.float64)
    part = np.partition(rows, (k - 1, k), axis=1)
    return (part[:, k - 1].astype(np.float64) + part[:, k]) / 2


CHUNK = 16
"""Lines examined at a time once a side has begun like a border (doubling after each chunk)."""


def _side(lines: np.ndarray, limit: int) -> int:
    """How many leading lines of `lines` (one per row, pixels along it) are border, at most `limit`."""
    limit = min(limit, lines.shape[0])
    if limit <= 0:
        return 0
    n = 0
    prev = None
    colour = 0.0
    size = MIN_BAR
    while n < limit:
        # Most pictures have no border, and their first MIN_BAR lines already say so; then chunks
        # that double (16, 32, ...): a tall plain area (a sky, a page margin) costs a few numpy calls,
        # not one per 16 lines. Lines past the first non-border one are examined and not used.
        stop = min(limit, n + size)
        size = CHUNK if n == 0 else size * 2
        med, close, _ = _line_stats(lines, n, stop)
        k = 0
        while k < len(med) and close[k] and (prev is None or abs(med[k] - prev) <= DRIFT):
            prev = med[k]
            k += 1
        n += k
        if k < len(med):
            break
    if n < MIN_BAR:
        return 0
    colour = float(prev if prev is not None else 0.0)
    for _ in range(BLUR_LINES):
        if n >= limit:
            break
        line = lines[n].astype(np.int16)
        if (np.abs(line - colour) <= 2 * TOLERANCE).mean() < BLUR_SHARE:
            break
        n += 1
    return n


def _pass(grey: np.ndarray) -> tuple[int, int, int, int]:
    h, w = grey.shape
    keep_w = max(MIN_PIXELS, int(np.ceil(MIN_KEEP * w)))
    keep_h = max(MIN_PIXELS, int(np.ceil(MIN_KEEP * h)))
    top = _side(grey, h - keep_h)
    bottom = _side(grey[::-1], h - keep_h - top)
    left = _side(grey.T, w - keep_w)
    right = _side(grey.T[::-1], w - keep_w - left)
    return left, top, w - right, h - bottom


def find_borders(picture: Image.Image | np.ndarray) -> Trim:
    """The picture's box inside its plain borders (see the module docstring); never raises on a
    picture of any size: too small, all border or single-coloured pictures get no trim and a reason."""
    full = _grey(picture)
    fh, fw = full.shape if full.ndim == 2 else (0, 0)
    if fh < MIN_PIXELS or fw < MIN_PIXELS:
        return _none(fw, fh, f"too small to have borders ({fw}x{fh})")
    # Examined at half size when the picture is large (a 640 x 360 decode): a quarter of the work,
    # and a box within 2 px of 640, which moves PDQ by a few bits.
    step = 2 if min(fh, fw) >= 2 * ANALYSIS_MIN else 1
    grey = full[::step, ::step] if step > 1 else full
    trim = _find(grey)
    if step == 1:
        return trim
    if not trim.found:
        return _none(fw, fh, trim.reason)
    return Trim(
        trim.left * step, trim.top * step, min(fw, trim.right * step), min(fh, trim.bottom * step), fw, fh
    )


ANALYSIS_MIN = 160
"""Pictures whose short side is at least twice this are examined at half size."""


def _find(grey: np.ndarray) -> Trim:
    h, w = grey.shape
    if int(grey.max()) - int(grey.min()) <= TOLERANCE:
        return _none(w, h, "a single colour: all border, nothing to keep")
    x0, y0, x1, y1 = 0, 0, w, h
    for _ in range(2):
        left, top, right, bottom = _pass(grey[y0:y1, x0:x1])
        if (left, top, right, bottom) == (0, 0, x1 - x0, y1 - y0):
            break
        x0, y0, x1, y1 = x0 + left, y0 + top, x0 + right, y0 + bottom
    keep_w = max(MIN_PIXELS, int(np.ceil(MIN_KEEP * w)))
    keep_h = max(MIN_PIXELS, int(np.ceil(MIN_KEEP * h)))
    if x1 - x0 < keep_w or y1 - y0 < keep_h:
        return _none(w, h, "what is left inside the borders is too small")
    if (x0, y0, x1, y1) == (0, 0, w, h):
        return _none(w, h, "no plain border")
    return Trim(x0, y0, x1, y1, w, h)


def _grey(picture: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(picture, Image.Image):
        if picture.width == 0 or picture.height == 0:
            return np.zeros((0, 0), np.uint8)
        return np.asarray(picture if picture.mode == "L" else picture.convert("L"))
    a = np.asarray(picture)
    if a.ndim == 3:
        a = a[:, :, :3].mean(axis=2) if a.shape[2] else np.zeros(a.shape[:2])
    if a.ndim != 2:
        return np.zeros((0, 0), np.uint8)
    return np.clip(a, 0, 255).astype(np.uint8, copy=False)


DOUBT_DRIFT = 8
"""Grey levels the line medians of one cut side may spread over before `drifts` calls the cut
doubtful (see there)."""


def drifts(picture: Image.Image | np.ndarray, trim: Trim) -> bool:
    """Whether a side that `trim` cut off changes colour across its lines by more than DOUBT_DRIFT.

    A letterbox bar, a mat or a page margin is one colour from its outer edge to the picture (JPEG
    and noise move a line's median by a level or two); the scan also follows slow drifts (DRIFT a
    line), so a smooth sky or a soft gradient at the edge of a cropped picture can be cut as if it
    were a border, with the corners it held. Such a cut drifts by tens of levels from its first line
    to its last: that is what the local-feature tier looks at before it looks at the whole picture
    again (`bank.ReferenceBank.match_local`)."""
    grey = _grey(picture)
    h, w = grey.shape if grey.ndim == 2 else (0, 0)
    if not trim.found or (w, h) != (trim.width, trim.height):
        return False
    sides = (grey[: trim.top], grey[trim.bottom :], grey[:, : trim.left].T, grey[:, trim.right :].T)
    for strip in sides:
        if strip.shape[0] < MIN_BAR or strip.shape[1] == 0:
            continue
        medians = _median(np.ascontiguousarray(strip))
        if float(medians.max() - medians.min()) > DOUBT_DRIFT:
            return True
    return False
