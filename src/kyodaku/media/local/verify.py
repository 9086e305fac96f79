"""Verification of one shortlisted reference: descriptor matches, one similarity transform, pixels.

See the package docstring, step 3. `verify_reference` returns a Verdict: the LocalMatch, or None
and the reason the reference failed (what calibration and debugging look at).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kyodaku.media.local.features import LocalFeatures
from kyodaku.media.local.options import LocalOptions

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
RIM = 0.03
"""Share of the overlap's width and height left out along each of its sides before the cells are
compared. Where the reference ends inside the query (a picture in picture, a frame) the query shows
the inset's border and the background right next to it, and a transform from a few dozen keypoints
lands a px or two off there: a flat rim cell (a filled letter, a plain sky) then holds a strip of
white border, is no longer flat and fails. Tune half: three letter stamps at 40 % of a frame, with
67-194 inliers, agreed on 0.79-0.875 for that alone. A crop's overlap is the whole query, so its rim
is the picture's own edge, where it loses nothing that matters."""


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
    band: str = "coarse"
    """Which of the reference's keypoint bands matched: "coarse" (256 px) or "fine" (up to 768 px)."""
    region: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """Where the two overlap, in the query's scaled image (left, top, right, bottom px): the whole
    query for a crop, the inset for a reference inside a larger picture (`_regions`)."""
    reference_region: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    """The same overlap in the reference, as shares of its width and height: the part of the
    reference the query shows (all of it for a frame or an inset, a window of it for a crop)."""
    insets_left_out: bool = False
    """True when the match was judged with the rectangles shown over the output left out, because
    its coverage or its pixels needed it (`LocalOptions.max_hidden`): the reference is the
    background of a picture in picture."""
    pairs: str = "ratio-tested"
    """Which descriptor pairs the transform was found from: "ratio-tested" (each query descriptor's
    nearest reference descriptor, clearly nearer than the second), or "two nearest" (both nearest,
    `LocalOptions.ratio_free_retry`: a picture made of repeated shapes)."""


@dataclass(frozen=True)
class Verdict:
    match: LocalMatch | None
    reason: str


@dataclass(frozen=True, eq=False)
class ReferencePicture:
    """One reference as verification needs it: its key, keypoints, scaled size and thumbnail."""

    key: int
    descriptors: np.ndarray
    points: np.ndarray
    size: tuple[int, int]
    thumbnail: np.ndarray
    band: str = "coarse"
    """"fine" for a reference's finer band: its keypoints are not counted by `_coverage` (see there)."""
    votes: int | None = None
    """The output's votes for it in the shortlist (None: verified directly, not shortlisted)."""


def verify_reference(query: LocalFeatures, item: ReferencePicture, opts: LocalOptions) -> Verdict:
    """Match `query` against one reference: ratio-tested descriptor pairs (or, when they are too few
    or RANSAC fits none on them, both nearest neighbours: `LocalOptions.ratio_free_retry` and
    `retry_unfitted`), a RANSAC similarity transform of plausible scale and rotation, enough
    coverage, and pixels that agree."""
    ref_desc = item.descriptors
    ref_pts = item.points
    if len(ref_desc) < 2 or len(query) < 2:
        return Verdict(None, "too few keypoints")
    pairs = _nearest_two(query.descriptors, ref_desc)
    ref_idx, q_idx = _ratio_tested(pairs, opts)
    candidates, kind = len(ref_idx), "ratio-tested"
    transform, inliers, failure = None, 0, "too few candidate matches"
    if candidates >= opts.min_inliers:
        transform, inliers = _fit(ref_pts[ref_idx], query.points[q_idx], opts)
        failure = "no transform" if transform is None else "too few inliers"
    fitted = transform is not None and inliers >= opts.min_inliers
    # After a failed fit, only for a reference many of the output's descriptors voted for: at least
    # the pairs the retry itself needs (2 x min_inliers). A chance candidate has a handful of votes,
    # and a retry on it costs a second RANSAC (~1 ms an output on the bench's timed outputs).
    unfitted = opts.retry_unfitted and (item.votes is None or item.votes >= 2 * opts.min_inliers)
    if not fitted and opts.ratio_free_retry and (candidates < opts.min_inliers or unfitted):
        # Both nearest neighbours of every query descriptor within max_distance (see LocalOptions),
        # of the keypoints whose patch lies inside the output: one partly mirrored at its edge
        # (features._topped_up) is symmetric where the picture is plain, and its two nearest are
        # chance (held-out half of bench/media_real.py, 10,000 unrelated pictures: two plain clip-art
        # pictures verified, on pairs of such keypoints only, against stamps' corners).
        limit = len(query) if query.edge_from is None else query.edge_from
        both_ref, both_q = _both_nearest(pairs, opts.max_distance, limit)
        if len(both_ref) >= 2 * opts.min_inliers:
            candidates, kind = len(both_ref), "two nearest"
            transform, inliers = _fit(ref_pts[both_ref], query.points[both_q], opts)
            failure = "no transform" if transform is None else "too few inliers"
    if transform is None or inliers < opts.min_inliers:
        return Verdict(None, failure)
    a, b = float(transform[0, 0]), float(transform[1, 0])
    scale = math.hypot(a, b)
    rotation = math.degrees(math.atan2(b, a))
    if not opts.min_scale <= scale <= (opts.fine_max_scale if item.band == "fine" else opts.max_scale):
        return Verdict(None, "implausible scale")
    if abs(rotation) > opts.max_rotation_deg:
        return Verdict(None, "implausible rotation")
    ratio = inliers / candidates
    if ratio < opts.min_inlier_ratio:
        return Verdict(None, "low inlier ratio")

    def coverage_of(hidden: tuple = ()) -> float:
        q_pts, coarse = query.points, item.band == "coarse"
        return _coverage(transform, inliers, ref_pts, item.size, q_pts, query.size, coarse, hidden)

    # Insets drawn over the output (LocalOptions.max_hidden) hide part of a reference behind them:
    # their keypoints and pixels are no evidence against it. A match that needs them left out for
    # its coverage is judged without them throughout, pixels included.
    hides = bool(query.drawn_over) and opts.max_hidden > 0
    coverage, behind = coverage_of(), False
    if hides and _short(coverage, ratio, opts):
        behind_coverage = coverage_of(query.drawn_over)
        coverage, behind = max(coverage, behind_coverage), behind_coverage > coverage
    short = _short(coverage, ratio, opts)
    # Pixels that agree everywhere make up a short coverage down to consistent_coverage
    # (LocalOptions.agreeing_coverage); below it, or with that off, the pixel check is not paid for.
    if short and (coverage < opts.consistent_coverage or opts.agreeing_coverage > 1):
        return Verdict(None, "low coverage")
    pictures = (transform, item.thumbnail, item.size, query.thumbnail, query.size)
    agreement = 0.0 if behind else _agreement(*pictures)
    if hides and agreement < opts.min_agreement:
        visible = _visible(query.thumbnail.shape, query.drawn_over)
        agreement, behind = max(agreement, _agreement(*pictures, visible, opts.max_hidden)), True
    if short and agreement < opts.agreeing_coverage:
        return Verdict(None, "low coverage")
    if agreement < opts.min_agreement:
        return Verdict(None, "pictures disagree")
    region, reference_region = _regions(transform, item.size, query.size)
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
        insets_left_out=behind,
        region=region,
        reference_region=reference_region,
        pairs=kind,
    )
    return Verdict(match, "match")


def _short(coverage: float, ratio: float, opts: LocalOptions) -> bool:
    """Whether `coverage` falls short: under min_coverage, and not at consistent_coverage with nearly
    all candidates fitting (consistent_ratio)."""
    return coverage < opts.min_coverage and not (
        coverage >= opts.consistent_coverage and ratio >= opts.consistent_ratio
    )


def _fit(src: np.ndarray, dst: np.ndarray, opts: LocalOptions) -> tuple[np.ndarray | None, int]:
    """One similarity transform from reference points `src` to query points `dst` (RANSAC), and its
    inlier count; (None, 0) when RANSAC finds none."""
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
        return None, 0
    return transform, int(mask.sum())


@dataclass(frozen=True)
class NearestTwo:
    """Each query descriptor's two nearest reference descriptors (Hamming), as arrays: `index`
    (n, 2), -1 where the reference has fewer than two, and `distance` (n, 2), nearest first."""

    index: np.ndarray
    distance: np.ndarray


def _nearest_two(query: np.ndarray, reference: np.ndarray) -> NearestTwo:
    """`cv2.batchDistance` with K=2: what `BFMatcher.knnMatch(k=2)` computes (it calls the same
    function), as two arrays instead of a list of DMatch objects: the ratio test and the pairs are
    then a few numpy operations, not a Python loop over every query descriptor (~0.2 ms a verified
    reference, ~1.8 of them an output)."""
    distance, index = cv2.batchDistance(query, reference, cv2.CV_32S, normType=cv2.NORM_HAMMING, K=2)
    return NearestTwo(index, distance)


def _ratio_tested(pairs: NearestTwo, opts: LocalOptions) -> tuple[np.ndarray, np.ndarray]:
    """(reference index, query index) of the ratio-tested pairs: a query descriptor whose nearest
    reference descriptor is within `max_distance` and clearly nearer than its second; each reference
    descriptor keeps its nearest such query descriptor (the first one on a tie). Ordered by where
    each reference descriptor first appears in query order, as a dict filled query by query would
    be: RANSAC's outcome depends on the order of its points."""
    first, second = pairs.distance[:, 0], pairs.distance[:, 1]
    clear = first < opts.ratio * second.astype(np.float64)
    ok = (pairs.index[:, 1] >= 0) & (first <= opts.max_distance) & clear
    q = np.flatnonzero(ok)
    if not len(q):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    ref = pairs.index[q, 0].astype(np.int64)
    dist = first[q]
    # Per reference descriptor: its first appearance (the order) and its nearest query (ties: first).
    by_ref = np.lexsort((q, dist, ref))
    heads = by_ref[np.r_[True, ref[by_ref][1:] != ref[by_ref][:-1]]]
    _, first_seen = np.unique(ref, return_index=True)
    order = np.argsort(first_seen, kind="stable")
    heads = heads[order]  # np.unique sorts by value, as lexsort's runs are
    return ref[heads], q[heads].astype(np.int64)


def _both_nearest(pairs: NearestTwo, max_distance: int, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """(reference index, query index) of both nearest reference descriptors within `max_distance`
    of each of the first `limit` query descriptors, query by query, nearest first."""
    keep = (pairs.index >= 0) & (pairs.distance <= max_distance)
    keep[limit:] = False
    q, k = np.nonzero(keep)
    return pairs.index[q, k].astype(np.int64), q.astype(np.int64)


def _regions(
    transform: np.ndarray, ref_size: tuple[int, int], q_size: tuple[int, int]
) -> tuple[tuple[float, float, float, float], tuple[float, float, float, float]]:
    """The overlap as an explicit box on both sides: the reference's outline moved into the query and
    clipped to it (query px), and the query's outline moved back into the reference and clipped to
    it (shares of the reference). The transform turns by at most a few degrees, so boxes suffice."""
    lin = transform[:, :2].astype(np.float64)
    shift = transform[:, 2].astype(np.float64)

    def box(corners: np.ndarray, w: float, h: float) -> tuple[float, float, float, float]:
        x0, y0 = np.clip(corners.min(axis=0), 0, (w, h))
        x1, y1 = np.clip(corners.max(axis=0), 0, (w, h))
        return float(x0), float(y0), float(x1), float(y1)

    rw, rh = ref_size
    qw, qh = q_size
    outline = np.array([[0, 0], [rw, 0], [0, rh], [rw, rh]], np.float64)
    q_outline = np.array([[0, 0], [qw, 0], [0, qh], [qw, qh]], np.float64)
    in_query = box(outline @ lin.T + shift, qw, qh)
    back = box((q_outline - shift) @ np.linalg.inv(lin).T, rw, rh)
    shares = (back[0] / rw, back[1] / rh, back[2] / rw, back[3] / rh)
    return tuple(round(v, 1) for v in in_query), tuple(round(v, 4) for v in shares)  # type: ignore[return-value]


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
    count_reference: bool = True,
    hidden: tuple = (),
) -> float:
    """Inliers / keypoints that the transform puts inside the other picture, with the larger of the
    reference's and the query's count: the smaller share of the overlapping keypoints explained.
    A copy explains a large share; one motif shared by two different pictures, a small one. Keypoints
    that lie, in the query, inside one of the `hidden` boxes (insets drawn over it) are not counted
    on either side.

    A reference's finer band (`count_reference` False) is left out of the count: its keypoints are
    spread over six scales finer than the output's 256 px (768 ... 309 px), most of which an output
    at a moderate zoom cannot see at all, so their number says nothing about what a copy should
    explain (on the tune half, true crops of 20 % per side had 300-650 band keypoints in the overlap
    and 8-60 inliers: 2-15 %). The output's own keypoints in the overlap, found at the same
    256 px as always, are still counted."""
    lin = transform[:, :2].astype(np.float64)
    shift = transform[:, 2].astype(np.float64)
    moved = ref_pts @ lin.T + shift
    forward = int((_inside_mask(moved, q_size) & ~_in_boxes(moved, hidden)).sum()) if count_reference else 0
    seen = _inside_mask((q_pts - shift) @ np.linalg.inv(lin).T, ref_size)  # scale > 0
    backward = int((seen & ~_in_boxes(q_pts, hidden)).sum())
    return inliers / max(forward, backward, inliers, 1)


def _in_boxes(points: np.ndarray, boxes: tuple) -> np.ndarray:
    """Which of `points` (x, y) lie inside any of `boxes` (left, top, right, bottom)."""
    out = np.zeros(len(points), bool)
    for x0, y0, x1, y1 in boxes:
        out |= (points[:, 0] >= x0) & (points[:, 0] < x1) & (points[:, 1] >= y0) & (points[:, 1] < y1)
    return out


def _pixel_map(scale_x: float, scale_y: float) -> np.ndarray:
    """3x3 map from a picture's pixel coordinates to a resized copy's (pixel centres at +0.5)."""
    return np.array([[scale_x, 0.0, (scale_x - 1) / 2], [0.0, scale_y, (scale_y - 1) / 2], [0.0, 0.0, 1.0]])


def _cell_sums(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sum of `values` over each cell of the grid whose row and column bounds are given (each with
    the far edge appended): four lookups in its integral image, cheaper than summing every cell."""
    total = cv2.integral(values, sdepth=cv2.CV_64F)[np.ix_(rows, cols)]
    return total[1:, 1:] - total[:-1, 1:] - total[1:, :-1] + total[:-1, :-1]


def _visible(shape: tuple[int, int], boxes: tuple[tuple[float, float, float, float], ...]) -> np.ndarray:
    """Mask of a thumbnail of `shape` (rows, columns): False inside any of `boxes` (px, each widened
    to whole pixels), True elsewhere."""
    mask = np.ones(shape, bool)
    for x0, y0, x1, y1 in boxes:
        mask[max(0, int(y0)) : max(0, math.ceil(y1)), max(0, int(x0)) : max(0, math.ceil(x1))] = False
    return mask


def _agreement(
    transform: np.ndarray,
    ref_thumb: np.ndarray,
    ref_size: tuple[int, int],
    q_thumb: np.ndarray,
    q_size: tuple[int, int],
    visible: np.ndarray | None = None,
    max_hidden: float = 0.0,
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

    With `visible` (a mask over the query's thumbnail), only its True pixels are compared: the
    cells an inset hides drop out as a caption band's do. 0.0 when the mask hides more than
    `max_hidden` of the overlap: a reference cannot be mostly hidden and still be shown.
    """
    qh, qw = q_thumb.shape
    rh, rw = ref_thumb.shape
    to_query = _pixel_map(qw / q_size[0], qh / q_size[1]) @ np.vstack([transform, [0.0, 0.0, 1.0]])
    full = (to_query @ np.linalg.inv(_pixel_map(rw / ref_size[0], rh / ref_size[1])))[:2]
    # Compare at the coarser of the two resolutions: a deep crop shows a few reference thumbnail
    # pixels over many query pixels (blur the query to match), a picture in picture the reference
    # shrunk (blur it before it is shrunk, or it aliases).
    zoom = math.sqrt(abs(float(np.linalg.det(full[:, :2]))))
    ref_f = ref_thumb.astype(np.float32)
    q_f = q_thumb.astype(np.float32)
    if zoom > 1.3:
        q_f = cv2.GaussianBlur(q_f, (0, 0), 0.5 * zoom)
    elif zoom < 0.77:
        ref_f = cv2.GaussianBlur(ref_f, (0, 0), 0.5 / zoom)
    warped = cv2.warpAffine(ref_f, full, (qw, qh), flags=cv2.INTER_LINEAR)
    cover = cv2.warpAffine(np.ones((rh, rw), np.float32), full, (qw, qh), flags=cv2.INTER_LINEAR)
    inside = cover > 0.999
    if visible is not None:
        overlap = int(np.count_nonzero(inside))
        inside &= visible
        if np.count_nonzero(inside) < (1.0 - max_hidden) * overlap:
            return 0.0
    ys = np.flatnonzero(inside.any(axis=1))
    if len(ys) == 0:
        return 0.0
    xs = np.flatnonzero(inside.any(axis=0))
    # The grid covers only where the two overlap (a reference inside a screenshot or a frame of
    # video, or the part of it a crop kept), not the whole query.
    top, left = int(ys[0]), int(xs[0])
    oh, ow = int(ys[-1]) + 1 - top, int(xs[-1]) + 1 - left
    valid = inside[top : top + oh, left : left + ow].astype(np.float64)
    ry, rx = round(RIM * oh), round(RIM * ow)
    valid[:ry], valid[oh - ry :], valid[:, :rx], valid[:, ow - rx :] = 0, 0, 0, 0
    x = warped[top : top + oh, left : left + ow] * valid
    y = q_f[top : top + oh, left : left + ow] * valid
    rows = (np.arange(AGREE_GRID) * oh) // AGREE_GRID
    cols = (np.arange(AGREE_GRID) * ow) // AGREE_GRID
    if oh < AGREE_GRID or ow < AGREE_GRID:
        rows, cols = np.unique(rows), np.unique(cols)
    rows, cols = np.append(rows, oh), np.append(cols, ow)
    n = _cell_sums(valid, rows, cols)
    area = np.outer(np.diff(rows), np.diff(cols))
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
