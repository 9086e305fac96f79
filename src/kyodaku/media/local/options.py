"""LocalOptions: the parameters of extraction, shortlist and verification, checked once."""

from __future__ import annotations

import math
from dataclasses import dataclass

from kyodaku.domain.errors import InvalidInput

MIN_BORDER = 4
"""The least ORB border (px) that leaves FAST's circle (radius 3) and the Harris window inside."""


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
    """ORB's patch size (px), and its border unless `border` is set: keypoints closer to the border
    have no descriptor. The descriptor compares pixel pairs in this patch, so it must be the same for
    queries and references."""
    border: int = 0
    """0: ORB's border is `edge_threshold`. N >= 4: when the inside of a picture gives fewer than half
    `max_features` corners, corners up to N px from its edge are added (`features._topped_up`), their
    patch completed by ORB's mirrored border.

    Why, for outputs (GuardOptions.query_keypoint_border): the edge of a crop is no edge of the
    reference, which has described corners there, but a 31 px band on each side of a 256 px rendition
    is 43 % of its area, and a crop of flat art or of a smooth photograph kept too few corners away
    from its cut (tune half of bench/media_real.py, crop 20 % per side: 75.9 -> 80.5 %). A descriptor
    partly made of mirrored pixels is further from its reference's, which RANSAC and the pixel check
    absorb; it takes no part in the retry with both nearest neighbours (`ratio_free_retry`), where a
    mirrored patch of a plain picture pairs by chance. References keep the full border (a picture's
    own edge has nothing beyond it), so nothing stored changes; 4 is the least FAST's circle and the
    Harris window need."""
    spread_grid: int = 0
    """0: ORB keeps its strongest `max_features` corners, wherever they are (the outputs' way). N > 0:
    corners are kept cell by cell on an N x N grid over the picture (`features._spread`), so a calm
    part of a picture keeps its share of keypoints beside a textured one: what a deep crop of that
    calm part needs to find in a reference's finer band (features.FINE_GRID)."""
    levels: int = 8
    scale_factor: float = 1.2
    """ORB's pyramid: `levels` levels, each `scale_factor` smaller (8 x 1.2 spans 3.6x). A query
    may use fewer, coarser levels over the same span (4 x 1.5 spans 3.4x, for ~30% less ORB time):
    every query level then still lies within ~1.1x of some level of the references' 1.2 steps,
    which is what descriptor matching across scales needs (the training-data scanner does this)."""
    # shortlist
    vote_radius: int = 31
    """A query descriptor votes for every reference with a descriptor within this many bits (that
    shares one of the 11 three-byte windows with it)."""
    min_votes: int = 3
    """References with fewer votes are not verified."""
    max_verify: int = 16
    """At most this many references (most votes first) are verified per query: ~1.2 ms each."""
    fine_min_votes: int = 8
    """Votes a reference's finer band needs to be verified (features.extract_finer). A deep crop that
    only the band can find gives it many votes; an unrelated output a few chance ones, and each
    verification costs: this keeps what the band adds to a query small. (6 lost no crop on the tune
    half against 3 with a 500-keypoint band; with the 1,200-keypoint spread band the fewest votes a
    found crop had there was 9, and unrelated outputs verified a quarter fewer bands at 8 than at 6.)"""
    enlarged_fine_min_votes: int = 3
    """`fine_min_votes` for a query that was enlarged at least `enlarged_from` times before ORB looked
    at it (`LocalFeatures.enlarged`: a picture under `side` px is enlarged to it). Why: enlarging
    invents no detail, so a small output's descriptors are blurred versions of what its reference's
    band holds and few of them fall within `vote_radius` bits of their true partners, though
    verification (64 bits and the ratio test) pairs them. Tune half of bench/media_real.py: three
    stamps cut to 54-80 px (crops of 20 and 33 % per side) gave their own band 4 votes each and then
    verified with scales of 1.6-4.9; no larger output changed. `fine_max_verify` still bounds the
    cost, and small outputs are cheap to verify (few keypoints)."""
    enlarged_from: float = 2.0
    """See `enlarged_fine_min_votes`: a picture of at most half of `side` px on its long side."""
    fine_max_verify: int = 2
    """At most this many finer bands are verified per query (most votes first; within `max_verify`).
    A band's verification costs ~4x a coarse one (1,200 keypoints against 300); a crop's own band is
    nearly always the band with the most votes (tune half: 1, 2 and 3 found the same crops; 2 cut
    the matching time of unrelated pictures by ~10 % against 3)."""
    # verification
    max_distance: int = 64
    """Bits: a descriptor pair further apart than this is no candidate match at all."""
    ratio: float = 0.8
    """Lowe's ratio test within one reference: nearest < ratio x second nearest (0.9 doubled the
    false matches before the coverage test)."""
    ratio_free_retry: bool = True
    """When the ratio test leaves fewer than `min_inliers` candidates, try again with both nearest
    reference descriptors of every query descriptor within `max_distance` (at least twice
    `min_inliers` pairs), and let RANSAC, coverage and the pixel check decide as before.

    Why: the ratio test drops a descriptor whose two nearest neighbours are about as near, which is
    what a picture made of repeated shapes gives (flat drawn art, a filled letter, a texture): on the
    tune half of bench/media_real.py most deep crops of such pictures had their own reference
    shortlisted first, with 10-37 votes, and failed with "too few candidate matches". The true pair
    is then usually one of the two nearest; a chance transform still has to make the pixels agree.
    Cost: ~1 ms of matching on an unrelated picture (RANSAC over up to twice the pairs). Known cost
    in precision: near-twin references (a "b" and a "d" drawn alike, tiles of one texture) are found
    in each other's copies more often (docs/benchmarks.md 13k)."""
    retry_unfitted: bool = True
    """Also try both nearest neighbours when the ratio-tested pairs were enough to start from but
    RANSAC fitted no transform with `min_inliers` on them. Why: in a picture made of repeated shapes
    the ratio test keeps only the few pairs whose shape happens to be unique, often chance ones, and
    drops the true pairs whose shape repeats (tune half of bench/media_real.py: crops of 20 % per
    side of a city drawing and of a grey wallpaper, with 22-155 votes for their own reference,
    failed with "too few inliers"; on both nearest pairs RANSAC found 25-102 inliers at the crop's
    1.67x zoom). Only for a shortlisted reference with at least 2 x `min_inliers` votes, the pairs
    the retry itself needs: a chance candidate has a handful, and retrying it costs a second RANSAC."""
    reproj_threshold: float = 4.0
    """RANSAC inlier tolerance in px of the scaled image."""
    ransac_iters: int = 2000
    min_inliers: int = 8
    """Verified matches need this many RANSAC inliers."""
    min_coverage: float = 0.05
    """Share of the overlapping keypoints the transform must explain (see `verify._coverage`)."""
    consistent_ratio: float = 0.7
    consistent_coverage: float = 0.03
    """A match whose candidates nearly all agree with its transform (inliers / candidates >=
    `consistent_ratio`) needs only `consistent_coverage` instead of `min_coverage`. Why: a small
    picture enlarged to `side` px (a crop of a stamp, ~55 px) shows ~220 keypoints, most of them
    corners of its enlarged JPEG blocks that no reference has, so a true crop's 8-10 inliers are
    3.6-4.5 % of them (tune half: four letter stamps cropped 20 % per side, 8-10 inliers of 9-11
    candidates, pixels agreeing on every cell). A chance transform between unrelated pictures starts
    from candidates of which most do not fit it. 0.0 / 1.0 turn this off."""
    agreeing_coverage: float = 0.98
    """A match whose pixels agree on at least this share of the compared cells (`verify._agreement`)
    also needs only `consistent_coverage`. Why: a crop of soft or repetitive art has few keypoints
    worth explaining and many that are texture, so a true crop's inliers can be 3-5 % of them
    while every cell of the two pictures agrees (tune half of bench/media_real.py: crops of 20 %
    per side at coverage 0.032-0.048, agreement 0.98-1.0). Wrong references that passed the
    geometry with coverage under `min_coverage` agreed on at most 0.957 there, and no unrelated
    picture of 1,000 got that far. 1.01 turns this off."""
    min_agreement: float = 0.88
    """Share of the overlap's grid cells where the pictures' pixels must agree (see `verify._agreement`).
    The decisive test. On the development seeds copies agreed on >= 0.91 (crop_10; caption bars,
    blur, JPEG, noise, resizing on >= 0.98), while unrelated pictures that got past the geometry
    (same character template, same font) stayed below 0.88 against 10,000 references."""
    max_hidden: float = 0.5
    """When the coverage falls short or the pixels disagree, verification tries again without the
    rectangles shown over the output (its insets, `LocalFeatures.drawn_over`): their keypoints are
    not counted and their pixels not compared, as long as they hide at most this share of the
    overlap. Why: a picture in picture hides a corner of the picture behind it (40 % of a 16:9
    frame's width: ~28 % of it), so a background shown in full everywhere else agreed on ~0.7 and
    was refused, and the inset's own keypoints counted against its coverage; a caption band is
    forgiven the same way (`verify.BAND_ROWS`). The rest must still agree on `min_agreement`. An
    inset's own match lies inside its rectangle and is never helped. Tune half of
    bench/media_real.py: backgrounds of pictures in pictures at 40 % found 9 -> 51 of 84 in images,
    2 -> 21 of 32 in video; 2,000 unrelated pictures with another pasted over them at 40 %: no
    match either way. 0 turns it off."""
    min_inlier_ratio: float = 0.0
    min_scale: float = 0.22
    max_scale: float = 3.3
    """Plausible zoom of the query over the reference: a 90% crop is 1.11, a crop of a third per side
    2.94 (output inside reference); a picture at a quarter of a frame's width 0.25 (reference inside
    output). ORB's 8-level pyramid (x1.2 a level) spans about 3.6x on each side."""
    fine_max_scale: float = 8.0
    """The same bound for a match with a reference's finer band (scale still read in the coarse
    256 px frame). Why higher: the band's keypoints were found at 768 px down to ~309 px, three times
    the coarse band's detail, so an output's pyramid (256 px and 7 levels below) meets them at zooms
    of 1.2-10.7x where the coarse band's meets at 0.28-3.6x; and the band's pixel check compares a
    160 px thumbnail, not a 64 px one, so at 8x it sees each cell with the pixels the coarse check has
    at 3.3x. A crop of a third per side is 2.94x of the whole reference, more once a trim has cut a
    smooth edge of it away as a border (tune half of bench/media_real.py: six crops of a third, found
    by the finer band at 3.46-3.96x with agreement 1.0, were refused at 3.3x)."""
    max_rotation_deg: float = 8.0
    """Copies that turn are PDQ's job (dihedral variants); crops and captions do not rotate."""

    def __post_init__(self) -> None:
        ints = {
            "side": (self.side, 32),
            "max_features": (self.max_features, 1),
            "fast_threshold": (self.fast_threshold, 1),
            "edge_threshold": (self.edge_threshold, 2),
            "border": (self.border, 0),
            "levels": (self.levels, 1),
            "spread_grid": (self.spread_grid, 0),
            "vote_radius": (self.vote_radius, 0),
            "min_votes": (self.min_votes, 1),
            "max_verify": (self.max_verify, 1),
            "fine_min_votes": (self.fine_min_votes, 1),
            "enlarged_fine_min_votes": (self.enlarged_fine_min_votes, 1),
            "fine_max_verify": (self.fine_max_verify, 0),
            "max_distance": (self.max_distance, 0),
            "ransac_iters": (self.ransac_iters, 1),
            "min_inliers": (self.min_inliers, 3),
        }
        for name, (value, low) in ints.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InvalidInput(f"LocalOptions.{name} must be an integer >= {low}, got {value!r}")
        if self.side > 4096 or self.vote_radius > 256 or self.max_distance > 256:
            raise InvalidInput("LocalOptions: side <= 4096, vote_radius and max_distance <= 256")
        if self.border and not MIN_BORDER <= self.border <= self.edge_threshold:
            raise InvalidInput(
                f"LocalOptions.border must be 0 or between {MIN_BORDER} and edge_threshold "
                f"({self.edge_threshold}), got {self.border!r}"
            )
        if self.spread_grid > 64:
            raise InvalidInput(f"LocalOptions.spread_grid must be <= 64, got {self.spread_grid!r}")
        if self.levels > 16 or not 1 < self.scale_factor <= 2:
            raise InvalidInput("LocalOptions: levels <= 16 and 1 < scale_factor <= 2")
        e = self.enlarged_from
        if isinstance(e, bool) or not isinstance(e, int | float) or not (math.isfinite(e) and e >= 1):
            raise InvalidInput(f"LocalOptions.enlarged_from must be a number >= 1, got {e!r}")
        if not 0 < self.ratio <= 1:
            raise InvalidInput(f"LocalOptions.ratio must be in (0, 1], got {self.ratio!r}")
        shares = (
            self.min_coverage,
            self.min_agreement,
            self.min_inlier_ratio,
            self.consistent_ratio,
            self.consistent_coverage,
            self.max_hidden,
        )
        if not 0 <= self.agreeing_coverage <= 1.01:
            raise InvalidInput(
                f"LocalOptions.agreeing_coverage must be in [0, 1.01], got {self.agreeing_coverage!r}"
            )
        if not all(0 <= x <= 1 for x in shares):
            raise InvalidInput(
                "LocalOptions.min_coverage, min_agreement, min_inlier_ratio, consistent_ratio, "
                "consistent_coverage and max_hidden must be in [0, 1]"
            )
        if not 0 < self.min_scale <= 1 <= self.max_scale <= self.fine_max_scale:
            raise InvalidInput("LocalOptions needs 0 < min_scale <= 1 <= max_scale <= fine_max_scale")
        if self.reproj_threshold <= 0 or not 0 <= self.max_rotation_deg <= 180:
            raise InvalidInput("LocalOptions needs reproj_threshold > 0 and 0 <= max_rotation_deg <= 180")


DEFAULT_OPTIONS = LocalOptions()
