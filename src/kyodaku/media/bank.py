"""A bank of reference hashes, and how an output is matched against it.

The bank is what the screening snapshot holds for media: every live reference's
hashes in one exact multi-index (`index.HashIndex`), plus parallel arrays that
say which reference, frame, time and region each row is. It is immutable; a new
registry version builds a new bank and the snapshot swaps it in whole.

Matching rules, and why:

* An image matches a reference when one of its hashes is within the PDQ
  threshold of a reference hash *of the same region* ("full" against "full",
  the top window against the top window): a caption bar covers one window and
  leaves the other alike. The full hash is tried in its 8 dihedral variants,
  so mirrored and rotated copies match. Video frames are "full" hashes, so a
  still taken from a registered clip matches that clip, frame named.
* A video matches vPDQ's way: the share of the query's frames that match some
  frame of the reference, and the share of the reference's frames matched by
  some query frame. Either share at or above `min_share` (with at least
  `min_frames` matching frames) is a match: a short excerpt of a long film has a
  high query share, a padded copy a high reference share. The matching time
  ranges are reported.
* Hashes under PDQ's quality floor never match: flat frames (black, blank
  backgrounds) hash alike across unrelated media.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kyodaku.media.hashing import CUT_REGIONS, INSET, MediaHashes
from kyodaku.media.index import HashIndex

REGIONS = ("full", "top", "bottom", "value")
_REGION_CODE = {name: n for n, name in enumerate(REGIONS)} | {"trimmed": 0} | {c: 0 for c in CUT_REGIONS}
"""A hash of the picture inside its borders ("trimmed", media/borders.py) is a whole picture's hash:
it is compared with the references' full hashes, and theirs with the outputs'. So is a reference's
centre cut to a frame shape ("cut-16:9", hashing.hash_aspect_cuts): an output that shows the
reference filling a frame of that shape is, as a whole, that cut."""
_CUT_CODE = {name: n + 1 for n, name in enumerate(CUT_REGIONS)}
_FRAME_ROWS = ("full", "trimmed", INSET)
"""A video frame's hashes that say which picture it shows: whole, inside its borders, or in a
rectangle inside itself (a picture in picture)."""


@dataclass(frozen=True)
class MatchOptions:
    threshold: int = 31
    min_quality: int = 50
    min_share: float = 0.5
    min_frames: int = 2
    # Seconds between sampled frames that still count as one continuous matching range.
    range_gap: float = 2.0
    # Local features in video (`_voted`): a matched frame counts when another matched frame lies within
    # this many sampled frames of it. 1: the frame just before or after. 2 lets one frame in between
    # fail verification (a zoom's frames over a still pass and fail the coverage test in turn, tune
    # half of bench/media_real.py: zoom to 50% found 78 % -> 84 %; in 240 unrelated clips no frame verified).
    vote_reach: int = 2
    # A video frame within this many bits of an *image* reference's whole-picture row (or one of its
    # centre cuts) decides alone, as one image's hash does: at a quarter of PDQ's spread (unrelated
    # pictures sit at ~128 +- 8 bits), a frame this close is the picture, not a chance. What finds a
    # still shown for a second, and a zoom over smooth art whose first frame is the still filling the
    # frame and whose later frames keep no keypoints. 0: two frames, always (vPDQ's rule).
    single_frame_distance: int = 16
    # Image references' finer keypoint band (media/local/features.py extract_finer), where stored: what
    # finds deep crops. Off, the bank is built from the coarse band only, as before issue 14's band,
    # and a query costs what it did (docs/benchmarks.md 13b measures the difference).
    local_fine_band: bool = True
    # Insets (media/local/insets.py): when an output shows rectangles inside itself (a picture in
    # picture, a collage's panels) and its decoded picture was kept (HashOptions.keep_picture), those
    # boxes are analysed again at the resolution the picture has. Costs only outputs that show one.
    local_insets: bool = True
    # The output again with its insets painted over, so the picture behind them gets ORB's keypoint
    # budget (`_behind_insets`).
    local_behind_insets: bool = True
    # An inset whose keypoints are fewer than this (flat drawn art at 40 % of a frame keeps 3-24 of them
    # cut from the ~640 x 360 draft decode) is cut again from the output decoded at full resolution
    # (hashing.FullResolution, once per output, only when such a box exists) and analysed at up to
    # local_inset_full_side px (`_inset_features`). bench/media_real.py, pictures in pictures at 40 / 25 %:
    # tune half 89.7 / 87.4 % -> 92.0 / 89.7 %, held-out 89.2 / 85.0 % -> 91.7 / 85.8 %; ~1 % of
    # unrelated pictures decoded again (+~7 ms each), none matched. 0 in either turns it off.
    local_inset_full_below: int = 60
    local_inset_full_side: int = 512
    # An output whose own keypoints are fewer than this is looked at again, whole, at
    # local_closer_side px (`_closer_features`): enlarged when it has fewer pixels, cut from the
    # full-resolution decode when the file has more than its draft. 0 in either turns it off.
    local_closer_below: int = 60
    local_closer_side: int = 512
    # A second look at the whole decoded picture (kept, as for insets) when nothing was found inside
    # a border trim that cut more than a tenth of the output and drifts like a sky, not a bar
    # (`_untrimmed_features`, borders.drifts). Costs only such outputs in which nothing was found.
    local_untrimmed: bool = True
    # ...and, drifting or not, when the trim kept less than this share of the output's area: what a
    # crop of flat drawn art or of a stamp on white looks like (its plain parts taken for a page).
    # 0 turns that part off; with 0.5 the look fires on ~21 % of unrelated pictures instead of ~9 %.
    local_untrimmed_kept: float = 0.5
    # ORB's border (LocalOptions.border) when that look finds the whole picture's keypoints: the
    # border the output's own keypoints were found with (GuardOptions.query_keypoint_border). A crop
    # of flat art whose plain parts were trimmed as a page is a crop still (docs/benchmarks.md 13m).
    # 0: the patch size, as references.
    local_untrimmed_border: int = 0


@dataclass(frozen=True)
class BankReference:
    """One registered reference file, as findings cite it."""

    id: str
    entity: str
    sha256: str
    media_type: str
    filename: str
    frames: int = 1
    duration: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity": self.entity,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "filename": self.filename,
        }


@dataclass(frozen=True)
class ReferenceHashes:
    """A reference's hash rows as arrays (what the registry stores, what the bank is built from)."""

    reference: BankReference
    codes: np.ndarray  # (n, 32) uint8
    quality: np.ndarray  # (n,)
    frame: np.ndarray  # (n,)
    t: np.ndarray  # (n,) seconds
    region: tuple[str, ...]
    local: Any = None  # media.local.LocalFeatures of an image reference, if extracted

    @classmethod
    def from_media(cls, reference: BankReference, media: MediaHashes) -> ReferenceHashes:
        rows = [f for f in media.frames if f.variant == "original"]
        return cls(
            reference=reference,
            codes=np.frombuffer(b"".join(f.hash for f in rows), np.uint8).reshape(-1, 32),
            quality=np.array([f.quality for f in rows], np.int16),
            frame=np.array([f.frame for f in rows], np.int32),
            t=np.array([f.t for f in rows], np.float32),
            region=tuple(f.region for f in rows),
            local=media.local,
        )


def with_finer_band(media: MediaHashes, source: Any, max_pixels: int) -> MediaHashes:
    """A reference image's hashes with the finer band of its keypoints added (media/local/features.py,
    `extract_finer`), taken from its file (`source`: a path or the bytes) at up to 768 px. What
    registration and catalog banks store; an output never gets one (it would cost every screen)."""
    from kyodaku.media.local import reference_grey, with_finer

    if media.media_type != "image" or media.local is None or media.local.finer is not None:
        return media
    grey = reference_grey(source, max_pixels)
    if grey is None:
        return media
    return dataclasses.replace(media, local=with_finer(media.local, grey))


@dataclass(frozen=True)
class ImageMatch:
    reference: BankReference
    distance: int
    region: str
    variant: str
    reference_frame: int
    reference_t: float
    quality: int
    trim: tuple[int, int, int, int] | None = None
    """Set when the match was made inside the output's plain borders: the box kept (decoded pixels)."""
    cut: str = ""
    """Set when the reference's row was its centre cut to a frame shape ("cut-16:9"): the output shows
    the reference filling a frame of that shape."""
    inset: tuple[int, int, int, int] | None = None
    """Set when the output's hash was of a rectangle it shows inside itself (a picture in picture):
    that box, in the output's own pixels."""

    def score(self, threshold: int) -> float:
        """1.0 for identical hashes down to 0.8 at the threshold: any match within PDQ's threshold is
        strong evidence (unrelated pairs sit near 128), so none of them falls into the review band."""
        return round(1.0 - 0.2 * self.distance / max(threshold, 1), 4)


@dataclass(frozen=True)
class LocalImageMatch:
    """A reference found by its local features (a crop, a partly covered copy), geometry verified."""

    reference: BankReference
    inliers: int
    scale: float
    rotation_deg: float
    shift: tuple[float, float]
    detail: dict[str, Any]

    @property
    def score(self) -> float:
        """0.85 at the fewest inliers accepted, up to 0.95: verified local matches are strong
        evidence (the calibration kept unrelated pictures out), a little below a PDQ match."""
        return round(min(0.95, 0.85 + self.inliers / 1000), 4)


@dataclass(frozen=True)
class TimeRange:
    query_start: float
    query_end: float
    reference_start: float
    reference_end: float

    def to_dict(self) -> dict[str, float]:
        return {
            "query": [round(self.query_start, 3), round(self.query_end, 3)],
            "reference": [round(self.reference_start, 3), round(self.reference_end, 3)],
        }


@dataclass(frozen=True)
class VideoMatch:
    reference: BankReference
    query_share: float
    reference_share: float
    matched_frames: int
    query_frames: int
    best_distance: int
    ranges: tuple[TimeRange, ...]
    cuts: tuple[str, ...] = ()
    """The reference's centre cuts ("cut-16:9") that some matched frames matched: the video shows the
    reference filling a frame of that shape."""

    @property
    def score(self) -> float:
        return round(0.8 + 0.2 * max(self.query_share, self.reference_share), 4)


@dataclass(frozen=True)
class VideoLocalMatch:
    """An image reference found by its local features in sampled frames of a video output (a zoom
    or pan over it, a picture in picture), kept only when neighbouring frames agree (`_voted`)."""

    reference: BankReference
    matched_frames: int
    query_frames: int
    query_share: float
    best_inliers: int
    scales: tuple[float, float]
    """Smallest and largest zoom of the frames over the reference (a Ken Burns zoom spans a range)."""
    ranges: tuple[TimeRange, ...]
    pdq_frames: int = 0
    """Of `matched_frames`, those that matched by PDQ (a whole frame within the threshold of the
    reference or of one of its centre cuts) rather than by keypoints: one vote counts both."""

    @property
    def score(self) -> float:
        """As a local image match (0.85-0.95): each counted frame passed the same verification."""
        return round(min(0.95, 0.85 + self.best_inliers / 1000), 4)


def _voted(
    frames: Sequence[int], sampled: Sequence[int], min_frames: int, min_share: float, reach: int = 1
) -> list[int]:
    """The matched frames that count: each needs another matched frame within `reach` sampled frames
    of it (1: the frame before or after it), so one chance frame never decides; then at least
    `min_frames` of them and either `min_share` of the video or a run of three (a short appearance in
    a long video). A video of a single sampled frame is judged by that frame, as an image is.

    Why a reach: the frames of a zoom or a pan over a still are one path, and verification is strict
    enough (pixel check, coverage) that a frame in the middle of the path can fail it while both its
    neighbours pass; with a reach of 2 that frame no longer breaks the chain of the others."""
    if len(sampled) == 1:
        return list(frames) if frames else []
    position = {f: n for n, f in enumerate(sampled)}
    hit = {position[f] for f in frames if f in position}
    near = range(-max(1, reach), max(1, reach) + 1)
    counted = sorted(sampled[n] for n in hit if any(d and n + d in hit for d in near))
    if len(counted) < min(min_frames, len(sampled)):
        return []
    if len(counted) / len(sampled) >= min_share or len(counted) >= 3:
        return counted
    return []


@dataclass(frozen=True)
class ReferenceBank:
    references: tuple[BankReference, ...]
    index: HashIndex
    ref_row: np.ndarray
    frame: np.ndarray
    t: np.ndarray
    region: np.ndarray
    options: MatchOptions
    # Per reference: the seconds of it that have a usable frame. Reference clips are sampled more
    # densely than outputs, so the reference's share is counted in seconds covered, not frames.
    reference_frames: np.ndarray
    skipped_low_quality: int = 0
    digest: str = ""
    local: Any = None  # media.local.LocalIndex over the image references' keypoints, keyed by reference
    learned: Any = None  # media.learned.LearnedBank: the optional encoder's reference embeddings
    cut: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    """Per row: 0, or 1 + the index in hashing.CUT_REGIONS of the centre cut the row is of."""

    @classmethod
    def empty(cls, options: MatchOptions | None = None) -> ReferenceBank:
        return cls.build([], options)

    @classmethod
    def build(
        cls, items: Sequence[ReferenceHashes], options: MatchOptions | None = None, digest: str = ""
    ) -> ReferenceBank:
        options = options or MatchOptions()
        codes, ref_row, frame, t, region, cut = [], [], [], [], [], []
        usable_frames = np.zeros(len(items), np.int32)
        skipped = 0
        for n, item in enumerate(items):
            keep = item.quality >= options.min_quality
            skipped += int((~keep).sum())
            if not keep.any():
                continue
            codes.append(item.codes[keep])
            ref_row.append(np.full(int(keep.sum()), n, np.int32))
            frame.append(item.frame[keep])
            t.append(item.t[keep])
            codes_of_region = np.array([_REGION_CODE.get(r, 0) for r in item.region], np.uint8)
            region.append(codes_of_region[keep])
            cut.append(np.array([_CUT_CODE.get(r, 0) for r in item.region], np.uint8)[keep])
            full = np.array([r in ("full", "trimmed") for r in item.region]) & keep
            usable_frames[n] = len(set(np.floor(item.t[full]).astype(int).tolist()))

        def cat(parts, dtype):
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        all_codes = np.concatenate(codes) if codes else np.zeros((0, 32), np.uint8)
        local_items = [(n, it.local) for n, it in enumerate(items) if it.local is not None and len(it.local)]
        if not options.local_fine_band:
            local_items = [(n, dataclasses.replace(f, finer=None)) for n, f in local_items]
        local = None
        if local_items:
            from kyodaku.media.local import LocalIndex

            local = LocalIndex.build(local_items)
        return cls(
            references=tuple(item.reference for item in items),
            index=HashIndex.build(np.ascontiguousarray(all_codes, dtype=np.uint8)),
            ref_row=cat(ref_row, np.int32),
            frame=cat(frame, np.int32),
            t=cat(t, np.float32),
            region=cat(region, np.uint8),
            options=options,
            reference_frames=usable_frames,
            skipped_low_quality=skipped,
            digest=digest,
            local=local,
            cut=cat(cut, np.uint8),
        )

    def __len__(self) -> int:
        return len(self.index)

    @functools.cached_property
    def _positions(self) -> dict[str, list[int]]:
        """Reference id -> its positions in `references` (the local index's keys)."""
        out: dict[str, list[int]] = defaultdict(list)
        for n, ref in enumerate(self.references):
            out[ref.id].append(n)
        return dict(out)

    def _rows_of(self, ids: set[str] | frozenset[str]) -> set[int]:
        """The local index's keys of these reference ids: what an earlier tier found is not verified."""
        return {n for i in ids for n in self._positions.get(i, ())}

    # -- images -----------------------------------------------------------------------------------
    def match_image(self, query: MediaHashes) -> list[ImageMatch]:
        """Best match per reference for one image, best first."""
        keep = [n for n, f in enumerate(query.frames) if f.quality >= self.options.min_quality]
        if not keep or not len(self.index):
            return []
        frames = [query.frames[n] for n in keep]
        hits = self.index.search_many(query.codes()[keep], self.options.threshold)
        best: dict[int, ImageMatch] = {}
        for f, hit in zip(frames, hits, strict=True):
            code = _REGION_CODE.get(f.region, 0)
            for row, distance in zip(hit.rows.tolist(), hit.distances.tolist(), strict=True):
                if self.region[row] != code:
                    continue
                ref = int(self.ref_row[row])
                current = best.get(ref)
                if current is None or distance < current.distance:
                    best[ref] = ImageMatch(
                        reference=self.references[ref],
                        distance=int(distance),
                        region=f.region,
                        variant=f.variant,
                        reference_frame=int(self.frame[row]),
                        reference_t=float(self.t[row]),
                        quality=f.quality,
                        trim=f.trim,
                        cut=self._cut_name(row),
                        inset=f.inset,
                    )
        return sorted(best.values(), key=lambda m: (m.distance, m.reference.id))

    def match_local(self, query: MediaHashes, exclude: set[str] = frozenset()) -> list[LocalImageMatch]:
        """References whose keypoints the image shows in one consistent placement (a crop, a
        caption, a frame around it), except those in `exclude` (already matched by PDQ). Passes: the
        output inside its border trim, the same again at 512 px when it has few keypoints
        (`_closer_features`), then its insets, then (nothing found yet, a doubtful trim) its
        whole picture (`_untrimmed_features`)."""
        if self.local is None or query.local is None:
            return []
        out = []
        skip = self._rows_of(exclude)
        passes = []
        if len(query.local):
            # Its insets drawn over it may hide part of a reference behind them (LocalOptions.max_hidden).
            passes.append((_drawn_over(query), None))
        if len(query.local) < self.options.local_closer_below and self.options.local_closer_side > 0:
            closer = _closer_features(query, self.options.local_closer_side)
            if closer is not None:
                passes.append((closer, None))
        if self.options.local_behind_insets and query.insets and query.picture is not None:
            behind = _behind_insets(query)
            if behind is not None:
                passes.append((behind, None))
        if len(query.local) and self.options.local_insets and query.picture is not None:
            passes += _inset_features(
                query, self.options.local_inset_full_below, self.options.local_inset_full_side
            )
        for features, inset in passes:
            shortlist = (None, None) if inset is None else (INSET_MIN_VOTES, INSET_MAX_VERIFY)
            for m in self.local.match(features, skip, *shortlist):
                ref = self.references[int(m.key)]
                if ref.id in exclude:
                    continue
                out.append(_local_match(ref, m, inset))
            if inset is None:
                # What the whole output found is not looked for again inside its insets.
                skip = skip | self._rows_of({m.reference.id for m in out})
        if not out and not exclude:
            # Nothing found at all, and the borders cut may have been picture: the whole picture
            # again (`_untrimmed_features`), then, for a weak output, closer (`_closer_untrimmed`).
            looks: list[Callable[[], tuple[Any, tuple[float, ...]] | None]] = []
            if self.options.local_untrimmed:
                looks.append(
                    lambda: _untrimmed_features(
                        query, self.options.local_untrimmed_kept, self.options.local_untrimmed_border
                    )
                )
            if self.options.local_closer_side and len(query.local) < self.options.local_closer_below:
                looks.append(lambda: _closer_untrimmed(query, self.options.local_closer_side))
            for look in looks:
                found = look()
                if found is None:
                    continue
                features, frame = found
                for m in self.local.match(features, skip):
                    out.append(_local_match(self.references[int(m.key)], m, frame, untrimmed=True))
                if out:
                    break
        best: dict[str, LocalImageMatch] = {}
        for m in out:
            if m.reference.id not in best or m.inliers > best[m.reference.id].inliers:
                best[m.reference.id] = m
        return sorted(best.values(), key=lambda m: (-m.inliers, m.reference.id))

    def match_learned(self, query: MediaHashes, exclude: set[str] = frozenset()) -> list:
        """References the configured learned encoder finds close (media/learned.py)."""
        from kyodaku.media.learned import match_learned

        return match_learned(self.learned, query.embedding, self.references, exclude)

    # -- video ------------------------------------------------------------------------------------
    def match_video_local(self, query: MediaHashes, exclude: set[str] = frozenset()) -> list[VideoLocalMatch]:
        """Image references found by local features in the sampled frames of a video, except those in
        `exclude` (found by vPDQ), with temporal voting (`_voted`).

        One vote over every tier: a frame whose whole picture PDQ matched the reference (or one of its
        centre cuts) counts in the vote beside the frames its keypoints were verified in. Why: a zoom
        over a still starts as the still filling the frame, which PDQ finds and keypoints on smooth
        art may not, and goes on into crops, which keypoints find and PDQ does not, so the two tiers
        see different frames of one path. (On bench/media_real.py's halves it changed no result: the
        clips where only PDQ had a frame are now decided by `single_frame_distance`.) A match needs
        at least one keypoint frame: PDQ frames alone are vPDQ's (`match_video`)."""
        if self.local is None or not query.frame_local:
            return []
        sampled = sorted({frame for frame, _t, _f in query.frame_local})
        times = {frame: t for frame, t, _f in query.frame_local}
        skip = self._rows_of(exclude)
        hits: dict[int, dict[int, Any]] = defaultdict(dict)  # reference -> frame -> LocalMatch
        for frame, _t, features in query.frame_local:
            if features is None or not len(features):
                continue
            for m in self.local.match(features, skip):
                ref = int(m.key)
                if self.references[ref].id in exclude:
                    continue
                if frame not in hits[ref] or m.inliers > hits[ref][frame].inliers:
                    hits[ref][frame] = m
        pdq_hits = self._frame_hits(query)[0] if hits else {}
        out = []
        for ref, per_frame in hits.items():
            by_pdq = {f for f in pdq_hits.get(ref, ()) if f in times and f not in per_frame}
            counted = _voted(
                sorted(set(per_frame) | by_pdq),
                sampled,
                self.options.min_frames,
                self.options.min_share,
                self.options.vote_reach,
            )
            kept = [per_frame[f] for f in counted if f in per_frame]
            if not kept:
                continue
            matched = {f: (0, 0, 0.0) for f in counted}
            out.append(
                VideoLocalMatch(
                    reference=self.references[ref],
                    matched_frames=len(counted),
                    query_frames=len(sampled),
                    query_share=round(len(counted) / len(sampled), 4),
                    best_inliers=max(int(m.inliers) for m in kept),
                    scales=(
                        round(min(float(m.scale) for m in kept), 3),
                        round(max(float(m.scale) for m in kept), 3),
                    ),
                    ranges=_ranges(matched, times, self.options.range_gap),
                    pdq_frames=len(counted) - len(kept),
                )
            )
        return sorted(out, key=lambda m: (-m.matched_frames, -m.best_inliers, m.reference.id))

    def _frame_hits(self, query: MediaHashes) -> tuple[dict[int, dict[int, _FrameHit]], dict[int, set[int]]]:
        """Per reference, the sampled frames of a video whose whole-picture hash is within the threshold
        of one of its whole-picture rows (full, trimmed or a centre cut), the closest row each; and per
        reference, the seconds of it those rows cover. A frame's inset hashes (a picture in picture,
        hashing `_frame_insets`) count as its whole picture does: the frame shows that reference."""
        frames = [f for f in query.frames if f.region in _FRAME_ROWS and f.variant == "original"]
        usable = [f for f in frames if f.quality >= self.options.min_quality]
        per_ref: dict[int, dict[int, _FrameHit]] = defaultdict(dict)
        ref_seconds: dict[int, set[int]] = defaultdict(set)
        if not usable or not len(self.index):
            return per_ref, ref_seconds
        codes = np.frombuffer(b"".join(f.hash for f in usable), np.uint8).reshape(-1, 32)
        hits = self.index.search_many(codes, self.options.threshold)
        for f, hit in zip(usable, hits, strict=True):
            for row, distance in zip(hit.rows.tolist(), hit.distances.tolist(), strict=True):
                if self.region[row] != 0:
                    continue
                ref = int(self.ref_row[row])
                ref_seconds[ref].add(int(self.t[row]))  # seconds of the reference covered
                seen = per_ref[ref].get(f.frame)
                if seen is None or distance < seen.distance:
                    per_ref[ref][f.frame] = _FrameHit(
                        int(distance), int(self.frame[row]), float(self.t[row]), self._cut_name(row)
                    )
        return per_ref, ref_seconds

    def _cut_name(self, row: int) -> str:
        """The centre cut a hash row is of ("cut-16:9"), or "" for a whole picture's row."""
        code = int(self.cut[row]) if len(self.cut) else 0
        return CUT_REGIONS[code - 1] if code else ""

    def _decides_alone(self, ref: int, hit: dict[int, _FrameHit]) -> bool:
        """Whether one frame's match is enough: an image reference, a row within
        `single_frame_distance` bits (MatchOptions)."""
        strict = self.options.single_frame_distance
        return (
            strict > 0
            and self.references[ref].media_type == "image"
            and min(h.distance for h in hit.values()) <= strict
        )

    def match_video(self, query: MediaHashes) -> list[VideoMatch]:
        """vPDQ-style matches per reference, with shares in both directions and time ranges."""
        frames = [f for f in query.frames if f.region in ("full", "trimmed") and f.variant == "original"]
        per_ref, ref_frames = self._frame_hits(query)
        times = {f.frame: f.t for f in frames}
        # Frames, not hash rows: a frame with borders has two rows (untrimmed and trimmed).
        sampled = len({f.frame for f in frames})
        need = min(self.options.min_frames, sampled)
        out = []
        for ref, hit in per_ref.items():
            if len(hit) < need and not self._decides_alone(ref, hit):
                continue
            query_share = len(hit) / max(sampled, 1)
            reference_share = len(ref_frames[ref]) / max(int(self.reference_frames[ref]), 1)
            if max(query_share, reference_share) < self.options.min_share:
                continue
            matched = {f: (h.distance, h.reference_frame, h.reference_t) for f, h in hit.items()}
            out.append(
                VideoMatch(
                    reference=self.references[ref],
                    query_share=round(query_share, 4),
                    reference_share=round(min(reference_share, 1.0), 4),
                    matched_frames=len(matched),
                    query_frames=sampled,
                    best_distance=min(h.distance for h in hit.values()),
                    ranges=_ranges(matched, times, self.options.range_gap),
                    cuts=tuple(sorted({h.cut for h in hit.values() if h.cut})),
                )
            )
        return sorted(out, key=lambda m: (-m.score, m.reference.id))


@dataclass(frozen=True)
class _FrameHit:
    """A sampled video frame's closest reference row within the PDQ threshold."""

    distance: int
    reference_frame: int
    reference_t: float
    cut: str = ""
    """The reference's centre cut the frame matched ("cut-16:9"), "" for its whole picture."""


def _local_match(
    ref: BankReference, m: Any, inset: tuple[float, ...] | None, untrimmed: bool = False
) -> LocalImageMatch:
    """A verified local match as the bank reports it. Found inside an inset (`inset`: its box in the
    output's keypoint frame, `query.local.size`), its scale, shift and region are moved from the
    inset's own frame into that frame, so the evidence reads as for a match on the whole output.
    Found on the whole picture past a doubtful trim (`untrimmed`, `_untrimmed_features`), the same
    move, from the untrimmed picture's frame; the detail says `"untrimmed": true` instead of an inset."""
    detail = {k: _plain(v) for k, v in dataclasses.asdict(m).items() if k != "key"}
    scale, tx, ty = float(m.scale), float(m.tx), float(m.ty)
    if inset is not None:
        x0, y0, f = inset[0], inset[1], inset[2]
        scale, tx, ty = scale * f, x0 + tx * f, y0 + ty * f
        rx0, ry0, rx1, ry1 = (float(v) for v in m.region)
        detail.update(
            scale=scale,
            tx=tx,
            ty=ty,
            region=[
                round(x0 + rx0 * f, 1),
                round(y0 + ry0 * f, 1),
                round(x0 + rx1 * f, 1),
                round(y0 + ry1 * f, 1),
            ],
        )
        if untrimmed:
            detail["untrimmed"] = True
        else:
            detail["inset"] = [
                round(x0, 1), round(y0, 1), round(x0 + inset[3] * f, 1), round(y0 + inset[4] * f, 1)
            ]  # fmt: skip
    return LocalImageMatch(
        reference=ref,
        inliers=int(m.inliers),
        scale=round(scale, 4),
        rotation_deg=round(float(m.rotation_deg), 2),
        shift=(round(tx, 1), round(ty, 1)),
        detail=detail,
    )


INSET_MIN_VOTES = 6
INSET_MAX_VERIFY = 4
"""An inset's shortlist: a registered picture shown in it is seen at about its own scale and gives
its reference many votes; chance candidates of an unrelated inset are not worth verifying."""


UNTRIMMED_BELOW = 0.9
"""A trim that kept less than this share of the output's area, and `borders.drifts`, sends an output
in which nothing was found to a second look at its whole picture."""


def _untrimmed_features(
    query: MediaHashes, doubtful_below: float = 0.0, border: int = 0
) -> tuple[Any, tuple[float, ...]] | None:
    """Keypoints of the whole decoded picture, when its border trim may have cut picture away, with
    the move from their frame into the output's keypoint frame (as `_inset_features`: left, top,
    factor, width, height; left and top are negative, the trim's box lying inside the picture).

    Why: an output's keypoints are taken inside its trimmed box (`hashing`), and the trim can take a
    smooth sky or gradient at the edge of a crop for a border, leaving a strip with few or no
    keypoints (tune half: 11 of 19 sampled crops of a third were "trimmed"). A true border is one
    colour across its lines and a sky drifts (`borders.drifts`), so only a drifting cut of more than
    a tenth of the area is looked past: 9 % of unrelated pictures (clip art on white pages mostly
    not: their margins do not drift), ~2 ms each. None when the cut looks like a true border.

    A trim that kept less than `doubtful_below` of the area is looked past even when it does not
    drift: on flat drawn art a crop's plain parts are one colour from line to line, like a page, and
    the trim kept a scrap whose own edges, where the art's corners are, lie within ORB's border band
    and get no descriptor (tune half: six crops of 20-33 % per side, of wallpapers drawn in flat
    colours and of letter stamps, kept 16-50 % and were verified only on the whole picture). A real
    frame that large (a picture at half a page's width) is found on the trimmed picture before this
    look is tried, so it costs only outputs in which nothing was found."""
    from kyodaku.media.borders import drifts
    from kyodaku.media.local import DEFAULT_OPTIONS, extract_features
    from kyodaku.media.local.features import QUERY_THUMB_SIDE

    trim, picture, local = query.trim, query.picture, query.local
    if picture is None or trim is None or not getattr(trim, "found", False) or trim.kept >= UNTRIMMED_BELOW:
        return None
    if trim.kept >= doubtful_below and not drifts(picture, trim):
        return None
    options = dataclasses.replace(DEFAULT_OPTIONS, border=border) if border else DEFAULT_OPTIONS
    features = extract_features(picture.convert("L"), options, thumb_side=QUERY_THUMB_SIDE)
    if len(features) < 2:
        return None
    return features, _untrimmed_frame(trim.box, local.size, picture.size[0], features.size)


def _drawn_over(query: MediaHashes) -> Any:
    """The output's keypoints with the insets it shows marked as drawn over it (`insets.drawn_over`)."""
    if not query.insets:
        return query.local
    from kyodaku.media.local.insets import drawn_over

    return drawn_over(query.local, query.insets)


def _behind_insets(query: MediaHashes) -> Any | None:
    """Keypoints of the output with its insets painted over (one flat grey), in the frame of its own
    keypoints and with the insets marked as drawn over it: the picture behind a picture in picture.

    Why: ORB keeps an output's strongest 300 corners wherever they are, and an inset (a photograph,
    a face, text) takes many of them, so the background it covers a corner of is left with a few
    dozen, often too few to give its reference the shortlist's votes. Painted over, the inset gives
    only its four corners, and the budget goes to the background. Tune half of bench/media_real.py:
    backgrounds of pictures in pictures at 40 %, +9 of 84 found beyond what the first look finds with
    its insets left out of the pixel check (`LocalOptions.max_hidden`); 2,000 unrelated pictures
    with another pasted over them: no match. Costs one more ORB pass, on outputs that show insets."""
    from kyodaku.media.local.insets import behind_insets, in_picture, padded_boxes

    local, picture = query.local, query.picture
    boxes = padded_boxes(local, query.insets)
    if local is None or picture is None or not boxes:
        return None
    part = _analysed_part(query)
    grey = np.asarray(picture.crop(part).convert("L"))
    painted = []
    for box in boxes:
        x0, y0, x1, y1 = in_picture(box, local.thumbnail.shape, part)
        # Whole pixels as a drawn rectangle covers them: both ends included, cut toward zero.
        x0, y0, x1, y1 = x0 - part[0], y0 - part[1], x1 - part[0], y1 - part[1]
        painted.append((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
    return behind_insets(grey, painted, local, query.insets)


def _analysed_part(query: MediaHashes) -> tuple[int, int, int, int]:
    """The part of the output's decoded picture its keypoints were taken from (left, top, right,
    bottom): inside its border trim when one was found, else the whole picture."""
    if query.trim is not None and getattr(query.trim, "found", False):
        return query.trim.box
    return (0, 0, *query.picture.size)


def _untrimmed_frame(
    box: tuple[int, int, int, int], keypoint_frame: tuple[int, int], picture_width: int, size: tuple[int, int]
) -> tuple[float, ...]:
    """The move from the frame (`size`) of keypoints found on the whole decoded picture into the
    output's keypoint frame, which is the trimmed `box` scaled to `keypoint_frame`: (left, top,
    factor, width, height), as an inset's (left and top negative: the box lies inside the picture)."""
    left, top, right, bottom = box
    kx, ky = keypoint_frame[0] / max(1, right - left), keypoint_frame[1] / max(1, bottom - top)
    return (-left * kx, -top * ky, picture_width / size[0] * kx, size[0], size[1])


def _inset_features(
    query: MediaHashes, full_below: int = 0, full_side: int = 0
) -> list[tuple[Any, tuple[float, ...]]]:
    """Keypoints of the rectangles the output shows inside itself (media/local/insets.py), each cut
    from the decoded picture at the resolution it has, with the box they came from: (left, top,
    factor, width, height) in the output's keypoint frame, factor = keypoint-frame px per inset px.
    An inset is analysed at the output's own 256 px: one at 40% of a 1280 px frame (~256 px as
    decoded) is seen with ~2.5x the pixels the whole output's analysis gave it.

    Boxes with fewer than `full_below` keypoints are cut again from the output decoded at full
    resolution (`_full_resolution_features`), when the output is larger than its draft decode."""
    from kyodaku.media.local import DEFAULT_OPTIONS, extract_features
    from kyodaku.media.local.features import QUERY_THUMB_SIDE
    from kyodaku.media.local.insets import in_picture, padded_boxes

    local, picture = query.local, query.picture
    boxes = padded_boxes(local, query.insets)
    if not boxes:
        return []
    # The keypoints' frame is the analysed picture (inside its borders, when trimmed) scaled down.
    part = _analysed_part(query)
    out: list[tuple[Any, tuple[float, ...]] | None] = []
    weak: list[tuple[int, tuple[float, ...], tuple[float, ...]]] = []  # (place in out, box, picture px)
    for bx0, by0, bx1, by1 in boxes:
        cut = in_picture((bx0, by0, bx1, by1), local.thumbnail.shape, part)
        crop = picture.crop(tuple(round(v) for v in cut))
        if min(crop.size) < 16:
            continue
        features = extract_features(crop.convert("L"), DEFAULT_OPTIONS, thumb_side=QUERY_THUMB_SIDE)
        if len(features) < full_below:
            weak.append((len(out), (bx0, by0, bx1), cut))
        if not len(features):
            out.append(None)
            continue
        fw, fh = features.size
        out.append((features, (bx0, by0, (bx1 - bx0) / fw, fw, fh)))
    if weak and full_side > 0:
        for n, found in _full_resolution_features(query, [cut for _, _, cut in weak], full_side):
            if found is None or (out[weak[n][0]] is not None and len(found) <= len(out[weak[n][0]][0])):
                continue
            bx0, by0, bx1 = weak[n][1]
            out[weak[n][0]] = (found, (bx0, by0, (bx1 - bx0) / found.size[0], *found.size))
    return [item for item in out if item is not None]


def _closer_features(query: MediaHashes, side: int) -> Any | None:
    """Keypoints of the output's analysed picture (inside its border trim) found again at `side` px,
    placed in the frame of its own keypoints (`query.local.size`), so that scales, regions and the
    pixel check read as for the first look; None when this look has nothing more to give.

    The picture comes from the output decoded at full resolution when the file has more pixels than
    its draft decode (`_full_scale`), else from the draft picture; either way it is brought to `side`
    px on its long side, enlarged (bilinear) when it has fewer (`_found_at`). Enlarging invents no
    detail, but ORB looks through a fixed 31 px patch: at 256 px a soft wallpaper cut to 60 % per
    side shows a few dozen corners, at 512 px the same edges give a hundred, found at the finer
    scales of the reference's own finer band (which is enlarged the same way for small references).

    Why: tune half of bench/media_real.py, crops that no tier found and whose output kept under 60
    keypoints: with this look 6 more were found (crops of 10 and 20 % per side: +2, +4), none of
    them as another reference. Costs only weak outputs: flat clip art, smooth wallpapers."""
    from kyodaku.media.local.features import placed

    local, picture = query.local, query.picture
    if local is None or picture is None:
        return None
    found = _found_at(query, _analysed_part(query), side)
    if found is None or len(found) <= len(local):
        return None
    return placed(found, local.size, found.thumbnail)


def _closer_untrimmed(query: MediaHashes, side: int) -> tuple[Any, tuple[float, ...]] | None:
    """The closer look (`_closer_features`) at the whole decoded picture, past a border trim that
    kept less than UNTRIMMED_BELOW of it, with the move from its frame into the output's keypoint
    frame (as `_untrimmed_features`). Why: the trim of a soft wallpaper's crop takes its smooth
    parts for borders, and the closer look inside the trim then sees a strip (tune half: two crops
    of 20 % per side, trims that kept 41 and 83 %, verified on the whole picture at 512 px only).

    Not for a picture the first look had to enlarge (under `LocalOptions.side` px): a small clip-art
    cut enlarged past its trim is a few strokes, and a 42 x 91 px cut of an arrow verified as a
    stamped letter K so (tune half, 10,000 small unrelated pictures)."""
    from kyodaku.media.local import DEFAULT_OPTIONS
    from kyodaku.media.local.features import placed

    trim, picture, local = query.trim, query.picture, query.local
    if picture is None or local is None or trim is None or not getattr(trim, "found", False):
        return None
    if trim.kept >= UNTRIMMED_BELOW or max(picture.size) < DEFAULT_OPTIONS.side:
        return None
    found = _found_at(query, (0, 0, *picture.size), side)
    if found is None:
        return None
    pw, ph = picture.size
    s = DEFAULT_OPTIONS.side / max(pw, ph)  # the frame the first look would give the whole picture
    size = (max(1, round(pw * s)), max(1, round(ph * s)))
    return placed(found, size, found.thumbnail), _untrimmed_frame(trim.box, local.size, pw, size)


def _found_at(query: MediaHashes, part: tuple[int, int, int, int], side: int) -> Any | None:
    """Keypoints of `part` of the output (a box in its draft picture's px) found at `side` px on its
    long side, with proportionally more keypoints: from the full-resolution decode when the file has
    more pixels than the draft (FULL_MIN_GAIN), else from the draft, resized either way (bilinear
    up, box down). None for a part under 16 px a side."""
    from PIL import Image

    from kyodaku.media.local import extract_features
    from kyodaku.media.local.features import QUERY_THUMB_SIDE

    picture = query.picture
    x0, y0, x1, y1 = part
    if min(x1 - x0, y1 - y0) < 16:
        return None
    grey = None
    k = _full_scale(query)
    if max(x1 - x0, y1 - y0) < side and k >= FULL_MIN_GAIN:
        full = query.full_resolution.grey(max(1, int(max(x1 - x0, y1 - y0) * k // side)))
        if full is not None:
            kx, ky = full.size[0] / picture.size[0], full.size[1] / picture.size[1]
            grey = full.crop((round(x0 * kx), round(y0 * ky), round(x1 * kx), round(y1 * ky)))
    if grey is None:
        grey = picture.crop(part).convert("L")
    s = side / max(grey.size)
    grey = grey.resize(
        (max(1, round(grey.width * s)), max(1, round(grey.height * s))),
        Image.Resampling.BILINEAR if s > 1 else Image.Resampling.BOX,
    )
    found = extract_features(grey, _options_at(side), thumb_side=QUERY_THUMB_SIDE)
    return found if len(found) else None


def _options_at(side: int):
    """The default keypoint options at `side` px, with proportionally more keypoints (the looks at
    512 px: insets cut again, the closer look)."""
    from kyodaku.media.local import DEFAULT_OPTIONS

    features = round(DEFAULT_OPTIONS.max_features * side / DEFAULT_OPTIONS.side)
    return dataclasses.replace(DEFAULT_OPTIONS, side=side, max_features=features)


def _full_scale(query: MediaHashes) -> float:
    """Full-resolution pixels per draft pixel of the output (0.0 when it was not kept): the file's own
    size, as the draft picture is oriented (an EXIF rotation swaps the sides)."""
    full, picture = query.full_resolution, query.picture
    if full is None or picture is None:
        return 0.0
    pw, ph = picture.size
    fw, fh = (
        (full.width, full.height) if (full.width >= full.height) == (pw >= ph) else (full.height, full.width)
    )
    return min(fw / pw, fh / ph)


FULL_MIN_GAIN = 1.25
"""A weak inset is cut again at full resolution only when that gives it this many times the pixels
(long side) the draft decode gave it: a small output decoded whole has nothing more to give."""


def _full_resolution_features(
    query: MediaHashes, cuts: list[tuple[float, float, float, float]], side: int
) -> list[tuple[int, Any]]:
    """Keypoints of boxes (`cuts`, in the draft picture's px) cut from the output decoded again at full
    resolution, found at up to `side` px with proportionally more keypoints and placed back in a frame
    of at most the default side (256 px), with a 256 px thumbnail, so that scales and the pixel check
    read as for any inset. (index in `cuts`, features or None) per box worth it; decoded once, reduced
    as far as the smallest box allows, only when a box gains (FULL_MIN_GAIN) from it.

    Why: an inset of flat drawn art at 40 % of a 1280 x 720 frame is ~256 px in the draft decode and
    keeps 3-24 keypoints: ORB finds the few corners of its flat shapes at 256 px. At full resolution
    and 512 px it finds its outlines' corners at finer scales (MatchOptions.local_inset_full_below)."""
    from kyodaku.media.local import DEFAULT_OPTIONS, extract_features
    from kyodaku.media.local.features import QUERY_THUMB_SIDE, placed

    full, picture = query.full_resolution, query.picture
    if full is None or picture is None:
        return []
    pw, ph = picture.size
    k = _full_scale(query)
    worth = [
        n for n, (x0, y0, x1, y1) in enumerate(cuts)
        if max(x1 - x0, y1 - y0) < side and k >= FULL_MIN_GAIN
    ]  # fmt: skip
    if not worth:
        return []
    longest = min(max(x1 - x0, y1 - y0) * k for x0, y0, x1, y1 in (cuts[n] for n in worth))
    grey = full.grey(max(1, int(longest // side)))
    if grey is None:
        return []
    kx, ky = grey.size[0] / pw, grey.size[1] / ph
    options = _options_at(side)
    out: list[tuple[int, Any]] = []
    for n in worth:
        x0, y0, x1, y1 = cuts[n]
        crop = grey.crop((round(x0 * kx), round(y0 * ky), round(x1 * kx), round(y1 * ky)))
        if min(crop.size) < 16:
            out.append((n, None))
            continue
        big = extract_features(crop, options, thumb_side=QUERY_THUMB_SIDE)
        if not len(big):
            out.append((n, None))
            continue
        h = min(1.0, DEFAULT_OPTIONS.side / max(big.size))
        size = (max(1, round(big.size[0] * h)), max(1, round(big.size[1] * h)))
        out.append((n, placed(big, size, big.thumbnail)))
    return out


def _plain(value: Any) -> Any:
    """JSON-ready numbers for the evidence (numpy scalars are not JSON)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return round(float(value), 4)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _ranges(
    matched: dict[int, tuple[int, int, float]], times: dict[int, float], gap: float
) -> tuple[TimeRange, ...]:
    """Merge matching query frames into time ranges (query and reference clock)."""
    ranges: list[TimeRange] = []
    for frame in sorted(matched):
        qt = times[frame]
        rt = matched[frame][2]
        if ranges and qt - ranges[-1].query_end <= gap:
            last = ranges[-1]
            ranges[-1] = TimeRange(
                last.query_start, qt, min(last.reference_start, rt), max(last.reference_end, rt)
            )
        else:
            ranges.append(TimeRange(qt, qt, rt, rt))
    return tuple(ranges)
