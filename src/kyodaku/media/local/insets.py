"""Insets: rectangles that an output shows inside itself (picture in picture, a collage's panels).

An output is analysed at 256 px on its long side (`features.extract_features`). A registered picture
shown at 40% of a 16:9 frame keeps ~100 px of that, at 25% ~64 px: a few dozen keypoints or none,
too few to verify. Analysing every output at 512 px finds most of them but costs ~2x an image.

What an inset has that a photograph rarely has: it is a rectangle pasted on another picture, so its
sides are straight, axis-aligned step edges that meet at right-angled corners. `inset_boxes` finds
such rectangles on the output's 256 px grey picture (the thumbnail its keypoints came with: no
decode, ~0.3 ms), and the bank then analyses only those boxes again, cut from the decoded picture
at the resolution it has (`bank.ReferenceBank.match_local`): an inset at 40% of a 1280 x 720 frame
is analysed at 256 px instead of ~100. A box is only a place to look: whatever is found in it passes
the same verification as a whole output, so a box on an unrelated picture costs time, never a match.

How: horizontal and vertical step edges (neighbouring grey levels differing by >= EDGE_STEP), gaps
of a few px closed, then runs along one row or column at least MIN_SIDE of the picture's side long.
A vertical run and a horizontal run that meet at one end each (within CORNER_PX) make a corner, and
the corner with the two runs' far ends spans a box. Boxes are kept when they are neither slivers nor
nearly the whole picture, most edge support first, near-duplicates merged.
"""

from __future__ import annotations

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
CORNER_PX = 2
"""A vertical and a horizontal run meet when their ends lie within this many px."""
MIN_AREA = 0.03
MAX_AREA = 0.7
"""A box covers this share of the picture at least / at most (a sliver is no picture; a box of
nearly the whole picture was analysed already)."""
SIDE_SUPPORT = 0.7
"""Share of a box's side that must be a step edge (or the side lies on the picture's border)."""
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


def inset_boxes(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom, px of `grey`) of rectangles shown inside the picture, best
    first, at most MAX_BOXES; [] for a picture with none (most photographs and drawings)."""
    if grey.ndim != 2 or min(grey.shape) < 24:
        return []
    if max(grey.shape) > 2 * DETECT_SIDE:
        # Found at half the resolution (a quarter of the work): an inset's sides are long and sharp.
        small = cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
        return [(2 * x0, 2 * y0, 2 * x1, 2 * y1) for x0, y0, x1, y1 in inset_boxes(small)]
    h, w = grey.shape
    v_edges, h_edges = _edge_map(grey, 1), _edge_map(grey, 0)
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


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


MARGIN = 0.03
"""Share of an inset box's side added around it: its edges, and a player's border, stay in view."""


def padded_boxes(features) -> list[tuple[float, float, float, float]]:
    """The insets an output's keypoints were taken beside (LocalFeatures whose thumbnail is the whole
    analysed picture, as outputs keep it), each widened by MARGIN a side and kept inside the
    picture, in that thumbnail's pixels: what the image and the video path cut again at full
    resolution. Empty when the thumbnail is not the analysed picture itself."""
    thumb = features.thumbnail
    th, tw = thumb.shape
    if (tw, th) != tuple(features.size):
        return []
    out = []
    for x0, y0, x1, y1 in inset_boxes(thumb):
        mx, my = MARGIN * (x1 - x0), MARGIN * (y1 - y0)
        out.append((max(0.0, x0 - mx), max(0.0, y0 - my), min(float(tw), x1 + mx), min(float(th), y1 + my)))
    return out
