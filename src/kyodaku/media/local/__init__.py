"""Local features: ORB keypoints matched with a geometric check, for the copies PDQ cannot follow.

PDQ (`kyodaku.media.hashing`) survives resizing, JPEG, blur, noise and colour changes, and with its
dihedral variants mirrors and 90-degree turns, but it is a global hash and very shift-sensitive: a
window of 90% x 90% of a picture moves its hash by about 84 of 256 bits, far past the 31-bit match
threshold. A crop or a caption bar keeps most of a picture's *local* structure, though, so this
package matches that: corners with their binary descriptors (ORB), found again in the query, placed
consistently with one similarity transform (a shift and a moderate zoom, no turn).

Modules: `options` (LocalOptions, the parameters of every step), `features` (extraction and the
stored record format), `shortlist` (the window tables), `verify` (the geometric and pixel checks
of one reference), `index` (LocalIndex: the bank, shortlist then verify). Import from the package.

Pipeline:

1. **Extract** (`extract_features`): grey image scaled to `side` px on its long side (256 by
   default, the size JPEGs are draft-decoded to), then ORB: at most `max_features` keypoints with
   256-bit descriptors, and a 64 px grey thumbnail. References and queries go through the same
   function, so a 90% crop shows its content 1.11x larger than the reference does, whatever the
   original resolutions. About 2 ms a picture and 12 KB (300 keypoints + thumbnail).
   References also keep a finer band (`extract_finer`, record format 2): keypoints found at up to
   768 px, in the levels above the coarse band's finest, positions in the same 256 px frame, and a
   160 px thumbnail. A deep crop shows a third of the reference over the output's 256 px; those
   corners exist in the reference only at ~3x its coarse rendition. The band is indexed as an item
   of its own (same key) and verified alone; it needs `fine_min_votes` to be verified at all, and
   at most `fine_max_verify` bands are verified per query. Its keypoints are spread over the
   picture (`features._spread`), and a reference under 768 px is enlarged to 768 px for it, as an
   output's small picture is enlarged to 256 px (see `features`, "Deep crops").
2. **Shortlist** (`LocalIndex.shortlist`): every reference descriptor sits in one stacked (N, 32)
   matrix with parallel arrays (which reference, which point). Each query descriptor looks up the
   bank descriptors that share one of 11 whole 3-byte windows with it and lie within
   `vote_radius` bits; a reference gets one vote per query descriptor that found at least one of
   its descriptors. References with at least `min_votes` votes are verified, most votes first, at
   most `max_verify` of them (a finer band needs `fine_min_votes`, and is verified after the coarse
   bands and only if its reference's coarse band was not; a reference an earlier tier found, PDQ,
   is not verified at all).
3. **Verify** each shortlisted reference on its own (`LocalIndex.verify`):
   * matches: nearest and second-nearest reference descriptor for every query descriptor (brute
     force, 300 x 300, `cv2.batchDistance`), Lowe's `ratio` test and `max_distance`, one query
     descriptor per reference descriptor;
   * geometry: `cv2.estimateAffinePartial2D` with RANSAC (rotation, uniform scale, shift); at
     least `min_inliers` inliers, scale within `min_scale..max_scale` (`fine_max_scale` for a
     finer band, whose keypoints have three times the detail) and rotation within
     `max_rotation_deg` (a crop or caption zooms by at most ~1.25x and never turns; mirrored and
     rotated copies are PDQ's job); the inliers must be at least `min_coverage` of the keypoints
     that fall inside the overlap (`verify._coverage`; a finer band's own keypoints are not
     counted there, only the output's);
   * pixels: the reference's thumbnail, moved by that transform, must look like the query's on at
     least `min_agreement` of the grid cells they share (`verify._agreement`, which forgives a band of up
     to a quarter of the height at the top or bottom: caption bars).
   * insets: where the output shows rectangles over itself (`LocalFeatures.drawn_over`, a picture in
     picture), a reference they partly hide is counted and compared without them, up to
     `max_hidden` of the overlap: what is pasted over a picture is no evidence against it.
   * region: the overlap as explicit boxes (`verify._regions`): in the query's scaled image, and as
     shares of the reference (which part of it the query shows), reported with the match.
   The pixel test is what tells a copy from two different pictures that share one motif (the same
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

import cv2

from kyodaku.media.local.features import (
    FORMAT_VERSION,
    LocalFeatures,
    extract_features,
    extract_finer,
    reference_grey,
    with_finer,
)
from kyodaku.media.local.index import LocalIndex
from kyodaku.media.local.options import DEFAULT_OPTIONS, LocalOptions
from kyodaku.media.local.verify import LocalMatch

cv2.setNumThreads(1)  # figures are per core; the service scales by processes, not OpenCV threads

__all__ = [
    "DEFAULT_OPTIONS",
    "FORMAT_VERSION",
    "LocalFeatures",
    "LocalIndex",
    "LocalMatch",
    "LocalOptions",
    "extract_features",
    "extract_finer",
    "reference_grey",
    "with_finer",
]
