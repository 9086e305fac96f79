"""Insets: rectangles that an output shows inside itself (picture in picture, a collage's panels).

An output is analysed at 256 px on its long side (`features.extract_features`). A registered picture
shown at 40% of a 16:9 frame keeps ~100 px of that, at 25% ~64 px: a few dozen keypoints or none,
too few to verify. Analysing every output at 512 px finds most of them but costs ~2x an image.

What an inset has that a photograph rarely has: it is a rectangle pasted on another picture, so its
sides are straight, axis-aligned step edges that meet at right-angled corners. `inset_boxes` finds
such rectangles on the output's 256 px grey picture (the thumbnail its keypoints came with: no
decode, ~0.5 ms), and the bank then analyses only those boxes again, cut from the decoded picture
at the resolution it has (`bank.ReferenceBank.match_local`): an inset at 40% of a 1280 x 720 frame
is analysed at 256 px instead of ~100. A box is only a place to look: whatever is found in it passes
the same verification as a whole output, so a box on an unrelated picture costs time, never a match.

How: horizontal and vertical step edges (neighbouring grey levels differing by >= EDGE_STEP), gaps
of a few px closed, then runs along one row or column at least MIN_SIDE of the picture's side long.
The columns and rows that hold such runs (the longest MAX_LINES of each), and the picture's own
borders, are the lines a box's sides may lie on; every box of two columns and two rows whose four
sides are step edges along SIDE_SUPPORT of their length (or lie on the border) is a candidate. This
comes after the first search, corners (a vertical and a horizontal run meeting at their ends): an
inset's side often continues a background edge, or runs into the border where the trim cut the
frame, so its run does not end at the corner; on the tune half 21 of 45 missed pictures in
pictures showed no box, most of them for that reason, although all four sides were edges (runs are
also let wander by a px here, as a resampled side does). Boxes are kept when they are neither slivers,
bands (MAX_ASPECT) nor nearly the whole picture and hold at least one true edge each way, the
best-supported sides first (length-weighted), near-duplicates merged.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

DETECT_SIDE = 200
"""Pictures larger than twice this (px, long side) are searched at half their resolution."""
EDGE_STEP = 16
"""Grey levels between neighbouring pixels that make a step edge (a pasted picture's side)."""
GAP_PX = 2
"""Gaps of up to this many px along an edge are closed (JPEG blocks, a matching colour)."""
MIN_SIDE = 0.18
"""An edge run must cover at least this share of the picture's side along it."""
MIN_AREA = 0.03
MAX_AREA = 0.7
"""A box covers this share of the picture at least / at most (a sliver is no picture; a box of
nearly the whole picture was analysed already)."""
SIDE_SUPPORT = 0.7
"""Share of a box's side that must be a step edge (or the side lies on the picture's border)."""
LINE_SUPPORT = 0.7
"""SIDE_SUPPORT of the boxes between lines (`_line_boxes`), kept apart as the cost knob: the lines
make the look fire on ~25 % of unrelated pictures instead of ~9 % (+~1.3 ms a picture on average);
0.85 fires on ~17 % and found 73 / 70 instead of 75 / 74 of the tune half's 87 insets at 40 / 25 %."""
MAX_ASPECT = 3.0
"""A box is at most this many times as wide as high, or as high as wide: a picture, not a band
between two long edges of the background (those outranked true insets before this bound)."""
CORNER_PX = 2
"""A vertical and a horizontal run meet when their ends lie within this many px (`_corner_boxes`)."""
MAX_BOXES = 2
"""At most this many boxes are analysed again per output."""


def _runs(edges: np.ndarray, min_len: int, axis: int = 1) -> list[tuple[int, int, int]]:
    """(line, start, stop) of every run of True at least `min_len` long along `axis` of `edges`
    (axis 1: along rows; axis 0: along columns, lines are then columns)."""
    (lines,) = np.nonzero(np.count_nonzero(edges, axis=axis) >= min_len)  # most lines hold no long run
    if not len(lines):
        return []
    padded = np.zeros((len(lines), edges.shape[axis] + 2), np.int8)
    padded[:, 1:-1] = edges[lines] if axis == 1 else edges[:, lines].T
    d = np.diff(padded, axis=1)
    sr, sc = np.nonzero(d == 1)
    _er, ec = np.nonzero(d == -1)
    keep = (ec - sc) >= min_len
    return list(zip(lines[sr[keep]].tolist(), sc[keep].tolist(), ec[keep].tolist(), strict=True))


def _edge_map(grey: np.ndarray, axis: int) -> np.ndarray:
    """Step edges across `axis` (1: vertical edges, between columns), gaps along the edge closed."""
    g = grey.astype(np.int16)
    step = np.abs(np.diff(g, axis=axis)) >= EDGE_STEP
    step = step.astype(np.uint8)
    kernel = np.ones((2 * GAP_PX + 1, 1) if axis == 1 else (1, 2 * GAP_PX + 1), np.uint8)
    return cv2.morphologyEx(step, cv2.MORPH_CLOSE, kernel).astype(bool)


BORDER_SHARE = 0.02
"""A side within this share of the picture's side from its border (5 px of 256) is no edge that
closes a box: a band across the whole picture between two of its edges is no box, while an inset a
few px in from a corner (as players place them; 1 % of a side on the bench) still is one."""
MAX_LINES = 12
"""Columns (rows) a box's side may lie on: those with the longest edge runs, at most this many
(with the picture's borders): the boxes tried grow with the fourth power of it (24 cost ~2 ms on
busy pictures, 12 ~0.6 ms, and found as many boxes of the tune half's insets)."""


def inset_boxes(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom, px of `grey`) of rectangles shown inside the picture, best
    first, at most MAX_BOXES; [] for a picture with none (most photographs and drawings).

    Two searches: corners first (`_corner_boxes`: two runs ending at one point), then boxes between
    lines (`_line_boxes`: sides that run on past the corners), near-duplicates merged. Either alone
    found fewer insets on the tune half (pictures in pictures at 40 / 25 %: corners 67 / 62 of 87
    found, lines 73 / 68, both 75 / 73): corners are the more specific evidence where they exist,
    and lines find what runs past them."""
    if grey.ndim != 2 or min(grey.shape) < 24:
        return []
    if max(grey.shape) > 2 * DETECT_SIDE:
        # Found at half the resolution (a quarter of the work): an inset's sides are long and sharp.
        small = cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
        return [(2 * x0, 2 * y0, 2 * x1, 2 * y1) for x0, y0, x1, y1 in inset_boxes(small)]
    edges = _edge_map(grey, 1), _edge_map(grey, 0)  # vertical edges (between columns), horizontal
    corners = _corner_boxes(*edges)
    if len(corners) == MAX_BOXES:
        return corners  # what the lines would add comes after these, past the limit
    boxes: list[tuple[int, int, int, int]] = []
    for box in corners + _line_boxes(*edges):
        if all(_iou(box, kept) <= 0.6 for kept in boxes):
            boxes.append(box)
    return boxes[:MAX_BOXES]


def _corner_boxes(v_edges: np.ndarray, h_edges: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes spanned by corners: a vertical and a horizontal run that meet at one end each (within
    CORNER_PX), the box reaching to the two runs' far ends, every side held (`_sides_hold`); best
    supported first, at most MAX_BOXES. The first search, and the most specific evidence."""
    h, w = h_edges.shape[0] + 1, v_edges.shape[1] + 1
    vertical = _runs(v_edges, max(6, round(MIN_SIDE * h)), axis=0)  # (column, top, bottom)
    horizontal = _runs(h_edges, max(6, round(MIN_SIDE * w)))  # (row, left, right)
    if not vertical or not horizontal:
        return []
    v = np.array(vertical, np.int32)
    hz = np.array(horizontal, np.int32)
    candidates: list[tuple[int, tuple[int, int, int, int]]] = []
    # Each corner: a vertical run's end (its column, its top or bottom) near a horizontal run's end.
    for vx, v_end, v_other in ((v[:, 0], v[:, 1], v[:, 2]), (v[:, 0], v[:, 2], v[:, 1])):
        for hy, h_end, h_other in ((hz[:, 0], hz[:, 1], hz[:, 2]), (hz[:, 0], hz[:, 2], hz[:, 1])):
            near = (np.abs(vx[:, None] + 1 - h_end[None, :]) <= CORNER_PX) | (
                np.abs(vx[:, None] - h_end[None, :]) <= CORNER_PX
            )
            near &= np.abs(v_end[:, None] - (hy[None, :] + 1)) <= CORNER_PX
            for i, j in zip(*np.nonzero(near), strict=True):
                x0, x1 = sorted((int(vx[i]) + 1, int(h_other[j])))
                y0, y1 = sorted((int(hy[j]) + 1, int(v_other[i])))
                support = (int(v[i, 2] - v[i, 1])) + int(hz[j, 2] - hz[j, 1])
                candidates.append((support, (x0, y0, x1, y1)))
    boxes: list[tuple[int, int, int, int]] = []
    for _support, box in sorted(candidates, key=lambda c: (-c[0], c[1])):
        x0, y0, x1, y1 = box
        share = (x1 - x0) * (y1 - y0) / (w * h)
        if not MIN_AREA <= share <= MAX_AREA or min(x1 - x0, y1 - y0) < 8:
            continue
        if max(x1 - x0, y1 - y0) > MAX_ASPECT * min(x1 - x0, y1 - y0):
            continue
        if any(_iou(box, b) > 0.6 for b in boxes) or not _sides_hold(box, v_edges, h_edges):
            continue
        boxes.append(box)
        if len(boxes) == MAX_BOXES:
            break
    return boxes


def _sides_hold(box: tuple[int, int, int, int], v_edges: np.ndarray, h_edges: np.ndarray) -> bool:
    """Whether every side of `box` is a step edge along SIDE_SUPPORT of its length or lies on the
    picture's own border (an inset flush with a corner): a pasted rectangle's sides all are; the two
    runs of one corner in a photograph (a window, a table's edge) rarely close into a box."""
    x0, y0, x1, y1 = box
    h, w = h_edges.shape[0] + 1, v_edges.shape[1] + 1

    def support(edges: np.ndarray, line: int, lo: int, hi: int) -> float:
        lines = edges[max(0, line - 1) : line + 2, lo:hi]
        return float(lines.any(axis=0).mean()) if lines.size else 0.0

    sides = (
        (x0 <= 1, lambda: support(v_edges.T, x0 - 1, y0, y1)),
        (x1 >= w - 1, lambda: support(v_edges.T, x1 - 1, y0, y1)),
        (y0 <= 1, lambda: support(h_edges, y0 - 1, x0, x1)),
        (y1 >= h - 1, lambda: support(h_edges, y1 - 1, x0, x1)),
    )
    return all(on_border or held() >= SIDE_SUPPORT for on_border, held in sides)


def _line_boxes(v_edges: np.ndarray, h_edges: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes between lines: two columns and two rows holding long runs (or the picture's borders)
    whose four sides are all edges, best-supported first, at most MAX_BOXES (see the module's
    docstring). Finds the insets whose sides run on past their corners, which `_corner_boxes` cannot."""
    h, w = h_edges.shape[0] + 1, v_edges.shape[1] + 1
    # Runs along an edge allowed to wander by a px (a resampled or JPEG-blurred side alternates
    # between two neighbouring lines), as the sides' support is measured below.
    vertical = _runs(_near(v_edges.T).T, max(6, round(MIN_SIDE * h)), axis=0)  # (column, top, bottom)
    horizontal = _runs(_near(h_edges), max(6, round(MIN_SIDE * w)))  # (row, left, right)
    if not vertical or not horizontal:
        return []
    xs, ys = _lines(vertical, w), _lines(horizontal, h)
    # sv[i, a, b]: share of column xs[i] between rows ys[a] and ys[b] that is a step edge; sh alike.
    sv, sh = _support(v_edges.T, xs, ys), _support(h_edges, ys, xs)
    ok_v, ok_h = sv >= LINE_SUPPORT, sh >= LINE_SUPPORT
    # A line this near the picture's border counts as the border (a player's inset a few px in).
    bx, by = max(2, round(BORDER_SHARE * w)), max(2, round(BORDER_SHARE * h))
    real_x, real_y = (xs > bx) & (xs < w - bx), (ys > by) & (ys < h - by)
    # Column pairs (i, j) some true row closes (a top or bottom side that is an edge), row pairs
    # (a, b) some true column closes: few of either in most pictures, so the boxes tried stay few.
    ij = np.argwhere(np.triu(ok_h[real_y].any(axis=0), 1) & (xs[None, :] - xs[:, None] >= 8))
    ab = np.argwhere(np.triu(ok_v[real_x].any(axis=0), 1) & (ys[None, :] - ys[:, None] >= 8))
    if not len(ij) or not len(ab):
        return []
    i, j, a, b = ij[:, 0, None], ij[:, 1, None], ab[None, :, 0], ab[None, :, 1]
    # Box (xs[i], ys[a], xs[j], ys[b]): its four sides held, its area neither a sliver nor the whole.
    held = ok_v[i, a, b] & ok_v[j, a, b] & ok_h[a, i, j] & ok_h[b, i, j]
    bw, bh = xs[j] - xs[i], ys[b] - ys[a]
    held &= (bw * bh >= MIN_AREA * w * h) & (bw * bh <= MAX_AREA * w * h)
    held &= (bw <= MAX_ASPECT * bh) & (bh <= MAX_ASPECT * bw)
    # At least one side each way is an edge, not the border: two borders and two edges still make a
    # box (an inset in a corner of the picture), a strip between two borders does not.
    held &= (real_x[i] | real_x[j]) & (real_y[a] | real_y[b])
    p, q = np.nonzero(held)
    if not len(p):
        return []
    i, j, a, b = ij[p, 0], ij[p, 1], ab[q, 0], ab[q, 1]
    # Ranked by how well their sides are edges, length-weighted (a side on the border counts nothing;
    # one near it counts as what it is).
    edge_x, edge_y = ((xs > 0) & (xs < w)).astype(np.float64), ((ys > 0) & (ys < h)).astype(np.float64)
    hgt, wid = ys[b] - ys[a], xs[j] - xs[i]
    score = ((sv[i, a, b] - 0.5) * edge_x[i] + (sv[j, a, b] - 0.5) * edge_x[j]) * hgt
    score += ((sh[a, i, j] - 0.5) * edge_y[a] + (sh[b, i, j] - 0.5) * edge_y[b]) * wid
    found = np.stack([xs[i], ys[a], xs[j], ys[b]], axis=1)
    boxes: list[tuple[int, int, int, int]] = []
    while len(found) and len(boxes) < MAX_BOXES:
        best = int(np.argmax(score))  # ties: the first, in a fixed order
        box = (int(found[best, 0]), int(found[best, 1]), int(found[best, 2]), int(found[best, 3]))
        boxes.append(box)
        keep = _ious(box, found) <= 0.6
        found, score = found[keep], score[keep]
    return boxes


def _ious(box: tuple[int, ...], others: np.ndarray) -> np.ndarray:
    """Intersection over union of `box` with each row (left, top, right, bottom) of `others`."""
    ix = np.clip(np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1]), 0, None)
    inter = ix * iy
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum((box[2] - box[0]) * (box[3] - box[1]) + areas - inter, 1)


def _lines(runs: list[tuple[int, int, int]], n: int) -> np.ndarray:
    """Box coordinates of the lines holding the longest runs (an edge between pixels k and k + 1 is
    the coordinate k + 1), at most MAX_LINES, with the picture's own borders 0 and `n`, ascending."""
    longest: dict[int, int] = {}
    for line, start, stop in runs:
        longest[line + 1] = max(longest.get(line + 1, 0), stop - start)
    chosen = sorted(longest, key=lambda c: (-longest[c], c))[:MAX_LINES]
    return np.array(sorted({0, n, *chosen}), np.int64)


def _near(edges: np.ndarray) -> np.ndarray:
    """`edges` (one row per edge line) with each line's neighbours' edges added to it."""
    near = edges.copy()
    near[1:] |= edges[:-1]
    near[:-1] |= edges[1:]
    return near


def _support(edges: np.ndarray, lines: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """[l, a, b]: share of the line at coordinate lines[l] between spans[a] and spans[b] (a < b; 0
    otherwise) that is a step edge within one px of it (`edges` holds one row per edge line); a line
    on the picture's border (coordinate 0 or the last) holds everywhere."""
    n = edges.shape[0] + 1
    near = _near(edges)
    inner = np.clip(lines - 1, 0, n - 2)
    counts = np.zeros((len(lines), edges.shape[1] + 1), np.int32)
    counts[:, 1:] = np.cumsum(near[inner], axis=1)
    counts[(lines <= 0) | (lines >= n)] = np.arange(edges.shape[1] + 1)
    at = counts[:, spans]  # (lines, spans)
    length = (spans[None, :] - spans[:, None]).astype(np.float64)
    held = (at[:, None, :] - at[:, :, None]) / np.maximum(length, 1)[None]
    return np.where(length[None] > 0, held, 0.0)


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


MARGIN = 0.03
"""Share of an inset box's side added around it: its edges, and a player's border, stay in view."""


def found_boxes(features) -> list[tuple[int, int, int, int]]:
    """The insets (`inset_boxes`, unpadded) of an output's LocalFeatures whose thumbnail is the whole
    analysed picture, as outputs keep it, in that thumbnail's pixels; [] when it is not (references
    keep a 64 px thumbnail)."""
    thumb = features.thumbnail
    th, tw = thumb.shape
    if (tw, th) != tuple(features.size):
        return []
    return inset_boxes(thumb)


def padded_boxes(features, boxes=None) -> list[tuple[float, float, float, float]]:
    """The insets an output's keypoints were taken beside (`found_boxes`, or `boxes` when the caller
    found them already), each widened by MARGIN a side and kept inside the picture, in that
    thumbnail's pixels: what the image and the video path cut again at full resolution."""
    th, tw = features.thumbnail.shape
    if (tw, th) != tuple(features.size):
        return []
    out = []
    for x0, y0, x1, y1 in found_boxes(features) if boxes is None else boxes:
        mx, my = MARGIN * (x1 - x0), MARGIN * (y1 - y0)
        out.append((max(0.0, x0 - mx), max(0.0, y0 - my), min(float(tw), x1 + mx), min(float(th), y1 + my)))
    return out


def drawn_over(features, boxes=None):
    """`features` with the insets it shows (`found_boxes`, or `boxes` when the caller found them
    already), padded as they are cut again, marked as drawn over the picture
    (`LocalFeatures.drawn_over`): the pixel check may leave them out for a reference they partly hide
    (`LocalOptions.max_hidden`). `features` itself when it shows none."""
    padded = tuple(tuple(float(v) for v in box) for box in padded_boxes(features, boxes))
    return dataclasses.replace(features, drawn_over=padded) if padded else features


def behind_insets(grey: np.ndarray, boxes, features, found=None):
    """Keypoints of `grey` (the part of a picture that `features` were taken from, in its own px)
    with `boxes` (its insets there, padded: left, top, right, bottom, ends exclusive) painted one flat
    grey, its median, placed in `features`' frame and marked as drawn over it (`drawn_over`, with
    `found` as there): the picture behind a picture in picture, given the keypoint budget its insets
    took. None when fewer than two keypoints are left. One look for an image output
    (media/bank.py `_behind_insets`) and a video frame (media/hashing.py `_frame_behind`)."""
    from kyodaku.media.local.features import extract_features, placed
    from kyodaku.media.local.options import DEFAULT_OPTIONS

    painted = np.array(grey)
    if painted.size == 0:
        return None
    fill = int(np.median(painted))
    for x0, y0, x1, y1 in boxes:
        painted[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = fill
    again = extract_features(painted, DEFAULT_OPTIONS)
    if len(again) < 2:
        return None
    return drawn_over(placed(again, features.size, features.thumbnail), found)


def in_picture(
    box: tuple[float, float, float, float],
    thumb_shape: tuple[int, int],
    analysed: tuple[int, int, int, int],
) -> tuple[float, float, float, float]:
    """`box`, in px of the keypoints' thumbnail (`thumb_shape`: its rows and columns), in px of the
    decoded picture whose part `analysed` (left, top, right, bottom) the keypoints were taken from:
    the whole picture, or its inside when its borders were trimmed. One mapping for the image path's
    inset hashes (media/hashing.py) and its second keypoint look (media/bank.py)."""
    th, tw = thumb_shape
    left, top, right, bottom = analysed
    sx, sy = (right - left) / tw, (bottom - top) / th
    x0, y0, x1, y1 = box
    return left + x0 * sx, top + y0 * sy, left + x1 * sx, top + y1 * sy


SNAP_REACH = 0.04
"""How far (share of the box's side, at least 3 px) `snap_box` looks for each side's edge."""


def snap_box(grey: np.ndarray, box: tuple[float, float, float, float]) -> tuple[int, int, int, int] | None:
    """`box` (px of `grey`, found on a coarser thumbnail) with each side moved to the strongest step
    edge within SNAP_REACH of it: the column (row) where the grey level changes most between
    neighbours, averaged along the side's span. None for a box under 16 px.

    Why: a box found on the 256 px thumbnail is exact to about one of its pixels, 2-3 px of the
    decoded picture, and PDQ follows a shift of only ~2 % of a side (docs/media.md, centre cuts): the
    hash of the box as found was 54-128 bits from its reference on the tune half's missed pictures in
    pictures, of the true rectangle 2-14. A pasted picture's side is a step edge along its whole
    length, so its strongest column is where it lies (ties: the one nearest the found side)."""
    h, w = grey.shape
    x0, y0, x1, y1 = (round(float(v)) for v in box)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if min(x1 - x0, y1 - y0) < 16:
        return None
    g = grey.astype(np.int16)
    # Step between column i - 1 and column i (an edge "at" i), averaged over the box's rows; rows alike.
    cols = np.zeros(w + 1, np.float32)
    cols[1:w] = np.abs(np.diff(g[y0:y1], axis=1)).mean(axis=0)
    rows = np.zeros(h + 1, np.float32)
    rows[1:h] = np.abs(np.diff(g[:, x0:x1], axis=0)).mean(axis=1)

    def snapped(profile: np.ndarray, at: int, reach: int) -> int:
        lo, hi = max(0, at - reach), min(len(profile) - 1, at + reach)
        window = profile[lo : hi + 1]
        if not len(window) or float(window.max()) <= 0:
            return at
        best = np.flatnonzero(window == window.max()) + lo
        return int(best[np.argmin(np.abs(best - at))])

    rx = max(3, round(SNAP_REACH * (x1 - x0)))
    ry = max(3, round(SNAP_REACH * (y1 - y0)))
    sx0, sx1 = snapped(cols, x0, rx), snapped(cols, x1, rx)
    sy0, sy1 = snapped(rows, y0, ry), snapped(rows, y1, ry)
    if min(sx1 - sx0, sy1 - sy0) < 16:
        return None
    return sx0, sy0, sx1, sy1
